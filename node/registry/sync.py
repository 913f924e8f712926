"""Sharing our registry with partners (the sending half of registry sync).

Every authoritative record this node writes in its own registrar's name — agency, seal, officer,
template — goes to each pinned partner as a signed ``registry_update`` message once it is
confirmed on chain, and every revocation of one as a ``revocation`` message. Both are queued in
the durable outbox inside the transaction that confirms the record (or records the revocation),
under a message id derived from the record, so a retry or a second pass queues nothing twice.
``share_all`` sends a newly pinned partner every live record (``cusdep partner add``).
Attestations (our records about another country's agencies) are ours alone and are not shared.
The receiving half is ``node.registry.apply``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import case
from sqlmodel import Session, col, select

from node.exchange._pb import documents_pb2 as docs
from node.exchange.tables import PartnerRow
from node.registry.tables import RegistryRecordRow
from node.storage.blobs import BlobStore
from node.storage.core import utcnow

if TYPE_CHECKING:
    from node.exchange.service import ExchangeService

logger = logging.getLogger(__name__)

TARGETS = {
    "agency": docs.Revocation.TARGET_AGENCY,
    "seal": docs.Revocation.TARGET_SEAL,
    "officer": docs.Revocation.TARGET_OFFICER,
    "template": docs.Revocation.TARGET_TEMPLATE,
}

# the order records are shared in: an agency before what names it (``agency_id``)
SHARE_ORDER = {"agency": 0, "seal": 1, "officer": 2, "template": 3}


class RegistryPublisher:
    def __init__(self, exchange: ExchangeService, blobs: BlobStore, country: str) -> None:
        self.exchange = exchange
        self.blobs = blobs
        self.country = country

    def shareable(self, row: RegistryRecordRow) -> bool:
        return row.registrar == self.country and row.authoritative

    def record(
        self,
        session: Session,
        row: RegistryRecordRow,
        peers: list[str] | None = None,
        revision: str = "",
    ) -> int:
        """Queue ``row`` (confirmed on chain) for every pinned partner, or for ``peers``;
        ``revision`` names a change of a record shared before (an officer's new validity),
        which is a message of its own."""
        if not self.shareable(row):
            return 0
        update = registry_update(row, self.blobs)
        queued = 0
        parts = (
            row.kind,
            row.registrar,
            row.record_id,
            row.sha256,
            *([revision] if revision else []),
        )
        for peer in peers if peers is not None else _partners(session):
            mid = self.exchange.message_id_for(peer, "registry", *parts)
            queued += self.exchange.queue(session, peer, "registry_update", update, message_id=mid)
        return queued

    def revocation(self, session: Session, row: RegistryRecordRow, reason: str) -> int:
        """Queue the revocation of ``row`` (revoked on chain) for every pinned partner."""
        if not self.shareable(row):
            return 0
        message = docs.Revocation(target=TARGETS[row.kind], subject_id=row.record_id, reason=reason)
        message.revoked_at.FromDatetime(utcnow())
        queued = 0
        for peer in _partners(session):
            mid = self.exchange.message_id_for(
                peer, "revocation", row.kind, row.registrar, row.record_id
            )
            queued += self.exchange.queue(session, peer, "revocation", message, message_id=mid)
        return queued

    def share_all(self, peer: str) -> int:
        """Queue every live authoritative record of ours for ``peer`` (just pinned), in one
        total order the outbox keeps: agencies before the seals, officers and templates that
        name them (``SHARE_ORDER``), then by time and id. By time alone, records written in
        one instant (an import) went in an order the database chose: an officer before its
        agency, and two nodes sharing one registry in two orders."""
        with self.exchange.db.session() as session:
            rows = session.exec(
                select(RegistryRecordRow)
                .where(RegistryRecordRow.registrar == self.country)
                .where(RegistryRecordRow.state == "confirmed")
                .order_by(
                    case(SHARE_ORDER, value=col(RegistryRecordRow.kind), else_=len(SHARE_ORDER)),
                    col(RegistryRecordRow.created_at),
                    col(RegistryRecordRow.kind),
                    col(RegistryRecordRow.record_id),
                )
            )
            queued = sum(self.record(session, row, [peer]) for row in rows)
        self.exchange.wake()
        if queued:
            logger.info("queued %d registry records for %s", queued, peer)
        return queued


def _partners(session: Session) -> list[str]:
    return list(session.exec(select(PartnerRow.node_id).order_by(col(PartnerRow.node_id))))


def registry_update(row: RegistryRecordRow, blobs: BlobStore) -> docs.RegistryUpdate:
    """The ``RegistryUpdate`` message for one of our records (specimen bytes included)."""
    out = docs.RegistryUpdate(registrar_country=row.registrar)
    f = row.fields
    if row.kind == "agency":
        out.agency.CopyFrom(docs.Agency(id=row.record_id, country=row.country, name=f["name"]))
    elif row.kind == "seal":
        out.seal.CopyFrom(
            docs.SealSpecimen(
                id=row.record_id,
                agency_id=row.agency_id,
                sha256=row.sha256,
                image=blobs.get(row.sha256),
            )
        )
    elif row.kind == "officer":
        out.officer.CopyFrom(
            docs.OfficerSpecimen(
                id=row.record_id,
                agency_id=row.agency_id,
                name=f.get("name", ""),
                valid_from=f.get("valid_from_date", ""),
                valid_to=f.get("valid_to_date", ""),
                signature_sha256=row.sha256,
                signature_image=blobs.get(row.sha256),
            )
        )
    else:
        out.template.CopyFrom(
            docs.TemplateSpecimen(
                id=row.record_id,
                agency_id=row.agency_id,
                sha256=row.sha256,
                template_json=blobs.get(row.sha256),
            )
        )
    return out
