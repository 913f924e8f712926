"""The registry reconciler over the in-memory chain: what the chain lost is pending again, what
it holds is left alone, and a chain that cannot be read changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from node.domain.states import OpState, OpType
from node.errors import ChainUnavailable
from node.registry.reconcile import RegistryReconciler
from node.storage.core import OperationRow
from tests.unit.memory_node import memory_node
from tests.unit.registry.records import png


@pytest.fixture
async def node(home):
    n = memory_node(home)
    await n.registry.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    await n.registry.add_seal("AU-DAFF", "S1", png("red"))
    await n.registry.add_seal("AU-DAFF", "S2", png("blue"))
    return n


def _states(node) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with node.db.session() as session:
        ops = session.exec(select(OperationRow).where(OperationRow.type == OpType.REGISTRY_WRITE))
        return {op.payload["fields"]["id"]: op.state for op in ops}


async def test_nothing_lost_nothing_reopened(node) -> None:
    assert await RegistryReconciler(node.db, node.extras["chain"]).run() == 0
    assert set(_states(node).values()) == {OpState.CONFIRMED.value}


async def test_a_lost_record_is_pending_again_and_written_back(node) -> None:
    chain = node.extras["chain"]
    del chain.records[("seal", "CN", "S2")]
    assert await RegistryReconciler(node.db, chain).run() == 1
    assert _states(node)["S2"] == OpState.PENDING.value and _states(node)["S1"] == "confirmed"
    assert await node.registry.process_pending() == 1
    assert (await chain.get("seal", "CN", "S2"))["image_sha256"]
    assert {r["id"]: r["state"] for r in node.registry.list("seal")}["S2"] == "confirmed"


async def test_a_chain_that_cannot_be_read_changes_nothing(node) -> None:
    chain = node.extras["chain"]
    del chain.records[("seal", "CN", "S2")]

    async def down(keys):  # type: ignore[no-untyped-def]
        raise ChainUnavailable("connection refused")

    chain.get_many = down
    with pytest.raises(ChainUnavailable):
        await RegistryReconciler(node.db, chain).run()
    assert set(_states(node).values()) == {OpState.CONFIRMED.value}
