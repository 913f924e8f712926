"""A CN node with the in-memory chain whose registry writes can be made to fail (``down``):
the node of the registry unit tests, its chain in ``node.extras["chain"]``."""

from __future__ import annotations

import pytest

from node.chain.memory import InMemoryTrustRegistry
from node.errors import ChainUnavailable
from tests.unit.memory_node import memory_node


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
    return memory_node(home, FlakyRegistry())
