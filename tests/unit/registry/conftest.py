"""A CN node with the in-memory chain whose registry writes can be made to fail (``down``):
the node of the registry unit tests, its chain in ``node.extras["chain"]``."""

from __future__ import annotations

import pytest

from node.bootstrap import build_node
from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.config import ChainSettings, NodeIdentity, Settings
from node.errors import ChainUnavailable
from node.identity import create_identity


class FlakyRegistry(InMemoryTrustRegistry):
    def __init__(self) -> None:
        super().__init__("CN")
        self.down = False

    async def register(self, kind, registrar, fields):
        if self.down:
            raise ChainUnavailable("down")
        return await super().register(kind, registrar, fields)


@pytest.fixture
def node(home):
    settings = Settings(
        home=home,
        node=NodeIdentity(id="CN-SHA", country="CN", name="x"),
        chain=ChainSettings(rpc_url="http://127.0.0.1:9"),
    )
    create_identity(home, "CN-SHA")
    chain = FlakyRegistry()
    n = build_node(settings, chain_anchor=InMemoryChainAnchor(), registry_chain=chain)
    n.extras["chain"] = chain
    return n
