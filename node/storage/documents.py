"""Documents and their lifecycle events: the rows ``trace`` reads.

``add_event`` is called in the same transaction as the change it records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from node.domain.states import EventKind
from node.storage.core import DocumentEventRow, DocumentRow, utcnow
from node.storage.db import insert_absent

_EVENTS = DocumentEventRow.__table__  # type: ignore[attr-defined]


def add_document(
    session: Session,
    sha256: str,
    *,
    kind: str = "other",
    format: str = "unknown",
    media_type: str = "application/octet-stream",
    size: int = 0,
    source: str = "local",
) -> tuple[DocumentRow, bool]:
    """The document's row, added unless it is there, and whether this call added it. One
    insert-if-absent: of two arrivals of one document at once (two requests, the API and
    ``cusdep anchor``), one adds it and the other finds it; neither fails."""
    row = DocumentRow(
        sha256=sha256, kind=kind, format=format, media_type=media_type, size=size, source=source
    )
    created = insert_absent(session, row)
    found = session.get(DocumentRow, sha256)
    assert found is not None
    return found, created


def add_event(
    session: Session,
    sha256: str,
    kind: EventKind,
    actor: str,
    detail: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    session.add(
        DocumentEventRow(
            sha256=sha256, kind=kind.value, actor=actor, detail=detail or {}, at=at or utcnow()
        )
    )


def add_events(
    session: Session, sha256s: Iterable[str], kind: EventKind, actor: str, detail: dict[str, Any]
) -> None:
    """Bulk-insert one event per document (Core executemany: thousands per batch)."""
    now = utcnow()
    rows = [
        {"sha256": s, "kind": kind.value, "actor": actor, "detail": detail, "at": now}
        for s in sha256s
    ]
    if rows:
        session.connection().execute(insert(_EVENTS), rows)


def events_for(session: Session, sha256: str) -> list[DocumentEventRow]:
    stmt = (
        select(DocumentEventRow)
        .where(DocumentEventRow.sha256 == sha256)
        .order_by(DocumentEventRow.at, DocumentEventRow.id)  # type: ignore[arg-type]
    )
    return list(session.exec(stmt))


def revocation_of(session: Session, sha256: str) -> dict[str, Any] | None:
    """The last revocation of a document (by this node on chain, or by the partner that sent
    it): ``{"by", "at", "reason"}``; None if it was never revoked."""
    stmt = (
        select(DocumentEventRow)
        .where(DocumentEventRow.sha256 == sha256, DocumentEventRow.kind == "revoked")
        .order_by(col(DocumentEventRow.at).desc(), col(DocumentEventRow.id).desc())
        .limit(1)
    )
    event = session.exec(stmt).first()
    if event is None:
        return None
    detail = event.detail or {}
    return {"by": event.actor, "at": iso(event.at), "reason": str(detail.get("reason") or "")}


def iso(at: dt.datetime) -> str:
    return at.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


def reported_anchor(kind: str, detail: dict[str, Any] | None) -> dict[str, Any] | None:
    """The anchor a partner reported with its review of a document this node sent it (a
    ``reviewed`` event whose detail carries the leaf and the proof), None for other events."""
    anchor = (detail or {}).get("anchor") if kind == EventKind.REVIEWED.value else None
    if isinstance(anchor, dict) and anchor.get("leaf") and "proof" in anchor:
        return anchor
    return None
