"""Persistence helpers for the exchange: bulk inserts and updates that run inside one
transaction per batch, blob stashing, and the quarantine of rejected bytes.

Durability: the inbox/outbox row holds the complete signed envelope (document bytes included)
and commits with SQLite ``synchronous=FULL``; that row is the durable record. The blob file is a
content-addressed copy written before the commit without its own fsync (one fsync per document
would cap throughput at a few hundred per second); ``restore_blobs`` rewrites any blob a power
loss took, from the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from node.domain.states import EventKind
from node.errors import CusdepError
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.payloads import KIND_NAMES
from node.exchange.tables import InboxRow, OutboxRow, RejectionRow
from node.storage.blobs import BlobStore
from node.storage.core import DocumentEventRow, DocumentRow, utcnow

if TYPE_CHECKING:
    from node.exchange.inbox import _Candidate

logger = logging.getLogger(__name__)

_INBOX = InboxRow.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
_EVENTS = DocumentEventRow.__table__  # type: ignore[attr-defined]
_DOCS = DocumentRow.__table__  # type: ignore[attr-defined]


def stash_blob(blobs: BlobStore, sha256: str, data: bytes) -> None:
    """Write a blob atomically (temp + rename) without fsync; the DB row is the durable copy."""
    target = blobs.path(sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{sha256}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def insert_documents(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.connection().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = maker(_DOCS).on_conflict_do_nothing(index_elements=["sha256"])
    session.connection().execute(stmt, list({r["sha256"]: r for r in rows}.values()))


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(_EVENTS), list(rows))


def _document_row(doc: docs.Document, kind: str, source: str, state: str) -> dict[str, Any]:
    return {
        "sha256": doc.document_sha256,
        "kind": kind,
        "format": doc.format_id or doc.media_type,
        "media_type": doc.media_type or "application/octet-stream",
        "size": len(doc.original),
        "source": source,
        "created_at": utcnow(),
        "state": state,
    }


def insert_inbox(
    session: Session, peer: str, accepted: Sequence[_Candidate], now: dt.datetime
) -> None:
    if not accepted:
        return
    inbox, documents, events = [], [], []
    for cand in accepted:
        assert cand.payload is not None and cand.ack.receipt is not None
        header = cand.envelope.header
        sha = cand.payload.document_sha256
        inbox.append(
            {
                "message_id": header.message_id,
                "peer": peer,
                "kind": cand.payload.kind,
                "document_sha256": sha,
                "digest": cand.digest.hex(),
                "envelope": cand.envelope.SerializeToString(),
                "receipt": cand.ack.receipt.SerializeToString(),
                "state": "received",
                "received_at": now,
            }
        )
        if isinstance(cand.payload.message, docs.Document):
            documents.append(
                _document_row(cand.payload.message, cand.payload.kind, peer, "received")
            )
        if sha:
            events.append(
                {
                    "sha256": sha,
                    "kind": EventKind.RECEIVED.value,
                    "actor": peer,
                    "at": now,
                    "detail": {
                        "message_id": header.message_id,
                        "from": peer,
                        "kind": cand.payload.kind,
                    },
                }
            )
    session.connection().execute(insert(_INBOX), inbox)
    insert_documents(session, documents)
    insert_events(session, events)


def insert_outbox(
    session: Session, items: Iterable[tuple[pb.SignedEnvelope, bytes, docs.Document | None]]
) -> None:
    now = utcnow()
    outbox, documents, events = [], [], []
    for env, digest, doc in items:
        header = env.header
        kind = KIND_NAMES.get(header.kind, "unknown")
        sha = doc.document_sha256 if doc is not None else ""
        outbox.append(
            {
                "message_id": header.message_id,
                "peer": header.recipient_node,
                "kind": kind,
                "document_sha256": sha,
                "digest": digest.hex(),
                "envelope": env.SerializeToString(),
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "error": "",
                "error_code": "",
                "created_at": now,
            }
        )
        if doc is not None:
            documents.append(_document_row(doc, kind, "local", "received"))
            events.append(
                {
                    "sha256": sha,
                    "kind": EventKind.SENT.value,
                    "actor": header.sender_node,
                    "at": now,
                    "detail": {
                        "message_id": header.message_id,
                        "to": header.recipient_node,
                        "queued": True,
                    },
                }
            )
    if outbox:
        session.connection().execute(insert(_OUTBOX), outbox)
    insert_documents(session, documents)
    insert_events(session, events)


def mark_delivered(
    session: Session, sender: str, done: Sequence[tuple[OutboxRow, pb.Receipt]]
) -> None:
    now = utcnow()
    events = []
    for row, receipt in done:
        session.connection().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.seq == row.seq)
            .values(
                state="delivered",
                receipt=receipt.SerializeToString(),
                delivered_at=now,
                error="",
                error_code="",
            )
        )
        if row.document_sha256:
            events.append(
                {
                    "sha256": row.document_sha256,
                    "kind": EventKind.ACKNOWLEDGED.value,
                    "actor": row.peer,
                    "at": now,
                    "detail": {"message_id": row.message_id, "by": row.peer},
                }
            )
    insert_events(session, events)


def mark_rejected(session: Session, rejected: Sequence[tuple[OutboxRow, pb.Rejection]]) -> None:
    for row, rej in rejected:
        session.connection().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.seq == row.seq)
            .values(
                state="rejected",
                error=rej.message[:500],
                error_code=rej.error_code,
            )
        )


def mark_retry(session: Session, seqs: Sequence[int], error: str, delay: float) -> None:
    if not seqs:
        return
    session.connection().execute(
        update(_OUTBOX)
        .where(_OUTBOX.c.seq.in_(list(seqs)))
        .values(
            attempts=_OUTBOX.c.attempts + 1,
            error=error[:500],
            next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
        )
    )


class Quarantine:
    """Rejected bytes under ``home/quarantine/`` and an audit row per rejection."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def keep(
        self, session: Session, peer: str | None, env: pb.SignedEnvelope | bytes, error: CusdepError
    ) -> None:
        data = env if isinstance(env, bytes) else env.SerializeToString()
        header = None if isinstance(env, bytes) else env.header
        path = self._write(data, error.code)
        session.add(
            RejectionRow(
                peer=peer or "",
                claimed_sender=header.sender_node if header else "",
                message_id=header.message_id if header else "",
                code=error.code,
                status=error.grpc_status.name,
                reason=error.message[:500],
                quarantine_path=str(path),
            )
        )
        logger.warning(
            "rejected message %s from %s: %s (%s)",
            header.message_id if header else "?",
            peer or "?",
            error.message,
            error.code,
        )

    def _write(self, data: bytes, code: str) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = self.root / f"{stamp}-{code}-{hashlib.sha256(data).hexdigest()[:16]}.bin"
        path.write_bytes(data)
        return path


def restore_blobs(session: Session, blobs: BlobStore) -> int:
    """Rewrite blobs missing on disk from the envelopes kept in the inbox and outbox."""
    restored = 0
    for table in (InboxRow, OutboxRow):
        shas = session.exec(select(table.document_sha256).where(table.document_sha256 != ""))  # type: ignore[attr-defined]
        missing = {sha for sha in shas if not blobs.has(sha)}
        for sha in missing:
            raw = session.exec(
                select(table.envelope).where(table.document_sha256 == sha).limit(1)  # type: ignore[attr-defined]
            ).first()
            doc = docs.Document.FromString(pb.SignedEnvelope.FromString(raw).payload)
            stash_blob(blobs, sha, doc.original)
            restored += 1
    return restored


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str)
