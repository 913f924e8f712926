"""Routing of documents received from partner nodes.

The exchange persists and acknowledges what partners send (a ``documents`` row with source =
the peer, state ``received``, and the original bytes in the blob store). This worker takes it
from there, exactly as the REST intake does for local submissions:

* a paper scan (PDF/PNG/JPEG/TIFF) goes to the machine review queue; only an accepted or
  officer-confirmed scan is anchored (the review service does that);
* an electronic certificate or declaration is parsed by its adapter: a document that parses is
  recorded ``verified`` (accept) and queued for anchoring — declarations are indexed so scans
  can be checked against them, and so is a certificate the partner sent for its own country
  (the issuer's electronic copy: a paper of that number left for an officer is reviewed
  again); one that does not parse is recorded ``verified`` (reject) with the adapter's reasons
  and is not anchored; a certificate whose own status says it is not valid (provisional,
  replaced, withdrawn, rejected: ``adapters.status``) is held for an officer and not anchored
  (``node.review.statuses``).

Each document is routed once: the row's state moves on in the same transaction.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlmodel import col, select

from node.anchoring.service import AnchorService
from node.domain.states import EventKind
from node.errors import CusdepError, InputError
from node.exchange.tables import InboxRow, PartnerRow, RejectionRow
from node.loop import BackgroundLoop
from node.review.intake import _parse, index_copy, index_declaration, record_replacement
from node.review.replacements import check_replacement
from node.review.statuses import hold, not_valid
from node.review.tables import ReviewRow
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow
from node.storage.db import Database, insert_absent
from node.storage.documents import add_event
from verification import VerificationError
from verification.intake import sniff

logger = logging.getLogger(__name__)


class InboundRouter(BackgroundLoop):
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        anchoring: AnchorService | None,
        *,
        actor: str,
        review_wakeup: asyncio.Event | None = None,
        interval: float = 0.5,
    ) -> None:
        super().__init__("inbound-router", interval)
        self.db = db
        self.blobs = blobs
        self.anchoring = anchoring
        self.actor = actor
        self.review_wakeup = review_wakeup

    async def _run(self) -> None:
        while not self.stopping:
            try:
                routed = await asyncio.to_thread(self.route_pending)
            except Exception:
                logger.exception("routing inbound documents failed")
                routed = 0
            if routed and self.review_wakeup is not None:
                self.review_wakeup.set()
            if not routed:
                await self._pause(self.interval)

    def route_pending(self, limit: int = 64) -> int:
        """Route up to ``limit`` received partner documents whose bytes are stored."""
        with self.db.session() as session:
            rows = list(
                session.exec(
                    select(DocumentRow)
                    .where(DocumentRow.state == "received")
                    .where(DocumentRow.source != "local")
                    .where(col(DocumentRow.kind).in_(["certificate", "declaration"]))
                    .order_by(col(DocumentRow.created_at))
                    .limit(limit)
                )
            )
        done = 0
        for row in rows:
            if not self.blobs.has(row.sha256):
                continue  # bytes not materialised yet: next round
            self._route(row.sha256)
            done += 1
        return done

    def _route(self, sha: str) -> None:
        data = self.blobs.get(sha)
        try:
            sniff(data)
            is_scan = True
        except VerificationError:
            is_scan = False
        anchor = False
        with self.db.session() as session:
            row = session.get(DocumentRow, sha)
            if row is None or row.state != "received":
                return
            if is_scan:
                row.state = "in_review"
                insert_absent(session, ReviewRow(sha256=sha, submitted_by=row.source))
            elif self._electronic(session, row, data) and self.anchoring is not None:
                self.anchoring.queue_in(session, [sha])  # with the acceptance: one transaction
                anchor = True
        if anchor and self.anchoring is not None:
            self.anchoring.wakeup.set()

    def _electronic(self, session: Any, row: DocumentRow, data: bytes) -> bool:
        try:
            doc, issues, adapter = _parse(data, None)
        except InputError as err:
            row.state = "rejected"
            refused = {"verdict": "reject", "reasons": [err.message], "from": row.source}
            add_event(session, row.sha256, EventKind.VERIFIED, self.actor, refused)
            return False
        replaces = getattr(doc, "replaces", None) if doc.doc_type == "certificate" else None
        try:
            numbers = self._replacing(session, row, doc) if replaces else None
        except CusdepError as err:
            _refuse_replacement(session, row, err, self.actor)
            return False
        row.format = adapter.format_id
        detail: dict[str, Any] = {
            "verdict": "accept",
            "format": adapter.format_id,
            "issues": [str(i) for i in issues],
            "from": row.source,
        }
        if not_valid(doc):  # its own status says it does not stand: an officer decides
            issuer = _issuer(session, row.source, doc)
            if issuer and numbers is not None:  # what it replaces is replaced all the same
                detail.update(record_replacement(session, row.sha256, doc, row.source, numbers))
            hold(session, row, doc, actor=self.actor, issuer=issuer, detail=detail)
            return False
        row.state = "accepted"
        if doc.doc_type == "declaration":
            again = index_declaration(session, row.sha256, doc.flat())
            if again:
                logger.info("declaration %s: %d paper(s) reviewed again", row.sha256, len(again))
        elif _issuer(session, row.source, doc):
            again = index_copy(session, row.sha256, doc, row.source)
            if again:
                logger.info("issuer's copy %s: %d paper(s) reviewed again", row.sha256, len(again))
            if numbers is not None:  # the replacement's trace names what it replaces
                detail.update(record_replacement(session, row.sha256, doc, row.source, numbers))
        add_event(session, row.sha256, EventKind.VERIFIED, self.actor, detail)
        return True

    def _replacing(self, session: Any, row: DocumentRow, doc: Any) -> tuple[str, str]:
        """(replaced, replacement) numbers of partner ``row.source``'s replacement ``doc``, or
        why it is refused (``node.review.replacements``)."""
        partner = session.get(PartnerRow, row.source)
        country = partner.country if partner is not None else ""
        return check_replacement(session, row.sha256, doc, row.source, country)


def _refuse_replacement(session: Any, row: DocumentRow, err: CusdepError, actor: str) -> None:
    """A replacement its sender may not make: the document is rejected (with why, on its
    trace) and the refusal audited beside the exchange's (``cusdep messages --rejected``),
    with its code and gRPC status."""
    row.state = "rejected"
    detail = {"verdict": "reject", "reasons": [err.message], "code": err.code, "from": row.source}
    add_event(session, row.sha256, EventKind.VERIFIED, actor, detail)
    message_id = session.exec(
        select(InboxRow.message_id).where(
            InboxRow.peer == row.source, InboxRow.document_sha256 == row.sha256
        )
    ).first()
    session.add(
        RejectionRow(
            peer=row.source,
            claimed_sender=row.source,
            message_id=message_id or "",
            code=err.code,
            status=err.grpc_status.name,
            reason=err.message[:500],
        )
    )
    logger.warning("replacement %s from %s refused: %s", row.sha256, row.source, err.message)


def _issuer(session: Any, source: str, doc: Any) -> bool:
    """Whether partner ``source`` is of the certificate's issuing country: only then is what it
    sent the issuer's copy (a partner cannot vouch for another's certificates)."""
    partner = session.get(PartnerRow, source)
    country = str(getattr(doc, "issuing_country", "") or "").upper()
    return partner is not None and bool(country) and partner.country.upper() == country


def issuers_certificate(session: Any, peer: str, data: bytes) -> Any | None:
    """The electronic certificate in ``data`` when partner ``peer`` is of its issuing country
    (what ``peer`` sent is then the issuer's copy); None for a scan, a declaration, bytes no
    adapter reads, or another country's certificate."""
    try:
        doc, _, _ = _parse(data, None)
    except InputError:
        return None
    if doc.doc_type == "declaration" or not _issuer(session, peer, doc):
        return None
    return doc


def claim_delivery(session: Any, sha: str, peer: str, data: bytes) -> None:
    """Partner ``peer`` delivered document ``sha``, which this node already holds from another
    partner (``store.materialize_blobs``, in its transaction). A certificate's issuer outranks
    whoever delivered it first (a partner forwarding it, or one that raced the issuer): the
    document becomes the issuer's (its source, and so the partner that may withdraw it) and,
    once routed, is indexed as the issuer's copy (one refused as the forwarder's is routed
    again). Otherwise the first sender keeps it: a later
    delivery of the same bytes gives no partner a say over another's document."""
    row = session.get(DocumentRow, sha)
    if row is None or row.source in (peer, "local") or row.kind != "certificate":
        return
    doc = issuers_certificate(session, peer, data)
    if doc is None or _issuer(session, row.source, doc):
        return
    logger.info("document %s: its issuer %s delivered it after %s", sha, peer, row.source)
    row.source = peer
    if row.state == "rejected":
        # refused as the forwarder's (a replacement only its issuer may make): routed again as
        # the issuer's, so a partner forwarding it first cannot block it; the refusal stays on
        # the trace, and bytes refused for what they are are refused again
        row.state = "received"
    elif row.state != "received":  # routed as the forwarder's: index it now
        index_copy(session, sha, doc, peer)
