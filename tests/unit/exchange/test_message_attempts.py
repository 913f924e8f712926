"""``attempts`` of a sent message in ``cusdep messages`` (and the REST API) counts the
deliveries tried, the one the partner answered included: a message delivered at the first try
shows 1 (it showed 0, which read as "never tried"); one still queued counts its failed tries."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from node.cli import main
from tests.unit.exchange.test_message_pages import message_home

# (message id, state, failed tries the outbox counted) -> attempts shown
ROWS = {
    ("first-try", "delivered", 0): 1,
    ("after-two-failures", "delivered", 2): 3,
    ("refused-at-once", "rejected", 0): 1,
    ("queued", "pending", 0): 0,
    ("failing", "pending", 4): 4,
    ("expired", "expired", 5): 5,
}


def test_attempts_count_every_delivery_tried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = message_home(tmp_path)
    db = sqlite3.connect(home / "cusdep.db")
    db.executemany(
        "INSERT INTO exchange_outbox (message_id, peer, kind, document_sha256, digest, envelope,"
        " state, attempts, next_attempt_at, error, error_code, created_at, stored) VALUES"
        " (?, 'AU-CAN', 'certificate', '', '00', x'00', ?, ?, '2026-12-01 10:00:00',"
        " '', '', '2026-12-01 10:00:00', 1)",
        list(ROWS),
    )
    db.commit()
    db.close()
    assert main(["--home", str(home), "messages", "--direction", "out", "--json"]) == 0
    shown = {m["message_id"]: m["attempts"] for m in json.loads(capsys.readouterr().out)}
    assert shown == {mid: attempts for (mid, _, _), attempts in ROWS.items()}
