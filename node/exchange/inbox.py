"""Receiving: every check on an incoming envelope, then one transaction per batch.

Order of checks (cheapest and least trusting first): size, well-formed header, sender identity
(pinned partner and the same node as the TLS client certificate), recipient, key id (the pinned
key, or one the partner's card retired, within its overlap), signature, payload hash; then,
against the inbox, duplicates (identical digest: acknowledged again with the stored receipt;
the same header signed again by the sender's next key: acknowledged with a receipt for the new
digest, not applied twice) and replays (same id, other content); then created-at window and
payload shape.
Message ids are the sender's: duplicates and replays are looked for among that sender's messages
only, so a message id another partner used first neither blocks nor replays this one.
Accepted envelopes are persisted (blob, inbox row, document row, ``received`` event) before any
receipt leaves; rejected ones go to quarantine and the audit log. Nothing here may crash the
node: unexpected errors become a rejection of the batch, never an exception out of the server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from node.config import ExchangeSettings
from node.errors import CusdepError
from node.exchange import store
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import (
    BadSignature,
    ClockSkew,
    MalformedMessage,
    OversizedMessage,
    PayloadHashMismatch,
    ReplayedMessage,
    UnknownSender,
    WrongRecipient,
)
from node.exchange.partners import PartnerDirectory
from node.exchange.payloads import Payload, parse_payload
from node.exchange.signing import content_digest, sign_receipt, verify_envelope
from node.exchange.tables import InboxRow
from node.exchange.throttle import RefusalBudget
from node.identity import Identity
from node.storage.blobs import BlobStore
from node.storage.core import utcnow
from node.storage.db import Database

logger = logging.getLogger(__name__)

# Envelopes one streamed frame may carry. A sender frames at most ~1 MiB of envelopes
# (``outbox._FRAME_BYTES``; a larger envelope alone) and a signed envelope is never under
# ~180 bytes (UUID, two node ids, payload SHA-256, key id, signature), so no node frames more
# than ~5,800. Without a cap a frame of empty envelopes (2 bytes each) would make the
# receiver refuse, audit and quarantine millions of them in one batch, holding the inbox (and
# every other partner's delivery) for as long as that takes.
MAX_FRAME_ENVELOPES = 8192


@dataclass
class Ack:
    """The outcome for one envelope: a receipt, or the error that refused it."""

    message_id: str
    receipt_bytes: bytes | None = None  # the serialized signed Receipt
    error: CusdepError | None = None

    @property
    def receipt(self) -> pb.Receipt | None:
        return None if self.receipt_bytes is None else pb.Receipt.FromString(self.receipt_bytes)


@dataclass
class _Candidate:
    envelope: pb.SignedEnvelope
    digest: bytes
    payload: Payload | None = None
    late_error: CusdepError | None = None  # applies only if not an identical re-delivery
    ack: Ack = field(default_factory=lambda: Ack(""))


@dataclass
class Checked:
    peer: str | None
    envelopes: list[pb.SignedEnvelope]
    now: dt.datetime
    acks: list[Ack] = field(default_factory=list)
    candidates: list[_Candidate] = field(default_factory=list)


class Inbox:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        identity: Identity,
        partners: PartnerDirectory,
        settings: ExchangeSettings,
        quarantine: store.Quarantine,
        budget: RefusalBudget | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.identity = identity
        self.partners = partners
        self.settings = settings
        self.quarantine = quarantine
        self.budget = budget or RefusalBudget(settings.refusal_burst, settings.refusals_per_minute)
        self._lock = asyncio.Lock()  # one writer: check-then-insert is atomic per process
        self.last_commit = 0.0  # time.monotonic() of the last batch

    def busy(self, within: float = 1.0) -> bool:
        return time.monotonic() - self.last_commit < within

    async def receive(self, peer: str | None, envelopes: Sequence[pb.SignedEnvelope]) -> list[Ack]:
        return await self.commit(self.check(peer, envelopes))

    def check(self, peer: str | None, envelopes: Sequence[pb.SignedEnvelope]) -> Checked:
        """The stateless checks (CPU only): run them while the previous batch commits.
        ``RefusalsThrottled`` while the peer's refusal budget is spent (``throttle``)."""
        self.budget.admit(peer)
        checked = Checked(peer, list(envelopes), utcnow())
        for env in checked.envelopes:
            ack = Ack(env.header.message_id)
            checked.acks.append(ack)
            try:
                cand = self._check(peer, env, checked.now)
            except CusdepError as err:
                ack.error = err
                continue
            cand.ack = ack
            checked.candidates.append(cand)
        return checked

    async def commit(self, checked: Checked) -> list[Ack]:
        """Dedup against the inbox, persist, sign receipts: one transaction for the batch."""
        envs, acks = checked.envelopes, checked.acks
        self.last_commit = time.monotonic()
        async with self._lock:
            rejected = [(env, a) for env, a in zip(envs, acks, strict=True) if a.error]
            await asyncio.to_thread(
                self._commit, checked.peer, checked.candidates, rejected, checked.now
            )
        return acks

    # -- stateless checks ---------------------------------------------------------------------

    def _check(self, peer: str | None, env: pb.SignedEnvelope, now: dt.datetime) -> _Candidate:
        size = env.ByteSize()
        if size > self.settings.max_message_bytes:
            raise OversizedMessage(
                f"envelope of {size} bytes exceeds {self.settings.max_message_bytes}"
            )
        header = env.header
        if not header.message_id:
            raise MalformedMessage("envelope header lacks a message id")
        if not _is_uuid(header.message_id):
            raise MalformedMessage(f"message id {header.message_id[:40]!r} is not a UUID")
        if len(header.payload_sha256) != 32:
            raise MalformedMessage("envelope header lacks a payload SHA-256")
        partner = self.partners.get(header.sender_node)
        if partner is None or peer is None or header.sender_node != peer:
            raise UnknownSender(
                f"sender {header.sender_node!r} is not the pinned partner of this connection"
                f" ({peer or 'unidentified certificate'})"
            )
        if header.recipient_node != self.identity.node_id:
            raise WrongRecipient(
                f"message is for {header.recipient_node!r}, this is {self.identity.node_id}"
            )
        key = partner.verify_key_for(header.signer_key_id, now)  # pinned, or retired lately
        try:
            digest = verify_envelope(env, key)
        except BadSignature:
            raise BadSignature(
                f"signature of message {header.message_id} does not verify"
            ) from None
        if hashlib.sha256(env.payload).digest() != header.payload_sha256:
            raise PayloadHashMismatch("payload does not match the signed payload SHA-256")
        cand = _Candidate(env, digest)
        try:
            self._check_time(header, now)
            cand.payload = parse_payload(header.kind, env.payload)
        except CusdepError as err:
            cand.late_error = err
        return cand

    def _check_time(self, header: pb.EnvelopeHeader, now: dt.datetime) -> None:
        created = header.created_at.ToDatetime(tzinfo=dt.UTC)
        ahead = (created - now).total_seconds()
        if ahead > self.settings.clock_skew_seconds:
            raise ClockSkew(f"created-at is {ahead:.0f}s in the future")
        if -ahead > self.settings.max_age_seconds:
            raise ClockSkew(f"created-at is {-ahead:.0f}s old")

    # -- the transaction ----------------------------------------------------------------------

    def _commit(
        self,
        peer: str | None,
        candidates: list[_Candidate],
        rejected: list[tuple[pb.SignedEnvelope, Ack]],
        now: dt.datetime,
    ) -> None:
        accepted: list[_Candidate] = []
        with self.db.session() as session:
            # every candidate's sender is ``peer`` (``_check``): its ids are looked up among its
            # own messages, not all senders' (an id is unique per sender, see InboxRow)
            ids = [c.envelope.header.message_id for c in candidates]
            seen = (
                {
                    r.message_id: r
                    for r in session.exec(
                        select(InboxRow).where(
                            InboxRow.peer == (peer or ""),
                            InboxRow.message_id.in_(ids),  # type: ignore[attr-defined]
                        )
                    )
                }
                if ids
                else {}
            )
            batch: dict[str, _Candidate] = {}
            for cand in candidates:
                if self._resolve(cand, seen, batch, now):
                    accepted.append(cand)
                    batch[cand.ack.message_id] = cand
                elif cand.ack.error is not None:
                    rejected.append((cand.envelope, cand.ack))
            store.insert_inbox(session, peer or "", accepted, now)
            for env, ack in rejected:
                assert ack.error is not None
                self.quarantine.keep(session, peer, env, ack.error)
            self.charge(session, peer, len(rejected))

    def charge(self, session: Session, peer: str | None, refusals: int) -> None:
        """Take ``refusals`` from the peer's budget; the episode of throttling this begins
        (if it does) is audited once, in the same transaction as the refusals."""
        if self.budget.charge(peer, refusals):
            self.quarantine.audit(session, peer, self.budget.refusal(peer))

    def _resolve(
        self,
        cand: _Candidate,
        seen: dict[str, InboxRow],
        batch: dict[str, _Candidate],
        now: dt.datetime,
    ) -> bool:
        """True when ``cand`` is new and acceptable; else its ack is filled in. ``seen`` and
        ``batch`` hold only messages of ``cand``'s sender."""
        mid = cand.ack.message_id
        earlier = _earlier(mid, seen, batch, now)
        if earlier is not None:
            if earlier.digest == cand.digest:
                cand.ack.receipt_bytes = earlier.receipt  # identical re-delivery: same receipt
            elif content_digest(earlier.header()) == content_digest(cand.envelope.header):
                # the same message, signed again by the sender's next key (it rotated while
                # the message waited): acknowledged, not applied twice; the receipt names
                # the digest the sender holds now
                cand.ack.receipt_bytes = self._receipt(cand, earlier.at)
            else:
                cand.ack.error = ReplayedMessage(f"message id {mid} was already used")
            return False
        if cand.late_error is not None:
            cand.ack.error = cand.late_error
            return False
        cand.ack.receipt_bytes = self._receipt(cand, now)
        return True

    def _receipt(self, cand: _Candidate, accepted_at: dt.datetime) -> bytes:
        return sign_receipt(
            self.identity.signing_key,
            message_id=cand.ack.message_id,
            digest=cand.digest,
            receiver=self.identity.node_id,
            sender=cand.envelope.header.sender_node,
            accepted_at=accepted_at,
        ).SerializeToString()


@dataclass
class _Earlier:
    """A message of the same sender and id received before (``seen``) or in this batch."""

    digest: bytes
    receipt: bytes
    envelope: bytes | pb.SignedEnvelope
    at: dt.datetime

    def header(self) -> pb.EnvelopeHeader:
        env = self.envelope
        return (pb.SignedEnvelope.FromString(env) if isinstance(env, bytes) else env).header


def _earlier(
    mid: str, seen: dict[str, InboxRow], batch: dict[str, _Candidate], now: dt.datetime
) -> _Earlier | None:
    if mid in seen:
        row = seen[mid]
        at = row.received_at
        at = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)  # SQLite: naive UTC
        return _Earlier(bytes.fromhex(row.digest), row.receipt, row.envelope, at)
    if mid in batch:
        first = batch[mid]
        return _Earlier(first.digest, first.ack.receipt_bytes or b"", first.envelope, now)
    return None


def _is_uuid(text: str) -> bool:
    """A message id is a UUID in its canonical form (the proto says so): the id names the
    message in receipts, rows and URLs (``/api/v1/messages/{id}``)."""
    try:
        return len(text) == 36 and str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False
