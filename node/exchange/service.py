"""ExchangeService: what the CLI, the REST layer and the gRPC servicer call. Knows no gRPC.

Sending queues a signed envelope in the durable outbox and returns; the ``OutboxWorker`` of the
running node delivers it. ``send_now`` delivers one envelope synchronously (unary call).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from google.protobuf.message import Message
from sqlmodel import Session, col, func, or_, select

from node.anchoring.service import check_sha256
from node.config import Settings
from node.errors import Conflict, CusdepError, LimitExceeded, NotFound
from node.exchange import store
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange._pb import exchange_pb2 as xpb
from node.exchange.client import PartnerClient
from node.exchange.inbox import Ack, Inbox
from node.exchange.partners import PartnerDirectory, check_receipt
from node.exchange.payloads import KINDS, build_document
from node.exchange.signing import envelope_header, sign_header
from node.exchange.stated import check_issued, stated_status
from node.exchange.tables import RECEIPT_ORDER, InboxRow, OutboxRow, RejectionRow
from node.identity import Identity
from node.registry.tables import RegistryRecordRow
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow, utcnow
from node.storage.db import Database
from node.storage.documents import events_for, iso

logger = logging.getLogger(__name__)
_MESSAGE_ID_KEY = "exchange.message-id"  # Identity.derived_key purpose: message_id_for


@dataclass(frozen=True)
class SendResult:
    message_id: str
    document_sha256: str
    # the status a certificate sent states of itself (``node.exchange.stated``), None if none
    status: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": self.message_id,
            "document_sha256": self.document_sha256,
        }
        return {**out, "status": self.status} if self.status else out


class ExchangeService:
    def __init__(
        self, settings: Settings, db: Database, blobs: BlobStore, identity: Identity
    ) -> None:
        self.settings = settings
        self.db = db
        self.blobs = blobs
        self.identity = identity
        self.partners = PartnerDirectory(db)
        self.quarantine = store.Quarantine(
            settings.home / "quarantine", settings.exchange.quarantine_max_bytes
        )
        self.inbox = Inbox(db, blobs, identity, self.partners, settings.exchange, self.quarantine)
        self.client = PartnerClient(
            identity, self.partners, max_bytes=settings.exchange.max_message_bytes + (4 << 20)
        )
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop ``_wakeup`` is waited on
        self._message_id_key = identity.derived_key(_MESSAGE_ID_KEY)

    @property
    def node_id(self) -> str:
        return self.identity.node_id

    # -- sending --------------------------------------------------------------------------------

    def send(
        self,
        data: bytes,
        to: str,
        kind: str = "certificate",
        filename: str = "",
        *,
        issued_only: bool = False,
    ) -> SendResult:
        """Queue one document for ``to``; durable (blob fsynced, outbox row committed) on return."""
        result = self.send_many(
            [(data, filename)], to, kind, fsync_blobs=True, issued_only=issued_only
        )
        return result[0]

    def forward(
        self, sha256: str, to: str, kind: str = "certificate", *, issued_only: bool = False
    ) -> SendResult:
        """Queue a document stored here for ``to``: only one this node accepted (the machine
        or an officer) — not one rejected, revoked or still in review. Its state is read in
        the transaction that queues it, after the queueing write (and locked on PostgreSQL):
        a revocation committed meanwhile is seen, and the message is not queued."""
        guard = partial(_still_forwardable, sha256=sha256)
        data = self.blobs.get(sha256)
        return self.send_many(
            [(data, "")], to, kind, fsync_blobs=True, guard=guard, issued_only=issued_only
        )[0]

    def send_many(
        self,
        files: list[tuple[bytes, str]],
        to: str,
        kind: str = "certificate",
        *,
        fsync_blobs: bool = False,
        guard: Callable[[Session], None] | None = None,
        issued_only: bool = False,
    ) -> list[SendResult]:
        """Queue several documents in one transaction (the rows hold the bytes durably);
        ``guard``, run in that transaction after the queueing write, may refuse it (raise).
        A certificate whose own status says it is not valid is sent, with that status in its
        result, or, ``issued_only``, refused with the whole batch (``node.exchange.stated``)."""
        self.partners.require(to)
        items, statuses = [], []
        for data, filename in files:
            doc = build_document(data, kind, filename=filename)
            status = stated_status(data, doc.media_type) if kind == "certificate" else None
            what = filename or f"document {doc.document_sha256}"
            check_issued(status, what, to, issued_only=issued_only)
            env, digest = self._seal(to, KINDS[kind], doc.SerializeToString())
            self._fits(env, filename)
            items.append((env, digest, doc))
            statuses.append(status)
        if fsync_blobs:  # one document: write its blob now (fsynced) and mark it stored
            for _, _, doc in items:
                self.blobs.put(doc.original)
        with self.db.session() as session:
            store.insert_outbox(session, items, stored=fsync_blobs)
            if guard is not None:
                guard(session)
        self.wake()
        return [
            SendResult(e.header.message_id, d.document_sha256, status)
            for (e, _, d), status in zip(items, statuses, strict=True)
        ]

    def _fits(self, env: pb.SignedEnvelope, filename: str) -> None:
        """An envelope larger than a node accepts (ours: ``max_message_bytes``, partners run
        the same default) is refused now, not queued to be rejected on delivery."""
        size, limit = env.ByteSize(), self.settings.exchange.max_message_bytes
        if size > limit:
            what = filename or "the document"
            raise LimitExceeded(f"{what}: an envelope of {size} bytes exceeds {limit}")

    def send_message(self, to: str, kind: str, payload: Message) -> str:
        """Queue a registry update or revocation; returns the message id."""
        self.partners.require(to)
        env, digest = self._seal(to, KINDS[kind], payload.SerializeToString())
        with self.db.session() as session:
            store.insert_outbox(session, [(env, digest, None)])
        self.wake()
        return env.header.message_id

    def queue(
        self,
        session: Session,
        to: str,
        kind: str,
        payload: Message,
        *,
        message_id: str,
        document_sha256: str = "",
    ) -> bool:
        """Queue one signed message inside the caller's transaction, at most once.

        Producers derive ``message_id`` from what they report (``message_id_for``), so doing
        it again — a retry after a crash, a second pass over the same record — queues nothing:
        returns False when that id is already in the outbox. Delivery is the outbox worker's.
        Inserted unless queued (one statement): two processes queueing one id at once (two
        `partner add`, one beside the node confirming a record) queue it once, neither fails.
        """
        seen = select(OutboxRow.seq).where(OutboxRow.message_id == message_id)
        if session.exec(seen).first() is not None:
            return False
        env, digest = self._seal(to, KINDS[kind], payload.SerializeToString(), message_id)
        return store.insert_outbox_once(session, env, digest, sha256=document_sha256)

    def queue_document(
        self, session: Session, to: str, data: bytes, *, message_id: str, filename: str = ""
    ) -> bool:
        """Queue certificate ``data`` (its blob written already) for ``to`` inside the
        caller's transaction, at most once under ``message_id`` (``message_id_for``): False
        when that id is already in the outbox."""
        seen = select(OutboxRow.seq).where(OutboxRow.message_id == message_id)
        if session.exec(seen).first() is not None:
            return False
        self.partners.require(to)
        doc = build_document(data, "certificate", filename=filename)
        env, digest = self._seal(to, KINDS["certificate"], doc.SerializeToString(), message_id)
        self._fits(env, filename)
        store.insert_outbox(session, [(env, digest, doc)], stored=True)
        return True

    def message_id_for(self, to: str, *parts: str) -> str:
        """A stable message id for what ``parts`` name, sent by this node to ``to``.

        Stable (a retry after a crash finds the id it queued) but secret: an HMAC of the parts
        under a key derived from this node's private identity key, so no other node can tell in
        advance the id of a message this one will send (the parts — a record's registrar and
        id, a document's hash — are public). As a UUID: 122 bits of the HMAC, version 4 bits
        (pseudo-random, as an HMAC is to anyone without the key).
        """
        name = "\x1f".join((self.node_id, to, *parts)).encode()
        mac = hmac.new(self._message_id_key, name, hashlib.sha256).digest()
        return str(uuid.UUID(bytes=mac[:16], version=4))

    async def send_now(self, data: bytes, to: str, kind: str = "certificate") -> pb.Receipt:
        """Queue, deliver with one unary call and store the receipt (used by the bench)."""
        result = (await asyncio.to_thread(self.send_many, [(data, "")], to, kind))[0]
        row = await asyncio.to_thread(self._outbox_row, result.message_id)
        receipt = await self.client.send(to, pb.SignedEnvelope.FromString(row.envelope))
        check_receipt(self.partners.require(to), receipt, bytes.fromhex(row.digest))
        await asyncio.to_thread(self._store_receipt, row, receipt)
        return receipt

    def _seal(
        self, to: str, kind: int, payload: bytes, message_id: str | None = None
    ) -> tuple[pb.SignedEnvelope, bytes]:
        key = self.identity.signing_key
        header = envelope_header(
            key,
            kind=kind,
            sender=self.node_id,
            recipient=to,
            payload=payload,
            created_at=utcnow(),
            message_id=message_id,
        )
        return sign_header(key, header, payload)

    def resign_pending(self) -> int:
        """Sign again with the current key every pending envelope another key signed (queued
        before ``cusdep identity rotate``); the row keeps its message id, created-at and
        payload, and takes the new digest a receipt must name. Run when the node starts,
        before the outbox sends. Returns how many were signed again."""
        return store.resign_pending(self.db, self.identity.signing_key)

    def _outbox_row(self, message_id: str) -> OutboxRow:
        with self.db.session() as session:
            row = session.exec(select(OutboxRow).where(OutboxRow.message_id == message_id)).first()
        if row is None:
            raise NotFound(f"no outgoing message {message_id}")
        return row

    def _store_receipt(self, row: OutboxRow, receipt: pb.Receipt) -> None:
        with self.db.session() as session:
            store.mark_delivered(session, self.node_id, [(row, receipt)])

    def wake(self) -> None:
        """Wake the outbox worker: from its event loop, or from a worker thread (a revocation
        or a send recorded under ``asyncio.to_thread``), through the loop it waits on."""
        event, loop = self._wakeup, self._loop
        if event is None or loop is None or loop.is_closed():
            return
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is loop:
            event.set()
        else:  # an asyncio.Event is not thread-safe: set it on its own loop
            loop.call_soon_threadsafe(event.set)

    async def wait_for_work(self, timeout: float, stopping: asyncio.Event) -> None:
        if self._wakeup is None:
            self._wakeup = asyncio.Event()
            self._loop = asyncio.get_running_loop()
        if stopping.is_set():
            return
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout=timeout)
        except TimeoutError:
            pass
        self._wakeup.clear()

    # -- reading --------------------------------------------------------------------------------

    def messages(
        self, direction: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Received messages (in their order of receipt), then sent ones (in their order);
        ``limit`` of them from ``offset`` (all without ``limit``)."""
        out: list[dict[str, Any]] = []
        with self.db.session() as session:
            received = 0
            if direction in (None, "in"):
                inbox = select(InboxRow).order_by(*RECEIPT_ORDER).offset(offset)
                rows = session.exec(inbox.limit(limit) if limit is not None else inbox)
                out += [_received(r) for r in rows]
                received = session.exec(select(func.count()).select_from(InboxRow)).one()
            if direction in (None, "out") and (limit is None or len(out) < limit):
                outbox = select(OutboxRow).order_by(col(OutboxRow.seq))
                outbox = outbox.offset(max(0, offset - received))
                rest = None if limit is None else limit - len(out)
                out += [_sent(o) for o in session.exec(outbox.limit(rest) if rest else outbox)]
        return out

    def message(self, message_id: str) -> dict[str, Any] | None:
        """One message, received or sent, by its id; None if there is none. (Ids are each
        sender's: should two partners have used one id, the first received is shown.)"""
        with self.db.session() as session:
            r = session.exec(
                select(InboxRow)
                .where(InboxRow.message_id == message_id)
                .order_by(col(InboxRow.received_at))
            ).first()
            if r is not None:
                return _received(r)
            o = session.exec(select(OutboxRow).where(OutboxRow.message_id == message_id)).first()
            return _sent(o) if o is not None else None

    def rejections(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Refused envelopes, oldest first; ``limit`` of them from ``offset`` (all without)."""
        with self.db.session() as session:
            stmt = select(RejectionRow).order_by(col(RejectionRow.id)).offset(offset)
            rows = session.exec(stmt.limit(limit) if limit is not None else stmt)
            return [r.model_dump(mode="json", exclude={"id"}) for r in rows]

    def receipt(self, message_id: str) -> pb.Receipt | None:
        """The partner's receipt for a message we sent, or None while undelivered."""
        row = self._outbox_row(message_id)
        return pb.Receipt.FromString(row.receipt) if row.receipt else None

    def document(self, sha256: str) -> bytes:
        """An exchanged document's bytes: from the blob store, else from its envelope row."""
        if self.blobs.has(sha256):
            return self.blobs.get(sha256)
        with self.db.session() as session:
            data = store.document_from_rows(session, sha256)
        if data is None:
            raise NotFound(f"no exchanged document {sha256}")
        store.stash_blob(self.blobs, sha256, data)
        return data

    # -- receiving (called by the gRPC servicer) --------------------------------------------

    async def receive(self, peer: str | None, envelopes: list[pb.SignedEnvelope]) -> list[Ack]:
        return await self.inbox.receive(peer, envelopes)

    def reject_raw(self, peer: str | None, raw: bytes, error: CusdepError) -> None:
        """Quarantine and audit bytes that did not even decode (``RefusalsThrottled``
        instead, writing nothing, while the peer's refusal budget is spent)."""
        self.inbox.budget.admit(peer)
        with self.db.session() as session:
            self.quarantine.keep(session, peer, raw, error)
            self.inbox.charge(session, peer, 1)

    def receipt_for(self, peer: str | None, message_id: str) -> pb.Receipt:
        with self.db.session() as session:
            row = session.exec(
                select(InboxRow).where(InboxRow.message_id == message_id, InboxRow.peer == peer)
            ).first()
        if row is None:
            raise NotFound(f"no message {message_id} received from {peer}")
        return pb.Receipt.FromString(row.receipt)

    def provenance(self, peer: str | None, sha256: str) -> xpb.ProvenanceReply:
        """Events of a document only if it was exchanged with ``peer`` (either direction):
        the partner sent us the document itself (a message merely naming it, as a revocation
        or an outcome does, could name any document) or we sent it something about it."""
        sha256 = check_sha256(sha256, "document_sha256")
        with self.db.session() as session:
            shared = (
                session.exec(
                    select(InboxRow.message_id)
                    .where(
                        InboxRow.document_sha256 == sha256,
                        InboxRow.peer == peer,
                        col(InboxRow.kind).in_(store.DOCUMENT_KINDS),
                    )
                    .limit(1)
                ).first()
                or session.exec(
                    select(OutboxRow.message_id)
                    .where(OutboxRow.document_sha256 == sha256, OutboxRow.peer == peer)
                    .limit(1)
                ).first()
            )
            if not shared:
                raise NotFound(f"document {sha256} was not exchanged with {peer}")
            events = events_for(session, sha256)
        reply = xpb.ProvenanceReply(document_sha256=sha256)
        for e in events:
            ev = reply.events.add(kind=e.kind, actor=e.actor, detail_json=json.dumps(e.detail))
            ev.at.FromDatetime(e.at.replace(tzinfo=dt.UTC))
        return reply

    def specimen(self, sha256: str) -> xpb.Specimen:
        sha256 = check_sha256(sha256, "sha256")
        with self.db.session() as session:
            row = session.exec(
                select(RegistryRecordRow).where(
                    RegistryRecordRow.sha256 == sha256, or_(RegistryRecordRow.kind != "agency")
                )
            ).first()
        if row is None or not self.blobs.has(sha256):
            raise NotFound(f"no registry specimen {sha256}")
        return xpb.Specimen(
            sha256=sha256,
            kind=row.kind,
            record_id=row.record_id,
            registrar=row.registrar,
            content=self.blobs.get(sha256),
        )


def _message(
    direction: str, mid: str, peer: str, kind: str, sha: str, state: str, at: dt.datetime
) -> dict[str, Any]:
    return {
        "message_id": mid,
        "direction": direction,
        "peer": peer,
        "kind": kind,
        "document_sha256": sha,
        "state": state,
        "at": iso(at),
    }


__all__ = ["ExchangeService", "SendResult", "docs"]


def _received(r: InboxRow) -> dict[str, Any]:
    return _message("in", r.message_id, r.peer, r.kind, r.document_sha256, r.state, r.received_at)


def _sent(o: OutboxRow) -> dict[str, Any]:
    item = _message("out", o.message_id, o.peer, o.kind, o.document_sha256, o.state, o.created_at)
    item.update(attempts=_attempts(o), error_code=o.error_code, error=o.error)
    return item


def _attempts(o: OutboxRow) -> int:
    """Deliveries tried: the failed ones the row counts, and the one the partner answered (a
    receipt or a refusal), if any. Delivered at the first try is 1; 0 is never tried yet."""
    return o.attempts + (o.state in ("delivered", "rejected"))


def _still_forwardable(session: Session, *, sha256: str) -> None:
    """Raise ``Conflict`` unless the document stored here is accepted (or not known here):
    its row read, and on PostgreSQL locked against a concurrent revocation until commit."""
    state = session.exec(
        select(DocumentRow.state).where(DocumentRow.sha256 == sha256).with_for_update()
    ).first()
    if state is not None and state != "accepted":
        raise Conflict(f"{sha256} is {state} here: only accepted documents are forwarded")
