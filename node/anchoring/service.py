"""AnchorService: documents to anchor are rows; batches are durable operations.

Flow, each step its own transaction so a node killed anywhere resumes without loss:
1. ``enqueue``: a pending ``anchor_leaves`` row per document (idempotent).
2. ``_cut_batch``: up to ``batch_max`` pending leaves -> Merkle tree; every leaf keeps its proof
   and root (state batched); one ``operations`` row (anchor_batch, key = root, pending).
3. ``_submit``: if the root is already on chain (we crashed after sending) adopt that anchor,
   else send ``anchor(root, leafCount, batchId)``; on the receipt the operation is confirmed and
   the leaves anchored, with an ``anchored`` event per document.
If the RPC is down, step 3 raises ``ChainUnavailable``, rows stay as they are, and the worker
retries with backoff.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from node.anchoring.merkle import MerkleTree, leaf_for
from node.anchoring.tables import AnchorLeafRow
from node.config import AnchoringSettings
from node.domain.states import EventKind, OpState, OpType
from node.errors import ChainReverted, ChainUnavailable, InputError, NotFound
from node.ports import AnchorReceipt, ChainAnchor
from node.storage.core import OperationRow, utcnow
from node.storage.db import Database, claimed
from node.storage.documents import add_events

logger = logging.getLogger(__name__)
_LEAVES = AnchorLeafRow.__table__  # type: ignore[attr-defined]


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


def check_sha256(value: str, what: str = "a document's digest") -> str:
    """A document's SHA-256 as 64 lower-case hex digits (a ``0x`` prefix dropped);
    ``InputError`` naming ``what`` otherwise."""
    v = value.lower().removeprefix("0x")
    if len(v) != 64 or any(c not in "0123456789abcdef" for c in v):
        raise InputError(f"{what} must be 64 hex digits (this is not a SHA-256): {value[:80]!r}")
    return v


@dataclass(frozen=True)
class AnchorInfo:
    sha256: str
    leaf: str
    root: str
    proof: list[str]
    tx_hash: str
    block_number: int

    def as_cli(self) -> dict[str, Any]:
        return {
            "document_sha256": self.sha256,
            "leaf": self.leaf,
            "merkle_root": self.root,
            "tx_hash": self.tx_hash,
            "block_number": self.block_number,
        }


class AnchorService:
    def __init__(
        self, db: Database, chain: ChainAnchor, *, actor: str, settings: AnchoringSettings
    ) -> None:
        self.db = db
        self.chain = chain
        self.actor = actor
        self.settings = settings
        self.wakeup = asyncio.Event()

    # ---- 1. enqueue ----------------------------------------------------------------------
    def enqueue(self, sha256s: Sequence[str]) -> None:
        with self.db.session() as session:
            self.queue_in(session, sha256s)
        self.wakeup.set()

    def queue_in(self, session: Session, sha256s: Sequence[str]) -> None:
        """Queue documents for anchoring in the caller's transaction (with the acceptance
        that makes them due, so a crash cannot keep one and lose the other); the caller sets
        ``wakeup`` once it has committed."""
        now = utcnow()
        rows = [
            {
                "sha256": s,
                "leaf": _hex(leaf_for(s)),
                "state": "pending",
                "proof": b"",
                "queued_at": now,
            }
            for s in dict.fromkeys(sha256s)
        ]
        if not rows:
            return
        dialect = session.get_bind().dialect.name
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_LEAVES)
        session.connection().execute(ins.on_conflict_do_nothing(), rows)

    # ---- 2. cut a batch -----------------------------------------------------------------
    def resending_count(self) -> int:
        """Batches whose anchor the chain lost, waiting to be sent again (reconcile.py)."""
        with self.db.session() as session:
            open_ops = select(OperationRow.result).where(
                OperationRow.type == OpType.ANCHOR_BATCH.value,
                OperationRow.state != OpState.CONFIRMED.value,
            )
            return sum(1 for result in session.exec(open_ops) if (result or {}).get("lost"))

    def pending_count(self) -> tuple[int, dt.datetime | None]:
        with self.db.session() as session:
            count, oldest = session.exec(
                select(func.count(), func.min(AnchorLeafRow.queued_at)).where(
                    AnchorLeafRow.state == "pending"
                )
            ).one()
        return int(count), oldest

    def _cut_batch(self) -> OperationRow | None:
        """Cut one batch of what is pending; None once nothing is."""
        while rows := self._pending_rows():
            try:
                return self._cut_from(rows)
            except (IntegrityError, _CutRaced):
                # another process of this home (a second `cusdep anchor`, the node) batched some
                # of these leaves between our read and our write: ours rolled back whole, and
                # what is still pending is read again
                logger.info("anchor batch cut by another process at once: cutting again")
        return None

    def _pending_rows(self) -> list[tuple[str, str]]:
        with self.db.session() as session:
            rows = session.connection().execute(
                select(_LEAVES.c.sha256, _LEAVES.c.leaf)
                .where(_LEAVES.c.state == "pending")
                .order_by(_LEAVES.c.queued_at, _LEAVES.c.sha256)
                .limit(self.settings.batch_max)
            )
            return [(sha, leaf) for sha, leaf in rows]

    def _cut_from(self, rows: Sequence[tuple[str, str]]) -> OperationRow:
        """Batch ``rows`` as read: each leaf moves only if it is still pending (another process
        may have batched it since, under another root), and all of them or none do."""
        tree = MerkleTree.build(bytes.fromhex(leaf[2:]) for _, leaf in rows)
        proofs = tree.proofs()
        root = _hex(tree.root)
        with self.db.session() as session:
            conn = session.connection()
            conn.execute(
                update(_LEAVES)
                .where(_LEAVES.c.sha256 == bindparam("b_sha"))
                .where(_LEAVES.c.state == "pending")
                .values(state="batched", root=root, proof=bindparam("b_proof")),
                [
                    {"b_sha": sha, "b_proof": b"".join(proofs[bytes.fromhex(leaf[2:])])}
                    for sha, leaf in rows
                ],
            )
            # counted, not an executemany's rowcount (not every driver sums it)
            held = conn.execute(
                select(func.count()).where(_LEAVES.c.root == root, _LEAVES.c.state == "batched")
            ).scalar_one()
            if held != len(rows):
                raise _CutRaced(root)
            batch_id = _hex(hashlib.sha256(f"{self.actor}:{root}".encode()).digest())
            op = OperationRow(
                type=OpType.ANCHOR_BATCH.value,
                idempotency_key=f"anchor:{root}",
                payload={"root": root, "leaf_count": len(tree.leaves), "batch_id": batch_id},
            )
            session.add(op)
        logger.info("cut anchor batch %s with %d leaves", root, len(rows))
        return op

    # ---- 3. submit ----------------------------------------------------------------------
    def _open_ops(self) -> list[OperationRow]:
        with self.db.session() as session:
            return list(
                session.exec(
                    select(OperationRow)
                    .where(OperationRow.type == OpType.ANCHOR_BATCH.value)
                    .where(col(OperationRow.state).in_([OpState.PENDING, OpState.SUBMITTED]))
                    .order_by(col(OperationRow.id))
                )
            )

    async def _submit(self, op: OperationRow) -> None:
        p = op.payload
        receipt = await self.chain.find_anchor(p["root"])
        if receipt is None:
            if not await asyncio.to_thread(self._mark_submitted, op.id):
                logger.info("root %s was confirmed by another process", p["root"])
                return
            try:
                receipt = await self.chain.anchor(p["root"], p["leaf_count"], p["batch_id"])
            except ChainReverted:
                # another process of this home (a second `cusdep anchor`, the node) anchored
                # the same batch first: its transaction is the receipt. Judged by the chain,
                # not the error's name: on a chain with block times both transactions pass
                # the pre-flight, and the second, mined and reverted, names no error
                receipt = await self.chain.find_anchor(p["root"])
                if receipt is None:
                    raise
        await asyncio.to_thread(self._confirm, op.id, receipt)

    def _mark_submitted(self, op_id: int | None) -> bool:
        """Submitted, one attempt more, unless another process of this home confirmed the
        batch since it was read (False: its anchor is the receipt, nothing is sent). One
        conditional UPDATE: a confirmed batch sent back to submitted was confirmed again,
        with a second ``anchored`` event for each of its documents."""
        claim = (
            update(OperationRow)
            .where(
                col(OperationRow.id) == op_id,
                col(OperationRow.state) != OpState.CONFIRMED.value,
            )
            .values(
                state=OpState.SUBMITTED.value,
                attempts=col(OperationRow.attempts) + 1,
                updated_at=utcnow(),
            )
        )
        with self.db.session() as session:
            return claimed(session, claim)

    def _confirm(self, op_id: int | None, receipt: AnchorReceipt) -> None:
        with self.db.session() as session:
            op = session.get(OperationRow, op_id)
            assert op is not None
            if not _claimed_open(session, op):  # two processes of one home sent it: once
                logger.info("root %s was confirmed by another process", op.payload["root"])
                return
            lost = op.result.get("lost")  # anchors of this root the chain lost (reconcile.py)
            op.state = OpState.CONFIRMED.value
            op.result = {
                "tx_hash": receipt.tx_hash,
                "block_number": receipt.block_number,
                "timestamp": receipt.timestamp,
                "gas_used": receipt.gas_used,
                **({"lost": lost} if lost else {}),
            }
            op.error = ""
            op.updated_at = now = utcnow()
            root = op.payload["root"]
            conn = session.connection()
            shas = list(
                conn.execute(select(_LEAVES.c.sha256).where(_LEAVES.c.root == root)).scalars()
            )
            conn.execute(
                update(_LEAVES)
                .where(_LEAVES.c.root == root)
                .values(state="anchored", anchored_at=now)
            )
            detail = {
                "merkle_root": root,
                "tx_hash": receipt.tx_hash,
                "block_number": receipt.block_number,
                "contract": self.chain.contract_address,
            }
            if lost:
                detail["replaces"] = {k: lost[-1][k] for k in ("tx_hash", "block_number")}
            add_events(session, shas, EventKind.ANCHORED, self.actor, detail)
        logger.info("anchored root %s in block %s", root, receipt.block_number)

    async def run_once(self, *, force: bool = False) -> int:
        """Cut due batches and submit every open one. Returns the number of roots confirmed."""
        while await asyncio.to_thread(self._batch_due, force):
            if await asyncio.to_thread(self._cut_batch) is None:
                break
        ops = await asyncio.to_thread(self._open_ops)
        for op in ops:
            await self._submit(op)
        return len(ops)

    def _batch_due(self, force: bool) -> bool:
        count, oldest = self.pending_count()
        if count == 0:
            return False
        if force or count >= self.settings.batch_max or oldest is None:
            return True
        return (utcnow() - oldest).total_seconds() >= self.settings.batch_wait_seconds

    # ---- reads --------------------------------------------------------------------------
    def info(self, sha256: str) -> AnchorInfo | None:
        return self.infos([sha256]).get(sha256)

    def infos(self, sha256s: Sequence[str]) -> dict[str, AnchorInfo]:
        """Anchor details of the anchored documents among ``sha256s`` (one query per 500)."""
        out: dict[str, AnchorInfo] = {}
        with self.db.session() as session:
            conn = session.connection()
            for i in range(0, len(sha256s), 500):
                chunk = sha256s[i : i + 500]
                rows = conn.execute(
                    select(_LEAVES.c.sha256, _LEAVES.c.leaf, _LEAVES.c.root, _LEAVES.c.proof)
                    .where(_LEAVES.c.sha256.in_(chunk))
                    .where(_LEAVES.c.state == "anchored")
                ).all()
                for sha, leaf, root, proof in rows:
                    op = self._batch_result(session, root)
                    siblings = [_hex(proof[i : i + 32]) for i in range(0, len(proof), 32)]
                    out[sha] = AnchorInfo(
                        sha, leaf, root, siblings, op["tx_hash"], int(op["block_number"])
                    )
        return out

    def _batch_result(self, session: Session, root: str) -> dict[str, Any]:
        cache: dict[str, dict[str, Any]] = session.info.setdefault("anchor_results", {})
        if root not in cache:
            op = session.exec(
                select(OperationRow).where(OperationRow.idempotency_key == f"anchor:{root}")
            ).one()
            cache[root] = op.result
        return cache[root]

    def state(self, sha256: str) -> str | None:
        with self.db.session() as session:
            leaf = session.get(AnchorLeafRow, sha256)
            return None if leaf is None else leaf.state

    async def anchor_now(self, sha256s: Sequence[str]) -> list[AnchorInfo]:
        """Enqueue and anchor these documents now (with whatever else is pending)."""
        await asyncio.to_thread(self.enqueue, sha256s)
        try:
            await self.run_once(force=True)
        except ChainUnavailable as err:
            raise type(err)(
                f"{err.roll_up()}; the documents are queued for anchoring: a running node (or "
                "the next anchor command) anchors them once the chain answers"
            ) from None
        infos = await asyncio.to_thread(self.infos, sha256s)
        missing = [s for s in sha256s if s not in infos]
        if missing:
            raise NotFound(f"document {missing[0]} was not anchored")
        return [infos[s] for s in sha256s]

    async def verify_on_chain(self, info: AnchorInfo) -> tuple[bool, bool]:
        ok = await self.chain.verify_leaf(info.root, info.proof, info.leaf)
        revoked = await self.chain.is_revoked_in(info.root, info.leaf)
        return ok, revoked


class _CutRaced(Exception):
    """Some leaves of a batch being cut were batched by another process meanwhile."""


def _claimed_open(session: Session, op: OperationRow) -> bool:
    """Mark the batch's operation confirmed only if it still is as read and not confirmed:
    one conditional UPDATE, so of two processes confirming one root, one records it."""
    claim = (
        update(OperationRow)
        .where(
            col(OperationRow.id) == op.id,
            col(OperationRow.state) == op.state,
            col(OperationRow.state) != OpState.CONFIRMED.value,
        )
        .values(state=OpState.CONFIRMED.value)
    )
    return claimed(session, claim)
