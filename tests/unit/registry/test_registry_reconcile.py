"""The registry reconciler over the in-memory chain: what the chain lost is pending again, what
it holds is left alone, and a chain that cannot be read changes nothing."""

from __future__ import annotations

import datetime as dt

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


def _end_of(day: str) -> int:
    """The chain's valid_to of a day: its last second, UTC."""
    return int(dt.datetime.fromisoformat(f"{day}T23:59:59+00:00").timestamp())


async def _officer(node):  # type: ignore[no-untyped-def]
    await node.registry.add_officer("AU-DAFF", "O7", "Ann Lee", png("black"))
    return node.extras["chain"]


def _validity_ops(node) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with node.db.session() as session:
        ops = session.exec(
            select(OperationRow)
            .where(OperationRow.type == OpType.REGISTRY_VALIDITY)
            .order_by(OperationRow.id)
        )
        return [(op.payload["valid_to_date"], op.state) for op in ops]


async def test_a_validity_set_back_to_an_earlier_one_is_set_on_chain(node) -> None:
    """A, then B, then A again: A on chain at the end (its first operation, confirmed, is not
    taken for the third change), and the same change asked twice in a row is one operation."""
    chain = await _officer(node)
    for end in ("2030-12-31", "2032-12-31", "2030-12-31", "2030-12-31"):
        out = await node.registry.set_officer_validity("O7", None, end)
        assert out["valid_to"] == end
        held = await chain.get("officer", "CN", "O7")
        assert held["valid_to"] == _end_of(end)
    assert _validity_ops(node) == [
        ("2030-12-31", "confirmed"),
        ("2032-12-31", "confirmed"),
        ("2030-12-31", "confirmed"),
    ]


async def test_a_lost_validity_change_is_set_again_the_superseded_one_is_not(node) -> None:
    chain = await _officer(node)
    await node.registry.set_officer_validity("O7", None, "2030-12-31")
    await node.registry.set_officer_validity("O7", None, "2032-12-31")
    reconciler = RegistryReconciler(node.db, chain)
    assert await reconciler.run() == 0
    chain.records[("officer", "CN", "O7")]["valid_to"] = _end_of("2030-12-31")  # last one lost
    assert await reconciler.run() == 1
    assert _validity_ops(node) == [("2030-12-31", "confirmed"), ("2032-12-31", "pending")]
    assert await node.registry.process_pending() == 1
    assert (await chain.get("officer", "CN", "O7"))["valid_to"] == _end_of("2032-12-31")
    assert _validity_ops(node)[-1] == ("2032-12-31", "confirmed")
    assert await reconciler.run() == 0


async def test_a_validity_change_shows_its_own_transaction(node) -> None:
    """`set-validity` (and REST) printed the officer's registration transaction only: the
    change's own, which partners and auditors look up, was kept but never shown. A change the
    chain held already (an earlier attempt landed) sends nothing, and shows no earlier change's
    transaction beside its dates."""
    chain = await _officer(node)
    registered = node.registry.list("officer")[0]["tx_hash"]
    out = await node.registry.set_officer_validity("O7", None, "2030-12-31")
    first = out["validity_tx_hash"]
    assert first.startswith("0x") and first != registered and out["tx_hash"] == registered
    out = await node.registry.set_officer_validity("O7", None, "2032-12-31")
    assert out["validity_tx_hash"] not in (first, registered)
    chain.records[("officer", "CN", "O7")]["valid_to"] = _end_of("2034-12-31")  # landed already
    out = await node.registry.set_officer_validity("O7", None, "2034-12-31")
    assert out["valid_to"] == "2034-12-31" and "validity_tx_hash" not in out
