"""A node home driven as its operator drives it: ``cusdep`` subprocesses, ``cusdep node run``,
and its embedded anvil stopped afterwards (the ``node_home`` fixture, in ``conftest``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from node.chain.devchain import EmbeddedAnvil
from node.config import load_settings
from node.netports import free_port


def cusdep(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUSDEP_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "node", *args], capture_output=True, text=True, env=env, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"cusdep {' '.join(args)} failed: {proc.stderr}")
    return proc


def node_run(home: Path) -> subprocess.Popen[str]:
    """``cusdep node run`` on ``home`` (free ports), once it says it is ready."""
    env = {
        **os.environ,
        "CUSDEP_HOME": str(home),
        "CUSDEP_EXCHANGE__GRPC_PORT": str(free_port()),
        "CUSDEP_API__PORT": str(free_port()),
    }
    node = subprocess.Popen(
        [sys.executable, "-m", "node", "node", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert node.stdout is not None and '"ready"' in node.stdout.readline()
    return node


def stop_embedded_anvil(home: Path) -> None:
    """Stop the anvil a command of ``home`` left running (none, usually: each stops its own)."""
    pid = EmbeddedAnvil(home, load_settings(home).chain.embedded_port).running_pid()
    if pid:
        os.kill(pid, signal.SIGTERM)


def small_files(tmp_path: Path, n: int) -> list[Path]:
    """``n`` small distinct files to anchor."""
    paths = []
    for i in range(n):
        p = tmp_path / f"doc{i}.txt"
        p.write_text(f"certificate {i}\n")
        paths.append(p)
    return paths
