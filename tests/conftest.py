"""Shared fixtures; see tests/README.md for the list and their scopes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / "tools" / "bin"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own CUSDEP_HOME so nothing leaks into ~/.cusdep."""
    home = tmp_path / "home"
    monkeypatch.setenv("CUSDEP_HOME", str(home))
    return home


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    return _isolated_home


def tool(name: str) -> str:
    """Path of a pinned tool (anvil, cast, solc shim) installed by `make setup`."""
    path = TOOLS_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not installed: run `make setup`")
    return found


os.environ.setdefault("CUSDEP_TEST", "1")


def _worker_ports() -> None:
    """Each xdist worker (and the nodes and CLIs it starts, which inherit the environment)
    chooses listening ports from its own slice of 20000-32767 (``node.netports``)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if worker.startswith("gw") and count > 1:
        size = (32768 - 20000) // count
        low = 20000 + int(worker[2:]) * size
        os.environ.setdefault("CUSDEP_PORT_RANGE", f"{low}-{low + size}")


_worker_ports()


@pytest.fixture(scope="session")
def anvil_url(tmp_path_factory: pytest.TempPathFactory):
    """A real anvil for the session (one per xdist worker), on a free loopback port."""
    from node.chain.devchain import EmbeddedAnvil
    from node.netports import free_port

    anvil = EmbeddedAnvil(tmp_path_factory.mktemp("anvil"), free_port())
    url = anvil.ensure()
    yield url
    anvil.stop()
