"""Accepted papers whose certificate the issuer withdrew afterwards.

A paper accepted (by the machine or an officer) stays accepted and anchored when the issuing
agency later revokes its electronic copy of the same certificate: only an officer revokes what
this node accepted. Until one does, the paper is *withdrawn*: listed apart on the officers'
queue (``state=withdrawn``) with the issuer's revocation, and shown on its review screen.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from node.domain.states import EventKind
from node.review.pairs import accepted_paper
from node.review.tables import CertificateCopyRow, ReviewRow
from node.storage.core import DocumentEventRow
from node.storage.documents import revocation_of

_REVOKED = EventKind.REVOKED.value


def withdrawn() -> Any:
    """The condition "accepted, its issuer's copy revoked since, the paper itself not"."""
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
    return and_(accepted_paper(), col(ReviewRow.certificate_key) != "", copy_gone, ~paper_gone)


def withdrawal_of(session: Any, row: ReviewRow) -> dict[str, Any] | None:
    """The issuer's revocation of the paper's certificate (``{"copy_sha256", "by", "at",
    "reason"}``, the latest when several copies of the number were revoked); None if no copy
    of its number was revoked. Said of any paper: a rejected one is withdrawn too."""
    if not row.certificate_key:
        return None
    stmt = select(CertificateCopyRow.sha256).where(
        CertificateCopyRow.certificate_number == row.certificate_key
    )
    found = []
    for sha in session.exec(stmt):
        gone = revocation_of(session, sha)
        if gone is not None:
            found.append({"copy_sha256": sha, **gone})
    return max(found, key=lambda g: g["at"]) if found else None
