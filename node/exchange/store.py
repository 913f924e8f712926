"""Persistence helpers for the exchange: bulk inserts and updates that run inside one
transaction per batch, blob stashing, and the quarantine of rejected bytes.

Durability: the inbox/outbox row holds the complete signed envelope (document bytes included)
and commits with SQLite ``synchronous=FULL``; that row is the durable record. The document's
blob in the content-addressed BlobStore is written after the commit by ``BlobMaterializer``
(rows with ``stored = false``), off the acknowledgement path: creating one file per document
costs 0.1-0.7 ms here, more than everything else a message needs. ``restore_blobs`` rewrites any
blob a power loss took, from the rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nacl.signing import SigningKey
from sqlalchemy import bindparam, insert, text, tuple_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from node.domain.states import EventKind
from node.errors import CusdepError
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.payloads import KIND_NAMES
from node.exchange.signing import key_id, sign_header
from node.exchange.tables import InboxRow, OutboxRow, RejectionRow
from node.storage.blobs import BlobStore, writer
from node.storage.core import DocumentEventRow, DocumentRow, utcnow
from node.storage.db import Database, insert_absent

if TYPE_CHECKING:
    from node.exchange.inbox import _Candidate

logger = logging.getLogger(__name__)

# Literal conditions matching the partial indexes in tables.py (a bound parameter would not)
PENDING = text("state = 'pending'")
UNSTORED = text("NOT stored")
DOCUMENT_KINDS = ("certificate", "declaration")  # the kinds whose payload is a Document

_INBOX = InboxRow.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
_EVENTS = DocumentEventRow.__table__  # type: ignore[attr-defined]
_DOCS = DocumentRow.__table__  # type: ignore[attr-defined]


def stash_blob(blobs: BlobStore, sha256: str, data: bytes) -> None:
    """Write a blob atomically (temp + rename) without fsync; the DB row is the durable copy."""
    target = os.path.join(blobs.root, sha256[:2], sha256)
    if os.path.exists(target):
        return
    tmp = f"{target}.{writer()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, target)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # SQLAlchemy's SQLite DateTime storage format
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _bulk_insert(
    session: Session, table: Any, rows: Sequence[dict[str, Any]], *, ignore_key: str | None = None
) -> None:
    """Many rows in one statement. On SQLite straight through the driver: SQLAlchemy's
    per-value processing costs more than the insert itself at thousands of rows a second."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        stmt: Any = insert(table)
        if ignore_key is not None:
            stmt = pg_insert(table).on_conflict_do_nothing(index_elements=[ignore_key])
        conn.execute(stmt, list(rows))
        return
    cols = list(rows[0])
    verb = "INSERT OR IGNORE" if ignore_key else "INSERT"
    sql = f"{verb} INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    # convert only the columns that need it (datetimes, JSON), decided from the first row
    convert = {c for c, v in rows[0].items() if isinstance(v, dt.datetime | dict)}
    if not convert:
        conn.exec_driver_sql(sql, [tuple(r.values()) for r in rows])
        return
    params = [tuple(_sqlite_value(r[c]) if c in convert else r[c] for c in cols) for r in rows]
    conn.exec_driver_sql(sql, params)


def insert_documents(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _bulk_insert(session, _DOCS, list({r["sha256"]: r for r in rows}.values()), ignore_key="sha256")


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _bulk_insert(session, _EVENTS, rows)


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
    inbox, events = [], []
    for i, cand in enumerate(accepted):
        assert cand.payload is not None and cand.ack.receipt_bytes is not None
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
                "receipt": cand.ack.receipt_bytes,
                "state": "received",
                # a microsecond apart, in the order the sender sent them: the batch's order
                # is what the applier keeps (a review's outcomes in the order decided), and
                # ``RECEIPT_ORDER``'s ties would otherwise fall to the message id
                "received_at": now + dt.timedelta(microseconds=i),
                "stored": False,
            }
        )
        # a document's ``received`` event; a revocation or review outcome naming a document is
        # recorded only once checked and applied (node.applier): it could name any document
        if sha and cand.payload.kind in DOCUMENT_KINDS:
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
    _bulk_insert(session, _INBOX, inbox)
    insert_events(session, events)


def insert_outbox(
    session: Session,
    items: Iterable[tuple[pb.SignedEnvelope, bytes, docs.Document | None]],
    *,
    stored: bool = False,
    sha256: str = "",
) -> None:
    """Outbox rows for signed envelopes; ``sha256`` names the document a message without a
    Document payload is about (a review outcome), so ``messages`` and provenance show it."""
    now = utcnow()
    outbox, documents, events = [], [], []
    for env, digest, doc in items:
        kind = KIND_NAMES.get(env.header.kind, "unknown")
        sha = doc.document_sha256 if doc is not None else sha256
        outbox.append(_outbox_row(env, digest, sha, stored, now))
        if doc is not None and stored:  # else when its blob is written (materialize_blobs)
            documents.append(_document_row(doc, kind, "local", "received"))
            events.append(_sent_event(env.header, sha))
    _bulk_insert(session, _OUTBOX, outbox)
    insert_documents(session, documents)
    insert_events(session, events)


def insert_outbox_once(
    session: Session, env: pb.SignedEnvelope, digest: bytes, *, sha256: str = ""
) -> bool:
    """An outbox row for ``env`` (no Document payload) unless its message id is queued
    already (insert-if-absent); whether this call queued it."""
    row = _outbox_row(env, digest, sha256, True, utcnow())
    return insert_absent(session, OutboxRow(**row))


def _outbox_row(
    env: pb.SignedEnvelope, digest: bytes, sha: str, stored: bool, now: dt.datetime
) -> dict[str, Any]:
    header = env.header
    return {
        "message_id": header.message_id,
        "peer": header.recipient_node,
        "kind": KIND_NAMES.get(header.kind, "unknown"),
        "document_sha256": sha,
        "digest": digest.hex(),
        "envelope": env.SerializeToString(),
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "error": "",
        "error_code": "",
        "created_at": now,
        "stored": stored,
    }


def mark_delivered(
    session: Session, sender: str, done: Sequence[tuple[OutboxRow, pb.Receipt]]
) -> None:
    if not done:
        return
    now = utcnow()
    params = [{"b_seq": row.seq, "b_receipt": r.SerializeToString()} for row, r in done]
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "UPDATE exchange_outbox SET state = 'delivered', receipt = ?, delivered_at = ?,"
            " error = '', error_code = '' WHERE seq = ?",
            [(p["b_receipt"], _sqlite_value(now), p["b_seq"]) for p in params],
        )
    else:
        stmt = (
            update(_OUTBOX)
            .where(_OUTBOX.c.seq == bindparam("b_seq"))
            .values(
                state="delivered",
                receipt=bindparam("b_receipt"),
                delivered_at=now,
                error="",
                error_code="",
            )
        )
        conn.execute(stmt, params)
    events = [
        {
            "sha256": row.document_sha256,
            "kind": EventKind.ACKNOWLEDGED.value,
            "actor": row.peer,
            "at": now,
            "detail": {"message_id": row.message_id, "by": row.peer},
        }
        for row, _ in done
        if row.document_sha256
    ]
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


def resign_pending(db: Database, key: SigningKey, page: int = 256) -> int:
    """Pending envelopes signed by another key than ``key``, signed again by it, page by page."""
    current, after, count = key_id(bytes(key.verify_key)), 0, 0
    while True:
        with db.session() as session:
            rows = list(
                session.connection().execute(
                    sa_select(_OUTBOX.c.seq, _OUTBOX.c.envelope)
                    .where(PENDING, _OUTBOX.c.seq > after)
                    .order_by(_OUTBOX.c.seq)
                    .limit(page)
                )
            )
            for seq, raw in rows:
                env = pb.SignedEnvelope.FromString(raw)
                if env.header.signer_key_id == current:
                    continue
                env.header.signer_key_id = current
                signed, digest = sign_header(key, env.header, env.payload)
                session.connection().execute(
                    update(_OUTBOX)
                    .where(_OUTBOX.c.seq == seq)
                    .values(envelope=signed.SerializeToString(), digest=digest.hex())
                )
                count += 1
        if len(rows) < page:
            return count
        after = rows[-1][0]


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
    """Rejected bytes under ``home/quarantine/`` and an audit row per rejection.

    The bytes are kept up to ``max_bytes`` in all (``exchange.quarantine_max_bytes``): any
    pinned peer can send refused envelopes of up to the message limit each, and the disk is
    not theirs to fill. Past it the audit row is still written, without the bytes."""

    # what one kept file counts for at least (a filesystem block): envelopes of a few bytes,
    # or none, must not fill the disk's inodes and the directory while counting as nothing
    MIN_FILE_BYTES = 4096

    def __init__(self, root: Path, max_bytes: int = 256 << 20) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._used: int | None = None  # bytes kept, counted on the first rejection

    def keep(
        self, session: Session, peer: str | None, env: pb.SignedEnvelope | bytes, error: CusdepError
    ) -> None:
        data = env if isinstance(env, bytes) else env.SerializeToString()
        header = None if isinstance(env, bytes) else env.header
        path = self._write(data, error.code)
        reason = error.message if path else f"{error.message} (bytes not kept: quarantine full)"
        session.add(
            RejectionRow(
                peer=peer or "",
                claimed_sender=header.sender_node if header else "",
                message_id=header.message_id if header else "",
                code=error.code,
                status=error.grpc_status.name,
                reason=reason[:500],
                quarantine_path=str(path or ""),
            )
        )
        logger.warning(
            "rejected message %s from %s: %s (%s)",
            header.message_id if header else "?",
            peer or "?",
            error.message,
            error.code,
        )

    def audit(self, session: Session, peer: str | None, error: CusdepError) -> None:
        """An audit row about a peer, for no envelope in particular (bytes: none)."""
        session.add(
            RejectionRow(
                peer=peer or "",
                code=error.code,
                status=error.grpc_status.name,
                reason=error.message[:500],
            )
        )
        logger.warning("refusing %s: %s (%s)", peer or "?", error.message, error.code)

    def _write(self, data: bytes, code: str) -> Path | None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._used is None:
            self._used = sum(
                self._cost(p.stat().st_size) for p in self.root.iterdir() if p.is_file()
            )
        if self._used + self._cost(len(data)) > self.max_bytes:
            return None
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = self.root / f"{stamp}-{code}-{hashlib.sha256(data).hexdigest()[:16]}.bin"
        path.write_bytes(data)
        self._used += self._cost(len(data))
        return path

    def _cost(self, size: int) -> int:
        return max(size, self.MIN_FILE_BYTES)


def _original(raw: bytes) -> bytes:
    return docs.Document.FromString(pb.SignedEnvelope.FromString(raw).payload).original


def document_from_rows(session: Session, sha256: str) -> bytes | None:
    """The document's bytes from an envelope that carried it; None when none still does (the
    retention policy empties the payloads of the documents it disposes of)."""
    for table in (InboxRow, OutboxRow):
        carried = col(table.document_sha256) == sha256, col(table.kind).in_(DOCUMENT_KINDS)
        raws = session.exec(select(table.envelope).where(*carried))  # type: ignore[attr-defined]
        for raw in raws:
            data = _original(raw)
            if hashlib.sha256(data).hexdigest() == sha256:
                return data
    return None


Claim = Callable[[Session, str, str, bytes], None]
"""``claim(session, sha, peer, data)``: a partner delivered a document this node already has
from another sender (``node.inbound.claim_delivery``)."""


def materialize_blobs(
    db: Database, blobs: BlobStore, limit: int = 512, claim: Claim | None = None
) -> int:
    """Write the blobs of up to ``limit`` rows not yet ``stored``, then flag them and add their
    ``documents`` rows: other subsystems (review, anchoring) see a document only once its bytes
    are in the BlobStore. Files are written between two short transactions, never while
    holding the write lock. A partner's delivery of a document held already from another
    sender goes to ``claim`` in the same transaction."""
    done = 0
    # the primary key of each table: an inbox message id is unique per sender only
    for table, key in ((InboxRow, ("message_id", "peer")), (OutboxRow, ("seq",))):
        t = table.__table__  # type: ignore[attr-defined, union-attr]
        stmt = (
            sa_select(t.c.document_sha256, t.c.envelope, t.c.kind, t.c.peer, *(t.c[k] for k in key))
            .where(UNSTORED, t.c.document_sha256 != "", t.c.kind.in_(DOCUMENT_KINDS))
            .limit(limit)
        )
        with db.session() as session:
            rows = list(session.connection().execute(stmt))
        if not rows:
            continue
        documents, events, deliveries = [], [], []
        for sha, raw, kind, peer, *_ in rows:
            env = pb.SignedEnvelope.FromString(raw)
            doc = docs.Document.FromString(env.payload)
            stash_blob(blobs, sha, doc.original)
            source = peer if table is InboxRow else "local"
            documents.append(_document_row(doc, kind, source, "received"))
            if table is OutboxRow:  # the sender's ``sent`` event, as ``send`` of one file adds
                events.append(_sent_event(env.header, sha))
            else:
                deliveries.append((sha, peer, doc.original))
        with db.session() as session:
            keys = tuple_(*(t.c[k] for k in key))
            done_keys = [tuple(r[4:]) for r in rows]
            session.connection().execute(update(t).where(keys.in_(done_keys)).values(stored=True))
            insert_documents(session, documents)
            insert_events(session, events)
            if claim is not None:
                _claims(session, deliveries, claim)
        done += len(rows)
    return done


def _claims(session: Session, deliveries: list[tuple[str, str, bytes]], claim: Claim) -> None:
    """Hand ``claim`` each delivery whose document's row names another source (held before,
    or added in this batch from another partner's delivery)."""
    shas = list({sha for sha, _, _ in deliveries})
    sources = dict(
        session.exec(
            select(DocumentRow.sha256, DocumentRow.source).where(col(DocumentRow.sha256).in_(shas))
        ).all()
    )
    for sha, peer, data in deliveries:
        if sources.get(sha, peer) != peer:
            claim(session, sha, peer, data)


def _sent_event(header: pb.EnvelopeHeader, sha: str) -> dict[str, Any]:
    return {
        "sha256": sha,
        "kind": EventKind.SENT.value,
        "actor": header.sender_node,
        "at": header.created_at.ToDatetime(tzinfo=dt.UTC),
        "detail": {"message_id": header.message_id, "to": header.recipient_node, "queued": True},
    }


def restore_blobs(session: Session, blobs: BlobStore) -> int:
    """Rewrite blobs missing on disk (e.g. after a power loss) from the envelope rows."""
    restored = 0
    for table in (InboxRow, OutboxRow):
        shas = session.exec(
            select(table.document_sha256).where(table.stored == True, table.document_sha256 != "")  # type: ignore[attr-defined]  # noqa: E712
        )
        for sha in {sha for sha in shas if not blobs.has(sha)}:
            data = document_from_rows(session, sha)
            if data is not None:
                stash_blob(blobs, sha, data)
                restored += 1
    return restored


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str)
