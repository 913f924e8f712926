"""Anchors the chain has lost (an anvil restarted from an older state dump) are anchored again."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
from sqlmodel import select

from node.anchoring.reconcile import AnchorReconciler
from node.anchoring.service import AnchorService
from node.anchoring.worker import AnchorWorker
from node.chain.memory import InMemoryChainAnchor
from node.config import AnchoringSettings
from node.domain.states import EventKind, OpState
from node.errors import ChainUnavailable
from node.storage.core import OperationRow
from node.storage.db import Database
from node.storage.documents import events_for


def _sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


@pytest.fixture
def chain() -> InMemoryChainAnchor:
    return InMemoryChainAnchor()


@pytest.fixture
def service(tmp_path: Path, chain: InMemoryChainAnchor) -> AnchorService:
    db = Database(f"sqlite:///{tmp_path / 'node.db'}")
    db.migrate()
    return AnchorService(db, chain, actor="CN-SHA", settings=AnchoringSettings())


def _op(service: AnchorService, root: str) -> OperationRow:
    with service.db.session() as session:
        return session.exec(
            select(OperationRow).where(OperationRow.idempotency_key == f"anchor:{root}")
        ).one()


def _anchored_events(service: AnchorService, sha: str) -> list[dict]:
    with service.db.session() as session:
        return [e.detail for e in events_for(session, sha) if e.kind == EventKind.ANCHORED]


async def _verifies(service: AnchorService, sha: str) -> bool:
    info = await asyncio.to_thread(service.info, sha)
    return info is not None and (await service.verify_on_chain(info))[0]


@pytest.mark.parametrize("chain_moved_on", [False, True], ids=["behind", "mined-past"])
async def test_a_batch_the_chain_lost_is_anchored_again_under_its_root(
    service: AnchorService, chain: InMemoryChainAnchor, chain_moved_on: bool
) -> None:
    kept, lost = _sha("kept"), _sha("lost")
    [kept_info] = await service.anchor_now([kept])
    [lost_info] = await service.anchor_now([lost])
    assert lost_info.block_number > kept_info.block_number
    chain.rewind(kept_info.block_number)  # the anvil's last state dump held only the first
    if chain_moved_on:  # other writers' blocks since: the head is past the recorded block
        for n in range(3):
            await chain.anchor("0x" + _sha(f"other {n}"), 1, "0x" + "00" * 32)
        assert await chain.block_number() >= lost_info.block_number
    assert not await _verifies(service, lost)  # the defect: recorded anchored, not on chain

    reopened = await AnchorReconciler(service.db, chain).run()

    assert [a.root for a in reopened] == [lost_info.root]
    assert service.state(lost) == "batched" and service.info(lost) is None
    op = _op(service, lost_info.root)
    assert op.state == OpState.PENDING
    assert op.result["lost"][0]["tx_hash"] == lost_info.tx_hash
    assert op.result["lost"][0]["block_number"] == lost_info.block_number
    assert "not on chain" in op.error
    assert service.resending_count() == 1  # /health/ready's anchor_resending
    assert (
        service.state(kept) == "anchored"
        and _op(service, kept_info.root).result.get("lost") is None
    )

    assert await service.run_once() == 1
    assert service.resending_count() == 0
    again = service.info(lost)
    assert again is not None and again.root == lost_info.root and again.proof == lost_info.proof
    assert await _verifies(service, lost) and await _verifies(service, kept)
    first, second = _anchored_events(service, lost)
    assert "replaces" not in first
    assert second["replaces"] == {
        "tx_hash": lost_info.tx_hash,
        "block_number": lost_info.block_number,
    }
    confirmed = _op(service, lost_info.root)
    assert confirmed.state == OpState.CONFIRMED and confirmed.error == ""
    assert confirmed.result["lost"] == op.result["lost"]
    assert len(_anchored_events(service, kept)) == 1
    assert await AnchorReconciler(service.db, chain).run() == []  # nothing lost any more


async def test_known_and_unconfirmed_batches_are_left_alone(
    service: AnchorService, chain: InMemoryChainAnchor
) -> None:
    [known] = await service.anchor_now([_sha("known")])
    await asyncio.to_thread(service.enqueue, [_sha("in flight")])
    cut = await asyncio.to_thread(service._cut_batch)
    assert cut is not None
    await asyncio.to_thread(service._mark_submitted, cut.id)  # sent, no receipt yet

    assert await AnchorReconciler(service.db, chain).run() == []

    assert _op(service, cut.payload["root"]).state == OpState.SUBMITTED
    assert _op(service, known.root).state == OpState.CONFIRMED
    assert service.state(_sha("known")) == "anchored"


async def test_a_chain_without_the_contract_changes_nothing(
    service: AnchorService, chain: InMemoryChainAnchor
) -> None:
    sha = _sha("doc")
    [info] = await service.anchor_now([sha])
    chain.rewind(0)
    chain.deployed = False  # reset entirely: nothing at the recorded address

    with pytest.raises(ChainUnavailable, match="no DocumentAnchor contract"):
        await AnchorReconciler(service.db, chain).run()

    assert service.info(sha) == info
    assert _op(service, info.root).state == OpState.CONFIRMED


async def test_many_lost_batches_over_several_pages(
    service: AnchorService, chain: InMemoryChainAnchor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from node.anchoring import reconcile

    monkeypatch.setattr(reconcile, "PAGE", 2)
    shas = [_sha(f"doc {n}") for n in range(7)]
    infos = [(await service.anchor_now([s]))[0] for s in shas]
    chain.rewind(infos[1].block_number)  # the first two kept, five lost

    reopened = await AnchorReconciler(service.db, chain).run()

    assert sorted(a.root for a in reopened) == sorted(i.root for i in infos[2:])
    assert [service.state(s) for s in shas] == ["anchored"] * 2 + ["batched"] * 5


async def test_the_worker_reconciles_at_start_and_then_periodically(
    service: AnchorService, chain: InMemoryChainAnchor
) -> None:
    first, second = _sha("first"), _sha("second")
    await service.anchor_now([first])
    chain.rewind(0)
    worker = AnchorWorker(service, reconcile_every=0.0)
    await worker.start()
    try:
        await asyncio.wait_for(worker.idle.wait(), 10)  # its first step
        assert await _verifies(service, first)
        await asyncio.to_thread(service.enqueue, [second])  # anchored by the worker alone
        await _wait_until(lambda: _verifies(service, second))
        info = service.info(second)
        assert info is not None
        chain.rewind(info.block_number - 1)
        assert info.root not in chain.roots
        service.wakeup.set()
        await _wait_until(lambda: _verifies(service, second))
        assert len(_anchored_events(service, second)) == 2
    finally:
        await worker.aclose()


async def _wait_until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)  # polling the database and fake chain for a condition


async def test_a_root_two_processes_confirm_is_recorded_once(
    service: AnchorService, chain: InMemoryChainAnchor
) -> None:
    # a running node and a `cusdep anchor` of one home both sent the same batch
    sha = _sha("twice")
    await asyncio.to_thread(service.enqueue, [sha])
    cut = await asyncio.to_thread(service._cut_batch)
    assert cut is not None
    receipt = await chain.anchor(cut.payload["root"], 1, "0x" + "00" * 32)
    await asyncio.to_thread(service._confirm, cut.id, receipt)
    await asyncio.to_thread(service._confirm, cut.id, receipt)
    assert len(_anchored_events(service, sha)) == 1 and service.state(sha) == "anchored"
