"""Chain fixtures: funded accounts on the session anvil and freshly deployed contracts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from node.anchoring.service import AnchorService
from node.chain.anchor import Web3ChainAnchor
from node.chain.client import ChainClient, new_account
from node.chain.registry import Web3TrustRegistry
from node.config import AnchoringSettings
from node.storage.db import Database
from tests.integration.chain.homes import cusdep, stop_embedded_anvil


async def _const(value: str) -> str:
    return value


def fixed(address: str) -> Callable[[], object]:
    return lambda: _const(address)


@dataclass
class Deployed:
    admin: ChainClient
    anchor_address: str
    registry_address: str
    clients: list[ChainClient]

    async def client(self, url: str) -> ChainClient:
        c = ChainClient(url, new_account())
        await c.start()
        await c.fund_self(10**21)
        self.clients.append(c)
        return c

    def anchor(self, client: ChainClient) -> Web3ChainAnchor:
        return Web3ChainAnchor(client, fixed(self.anchor_address))  # type: ignore[arg-type]

    def registry(self, client: ChainClient) -> Web3TrustRegistry:
        return Web3TrustRegistry(client, fixed(self.registry_address))  # type: ignore[arg-type]

    def anchoring(self, db: Database, client: ChainClient) -> AnchorService:
        """CN-SHA's anchoring on this DocumentAnchor, sending as ``client``."""
        return AnchorService(db, self.anchor(client), actor="CN-SHA", settings=AnchoringSettings())


@pytest.fixture
def node_db(home: Path) -> Database:
    """A migrated SQLite database beside ``home``: the node's, for the services a test builds."""
    db = Database(f"sqlite:///{home.parent / 'node.db'}")
    db.migrate()
    return db


@pytest.fixture
async def deployed(anvil_url: str) -> AsyncIterator[Deployed]:
    admin = ChainClient(anvil_url, new_account())
    await admin.start()
    await admin.fund_self(10**21)
    d = Deployed(
        admin, await admin.deploy("DocumentAnchor"), await admin.deploy("TrustRegistry"), []
    )
    yield d
    for c in [admin, *d.clients]:
        await c.aclose()


@pytest.fixture
def node_home(home: Path) -> Iterator[Path]:
    """A CN node's home after `cusdep init` (embedded anvil), its anvil stopped afterwards."""
    cusdep(home, "init", "--country", "CN", "--name", "Shanghai Customs")
    yield home
    stop_embedded_anvil(home)
