"""The prints of the seal impressions the node reviewed (``verification.stamping``), kept so a
seal copied from one certificate on to another is told (rule ``seal.unique``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from node.review.tables import ReviewRow, SealStampingRow
from verification.stamping import same_stamping

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


def copied_from(session: Any, sha256: str, result: dict[str, Any]) -> dict[str, Any] | None:
    """Where ``seal.unique`` found paper ``sha256``'s seal to be the stamping on another
    certificate: that paper (its scan's SHA-256, the certificate number read on it and its seal
    crop, for the review page to set beside this one); None otherwise."""
    rules = result.get("rules") or []
    failed = any(r.get("id") == "seal.unique" and not r.get("passed") for r in rules)
    seal = result.get("seal") or {}
    if not failed or not seal.get("stamping"):
        return None
    rows = session.exec(
        select(SealStampingRow)
        .where(SealStampingRow.seal_id == seal.get("seal_id"), SealStampingRow.sha256 != sha256)
        .order_by(col(SealStampingRow.recorded_at).desc())
        .limit(_KEPT)
    ).all()
    if not rows:
        return None
    best = max(rows, key=lambda row: same_stamping(seal["stamping"], row.stamping))
    earlier = session.get(ReviewRow, best.sha256)
    evidence = ((earlier.layout or {}).get("evidence") or {}) if earlier is not None else {}
    return {
        "sha256": best.sha256,
        "certificate_number": best.certificate_number,
        "seal_evidence": evidence.get("seal"),
    }
