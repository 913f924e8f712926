"""Applying what partners send that is not a document: registry updates and revocations
(``node.registry.apply``; a document's revocation: ``node.exchange.revocations``) and review
outcomes (``node.exchange.outcomes``).

The exchange persists and acknowledges these like any message (inbox row, state ``received``).
This worker takes them in arrival order, checks each (sender authority, the chain) and then, in
one transaction, writes the change and moves the inbox row to ``applied``. A message that fails
a check moves to ``refused`` with an audit row in ``exchange_rejections`` carrying the specific
code and reason (``cusdep messages --rejected``); nothing of it is applied. While the chain is
unreachable the message stays ``received`` and is tried again with backoff. A review outcome
whose anchor's root the chain does not hold (yet: an RPC a block behind the partner's, a root
its chain lost and anchors again) waits, tried again every ``_RETRY_SECONDS``, until
``anchor_wait`` after it arrived; then it is refused. The others go on meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from sqlalchemy import text
from sqlmodel import select

from node.errors import ChainError, CusdepError
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import UnknownSender
from node.exchange.outcomes import AnchorNotOnChainYet, check_outcome
from node.exchange.payloads import parse_payload
from node.exchange.revocations import check_document_revocation
from node.exchange.tables import RECEIPT_ORDER, TO_APPLY, InboxRow, PartnerRow, RejectionRow
from node.loop import BackgroundLoop
from node.ports import ChainAnchor, Clock, SystemClock, TrustRegistryChain
from node.registry.apply import check_revocation, check_update
from node.storage.blobs import BlobStore
from node.storage.db import Database

logger = logging.getLogger(__name__)
ANCHOR_WAIT = dt.timedelta(minutes=10)
_RETRY_SECONDS = 15.0


class MessageApplier(BackgroundLoop):
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        registry_chain: TrustRegistryChain | None,
        anchor_chain: ChainAnchor | None,
        *,
        interval: float = 0.5,
        anchor_wait: dt.timedelta = ANCHOR_WAIT,
        clock: Clock | None = None,
    ) -> None:
        super().__init__("message-applier", interval)
        self.db = db
        self.blobs = blobs
        self.registry_chain = registry_chain
        self.anchor_chain = anchor_chain
        self.anchor_wait = anchor_wait
        self.clock = clock or SystemClock()
        self._waiting: dict[tuple[str, str], dt.datetime] = {}  # (message, peer) -> next try

    async def _run(self) -> None:
        await self._run_with_backoff(
            self.process_pending, "applying partner messages", (ChainError,)
        )

    async def process_pending(self, limit: int = 64) -> int:
        """Apply (or refuse) up to ``limit`` waiting messages; a ``ChainError`` stops the round."""
        now = self.clock.now()
        self._waiting = {k: at for k, at in self._waiting.items() if at > now}
        rows = await asyncio.to_thread(self._pending, limit + len(self._waiting))
        rows = [r for r in rows if (r.message_id, r.peer) not in self._waiting][:limit]
        for row in rows:
            await self.apply(row)
        return len(rows)

    def _pending(self, limit: int) -> list[InboxRow]:
        with self.db.session() as session:
            stmt = select(InboxRow).where(text(TO_APPLY)).order_by(*RECEIPT_ORDER).limit(limit)
            return list(session.exec(stmt))

    def _waits(self, row: InboxRow, err: AnchorNotOnChainYet) -> bool:
        """Whether ``row`` waits for its anchor's root (set aside for ``_RETRY_SECONDS``)."""
        now = self.clock.now()
        arrived = row.received_at
        if arrived.tzinfo is None:  # SQLite drops the zone
            arrived = arrived.replace(tzinfo=dt.UTC)
        if now - arrived >= self.anchor_wait:
            return False
        self._waiting[(row.message_id, row.peer)] = now + dt.timedelta(seconds=_RETRY_SECONDS)
        logger.info("%s from %s waits for its anchor: %s", row.message_id, row.peer, err.message)
        return True

    async def apply(self, row: InboxRow) -> str:
        """Check and apply one inbox row; returns its new state (``applied`` or ``refused``, or
        ``received`` for an outcome that waits for its anchor)."""
        env = pb.SignedEnvelope.FromString(row.envelope)
        try:
            change = await self._check(row, env)
        except ChainError:
            raise
        except AnchorNotOnChainYet as err:
            if self._waits(row, err):
                return "received"
            await asyncio.to_thread(self._finish, row, None, err)
            return "refused"
        except CusdepError as err:
            await asyncio.to_thread(self._finish, row, None, err)
            return "refused"
        except Exception as err:  # a bug must not make one message block the rest forever
            logger.exception("applying %s from %s failed", row.message_id, row.peer)
            await asyncio.to_thread(self._finish, row, None, CusdepError(f"not applied: {err}"))
            return "refused"
        await asyncio.to_thread(self._finish, row, change, None)
        return "applied"

    async def _check(self, row: InboxRow, env: pb.SignedEnvelope) -> Any:
        message = parse_payload(env.header.kind, env.payload).message
        country = await asyncio.to_thread(self._country, row.peer)
        if isinstance(message, docs.ReviewOutcome):
            return await check_outcome(
                self.db,
                self.anchor_chain,
                peer=row.peer,
                message_id=row.message_id,
                outcome=message,
            )
        if isinstance(message, docs.Revocation) and (
            message.target == docs.Revocation.TARGET_DOCUMENT
        ):
            return await check_document_revocation(
                self.db, self.blobs, peer=row.peer, message_id=row.message_id, revocation=message
            )
        if self.registry_chain is None:
            raise ChainError("no TrustRegistry to check registry messages against")
        if isinstance(message, docs.Revocation):
            return await check_revocation(
                self.registry_chain, sender=row.peer, sender_country=country, revocation=message
            )
        assert isinstance(message, docs.RegistryUpdate)
        return await check_update(
            self.registry_chain,
            self.blobs,
            sender=row.peer,
            sender_country=country,
            update=message,
        )

    def _country(self, peer: str) -> str:
        with self.db.session() as session:
            partner = session.get(PartnerRow, peer)
        if partner is None:
            raise UnknownSender(f"{peer} is no longer a pinned partner")
        return partner.country

    def _finish(self, row: InboxRow, change: Any, error: CusdepError | None) -> None:
        with self.db.session() as session:
            current = session.get(InboxRow, (row.message_id, row.peer))
            if current is None or current.state != "received":
                return  # applied by another pass meanwhile
            if error is None:
                if change is not None:
                    change.write(session)
                current.state = "applied"
            else:
                current.state = "refused"
                session.add(
                    RejectionRow(
                        peer=row.peer,
                        claimed_sender=row.peer,
                        message_id=row.message_id,
                        code=error.code,
                        status=error.grpc_status.name,
                        reason=error.message[:500],
                    )
                )
        if error is None:
            logger.info(
                "applied %s from %s: %s",
                row.kind,
                row.peer,
                getattr(change, "summary", "nothing to change"),
            )
        else:
            logger.warning(
                "refused %s %s from %s: %s (%s)",
                row.kind,
                row.message_id,
                row.peer,
                error.message,
                error.code,
            )
