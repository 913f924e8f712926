"""The review-outcome cursor moves only over event ids that have all committed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from node.exchange.outcomes import _settled
from node.storage.core import DocumentEventRow, utcnow
from node.storage.db import Database


def _event(db: Database, event_id: int, age_seconds: float) -> None:
    with db.session() as session:
        at = utcnow() - dt.timedelta(seconds=age_seconds)
        session.add(
            DocumentEventRow(id=event_id, sha256="a" * 64, kind="received", actor="x", at=at)
        )


def test_a_fresh_gap_holds_the_cursor_and_an_old_one_is_passed(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'node.db'}")
    db.migrate()
    _event(db, 1, 0)
    _event(db, 3, 60)  # id 2 missing for a minute: a rolled-back transaction's
    _event(db, 5, 0)  # id 4 missing just now: maybe still to commit
    with db.session() as session:
        assert _settled(session, 0, 256) == 3
        assert _settled(session, 3, 256) == 3
    _event(db, 4, 0)  # it committed
    with db.session() as session:
        assert _settled(session, 3, 256) == 5
        assert _settled(session, 0, 2) == 3  # a page of two ids
