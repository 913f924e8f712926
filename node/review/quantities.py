"""Declared quantities in the declaration index (``DeclarationIndexRow.net_weight_kg``,
``packages``): what a certificate several declarations draw on has left is added up from them
(``node.review.matching``, rule-set ``partial_use``). Migration 0011 added the columns but
cannot read the blob store, so the declarations indexed before it are filled here, once, a page
at a time by the review worker; the cursor ``declaration_quantities`` says it is done, and the
declaration checks left for an officer are then checked again (a balance judged not known may
be known now). A node stopped half-way starts the pass again (what is filled stays filled)."""

from __future__ import annotations

import logging
import math
from typing import Any

from sqlmodel import col, select

from node.review.copies import declaration_fields
from node.review.pairs import OPEN, requeue
from node.review.tables import DeclarationIndexRow, DeclarationMatchRow
from node.storage.blobs import BlobStore
from node.storage.core import WorkerCursorRow, utcnow
from node.storage.db import Database

logger = logging.getLogger(__name__)

_CURSOR = "declaration_quantities"
_PAGE = 200


def declared_quantity(value: Any) -> float | None:
    """A declared quantity as the balance of a certificate adds it up: a finite number, not
    negative (a negative one would give back what others drew), else None (not known)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


class QuantityBackfill:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self.db = db
        self.blobs = blobs
        self._after: str | None = ""  # the last declaration filled this pass; None: done

    def step(self) -> int:
        """Fill the quantities of one page of declarations that have none; how many were read
        (none left: the pass is recorded as done, and how many checks were queued again)."""
        if self._after is None:
            return 0
        again = 0
        with self.db.session() as session:
            if session.get(WorkerCursorRow, _CURSOR) is not None:
                self._after = None
                return 0
            rows = session.exec(
                select(DeclarationIndexRow)
                .where(
                    col(DeclarationIndexRow.net_weight_kg).is_(None),
                    col(DeclarationIndexRow.packages).is_(None),
                    col(DeclarationIndexRow.sha256) > self._after,
                )
                .order_by(col(DeclarationIndexRow.sha256))
                .limit(_PAGE)
            ).all()
            if not rows:  # done: the checks left for an officer, judged without them, again
                session.add(WorkerCursorRow(name=_CURSOR, position=1, updated_at=utcnow()))
                again = requeue(session, col(DeclarationMatchRow.state).in_(OPEN))
            for row in rows:
                fields = self._fields(row.sha256)
                row.net_weight_kg = declared_quantity(fields.get("net_weight_kg"))
                row.packages = declared_quantity(fields.get("packages"))
                session.add(row)
        # past the page once it committed: a page not committed (the database busy) is read again
        self._after = rows[-1].sha256 if rows else None
        if not rows:
            return again  # the checks queued again: work for the worker's next round
        logger.info("declared quantities filled for %d declaration(s) indexed before", len(rows))
        return len(rows)

    def _fields(self, sha: str) -> dict[str, Any]:
        """The declaration's contract fields, or none (its file gone or unreadable: its
        quantities stay not known, as a check tells an officer)."""
        if not self.blobs.has(sha):
            return {}
        try:
            return declaration_fields(self.blobs.get(sha), f"declaration {sha}")
        except Exception:  # noqa: BLE001  (one unreadable declaration must not stop the pass)
            logger.warning("declaration %s: its quantities could not be read", sha)
            return {}
