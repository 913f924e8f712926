"""Two processes of one home cut anchor batches at once: every document ends in exactly one
batch, and each process anchors the documents it was asked to (the CI race of 2026-12-05:
a second `cusdep anchor` re-batched a leaf the first had batched, and the first answered
"document ... was not anchored")."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlmodel import select

from node.anchoring import service as anchoring
from node.anchoring.service import AnchorService
from node.anchoring.tables import AnchorLeafRow
from node.chain.memory import InMemoryChainAnchor
from node.config import AnchoringSettings
from node.storage.core import DocumentEventRow, OperationRow
from node.storage.db import Database


def _sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


@pytest.fixture
def pair(tmp_path: Path) -> tuple[AnchorService, AnchorService]:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    Database(url).migrate()
    chain = InMemoryChainAnchor()
    return tuple(  # type: ignore[return-value]
        AnchorService(Database(url), chain, actor="CN-SHA", settings=AnchoringSettings())
        for _ in range(2)
    )


def _leaves(service: AnchorService) -> dict[str, tuple[str, str | None]]:
    with service.db.session() as session:
        return {r.sha256: (r.state, r.root) for r in session.exec(select(AnchorLeafRow))}


def _roots(service: AnchorService) -> list[str]:
    with service.db.session() as session:
        return [op.payload["root"] for op in session.exec(select(OperationRow))]


def test_a_stale_read_of_pending_leaves_moves_none_of_them(
    pair: tuple[AnchorService, AnchorService],
) -> None:
    first, second = pair
    first.enqueue([_sha("a")])
    stale = second._pending_rows()  # read before the first process cuts
    first.enqueue([_sha("b")])
    cut = first._cut_batch()
    assert cut is not None
    before = _leaves(first)

    with pytest.raises(anchoring._CutRaced):
        second._cut_from([*stale, *second._pending_rows()])

    assert _leaves(first) == before  # the leaf stays in the first batch: nothing half-written
    assert _roots(first) == [cut.payload["root"]]


def test_a_cut_that_lost_the_race_cuts_again_from_what_is_still_pending(
    pair: tuple[AnchorService, AnchorService], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = pair
    first.enqueue([_sha("a")])
    reads = iter([second._pending_rows()])  # the stale read, then real ones
    real = second._pending_rows
    monkeypatch.setattr(second, "_pending_rows", lambda: next(reads, None) or real())
    second.enqueue([_sha("b")])
    taken = first._cut_batch()  # batches a and b under one root
    assert taken is not None and taken.payload["leaf_count"] == 2

    assert second._cut_batch() is None  # its stale [a] lost; nothing is pending any more

    leaves = _leaves(first)
    assert {state for state, _ in leaves.values()} == {"batched"}
    assert {root for _, root in leaves.values()} == {taken.payload["root"]}
    assert _roots(first) == [taken.payload["root"]]


async def test_two_services_anchoring_at_once_each_get_their_documents(
    pair: tuple[AnchorService, AnchorService], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = pair
    a, b = _sha("a"), _sha("b")
    first.enqueue([a])
    stale = second._pending_rows()
    reads = iter([stale])
    real = second._pending_rows
    monkeypatch.setattr(second, "_pending_rows", lambda: next(reads, None) or real())

    [info_a] = await first.anchor_now([a])  # a's batch is cut and confirmed first
    [info_b] = await second.anchor_now([b])  # its stale read still names a

    assert info_a.sha256 == a and info_b.sha256 == b
    assert info_a.root != info_b.root
    assert {state for state, _ in _leaves(first).values()} == {"anchored"}


class _StaleFind:
    """A chain whose first ``find_anchor`` answers as read before ``rival`` (another process
    sending the same batch) anchored and confirmed it; everything else is the shared chain."""

    def __init__(self, chain: InMemoryChainAnchor, rival) -> None:  # type: ignore[no-untyped-def]
        self._chain, self._rival = chain, rival

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._chain, name)

    async def find_anchor(self, root: str):  # type: ignore[no-untyped-def]
        if self._rival is None:
            return await self._chain.find_anchor(root)
        before = await self._chain.find_anchor(root)
        rival, self._rival = self._rival, None
        await rival()
        return before


async def test_a_batch_another_process_confirmed_meanwhile_is_not_sent_back_and_recorded_twice(
    pair: tuple[AnchorService, AnchorService],
) -> None:
    first, second = pair
    first.enqueue([_sha("a")])
    op = first._cut_batch()
    assert op is not None
    [stale] = second._open_ops()  # both processes read the open batch, pending
    second.chain = _StaleFind(first.chain, lambda: first._submit(op))  # type: ignore[assignment]

    await second._submit(stale)  # its read of the chain: not anchored yet

    with second.db.session() as session:
        events = session.exec(select(DocumentEventRow).where(DocumentEventRow.kind == "anchored"))
        assert len(events.all()) == 1
        [row] = session.exec(select(OperationRow)).all()
    assert row.state == "confirmed" and row.attempts == 1
    assert _leaves(first) == {_sha("a"): ("anchored", op.payload["root"])}


async def test_a_batch_another_process_anchored_first_is_adopted_whatever_the_revert_says(
    pair: tuple[AnchorService, AnchorService],
) -> None:
    """On a chain with block times both processes' transactions pass the pre-flight; the
    second, mined and reverted, names no error: the anchor on chain is the receipt."""
    from node.errors import ChainReverted

    first, _ = pair
    chain = first.chain
    original = chain.anchor
    won = []

    async def racing(root: str, leaf_count: int, batch_id: str):  # type: ignore[no-untyped-def]
        won.append(await original(root, leaf_count, batch_id))
        raise ChainReverted("transaction 0x5e1f reverted")

    chain.anchor = racing  # type: ignore[method-assign]
    (info,) = await first.anchor_now([_sha("c")])
    assert info.tx_hash == won[0].tx_hash and first.state(_sha("c")) == "anchored"
