"""Accepted papers whose certificate the issuer withdrew afterwards.

A paper accepted (by the machine or an officer) stays accepted and anchored when the issuing
agency later revokes its electronic copy of the same certificate: only an officer revokes what
this node accepted. Until one does, the paper is *withdrawn*: listed apart on the officers'
queue (``state=withdrawn``) with the issuer's revocation, and shown on its review screen.

A paper whose certificate the issuer replaced since (``node.review.replacements``) is listed
so too, with the replacement: ``{"by", "at", "reason": "replaced by …", "replaced_by",
"replacement_sha256"}``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from node.domain.states import EventKind
from node.review.pairs import accepted_paper
from node.review.replacements import replacement_of
from node.review.tables import CertificateCopyRow, ReplacementRow, ReviewRow
from node.storage.core import DocumentEventRow
from node.storage.documents import revocation_of

_REVOKED = EventKind.REVOKED.value


def withdrawn() -> Any:
    """The condition "accepted, its issuer's copy revoked (or the certificate replaced) since,
    the paper itself not"."""
    copy_event = aliased(DocumentEventRow)
    own_event = aliased(DocumentEventRow)
    copy_gone = exists().where(
        col(CertificateCopyRow.certificate_number) == col(ReviewRow.certificate_key),
        exists().where(
            col(copy_event.sha256) == col(CertificateCopyRow.sha256),
            col(copy_event.kind) == _REVOKED,
        ),
    )
    paper_gone = exists().where(
        col(own_event.sha256) == col(ReviewRow.sha256), col(own_event.kind) == _REVOKED
    )
    replaced = exists().where(
        col(ReplacementRow.certificate_number) == col(ReviewRow.certificate_key)
    )
    return and_(
        accepted_paper(),
        col(ReviewRow.certificate_key) != "",
        or_(copy_gone, replaced),
        ~paper_gone,
    )


def withdrawal_of(session: Any, row: ReviewRow) -> dict[str, Any] | None:
    """The issuer's revocation of the paper's certificate (``{"copy_sha256", "by", "at",
    "reason"}``, the latest when several copies of the number were revoked); None if no copy
    of its number was revoked. Said of any paper: a rejected one is withdrawn too."""
    if not row.certificate_key:
        return None
    gone = replacement_of(session, row.certificate_key)
    if gone is not None:  # replaced: what the officer reads, the replacement named
        reason = f"replaced by {gone['replaced_by']} (its issuer's replacement)"
        return {"copy_sha256": newest_copy(session, row.certificate_key), **gone, "reason": reason}
    stmt = select(CertificateCopyRow.sha256).where(
        CertificateCopyRow.certificate_number == row.certificate_key
    )
    found = []
    for sha in session.exec(stmt):
        gone = revocation_of(session, sha)
        if gone is not None:
            found.append({"copy_sha256": sha, **gone})
    return max(found, key=lambda g: g["at"]) if found else None


def newest_copy(session: Any, key: str) -> str:
    """The issuer's (newest) copy of certificate ``key`` here, "" if none."""
    stmt = (
        select(CertificateCopyRow.sha256)
        .where(CertificateCopyRow.certificate_number == key)
        .order_by(col(CertificateCopyRow.indexed_at).desc())
    )
    return session.exec(stmt).first() or ""
