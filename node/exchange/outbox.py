"""The outbox worker: delivers pending envelopes to each partner over one bidirectional stream.

Per partner, one sender task streams rows in ``seq`` order, packed into frames of up to
``batch_max`` envelopes with up to ``window_frames`` frames unacknowledged. Each ack is applied
in one transaction per frame (receipt verified against the partner's pinned key and stored).
On any transport failure the unacknowledged rows are retried from the oldest, after an
exponential backoff with jitter; the receiver acknowledges identical re-deliveries with the
receipt it stored, so nothing is processed twice. Safe to kill at any moment.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import grpc
from sqlalchemy import select as sa_select
from sqlmodel import select

from node.errors import CusdepError
from node.exchange import store
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import BadSignature, UnknownKey, UnknownSender
from node.exchange.partners import check_receipt
from node.exchange.tables import OutboxRow
from node.exchange.tls import expiring_certificates
from node.loop import MAX_BACKOFF
from node.storage.core import utcnow

if TYPE_CHECKING:
    from node.exchange.service import ExchangeService

logger = logging.getLogger(__name__)

TRANSIENT = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.CANCELLED,
}
_FRAME_BYTES = 1 << 20
_OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]


class _StreamBroken(Exception):
    pass


def encode_frame(envelopes: Sequence[bytes]) -> bytes:
    """A serialized ``DeliverRequest`` built from already-serialized envelopes (field 1)."""
    out = bytearray()
    for raw in envelopes:
        out.append(0x0A)
        n = len(raw)
        while n > 0x7F:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
        out += raw
    return bytes(out)


class OutboxWorker:
    """Lifecycle component: ``start`` launches the dispatcher, ``aclose`` drains and stops."""

    def __init__(self, service: ExchangeService) -> None:
        self.service = service
        self.settings = service.settings.exchange
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._senders: dict[str, asyncio.Task[None]] = {}
        self.latencies: collections.deque[float] = collections.deque(maxlen=200_000)

    async def start(self) -> None:
        resigned = await asyncio.to_thread(self.service.resign_pending)
        if resigned:
            logger.info("outbox: %s queued envelopes signed again with the current key", resigned)
        self._task = asyncio.create_task(self._dispatch(), name="outbox")

    async def aclose(self) -> None:
        self._stopping.set()
        self.service.wake()
        tasks = [t for t in [self._task, *self._senders.values()] if t is not None]
        done, pending = (
            await asyncio.wait(tasks, timeout=self.settings.drain_seconds)
            if tasks
            else (set(), set())
        )
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.service.client.aclose()

    async def _dispatch(self) -> None:
        wait = self.settings.poll_seconds
        while not self._stopping.is_set():
            try:
                peers = await asyncio.to_thread(self._pending_peers)
                wait = self.settings.poll_seconds
            except Exception:
                # the database is down: poll it less and less often (it logged a traceback
                # every poll_seconds, five a second, for as long as the outage lasted)
                logger.exception("outbox: cannot read pending peers")
                peers = []
                wait = min(wait * 2, MAX_BACKOFF)
            for peer in peers:
                task = self._senders.get(peer)
                if task is None or task.done():
                    self._senders[peer] = asyncio.create_task(
                        _PeerSender(self, peer).run(), name=f"outbox-{peer}"
                    )
            await self.service.wait_for_work(wait, self._stopping)

    def _pending_peers(self) -> list[str]:
        with self.service.db.session() as session:
            stmt = select(OutboxRow.peer).where(store.PENDING).distinct()
            return list(session.exec(stmt))


class _PeerSender:
    def __init__(self, worker: OutboxWorker, peer: str) -> None:
        self.worker = worker
        self.service = worker.service
        self.settings = worker.settings
        self.peer = peer
        self.failures = 0

    async def run(self) -> None:
        while not self.worker._stopping.is_set():
            rows = await asyncio.to_thread(self._load, 0)
            if not rows:
                return
            wait = (
                rows[0].next_attempt_at.replace(tzinfo=utcnow().tzinfo) - utcnow()
            ).total_seconds()
            if wait > 0 and await self._sleep(wait):
                return
            try:
                await _Stream(self, rows).run()
                self._recovered()
            except (grpc.aio.AioRpcError, _StreamBroken, CusdepError, OSError) as err:
                await self._backoff(err)

    def _recovered(self) -> None:
        """After failed attempts, say that delivery works again: each failure was a warning,
        and an operator watching warnings must see the outage end too."""
        if self.failures:
            logger.warning(
                "delivery to %s resumed after %d failed attempt(s)", self.peer, self.failures
            )
        self.failures = 0

    async def _backoff(self, err: BaseException) -> None:
        self.failures += 1
        cap = min(
            self.settings.retry_max_seconds,
            self.settings.retry_base_seconds * 2 ** min(self.failures - 1, 20),
        )
        delay = cap / 2 + random.uniform(0, cap / 2)
        text = _why(err, self._expired())
        logger.warning("delivery to %s failed (%s); retry in %.2fs", self.peer, text, delay)
        await self.service.client.forget(self.peer)  # a fresh channel (and TLS trust) next time
        rows = await asyncio.to_thread(self._load, 0)
        await asyncio.to_thread(self._mark_retry, [r.seq for r in rows if r.seq], text or "", delay)
        await self._sleep(delay)

    def _expired(self) -> list[str]:
        """Certificates ended that TLS with this partner needs (ours, its pinned CA)."""
        partner = self.service.partners.get(self.peer)
        return expiring_certificates(
            self.service.identity, [partner] if partner else [], within=dt.timedelta(0)
        )

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, returning True early if the worker is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.worker._stopping.wait(), timeout=seconds)
        return self.worker._stopping.is_set()

    def _load(self, after_seq: int) -> list[OutboxRow]:
        """The next pending rows in order, as plain rows (no ORM objects: this is the hot path)."""
        limit = self.settings.batch_max * self.settings.window_frames
        t = _OUTBOX
        stmt = (
            sa_select(
                t.c.seq,
                t.c.message_id,
                t.c.peer,
                t.c.document_sha256,
                t.c.digest,
                t.c.envelope,
                t.c.next_attempt_at,
            )
            .where(store.PENDING, t.c.peer == self.peer, t.c.seq > after_seq)
            .order_by(t.c.seq)
            .limit(limit)
        )
        with self.service.db.session() as session:
            return list(session.connection().execute(stmt))  # type: ignore[arg-type]

    def _mark_retry(self, seqs: list[int], error: str, delay: float) -> None:
        with self.service.db.session() as session:
            store.mark_retry(session, seqs, error, delay)


def _why(err: BaseException, expired: Sequence[str] = ()) -> str:
    """A delivery failure in words, for the row (``messages``) and the log: a TLS handshake
    the pinned certificates refuse is named as such, not left as "Socket closed", and so is
    a certificate it needs that has ended (``expired``), if one has."""
    text = (err.details() if isinstance(err, grpc.aio.AioRpcError) else str(err)) or ""
    if "CERTIFICATE_VERIFY_FAILED" in text or "handshake" in text.lower():
        if expired:
            return f"TLS handshake refused: {'; '.join(expired)} [{text[:200]}]"
        return (
            "TLS handshake refused: the partner's certificate is not the one pinned here, or "
            f"this node's is not pinned there (re-exchange partner cards) [{text[:200]}]"
        )
    if "failed to connect" in text and "Socket closed" in text:  # closed before the channel
        return (  # was up: under TLS 1.3 the server judges the client's certificate last
            "connection closed by the partner during TLS set-up: most likely it has not "
            "pinned this node's certificate, or the one pinned there has ended (re-exchange "
            f"partner cards); or it was going down [{text[:200]}]"
        )
    return text


class _Stream:
    """One Deliver stream: a writer paging rows into frames and a reader applying acks."""

    def __init__(self, sender: _PeerSender, rows: list[OutboxRow]) -> None:
        self.sender = sender
        self.rows = rows
        self.inflight: collections.deque[tuple[float, list[OutboxRow]]] = collections.deque()
        self.window = asyncio.Semaphore(sender.settings.window_frames)

    async def run(self) -> None:
        call = self.sender.service.client.deliver_stream(self.sender.peer)
        writer = asyncio.create_task(self._write(call))
        try:
            await self._read(call)
        finally:
            if not writer.done():
                writer.cancel()
                call.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        if writer.exception() is not None:
            raise _StreamBroken(str(writer.exception()))

    async def _write(self, call: grpc.aio.StreamStreamCall) -> None:
        rows = self.rows
        stopping = self.sender.worker._stopping
        while rows and not stopping.is_set():
            for frame in _frames(rows, self.sender.settings.batch_max):
                await self.window.acquire()
                self.inflight.append((time.perf_counter(), frame))
                await call.write(encode_frame([r.envelope for r in frame]))
                if stopping.is_set():
                    break
            if stopping.is_set():
                break
            rows = await asyncio.to_thread(self.sender._load, rows[-1].seq or 0)
        await call.done_writing()

    async def _read(self, call: grpc.aio.StreamStreamCall) -> None:
        async for response in call:
            if not self.inflight:
                raise _StreamBroken("acknowledgement for nothing in flight")
            started, frame = self.inflight.popleft()
            self.window.release()
            await asyncio.to_thread(self._apply, frame, response.acks)
            self.sender.worker.latencies.extend([time.perf_counter() - started] * len(frame))
        if self.inflight:
            raise _StreamBroken("stream ended with frames unacknowledged")

    def _apply(self, frame: list[OutboxRow], acks: Sequence[pb.DeliveryAck]) -> None:
        if len(acks) != len(frame):
            raise _StreamBroken(f"{len(acks)} acks for {len(frame)} envelopes")
        partner = self.sender.service.partners.require(self.sender.peer)
        done, rejected, retry, unpinned, unpinned_theirs = [], [], [], [], []
        their_key = ""
        for row, ack in zip(frame, acks, strict=True):
            if ack.message_id != row.message_id:
                raise _StreamBroken(f"ack for {ack.message_id}, expected {row.message_id}")
            if ack.HasField("receipt"):
                try:
                    check_receipt(partner, ack.receipt, bytes.fromhex(row.digest))
                    done.append((row, ack.receipt))
                except UnknownKey:
                    # the partner rotated its key and its new card is not pinned here yet: no
                    # receipt of its can be checked until it is (not a bad receipt to retry
                    # every second with an error line per message)
                    unpinned_theirs.append(row.seq)
                    their_key = ack.receipt.signer_key_id
                except (BadSignature, UnknownSender) as err:
                    logger.error(
                        "invalid receipt from %s for %s: %s", row.peer, row.message_id, err
                    )
                    retry.append(row.seq)
            elif ack.rejection.status_code in {s.value[0] for s in TRANSIENT}:
                retry.append(row.seq)
            elif _our_key_unpinned(ack.rejection):
                unpinned.append(row.seq)  # our key, rotated, not pinned there yet: wait for it
            else:
                rejected.append((row, ack.rejection))
        with self.sender.service.db.session() as session:
            store.mark_delivered(session, self.sender.service.node_id, done)
            store.mark_rejected(session, rejected)
            store.mark_retry(session, [s for s in retry if s], "transient rejection", 1.0)
            store.mark_retry(
                session,
                [s for s in unpinned if s],
                f"{self.sender.peer} has not pinned this node's signing key yet: send it "
                "this node's card (`cusdep partner export`) to re-pin with `partner add --replace`",
                self.sender.settings.retry_max_seconds,
            )
            store.mark_retry(
                session,
                [s for s in unpinned_theirs if s],
                f"{self.sender.peer} signs its receipts with a key not pinned here (it rotated "
                "its keys): pin its new card with `cusdep partner add CARD --replace`",
                self.sender.settings.retry_max_seconds,
            )
        if unpinned_theirs:
            logger.warning(
                "%s acknowledged %d message(s) with receipts signed by its key %s, not pinned "
                "here: pin its new card with `cusdep partner add CARD --replace`",
                self.sender.peer,
                len(unpinned_theirs),
                their_key[:40],
            )
        for row, rej in rejected:
            logger.warning(
                "%s rejected %s: %s (%s)", row.peer, row.message_id, rej.message, rej.error_code
            )


def _our_key_unpinned(rejection: pb.Rejection) -> bool:
    """The partner refused an envelope because this node's signing key is not pinned there
    (rotated, its new card not pinned yet): ``unknown_key``, or, from a partner still on a
    release from before key rotation, which had no such code, ``unknown_sender`` naming the
    signer key ("signer key '...' is not pinned for ..."). Either way the envelope waits for
    the card instead of being given up."""
    if rejection.error_code == UnknownKey.code:
        return True
    return rejection.error_code == UnknownSender.code and rejection.message.startswith(
        "signer key "
    )


def _frames(rows: list[OutboxRow], batch_max: int) -> list[list[OutboxRow]]:
    frames: list[list[OutboxRow]] = []
    current: list[OutboxRow] = []
    size = 0
    for row in rows:
        if current and (len(current) >= batch_max or size + len(row.envelope) > _FRAME_BYTES):
            frames.append(current)
            current, size = [], 0
        current.append(row)
        size += len(row.envelope)
    if current:
        frames.append(current)
    return frames
