"""A real anvil that lost registry writes (as one restarted from an older state dump after
kill -9, or a reorganisation): the restarted node's registry worker finds them gone and writes
them again, a lost registration, a lost revocation and an officer's lost validity change alike
(a crash audit's finding: no one wrote them again, and every review stopped trusting the lost
specimen)."""

from __future__ import annotations

from pathlib import Path

from node.chain.client import ChainClient
from node.registry.reconcile import RegistryReconciler
from node.registry.service import RegistryService
from node.registry.worker import RegistryWorker
from node.storage.blobs import BlobStore
from node.storage.db import Database
from tests.integration.chain.conftest import Deployed
from tests.unit.registry.records import png


async def test_registry_writes_the_chain_lost_are_written_again(
    home: Path, anvil_url: str, deployed: Deployed, node_db: Database
) -> None:
    admin = deployed.admin
    await deployed.registry(admin).add_authority("CN", admin.address)
    db = node_db
    blobs = BlobStore(home / "blobs")
    before = RegistryService(db, blobs, deployed.registry(admin), country="CN", actor="CN-SHA")
    await before.add_agency("CN-GACC", "CN", "General Administration of Customs")
    kept = await before.add_seal("CN-GACC", "S-KEPT", png("red"))
    await before.add_officer("CN-GACC", "O-1", "Wei Zhang", png("black"), None, "2030-12-31")
    snapshot = await admin.rpc("evm_snapshot", [])
    lost = await before.add_seal("CN-GACC", "S-LOST", png("blue"))
    await before.revoke("seal", "S-KEPT", "stolen")
    await before.set_officer_validity("O-1", None, "2033-12-31")
    extended = (await deployed.registry(admin).get("officer", "CN", "O-1"))["valid_to"]  # type: ignore[index]
    old_revoke = {r["id"]: r for r in before.list("seal")}["S-KEPT"]["revoke_tx_hash"]

    # the chain goes back to before the second seal and the revocation, then mines on
    assert await admin.rpc("evm_revert", [snapshot]) is True
    for _ in range(3):
        await admin.rpc("evm_mine", [])
    chain = deployed.registry(admin)
    assert await chain.get("seal", "CN", "S-LOST") is None
    assert (await chain.get("seal", "CN", "S-KEPT"))["revoked_at"] == 0  # type: ignore[index]
    assert (await chain.get("officer", "CN", "O-1"))["valid_to"] < extended  # type: ignore[index]

    # the node restarts: a new client (its nonce read from the chain) and the worker's step
    client = ChainClient(anvil_url, admin.account)
    await client.start()
    deployed.clients.append(client)
    after = RegistryService(db, blobs, deployed.registry(client), country="CN", actor="CN-SHA")
    await RegistryWorker(after)._step()  # its first step reconciles, then writes

    chain = deployed.registry(client)
    again = await chain.get("seal", "CN", "S-LOST")
    assert again is not None and again["revoked_at"] == 0
    assert (await chain.get("seal", "CN", "S-KEPT"))["revoked_at"] > 0  # type: ignore[index]
    assert (await chain.get("officer", "CN", "O-1"))["valid_to"] == extended  # type: ignore[index]
    officer = {r["id"]: r for r in after.list("officer")}["O-1"]
    assert officer["valid_to"] == "2033-12-31" and officer["state"] == "confirmed"
    rows = {r["id"]: r for r in after.list("seal")}
    assert rows["S-LOST"]["state"] == "confirmed" and rows["S-KEPT"]["state"] == "revoked"
    new_tx = await chain.registration_tx("seal", "CN", "S-LOST")
    # the transaction the chain holds (the same hash as the lost one when it is signed alike:
    # the same nonce, data and fees after the chain went back)
    assert rows["S-LOST"]["tx_hash"] == new_tx and new_tx.startswith("0x") and lost["tx_hash"]
    assert rows["S-KEPT"]["tx_hash"] == kept["tx_hash"]  # its registration was not lost
    new_revoke = await chain.revocation_tx("seal", "CN", "S-KEPT")
    assert rows["S-KEPT"]["revoke_tx_hash"] == new_revoke and new_revoke.startswith("0x")
    assert old_revoke
    assert await RegistryReconciler(db, chain).run() == 0  # all on chain again: nothing to do
