"""Withdrawing a document this node sent (the sending half of a document revocation).

An issuing administration that revokes a certificate it sent partners tells each of them: a
signed ``revocation`` message (``TARGET_DOCUMENT``, the document's SHA-256, the reason) is
queued in the durable outbox for every partner the document went to — delivered, or still
queued (the revocation follows it, in the partner's delivery order) — inside the transaction
that records the revocation, under a message id derived from the document, so a retry queues
nothing twice. A document a partner refused, or whose delivery expired, is not theirs to
withdraw; a partner no longer pinned is told nothing (nothing is delivered to it: a message
queued for it was retried for ever), as it is sent no review outcome. The receiving half is
``node.exchange.revocations``: a partner records it on the document's trace, and an issuer's
copy revoked so sends the papers of its number back to the machine and its declarations'
checks to an officer.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from node.exchange._pb import documents_pb2 as docs
from node.exchange.store import DOCUMENT_KINDS
from node.exchange.tables import OutboxRow, PartnerRow
from node.storage.core import utcnow

if TYPE_CHECKING:
    from node.exchange.service import ExchangeService

logger = logging.getLogger(__name__)

_LIVE = ("pending", "delivered")


def sent_to(session: Session, sha256: str) -> list[str]:
    """The partners this node sent document ``sha256`` to (delivered or still queued) that
    are still pinned; one removed since is named in a warning (nothing reaches it)."""
    stmt = (
        select(OutboxRow.peer)
        .where(OutboxRow.document_sha256 == sha256)
        .where(col(OutboxRow.kind).in_(DOCUMENT_KINDS), col(OutboxRow.state).in_(_LIVE))
        .distinct()
    )
    peers = []
    for peer in sorted(session.exec(stmt)):
        if session.get(PartnerRow, peer) is None:
            logger.warning("document %s: %s is no longer pinned and is not told", sha256, peer)
        else:
            peers.append(peer)
    return peers


class Withdrawals:
    def __init__(self, exchange: ExchangeService) -> None:
        self.exchange = exchange

    def queue(self, session: Session, sha256: str, reason: str) -> list[str]:
        """Queue the revocation of document ``sha256`` for every partner it was sent to, in
        the caller's transaction; returns those partners (those still pinned)."""
        peers = sent_to(session, sha256)
        message = docs.Revocation(
            target=docs.Revocation.TARGET_DOCUMENT, subject_id=sha256, reason=reason
        )
        message.revoked_at.FromDatetime(utcnow())
        for peer in peers:
            mid = self.exchange.message_id_for(peer, "revocation", "document", sha256)
            self.exchange.queue(
                session, peer, "revocation", message, message_id=mid, document_sha256=sha256
            )
        return peers

    def wake(self) -> None:
        self.exchange.wake()
