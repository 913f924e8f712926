"""Several customs nodes on one machine: a shared consortium chain, node homes, mTLS partner
pinning, and each node's `cusdep node run` as a separate process.

Used by `make demo` and `cusdep simulate traffic`. Set-up work happens in-process through the
node's own services (fast); the nodes themselves run as real, separate processes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.bootstrap import build_node
from node.chain.devchain import EmbeddedAnvil
from node.chain.wiring import chain_account
from node.config import Settings, load_settings, record_setting
from node.exchange.partners import add_partner, export_card
from node.identity import load_identity
from node.netports import free_port
from node.setup import initialise_node

logger = logging.getLogger(__name__)


@dataclass
class NodeSpec:
    node_id: str
    country: str
    name: str


@dataclass
class NodeProcess:
    spec: NodeSpec
    home: Path
    proc: subprocess.Popen[str] | None = None
    ready: dict[str, Any] = field(default_factory=dict)
    _lines: queue.Queue[str] = field(default_factory=queue.Queue)

    @property
    def settings(self) -> Settings:
        return load_settings(self.home)

    def env(self) -> dict[str, str]:
        return {**os.environ, "CUSDEP_HOME": str(self.home)}

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "node", *args],
            capture_output=True,
            text=True,
            env=self.env(),
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"{self.spec.node_id}: cusdep {' '.join(args)}: {proc.stderr}")
        return proc

    def start(self, timeout: float = 60.0) -> dict[str, Any]:
        """Start `cusdep node run` and wait for its ready line."""
        log = open(self.home / "node.log", "a")  # noqa: SIM115 (owned by the child)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "node", "node", "run"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=self.env(),
        )
        log.close()
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    msg = f"{self.spec.node_id} exited: see {self.home}/node.log"
                    raise RuntimeError(msg) from None
                continue
            event = json.loads(line) if line.startswith("{") else {}
            if event.get("event") == "ready":
                self.ready = event
                return event
        raise RuntimeError(f"{self.spec.node_id} not ready within {timeout}s")

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.strip())

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _fresh_database(server: str, name: str) -> str:
    """Drop and create database ``name`` on ``server``; its URL."""
    from sqlalchemy import create_engine, text

    name = name.replace("-", "_")
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return f"{server}/{name}"


class Cluster:
    """A consortium: the first node deploys the contracts and authorises the others."""

    def __init__(self, root: Path, specs: list[NodeSpec], *, postgres: str = "") -> None:
        """``postgres``: a PostgreSQL server's URL without a database name
        (``postgresql+psycopg://user@host:5432``); each node then gets a fresh database of its
        own there (``cusdep_cn_sha`` for CN-SHA, dropped first if there) instead of SQLite under
        its home."""
        self.root = root
        self.postgres = postgres.rstrip("/")
        self.anvil = EmbeddedAnvil(root / "consortium-chain", free_port())
        self.nodes = {s.node_id: NodeProcess(s, root / s.node_id.lower()) for s in specs}
        self.rpc_url = ""

    def __getitem__(self, node_id: str) -> NodeProcess:
        return self.nodes[node_id]

    def start_chain(self) -> str:
        self.rpc_url = self.anvil.ensure()
        return self.rpc_url

    def init_nodes(self) -> None:
        admin, *others = self.nodes.values()
        if self.postgres:
            for n in self.nodes.values():
                n.home.mkdir(parents=True, exist_ok=True)
                url = _fresh_database(self.postgres, "cusdep_" + n.spec.node_id.lower())
                record_setting(n.home, "storage", "url", url)
        first = initialise_node(
            admin.home,
            country=admin.spec.country,
            name=admin.spec.name,
            node_id=admin.spec.node_id,
            rpc_url=self.rpc_url,
            grpc_port=free_port(),
            api_port=free_port(),
        )
        for n in others:
            initialise_node(
                n.home,
                country=n.spec.country,
                name=n.spec.name,
                node_id=n.spec.node_id,
                rpc_url=self.rpc_url,
                anchor_contract=first.chain.anchor_contract,
                registry_contract=first.chain.registry_contract,
                grpc_port=free_port(),
                api_port=free_port(),
            )
        asyncio.run(self._authorise(admin, others))

    async def _authorise(self, admin: NodeProcess, others: list[NodeProcess]) -> None:
        async with build_node(admin.settings) as node:
            assert node.chain is not None
            for n in others:
                account = chain_account(n.home).address
                await node.chain.registry.add_authority(n.spec.country, account)
                await node.chain.anchor.authorise(account)

    def connect_all(self) -> None:
        """Every node pins every other node's CA and signing key (partner export/add)."""
        cards = {}
        for n in self.nodes.values():
            s = n.settings
            cards[n.spec.node_id] = export_card(s, load_identity(s.home, s.node.id))
        for n in self.nodes.values():
            s = n.settings
            node = build_node(s)
            for other_id, card in cards.items():
                if other_id != n.spec.node_id:
                    add_partner(node.db, card, own_id=s.node.id)
            node.db.dispose()

    def start_all(self) -> None:
        """Start every node process at once, then wait for each one's ready line."""
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda n: n.start(), self.nodes.values()))

    def stop_all(self) -> None:
        for n in self.nodes.values():
            n.stop()
        self.anvil.stop()
