"""Three nodes on one in-memory chain, AU and NZ both pinned by CN (and CN by each): the
set-up of the exchange's security tests (message ids, document revocations)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.exchange.service import ExchangeService
from node.runtime import Node
from tests.unit.registry.test_sync import _node, _pin


def three_nodes(tmp_path: Path) -> Iterator[tuple[Node, Node, Node]]:
    """AU-CBR, CN-SHA and NZ-WLG (a fixture's body: ``yield from three_nodes(tmp_path)``)."""
    chain = InMemoryTrustRegistry(None)
    anchor = InMemoryChainAnchor()
    au, cn, nz = (_node(tmp_path, n, chain, anchor) for n in ("AU-CBR", "CN-SHA", "NZ-WLG"))
    _pin(au, cn)
    _pin(cn, au, nz)
    _pin(nz, cn)
    yield au, cn, nz
    for n in (au, cn, nz):
        n.db.dispose()


def exchange_of(node: Node) -> ExchangeService:
    assert node.exchange is not None
    return node.exchange
