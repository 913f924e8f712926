"""Exchange fixtures: nodes initialised in separate homes (no chain: an unreachable RPC URL),
pinned to each other, each served by a real ``cusdep node run`` subprocess on loopback mTLS.

``NodeHome`` offers: ``start()`` (waits for the ready line), ``stop()`` (SIGTERM, returns the
exit code), ``kill9()``, ``cli(...)``, and direct read-only SQL on the node's database for
polling (``inbox()``, ``outbox()``) so waits poll conditions with a deadline, never sleep.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from node.config import load_settings, write_settings
from node.exchange.partners import add_partner, export_card, parse_card
from node.identity import load_identity
from node.netports import free_port
from node.setup import initialise_node
from node.storage.db import Database

NO_CHAIN = "http://127.0.0.1:9"
REPO = Path(__file__).resolve().parents[3]


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(delay)  # polling interval, not synchronisation: the predicate decides
        delay = min(delay * 2, 0.2)


@dataclass
class NodeHome:
    home: Path
    node_id: str
    grpc_port: int
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None
    _lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "node", "--home", str(self.home), *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=self._env(),
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"cusdep {' '.join(args)} failed: {result.stderr}")
        return result

    def _env(self) -> dict[str, str]:
        return {**os.environ, "CUSDEP_HOME": str(self.home), **self.env}

    def start(self, timeout: float = 60) -> dict[str, Any]:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._lines = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "node", "--home", str(self.home), "node", "run"],
            stdout=subprocess.PIPE,
            stderr=open(self.home / "node.log", "a"),
            text=True,
            cwd=REPO,
            env=self._env(),
        )
        threading.Thread(target=self._pump, args=(self.proc,), daemon=True).start()
        return self.wait_line("ready", timeout)

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._lines.put(line)

    def wait_line(self, event: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            data = json.loads(line)
            if data.get("event") == event:
                return data
        log = (self.home / "node.log").read_text()[-3000:]
        raise AssertionError(f"{self.node_id}: no {event!r} line within {timeout}s\n{log}")

    def stop(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        return code

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(f"file:{self.home / 'cusdep.db'}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    def inbox(self) -> list[tuple[str, str, str]]:
        return self.sql("SELECT message_id, digest, peer FROM exchange_inbox")  # type: ignore[return-value]

    def outbox_states(self) -> dict[str, int]:
        rows = self.sql("SELECT state, count(*) FROM exchange_outbox GROUP BY state")
        return dict(rows)  # type: ignore[arg-type]

    def rejections(self) -> list[tuple[str, str, str, str]]:
        return self.sql(  # type: ignore[return-value]
            "SELECT message_id, code, status, quarantine_path FROM exchange_rejections"
        )


def make_node(root: Path, node_id: str, **exchange: Any) -> NodeHome:
    """Initialise a node home; ``exchange`` overrides go into its config.toml [exchange]."""
    home = root / node_id.lower()
    port = free_port()
    initialise_node(
        home,
        country=node_id[:2],
        name=f"{node_id} customs",
        node_id=node_id,
        rpc_url=NO_CHAIN,
        grpc_port=port,
        api_port=free_port(),
    )
    if exchange:
        settings = load_settings(home)
        settings.exchange = settings.exchange.model_copy(update=exchange)
        write_settings(settings)
    return NodeHome(home, node_id, port)


def pin(node: NodeHome, *partners: NodeHome) -> None:
    """``partner add`` of each partner's exported card, in-process (the CLI test does it by CLI)."""
    settings = load_settings(node.home)
    db = Database(settings.database_url)
    for p in partners:
        ps = load_settings(p.home)
        card = export_card(ps, load_identity(p.home, p.node_id))
        add_partner(db, parse_card(json.dumps(card.to_json())), own_id=node.node_id)
    db.dispose()


@pytest.fixture
def node_factory(tmp_path: Path) -> Iterator[Callable[..., NodeHome]]:
    made: list[NodeHome] = []

    def factory(node_id: str, **exchange: Any) -> NodeHome:
        node = make_node(tmp_path, node_id, **exchange)
        made.append(node)
        return node

    yield factory
    for node in made:
        if node.running:
            node.kill9()
