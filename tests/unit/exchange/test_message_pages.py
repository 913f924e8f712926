"""``cusdep messages`` prints the whole history by default (the contract's listing), read and
printed a page at a time (a busy post's year of traffic, 350k messages, read at once took 1 GB
of memory), or the page ``--limit``/``--offset`` ask for."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from node.cli import main
from node.identity import create_identity
from node.storage.db import Database


def message_home(tmp_path: Path) -> Path:
    """A node home (CN-X) with its database migrated and no message in it."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('[node]\nid = "CN-X"\ncountry = "CN"\nname = "X"\n')
    create_identity(home, "CN-X")
    Database(f"sqlite:///{home / 'cusdep.db'}").migrate()
    return home


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = message_home(tmp_path)
    db = sqlite3.connect(home / "cusdep.db")
    db.executemany(
        "INSERT INTO exchange_inbox (message_id, peer, kind, document_sha256, digest, envelope,"
        " receipt, state, received_at, stored) VALUES (?, 'AU-CAN', 'certificate', '', '00',"
        " x'00', x'01', 'received', ?, 1)",
        [(f"in-{i:04d}", f"2026-12-01 10:{i // 60 % 60:02d}:{i % 60:02d}") for i in range(1003)],
    )
    db.executemany(
        "INSERT INTO exchange_outbox (message_id, peer, kind, document_sha256, digest, envelope,"
        " state, attempts, next_attempt_at, error, error_code, created_at, stored) VALUES"
        " (?, 'AU-CAN', 'certificate', '', '00', x'00', 'delivered', 1, '2026-12-01 10:00:00',"
        " '', '', '2026-12-01 10:00:00', 1)",
        [(f"out-{i}",) for i in range(3)],
    )
    db.executemany(
        "INSERT INTO exchange_rejections (at, peer, claimed_sender, message_id, code, status,"
        " reason, quarantine_path) VALUES ('2026-12-01 10:00:00', 'AU-CAN', 'AU-CAN', ?,"
        " 'cusdep.replay', 'ALREADY_EXISTS', 'seen', '')",
        [(f"rej-{i}",) for i in range(5)],
    )
    db.commit()
    db.close()
    return home


def _listed(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str]]:
    assert main(["--home", str(home), "messages", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_messages_print_everything_by_default_read_a_page_at_a_time(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from node.cli import exchange as cli
    from node.exchange.service import ExchangeService

    sizes: list[int | None] = []
    original = ExchangeService.messages

    def spy(self, direction=None, limit=None, offset=0):  # type: ignore[no-untyped-def]
        sizes.append(limit)
        return original(self, direction, limit, offset)

    monkeypatch.setattr(ExchangeService, "messages", spy)
    monkeypatch.setattr(cli, "_PAGE", 300)
    listed = [m["message_id"] for m in _listed(home, capsys)]
    expected = [f"in-{i:04d}" for i in range(1003)] + [f"out-{i}" for i in range(3)]
    assert listed == expected
    assert sizes and all(s == 300 for s in sizes)  # never the whole history at once
    assert [m["message_id"] for m in _listed(home, capsys, "--rejected")] == [
        f"rej-{i}" for i in range(5)
    ]


def test_messages_print_a_page_of_the_given_size(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _listed(home, capsys, "--limit", "4", "--offset", "1001")
    assert [m["message_id"] for m in page] == ["in-1001", "in-1002", "out-0", "out-1"]
    out = _listed(home, capsys, "--direction", "out", "--limit", "2", "--offset", "1")
    assert [m["message_id"] for m in out] == ["out-1", "out-2"]


def test_refused_messages_print_a_page_too(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = _listed(home, capsys, "--rejected", "--limit", "2", "--offset", "3")
    assert [r["message_id"] for r in page] == ["rej-3", "rej-4"]


@pytest.mark.parametrize("args", [["--limit", "0"], ["--limit", "10001"], ["--offset", "-1"]])
def test_a_page_out_of_range_is_one_line_and_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(["--home", str(home), "messages", "--json", *args]) == 2
    out, err = capsys.readouterr()
    assert not out and len(err.strip().splitlines()) == 1 and args[0] in err
