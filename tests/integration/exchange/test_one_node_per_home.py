"""One ``cusdep node run`` per data directory, and a port taken is a clean exit 2: real node
processes on loopback (no chain)."""

from __future__ import annotations

import socket
import subprocess
import sys

from tests.integration.exchange.conftest import REPO


def _run_again(node, **env: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "node", "--home", str(node.home), "node", "run"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**node._env(), **env},
        timeout=120,
    )


def test_a_second_node_run_on_one_home_is_refused(node_factory) -> None:  # type: ignore[no-untyped-def]
    cn = node_factory("CN-SHA")
    cn.start()
    pid = cn.proc.pid
    second = _run_again(cn, CUSDEP_EXCHANGE__GRPC_PORT="0", CUSDEP_API__PORT="0")
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1, second.stderr
    assert f"another `cusdep node run` is serving {cn.home} (pid {pid})" in second.stderr
    assert second.stdout == ""  # never ready: nothing started
    assert cn.running
    cn.kill9()  # the kernel drops the lock with the process: a restart needs no clean-up
    cn.start()
    assert cn.stop() == 0


def test_a_grpc_port_taken_is_one_line_and_nothing_started(node_factory) -> None:  # type: ignore[no-untyped-def]
    au = node_factory("AU-CBR")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", au.grpc_port))
        squatter.listen()
        result = _run_again(au)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("cusdep: error")]
    # (the node logs, as it starts, that this test's chain is unreachable: not an error line)
    assert len(errors) == 1 and f"cannot serve gRPC on 127.0.0.1:{au.grpc_port}" in errors[0]
    assert "Traceback" not in result.stderr and result.stdout == ""
