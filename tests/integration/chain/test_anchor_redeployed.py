"""A node pointed at newly deployed contracts (README: contracts an earlier cusdep deployed
lack the two-step admin handover and `revokedBy`; redeploy to get them): the documents it
anchored on the old DocumentAnchor are anchored again on the new one by its worker's first
step, so their trace verifies against the contract the node uses, and each document's history
keeps the old anchor (the upgrade audit asked what happens to them)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from sqlmodel import select

from node.anchoring.worker import AnchorWorker
from node.domain.states import EventKind
from node.storage.core import OperationRow
from node.storage.db import Database
from node.storage.documents import events_for
from node.trace import trace
from tests.integration.chain.conftest import Deployed
from tests.integration.chain.test_anchor_reconcile import _node


async def test_documents_anchored_on_the_old_contract_are_anchored_on_the_new(
    home: Path, anvil_url: str, deployed: Deployed, node_db: Database
) -> None:
    db = node_db
    admin = deployed.admin
    old = deployed.anchoring(db, admin)
    sha = hashlib.sha256(b"anchored before the redeploy").hexdigest()
    [before] = await old.anchor_now([sha])

    deployed.anchor_address = await admin.deploy("DocumentAnchor")  # the redeploy
    new = deployed.anchoring(db, admin)
    node = _node(home, anvil_url, db, new)
    assert (await trace(node, sha))["verified_on_chain"] is False  # not on the new one yet

    worker = AnchorWorker(new)
    await worker.start()
    try:
        await asyncio.wait_for(worker.idle.wait(), 60)  # its first step reconciles
    finally:
        await worker.aclose()

    after = await trace(node, sha)
    assert after["verified_on_chain"] is True
    assert after["anchor"]["merkle_root"] == before.root  # the proof a partner holds still holds
    assert after["anchor"]["contract"].lower() == deployed.anchor_address.lower()
    with db.session() as session:
        op = session.exec(
            select(OperationRow).where(OperationRow.idempotency_key == f"anchor:{before.root}")
        ).one()
        anchored = [e.detail for e in events_for(session, sha) if e.kind == EventKind.ANCHORED]
    assert [x["tx_hash"] for x in op.result["lost"]] == [before.tx_hash]
    assert len(anchored) == 2 and anchored[-1]["replaces"]["tx_hash"] == before.tx_hash
    assert anchored[0]["contract"].lower() != anchored[-1]["contract"].lower()
