"""A real anvil that lost an anchor (as one restarted from an older state dump after kill -9):
the restarted node's worker finds the root gone and anchors it again, and the trace verifies."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from sqlmodel import select

from node.anchoring.service import AnchorService
from node.anchoring.worker import AnchorWorker
from node.chain.client import ChainClient
from node.config import ChainSettings, NodeIdentity, Settings
from node.domain.states import EventKind, OpState
from node.runtime import Node
from node.storage.blobs import BlobStore
from node.storage.core import OperationRow
from node.storage.db import Database
from node.storage.documents import events_for
from node.trace import trace
from tests.integration.chain.conftest import Deployed


def _node(home: Path, anvil_url: str, db: Database, anchoring: AnchorService) -> Node:
    settings = Settings(
        home=home,
        node=NodeIdentity(id="CN-SHA", country="CN", name="x"),
        chain=ChainSettings(rpc_url=anvil_url),
    )
    return Node(settings=settings, db=db, blobs=BlobStore(home / "blobs"), anchoring=anchoring)


async def test_an_anchor_the_chain_lost_is_anchored_again_and_verifies(
    home: Path, anvil_url: str, deployed: Deployed, node_db: Database
) -> None:
    db = node_db
    admin = deployed.admin
    before = deployed.anchoring(db, admin)
    kept, lost = (hashlib.sha256(n).hexdigest() for n in (b"kept", b"lost"))
    [kept_info] = await before.anchor_now([kept])
    snapshot = await admin.rpc("evm_snapshot", [])
    [lost_info] = await before.anchor_now([lost])
    node = _node(home, anvil_url, db, before)
    assert (await trace(node, lost))["verified_on_chain"] is True

    # the chain goes back to before the second anchor, then mines on past its block
    assert await admin.rpc("evm_revert", [snapshot]) is True
    for _ in range(3):
        await admin.rpc("evm_mine", [])
    assert await admin.block_number() >= lost_info.block_number
    assert (await trace(node, lost))["verified_on_chain"] is False  # the defect as audited

    # the node restarts: a new client (its nonce read from the chain) and the worker
    client = ChainClient(anvil_url, admin.account)
    await client.start()
    deployed.clients.append(client)
    after = deployed.anchoring(db, client)
    worker = AnchorWorker(after)
    await worker.start()
    try:
        await asyncio.wait_for(worker.idle.wait(), 60)  # its first step reconciles
    finally:
        await worker.aclose()

    node = _node(home, anvil_url, db, after)
    again = await trace(node, lost)
    assert again["verified_on_chain"] is True and again["revoked"] is False
    assert again["anchor"]["merkle_root"] == lost_info.root
    assert again["anchor"]["block_number"] > lost_info.block_number
    assert (await trace(node, kept))["anchor"]["tx_hash"] == kept_info.tx_hash
    found = await deployed.anchor(client).find_anchor(lost_info.root)
    assert found is not None and found.tx_hash == again["anchor"]["tx_hash"]
    with db.session() as session:
        op = session.exec(
            select(OperationRow).where(OperationRow.idempotency_key == f"anchor:{lost_info.root}")
        ).one()
        anchored = [e.detail for e in events_for(session, lost) if e.kind == EventKind.ANCHORED]
    assert op.state == OpState.CONFIRMED
    assert [(x["tx_hash"], x["block_number"]) for x in op.result["lost"]] == [
        (lost_info.tx_hash, lost_info.block_number)
    ]
    assert anchored[-1]["replaces"]["tx_hash"] == lost_info.tx_hash and len(anchored) == 2
