"""Anchors the chain has lost: their batches are anchored again.

An embedded anvil dumps its state every ``chain.state_interval`` seconds. Killed together with
the node (kill -9), it comes back from its last dump, behind the database: a batch recorded as
anchored (operation confirmed, leaves anchored, an ``anchored`` event, perhaps an accept already
reported to the sender) whose root the chain no longer knows. A chain reorganisation loses
blocks the same way.

``AnchorReconciler.run`` checks the roots of confirmed ``anchor_batch`` operations against the
contract's ``rootTimestamp``. The chain mines only what it received: a root confirmed by a
receipt and unknown to the chain now is lost, wherever its recorded block stands against the
head (beyond it: the chain is behind; at or below it: the chain mined other blocks since).
A batch whose transaction has no receipt yet is ``submitted``, not confirmed, and is not looked
at here: the worker's ``find_anchor`` / ``anchor`` settles it.

A lost batch's operation goes back from confirmed to pending with the lost anchor kept in its
``result["lost"]``, and its leaves from anchored to batched (their root and proofs unchanged),
in one transaction. The worker then anchors the same root again in a new transaction, so the
root and proof already given to a partner verify on chain again; ``_confirm`` records the new
anchor with an ``anchored`` event naming the one it replaces. Re-cutting the leaves into a new
batch would give another root, and the same root again when the leaves are the same, whose
idempotency key the old operation holds. A root wrongly taken for lost (an RPC behind the one
that gave the receipt) costs nothing: its anchor reverts ``AlreadyAnchored`` and the worker
adopts the anchor on chain.

Our transactions are mined in nonce order, so a lost anchor takes every later one of ours with
it: operations are paged newest first and the pass stops at a page the chain knows entirely.

A chain without the contract at the recorded address (reset entirely, or another chain) raises
``ChainUnavailable`` and changes nothing: anchoring again there would anchor into nothing. This
matches the embedded anvil's rule (``EmbeddedAnvil._keeps_our_state``): the node keeps the
chain its home's state file holds and never rewrites its records to fit another one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from node.anchoring.tables import AnchorLeafRow
from node.domain.states import OpState, OpType
from node.ports import ChainAnchor
from node.storage.core import OperationRow, newest_confirmed, utcnow
from node.storage.db import Database

logger = logging.getLogger(__name__)
_LEAVES = AnchorLeafRow.__table__  # type: ignore[attr-defined]
PAGE = 64  # confirmed operations checked per round trip


@dataclass(frozen=True)
class LostAnchor:
    op_id: int
    root: str
    recorded: dict[str, Any]  # the confirmed operation's result: tx_hash, block_number, …


class AnchorReconciler:
    def __init__(self, db: Database, chain: ChainAnchor) -> None:
        self.db = db
        self.chain = chain

    async def run(self) -> list[LostAnchor]:
        """Put every confirmed batch whose root the chain does not know up for anchoring
        again; returns those batches (raises ``ChainError`` and changes nothing when the chain
        cannot be read)."""
        head = await self.chain.block_number()
        lost: list[LostAnchor] = []
        before: int | None = None
        while page := await asyncio.to_thread(self._confirmed, before):
            stamps = await self.chain.root_timestamps([a.root for a in page])
            missing = [a for a, ts in zip(page, stamps, strict=True) if ts == 0]
            if not missing:
                break
            lost.extend(missing)
            before = page[-1].op_id
        reopened = [a for a in lost if await asyncio.to_thread(self._reopen, a, head)]
        if reopened:
            logger.warning(
                "%d anchored batch(es) not on chain (head block %s): anchoring them again",
                len(reopened),
                head,
            )
        return reopened

    def _confirmed(self, before: int | None) -> list[LostAnchor]:
        """The newest ``PAGE`` confirmed anchor batches with ids below ``before``."""
        with self.db.session() as session:
            ops = newest_confirmed(session, (OpType.ANCHOR_BATCH.value,), before, PAGE)
            return [LostAnchor(op.id or 0, op.payload["root"], dict(op.result)) for op in ops]

    def _reopen(self, lost: LostAnchor, head: int) -> bool:
        """Confirmed -> pending and the leaves anchored -> batched, in one transaction; False
        when the operation is no longer as ``lost`` recorded it. Only the node's reconciler
        moves a confirmed batch (one ``node run`` per home, ``node.lock``), so the read and the
        write here race no other writer."""
        rec = lost.recorded
        with self.db.session() as session:
            op = session.get(OperationRow, lost.op_id)
            if op is None or op.state != OpState.CONFIRMED.value or op.result != rec:
                return False
            now = utcnow()
            history = [*rec.get("lost", [])]
            history.append(
                {
                    "tx_hash": rec.get("tx_hash"),
                    "block_number": rec.get("block_number"),
                    "timestamp": rec.get("timestamp"),
                    "chain_head": head,
                    "detected_at": now.isoformat(),
                }
            )
            op.state, op.result, op.updated_at, op.next_attempt_at = (
                OpState.PENDING.value,
                {"lost": history},
                now,
                now,
            )
            op.error = (
                f"root not on chain (recorded in block {rec.get('block_number')}, tx "
                f"{rec.get('tx_hash')}; chain head {head}): anchoring again"
            )
            leaves = session.connection().execute(
                update(_LEAVES)
                .where(_LEAVES.c.root == lost.root)
                .where(_LEAVES.c.state == "anchored")
                .values(state="batched", anchored_at=None)
            )
        logger.warning(
            "anchor of root %s lost by the chain (tx %s in block %s, chain head %s): its %d "
            "document(s) are anchored again",
            lost.root,
            rec.get("tx_hash"),
            rec.get("block_number"),
            head,
            leaves.rowcount,
        )
        return True
