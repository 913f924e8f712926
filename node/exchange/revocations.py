"""A partner's revocation of a document (``Revocation`` with ``TARGET_DOCUMENT``), checked by
``node.applier`` before anything is recorded.

A partner may revoke only a document it sent this node: the document's row names that partner
as its source (or, while its bytes are still being written, that partner's inbox row carries
it). Anything else — this node's own document, another partner's, a hash never received — is
refused (``cusdep.exchange.not_document_sender``, an audit row in ``messages --rejected``) and
the document's trace is left alone. Accepted, it is a ``revoked`` event whose actor is the
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
from node.review.intake import document_revoked
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


def _sent_by(db: Database, peer: str, sha: str) -> str | None:
    """None when ``peer`` sent this node document ``sha``; else why not."""
    with db.session() as session:
        row = session.get(DocumentRow, sha)
        if row is not None:
            if row.source == peer:
                return None
            return f"document {sha} is not one {peer} sent this node (its source: {row.source})"
        received = session.exec(  # its bytes not yet written (store.materialize_blobs)
            select(InboxRow.message_id)
            .where(InboxRow.peer == peer, InboxRow.document_sha256 == sha)
            .where(col(InboxRow.kind).in_(DOCUMENT_KINDS))
            .limit(1)
        ).first()
    return None if received is not None else f"{peer} never sent this node document {sha}"


async def check_document_revocation(
    db: Database, *, peer: str, message_id: str, revocation: docs.Revocation
) -> DocumentRevocation:
    sha = revocation.subject_id
    if not is_sha256(sha):  # refused on receipt since; a row received before may remain
        raise MalformedMessage("document revocation names no document SHA-256 (64 lower-case hex)")
    why = await asyncio.to_thread(_sent_by, db, peer, sha)
    if why is not None:
        raise NotDocumentSender(f"{peer} may revoke only a document it sent: {why}")
    return DocumentRevocation(peer, message_id, revocation)
