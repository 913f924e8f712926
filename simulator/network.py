"""N real nodes on loopback: separate ``cusdep node run`` processes, one shared anvil.

Every link goes through a ``FaultProxy``: each node's pinned partner endpoints point at the
partner's proxy, and every node reaches the chain through the RPC proxy, so the traffic driver
can drop links, add latency and stop the chain without touching the nodes.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from node.bootstrap import build_node
from node.chain.devchain import EmbeddedAnvil
from node.config import load_settings
from node.exchange.partners import add_partner, export_card
from node.identity import load_identity
from node.netports import free_port
from node.runtime import Node
from node.setup import initialise_node
from node.storage.db import Database
from simulator.faultproxy import FaultProxy, ProxyHub

logger = logging.getLogger(__name__)

COUNTRIES = ("AU", "CN", "NZ", "CL", "FR", "TH", "US", "BR", "ZA", "NO")


@dataclass
class SimNode:
    node_id: str
    home: Path
    grpc_port: int
    proxy: FaultProxy
    proc: subprocess.Popen[str] | None = None
    restarts: int = 0
    _lines: queue.Queue[str] = field(default_factory=queue.Queue)
    _lib: Node | None = None

    def start(self, timeout: float = 120.0, *, wait: bool = True) -> None:
        """Launch ``cusdep node run``; with ``wait``, block until it prints its ready line."""
        self._lines = queue.Queue()
        log = open(self.home / "node.log", "a")  # noqa: SIM115 (handed to the child)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "node", "--home", str(self.home), "node", "run"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "CUSDEP_HOME": str(self.home)},
        )
        log.close()
        threading.Thread(target=self._pump, args=(self.proc,), daemon=True).start()
        if wait:
            self._wait_ready(timeout)

    def wait_ready(self, timeout: float = 120.0) -> None:
        self._wait_ready(timeout)

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._lines.put(line)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            try:
                if json.loads(line).get("event") == "ready":
                    return
            except ValueError:
                continue
        tail = (self.home / "node.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{self.node_id} did not get ready within {timeout}s:\n{tail}")

    def kill9(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.proc = None

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=30)
        self.proc = None
        return code

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def lib(self) -> Node:
        """The node's services in this process (as ``cusdep send`` / ``messages`` use them)."""
        if self._lib is None:
            self._lib = build_node(load_settings(self.home))
        return self._lib

    def close_lib(self) -> None:
        if self._lib is not None:
            self._lib.db.dispose()
            self._lib = None


@dataclass
class Cluster:
    root: Path
    hub: ProxyHub
    anvil: EmbeddedAnvil
    chain_proxy: FaultProxy
    nodes: list[SimNode]

    def by_id(self, node_id: str) -> SimNode:
        return next(n for n in self.nodes if n.node_id == node_id)

    def shutdown(self) -> dict[str, Any]:
        codes = {}
        for n in self.nodes:
            n.close_lib()
            codes[n.node_id] = n.stop()
        self.hub.close()
        self.anvil.stop()
        return codes


def check_node_count(count: int) -> None:
    """``ValueError`` unless a cluster of ``count`` nodes can be built (one country each)."""
    if not 2 <= count <= len(COUNTRIES):
        raise ValueError(f"--nodes must be between 2 and {len(COUNTRIES)}")


def build_cluster(root: Path, count: int) -> Cluster:
    """Initialise ``count`` nodes in ``root`` (homes, keys, contracts), pin them pairwise."""
    check_node_count(count)
    root.mkdir(parents=True, exist_ok=True)
    hub = ProxyHub()
    anvil = EmbeddedAnvil(root / "chain", free_port(18545))
    anvil.ensure()
    chain_proxy = hub.add("chain", anvil.port)
    rpc = f"http://127.0.0.1:{chain_proxy.port}"
    nodes: list[SimNode] = []
    for k in range(count):
        node_id = f"{COUNTRIES[k]}-SIM{k + 1}"
        home = root / node_id.lower()
        port = free_port()
        initialise_node(
            home,
            country=COUNTRIES[k],
            name=f"{node_id} customs",
            node_id=node_id,
            rpc_url=rpc,
            grpc_port=port,
            api_port=free_port(),
        )
        nodes.append(SimNode(node_id, home, port, hub.add(node_id, port)))
    for me in nodes:
        db = Database(load_settings(me.home).database_url)
        for other in nodes:
            if other is not me:
                settings = load_settings(other.home)
                card = export_card(settings, load_identity(other.home, other.node_id))
                routed = replace(card, endpoint=f"127.0.0.1:{other.proxy.port}")
                add_partner(db, routed, own_id=me.node_id)
        db.dispose()
    return Cluster(root, hub, anvil, chain_proxy, nodes)
