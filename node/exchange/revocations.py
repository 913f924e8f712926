"""A partner's revocation of a document (``Revocation`` with ``TARGET_DOCUMENT``), checked by
``node.applier`` before anything is recorded.

A partner may revoke only a document it sent this node: the document's row names that partner
as its source (or, while its bytes are still being written, that partner's inbox row carries
it). Several partners may send the same bytes: the first is the source, except that a
certificate's issuer outranks the others (``node.inbound.claim_delivery``). Anything else —
this node's own document, another partner's, a hash never received — is refused
(``cusdep.exchange.not_document_sender``, an audit row in ``messages --rejected``) and the
document's trace is left alone. Accepted, it is a ``revoked`` event whose actor is the
partner.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlmodel import Session, col, select

from node.domain.states import EventKind
from node.errors import PermissionDenied
from node.exchange._pb import documents_pb2 as docs
from node.exchange.errors import MalformedMessage
from node.exchange.payloads import is_sha256
from node.exchange.store import DOCUMENT_KINDS
from node.exchange.tables import InboxRow
from node.inbound import issuers_certificate
from node.review.intake import document_revoked
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow
from node.storage.db import Database
from node.storage.documents import add_event


class NotDocumentSender(PermissionDenied):
    """A document revocation from a partner that did not send this node that document."""

    code = "cusdep.exchange.not_document_sender"


@dataclass
class DocumentRevocation:
    """A checked document revocation, ready to write in the caller's transaction."""

    peer: str
    message_id: str
    revocation: docs.Revocation

    @property
    def summary(self) -> str:
        return f"revoked {self.revocation.subject_id[:12]}… by {self.peer}"

    def write(self, session: Session) -> None:
        detail = {"message_id": self.message_id, "from": self.peer, "kind": "revocation"}
        if self.revocation.reason:
            detail["reason"] = self.revocation.reason
        add_event(session, self.revocation.subject_id, EventKind.REVOKED, self.peer, detail)
        document_revoked(session, self.revocation.subject_id)  # an issuer's copy: seen again


def _sent_by(db: Database, blobs: BlobStore, peer: str, sha: str) -> str | None:
    """None when ``peer`` sent this node document ``sha``; else why not."""
    with db.session() as session:
        row = session.get(DocumentRow, sha)
        received = _delivered(session, peer, sha)
        if row is None:  # its bytes not yet written (store.materialize_blobs)
            return None if received else f"{peer} never sent this node document {sha}"
        if row.source == peer or (received and _issuer_over(session, blobs, peer, row)):
            return None
        return f"document {sha} is not one {peer} sent this node (its source: {row.source})"


def _delivered(session: Session, peer: str, sha: str) -> bool:
    return (
        session.exec(
            select(InboxRow.message_id)
            .where(InboxRow.peer == peer, InboxRow.document_sha256 == sha)
            .where(col(InboxRow.kind).in_(DOCUMENT_KINDS))
            .limit(1)
        ).first()
        is not None
    )


def _issuer_over(session: Session, blobs: BlobStore, peer: str, row: DocumentRow) -> bool:
    """Whether ``peer``, which delivered ``row``'s certificate after its source did, is its
    issuer where the source is not: ``node.inbound.claim_delivery`` makes it the source once
    that delivery's bytes are written; its revocation may come first."""
    if row.kind != "certificate" or not blobs.has(row.sha256):
        return False
    data = blobs.get(row.sha256)
    doc = issuers_certificate(session, peer, data)
    return doc is not None and issuers_certificate(session, row.source, data) is None


async def check_document_revocation(
    db: Database, blobs: BlobStore, *, peer: str, message_id: str, revocation: docs.Revocation
) -> DocumentRevocation:
    sha = revocation.subject_id
    if not is_sha256(sha):  # refused on receipt since; a row received before may remain
        raise MalformedMessage("document revocation names no document SHA-256 (64 lower-case hex)")
    why = await asyncio.to_thread(_sent_by, db, blobs, peer, sha)
    if why is not None:
        raise NotDocumentSender(f"{peer} may revoke only a document it sent: {why}")
    return DocumentRevocation(peer, message_id, revocation)
