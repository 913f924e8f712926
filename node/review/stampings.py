"""The prints of the seal impressions the node reviewed (``verification.stamping``), kept so a
seal copied from one certificate on to another is told (rule ``seal.unique``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from node.review.tables import SealStampingRow

if TYPE_CHECKING:
    from node.storage.db import Database

_KEPT = 5000  # the newest prints of a die compared (each comparison: 256 cells)


def stampings_of(db: Database, seal_id: str, sha256: str) -> list[tuple[str, str]]:
    """The prints of die ``seal_id`` on the papers reviewed before, newest first, but that of
    paper ``sha256`` itself: (certificate number, print)."""
    with db.session() as session:
        rows = session.exec(
            select(SealStampingRow.certificate_number, SealStampingRow.stamping)
            .where(SealStampingRow.seal_id == seal_id, SealStampingRow.sha256 != sha256)
            .order_by(col(SealStampingRow.recorded_at).desc())
            .limit(_KEPT)
        )
        return [(number, stamping) for number, stamping in rows]


def record_stamping(session: Any, sha256: str, result: dict[str, Any]) -> None:
    """Keep the print of paper ``sha256``'s matched seal (in the session recording its review);
    a review run again replaces it."""
    seal = result.get("seal") or {}
    if not (seal.get("match") and seal.get("stamping") and seal.get("seal_id")):
        return
    number = str(((result.get("fields") or {}).get("certificate_number") or {}).get("value") or "")
    row = session.get(SealStampingRow, sha256) or SealStampingRow(
        sha256=sha256, seal_id="", certificate_number="", stamping=""
    )
    row.seal_id, row.certificate_number, row.stamping = seal["seal_id"], number, seal["stamping"]
    session.add(row)
