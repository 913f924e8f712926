"""The review-outcome cursor moves only over event ids that have all committed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import select

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


def test_a_later_finding_on_an_accepted_paper_leaves_its_outcome_reasons(tmp_path: Path) -> None:
    """The machine accepted a paper with a warning; its issuer revoked the certificate after
    (``verified`` with ``"check": "issuer_revoked"``, no reasons): the outcome sent on its
    anchoring still gives the review's reasons, not the finding's none."""
    from node.domain.states import EventKind
    from node.exchange.outcomes import OutcomeNotifier
    from node.storage.documents import add_event

    db = Database(f"sqlite:///{tmp_path / 'node.db'}")
    db.migrate()
    sha = "b" * 64
    with db.session() as session:
        review = {"verdict": "accept", "reasons": ["signature.match: score 0.61"]}
        add_event(session, sha, EventKind.VERIFIED, "CN-SHA", review)
        later = {"check": "issuer_revoked", "certificate_number": "AU1", "reason": "withdrawn"}
        add_event(session, sha, EventKind.VERIFIED, "AU-SYD", later)
        add_event(session, sha, EventKind.ANCHORED, "CN-SHA", {"merkle_root": "0x01"})
    notifier = OutcomeNotifier(db, None, None)  # type: ignore[arg-type]  (no sending here)
    with db.session() as session:
        anchored = session.exec(
            select(DocumentEventRow).where(DocumentEventRow.kind == "anchored")
        ).one()
        out = notifier._outcome(session, anchored)
    assert out is not None and (out.verdict, list(out.reasons)) == (
        "accept",
        ["signature.match: score 0.61"],
    )
