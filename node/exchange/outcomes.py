"""Review outcomes: the receiver tells the sender what became of a document it sent.

Receiving side of a document (``OutcomeNotifier``, a worker): it follows the lifecycle events of
documents that partners sent and, at each final outcome, queues a signed ``review_outcome``
message to that partner (and records a ``sent`` event):

* ``anchored``  -> accept, decided by the officer who accepted it, else by the machine; with the
  Merkle root, transaction, block and the document's proof;
* ``verified`` with verdict reject -> reject by the machine (an officer may still decide later,
  which is then reported too);
* ``reviewed`` with decision reject -> reject by the officer.

The worker's cursor (the last event looked at) is saved in ``worker_cursors`` in the same
transaction as the messages it queued, so a restart resumes there; the message id is derived
from the event as well, so even a replayed event is never queued twice. The cursor moves only
over ids that have all committed (``_settled``): on PostgreSQL a lower id can commit after a
higher one, and a cursor past it would never report it.

Sending side (``check_outcome``, used by ``node.applier``): the outcome must be about a document
this node sent that partner; an anchor it claims must verify on chain (``verify_leaf``). Then it
is recorded as a ``reviewed`` event whose actor is the partner node.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from node.anchoring.merkle import leaf_for
from node.anchoring.service import AnchorService
from node.domain.states import EventKind
from node.errors import NotFound, VerificationFailed
from node.exchange._pb import documents_pb2 as docs
from node.exchange.service import ExchangeService
from node.exchange.store import DOCUMENT_KINDS
from node.exchange.tables import OutboxRow, PartnerRow
from node.loop import BackgroundLoop
from node.ports import ChainAnchor
from node.storage.core import DocumentEventRow, DocumentRow, WorkerCursorRow, utcnow
from node.storage.db import Database
from node.storage.documents import add_event

logger = logging.getLogger(__name__)

_CURSOR = "review-outcomes"
_FINAL = (EventKind.VERIFIED.value, EventKind.REVIEWED.value, EventKind.ANCHORED.value)


# An event id missing below a committed one may belong to a transaction still open (on
# PostgreSQL ids are taken from a sequence at insert, so they commit out of order); past this
# age it is taken for a rolled-back one and passed.
_GAP_GRACE = dt.timedelta(seconds=30)


def _settled(session: Session, cursor: int, limit: int) -> int:
    """The highest event id up to which every id after ``cursor`` has committed (or is a gap
    older than ``_GAP_GRACE``): the cursor may move there and never skip a late commit."""
    upto, now = cursor, utcnow()
    ids = session.exec(
        select(DocumentEventRow.id, DocumentEventRow.at)
        .where(col(DocumentEventRow.id) > cursor)
        .order_by(col(DocumentEventRow.id))
        .limit(limit)
    )
    for event_id, at in ids:
        assert event_id is not None
        if event_id != upto + 1 and now - _aware(at) < _GAP_GRACE:
            break  # an earlier id may still commit: wait for it
        upto = event_id
    return upto


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)  # SQLite drops the zone


class UnknownDocument(NotFound):
    """A review outcome about a document this node never sent to that partner."""

    code = "cusdep.exchange.unknown_document"


class AnchorUnverified(VerificationFailed):
    """A review outcome whose claimed anchor does not verify on chain."""

    code = "cusdep.exchange.anchor_unverified"


class AnchorNotOnChainYet(AnchorUnverified):
    """A review outcome whose claimed root the chain does not hold (yet): an RPC a block
    behind the partner's, or a root the partner's chain lost and anchors again. The sender's
    applier waits for it a while (``MessageApplier.anchor_wait``) before refusing it."""


class OutcomeNotifier(BackgroundLoop):
    def __init__(
        self,
        db: Database,
        exchange: ExchangeService,
        anchoring: AnchorService | None,
        *,
        interval: float = 0.5,
    ) -> None:
        super().__init__("review-outcomes", interval)
        self.db = db
        self.exchange = exchange
        self.anchoring = anchoring
        self.cursor: int | None = None  # the last event id looked at; loaded on the first step

    async def _run(self) -> None:
        while not self.stopping:
            try:
                queued = await asyncio.to_thread(self.step)
            except Exception:
                logger.exception("queuing review outcomes failed")
                queued = 0
            if queued:
                self.exchange.wake()
            await self._pause(self.interval)

    def step(self, limit: int = 256) -> int:
        """Look at the next events of partners' documents; returns how many outcomes queued."""
        queued = 0
        with self.db.session() as session:
            if self.cursor is None:
                saved = session.get(WorkerCursorRow, _CURSOR)
                self.cursor = saved.position if saved is not None else 0
            upto = _settled(session, self.cursor, limit)
            if upto == self.cursor:
                return 0
            rows = session.exec(
                select(DocumentEventRow, DocumentRow.source)
                .join(DocumentRow, col(DocumentRow.sha256) == col(DocumentEventRow.sha256))
                .where(col(DocumentEventRow.id) > self.cursor, col(DocumentEventRow.id) <= upto)
                .where(DocumentRow.source != "local")
                .where(col(DocumentEventRow.kind).in_(_FINAL))
                .order_by(col(DocumentEventRow.id))
            )
            for event, peer in rows:
                queued += self._report(session, event, peer)
            self.cursor = upto
            session.merge(WorkerCursorRow(name=_CURSOR, position=upto, updated_at=utcnow()))
        return queued

    def _report(self, session: Session, event: DocumentEventRow, peer: str) -> bool:
        mid = self.exchange.message_id_for(peer, "outcome", event.sha256, str(event.id))
        if (
            session.exec(select(OutboxRow.seq).where(OutboxRow.message_id == mid)).first()
            is not None
        ):
            return False  # reported before this restart
        outcome = self._outcome(session, event)
        if outcome is None:
            return False
        if session.get(PartnerRow, peer) is None:
            logger.warning("outcome of %s not sent: %s is no longer pinned", event.sha256, peer)
            return False
        if not self.exchange.queue(
            session, peer, "review_outcome", outcome, message_id=mid, document_sha256=event.sha256
        ):
            return False
        detail = {
            "kind": "review_outcome",
            "to": peer,
            "message_id": mid,
            "verdict": outcome.verdict,
            "decided_by": outcome.decided_by,
        }
        add_event(session, event.sha256, EventKind.SENT, self.exchange.node_id, detail)
        return True

    def _outcome(self, session: Session, event: DocumentEventRow) -> docs.ReviewOutcome | None:
        d = event.detail or {}
        out = docs.ReviewOutcome(document_sha256=event.sha256)
        out.decided_at.FromDatetime(event.at)
        if event.kind == EventKind.VERIFIED.value and d.get("verdict") == "reject":
            out.verdict, out.decided_by = "reject", "machine"
            out.reasons.extend(str(r) for r in d.get("reasons") or [])
        elif event.kind == EventKind.REVIEWED.value and d.get("decision") == "reject":
            out.verdict, out.decided_by, out.officer = "reject", "officer", event.actor
            out.reasons.extend([str(d["reason"])] if d.get("reason") else [])
        elif event.kind == EventKind.ANCHORED.value:
            self._accepted(session, out, event.sha256, d)
        else:
            return None
        return out

    def _accepted(
        self, session: Session, out: docs.ReviewOutcome, sha: str, anchored: dict[str, Any]
    ) -> None:
        out.verdict, out.decided_by = "accept", "machine"
        for e in session.exec(
            select(DocumentEventRow)
            .where(DocumentEventRow.sha256 == sha)
            .where(col(DocumentEventRow.kind).in_(_FINAL[:2]))
            .order_by(col(DocumentEventRow.id))
        ):
            d = e.detail or {}
            if d.get("check"):  # a later finding on it (``issuer_revoked``), not its review
                continue
            if e.kind == EventKind.REVIEWED.value and d.get("decision") == "accept":
                out.decided_by, out.officer = "officer", e.actor
                del out.reasons[:]
                out.reasons.extend([str(d["reason"])] if d.get("reason") else [])
            elif e.kind == EventKind.VERIFIED.value and out.decided_by == "machine":
                del out.reasons[:]
                out.reasons.extend(str(r) for r in d.get("reasons") or d.get("issues") or [])
        out.anchor_root = str(anchored.get("merkle_root", ""))
        out.anchor_tx = str(anchored.get("tx_hash", ""))
        out.anchor_block = int(anchored.get("block_number") or 0)
        info = self.anchoring.info(sha) if self.anchoring is not None else None
        if info is not None:
            out.anchor_proof.extend(info.proof)


@dataclass
class OutcomeRecord:
    """A checked outcome, ready to write in the caller's transaction."""

    peer: str
    message_id: str
    outcome: docs.ReviewOutcome
    anchor_verified: bool | None

    @property
    def summary(self) -> str:
        return f"{self.outcome.verdict} of {self.outcome.document_sha256[:12]}… by {self.peer}"

    def write(self, session: Session) -> None:
        o = self.outcome
        detail: dict[str, Any] = {
            "verdict": o.verdict,
            "decided_by": o.decided_by,
            "reasons": list(o.reasons),
            "message_id": self.message_id,
            "from": self.peer,
        }
        if o.officer:
            detail["officer"] = o.officer
        if o.anchor_root:
            detail["anchor"] = {  # leaf and proof: ``trace`` checks them on chain again
                "merkle_root": o.anchor_root,
                "leaf": "0x" + leaf_for(o.document_sha256).hex(),
                "proof": list(o.anchor_proof),
                "tx_hash": o.anchor_tx,
                "block_number": o.anchor_block,
                "verified_on_chain": self.anchor_verified,
            }
        add_event(session, o.document_sha256, EventKind.REVIEWED, self.peer, detail)


def _sent_to(db: Database, peer: str, sha: str) -> bool:
    with db.session() as session:
        stmt = (
            select(OutboxRow.seq)
            .where(OutboxRow.document_sha256 == sha, OutboxRow.peer == peer)
            .where(col(OutboxRow.kind).in_(DOCUMENT_KINDS))
        )
        return session.exec(stmt.limit(1)).first() is not None


async def check_outcome(
    db: Database,
    chain: ChainAnchor | None,
    *,
    peer: str,
    message_id: str,
    outcome: docs.ReviewOutcome,
) -> OutcomeRecord:
    sha = outcome.document_sha256
    if not await asyncio.to_thread(_sent_to, db, peer, sha):
        raise UnknownDocument(f"{peer} reports an outcome for {sha}, which this node never sent it")
    verified = None
    if outcome.anchor_root:
        if chain is None:
            raise AnchorUnverified("no chain to check the claimed anchor against")
        leaf = "0x" + leaf_for(sha).hex()
        verified = await chain.verify_leaf(outcome.anchor_root, list(outcome.anchor_proof), leaf)
        if not verified:
            claim = f"{peer} claims {sha} is anchored under root {outcome.anchor_root}"
            if (await chain.root_timestamps([outcome.anchor_root]))[0] == 0:
                raise AnchorNotOnChainYet(f"{claim}, which is not on chain")
            raise AnchorUnverified(f"{claim}, but the proof does not verify on chain")
    return OutcomeRecord(peer, message_id, outcome, verified)
