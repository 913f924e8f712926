"""Why a document past the retention cutoff stays: one condition per reason, with a stable name.

The retention policy disposes of a document older than ``documents_days`` only when none of
these holds (``node.retention.service``); ``cusdep retention kept`` and ``apply``'s ``kept``
name, for each document past the cutoff that stays, the ones that hold, so that an operator
whose disk does not shrink sees which work (or which hold) keeps what:

    held                 a legal hold is on it (``retention release`` lifts it)
    specimen             a specimen image of the registry (never disposed of)
    anchoring_pending    its anchoring pending or batched (the chain has not confirmed it yet)
    review_pending       its scan waits for the machine review
    review_failed        the machine review failed; an officer must still decide the paper
    review_open          its review waits for an officer (``review``, ``reject``)
    declaration_review   a paper's review naming it as the declaration is not decided yet
    check_waiting        a declaration check waits for a certificate not on the node yet
    check_open           a declaration check to run or to decide (``pending``, ``review``,
                         ``inconsistent``), naming it as declaration or as certificate
    outbox_undelivered   a message carrying it to a partner not delivered yet
    not_stored           a message carrying it whose bytes are not written to disk yet
    not_routed           a partner's certificate or declaration not routed yet

Work that can never finish keeps nothing: a message to a partner that refused it
(``rejected``) or that was removed (``expired``), and the messages that only name a document
(a revocation, a review outcome: their bytes are never stored, nor are the document's needed
to deliver them). Work that failed but that an officer must still decide keeps the document
(``review_failed``, ``check_open``, ``check_waiting``): deciding or closing it lets it go.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from node.anchoring.tables import AnchorLeafRow
from node.errors import InputError
from node.exchange.store import DOCUMENT_KINDS
from node.exchange.tables import InboxRow, OutboxRow
from node.registry.tables import RegistryRecordRow
from node.retention.tables import DisposalRow, HoldRow
from node.review.tables import DeclarationMatchRow, ReviewRow
from node.storage.core import DocumentRow
from node.storage.documents import iso

_REVIEW_DONE = ("accept", "decided")  # a machine accept (anchored) or an officer's decision
_CHECK_OPEN = ("pending", "review", "inconsistent")  # and ``waiting``: ``check_waiting``
_ROUTED_KINDS = ("certificate", "declaration")  # those ``node.inbound.InboundRouter`` routes

REASONS = (
    "held",
    "specimen",
    "anchoring_pending",
    "review_pending",
    "review_failed",
    "review_open",
    "declaration_review",
    "check_waiting",
    "check_open",
    "outbox_undelivered",
    "not_stored",
    "not_routed",
)


def keeps() -> dict[str, ColumnElement[bool]]:
    """Each reason's condition on a ``documents`` row (correlated, one index lookup each)."""
    sha = col(DocumentRow.sha256)
    review = col(ReviewRow.state)
    # the machine review failed: its row says why (``error``); ``failed``, from older releases
    failed = (review == "failed") | (col(ReviewRow.error) != "")
    matches = col(DeclarationMatchRow.state)
    named = (col(DeclarationMatchRow.declaration_sha256) == sha) | (
        col(DeclarationMatchRow.certificate_sha256) == sha
    )
    carrying = (col(OutboxRow.document_sha256) == sha, col(OutboxRow.kind).in_(DOCUMENT_KINDS))
    return {
        "held": exists().where(col(HoldRow.sha256) == sha),
        "specimen": exists().where(col(RegistryRecordRow.sha256) == sha),
        "anchoring_pending": exists().where(
            col(AnchorLeafRow.sha256) == sha, col(AnchorLeafRow.state) != "anchored"
        ),
        "review_pending": exists().where(col(ReviewRow.sha256) == sha, review == "pending"),
        "review_failed": exists().where(
            col(ReviewRow.sha256) == sha, review.not_in((*_REVIEW_DONE, "pending")), failed
        ),
        "review_open": exists().where(
            col(ReviewRow.sha256) == sha, review.not_in((*_REVIEW_DONE, "pending")), ~failed
        ),
        "declaration_review": exists().where(
            col(ReviewRow.declaration_sha256) == sha, review.not_in(_REVIEW_DONE)
        ),
        "check_waiting": exists().where(named, matches == "waiting"),
        "check_open": exists().where(named, matches.in_(_CHECK_OPEN)),
        "outbox_undelivered": exists().where(*carrying, col(OutboxRow.state) == "pending"),
        "not_stored": or_(
            exists().where(*carrying, ~col(OutboxRow.stored)),
            exists().where(
                col(InboxRow.document_sha256) == sha,
                col(InboxRow.kind).in_(DOCUMENT_KINDS),
                ~col(InboxRow.stored),
            ),
        ),
        # a partner's document not routed yet (``node.inbound``: reviewed, or accepted and
        # anchored, from its bytes)
        "not_routed": and_(
            col(DocumentRow.state) == "received",
            col(DocumentRow.source) != "local",
            col(DocumentRow.kind).in_(_ROUTED_KINDS),
        ),
    }


def past(cutoff: dt.datetime) -> list[ColumnElement[bool]]:
    """The documents past the cutoff whose bytes are still here."""
    return [
        col(DocumentRow.created_at) < cutoff,
        ~exists().where(col(DisposalRow.sha256) == col(DocumentRow.sha256)),
    ]


def work_done(cutoff: dt.datetime) -> list[ColumnElement[bool]]:
    """The conditions on ``documents`` for a document whose bytes may go."""
    return [*past(cutoff), *(~c for c in keeps().values())]


def check_reason(reason: str | None) -> str | None:
    if reason is not None and reason not in REASONS:
        raise InputError(f"unknown reason {reason!r}: one of {', '.join(REASONS)}")
    return reason


def summary(kept: dict[str, Any]) -> str:
    """One line of ``counts``: "3 kept past the period (held 1, outbox_undelivered 2)"."""
    why = ", ".join(f"{n} {c}" for n, c in kept["reasons"].items() if c)
    return f"{kept['documents']} kept past the period ({why})"


def counts(session: Session, cutoff: dt.datetime | None) -> dict[str, Any]:
    """How many documents past the cutoff stay, in all and for each reason (a document kept
    for two reasons counts under both)."""
    if cutoff is None:  # the policy is off: nothing is past a cutoff
        return {"documents": 0, "reasons": dict.fromkeys(REASONS, 0)}
    conditions = keeps()
    stmt = sa_select(
        func.count(),
        *(func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in conditions.values()),
    ).where(*past(cutoff), or_(*conditions.values()))
    total, *each = session.connection().execute(stmt).one()
    return {"documents": int(total), "reasons": dict(zip(REASONS, map(int, each), strict=True))}


def documents(
    session: Session,
    cutoff: dt.datetime | None,
    *,
    reason: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The documents past the cutoff that stay (only those kept for ``reason``, if named),
    oldest first, each with every reason that keeps it."""
    if cutoff is None:
        return []
    conditions = keeps()
    kept = conditions[reason] if reason is not None else or_(*conditions.values())
    doc = DocumentRow.__table__.c  # type: ignore[attr-defined]
    stmt = (
        sa_select(
            doc.sha256,
            doc.kind,
            doc.size,
            doc.created_at,
            *(case((c, True), else_=false()).label(n) for n, c in conditions.items()),
        )
        .where(*past(cutoff), kept)
        .order_by(doc.created_at, doc.sha256)
        .offset(offset)
        .limit(limit)
    )
    return [
        {
            "sha256": r.sha256,
            "kind": r.kind,
            "size": r.size,
            "arrived": iso(r.created_at),
            "reasons": [n for n in REASONS if getattr(r, n)],
        }
        for r in session.connection().execute(stmt)
    ]
