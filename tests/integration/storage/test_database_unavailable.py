"""A CLI command whose database does not answer exits 75 (EX_TEMPFAIL), as one whose chain does
not: the input was fine, try again later (docs/cli-contract.md, exit statuses). It exited 2,
"bad input", which tells a script to mend the command instead of waiting. Its one stderr line
names the database (the URL without its password). A database that answers and refuses is
tested on a real server in test_postgres.py (exit 2: storage.url to mend)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from node.cli import main
from node.errors import EXIT_UNAVAILABLE, DatabaseRefused, database_unavailable
from node.storage.db import Database


def _closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(home: Path, url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "CUSDEP_HOME": str(home), "CUSDEP_STORAGE__URL": url},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("argv", [["registry", "list"], ["messages"]])
def test_a_database_that_does_not_answer_exits_75_naming_it(home: Path, argv: list[str]) -> None:
    assert main(["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:9"]) == 0
    port = _closed_port()
    proc = _cli(home, f"postgresql+psycopg://cusdep:s3cret-pw@127.0.0.1:{port}/node", *argv)
    assert proc.returncode == 75, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"cusdep: error: database postgresql+psycopg://cusdep:***@127.0.0.1:{port}/node "
        "does not answer: "
    ), lines
    assert "Connection refused" in lines[0] and lines[0].endswith("try again later")
    assert "s3cret-pw" not in proc.stderr and proc.stdout == ""


def test_a_sqlite_database_locked_past_its_wait_does_not_answer(tmp_path: Path) -> None:
    """SQLite's write lock held by another process past the busy timeout (0 here, 30 s in the
    node): the database did not answer (75), named by its file; not a refusal (2)."""
    path = tmp_path / "node.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write under way
    try:
        with pytest.raises(OperationalError) as raised, db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=0")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()
    err = database_unavailable(raised.value)
    assert err is not None and not isinstance(err, DatabaseRefused)
    assert err.exit_status == EXIT_UNAVAILABLE
    assert err.message == (
        f"database sqlite:///{path} does not answer: database is locked; try again later"
    )


def test_a_sqlite_file_that_cannot_be_opened_is_refused_not_waited_for(tmp_path: Path) -> None:
    """Waiting mends a path that cannot be opened (here a directory) no more than a mistyped
    PostgreSQL database name: 2, naming the file."""
    path = tmp_path / "node.db"
    path.mkdir()
    db = Database(f"sqlite:///{path}")
    try:
        with pytest.raises(OperationalError) as raised:
            db.migrate()
    finally:
        db.dispose()
    err = database_unavailable(raised.value)
    assert isinstance(err, DatabaseRefused) and err.exit_status == 2
    assert err.message == f"database sqlite:///{path}: unable to open database file"


@pytest.mark.parametrize("argv", [["registry", "list"], ["messages"]])
def test_a_damaged_sqlite_file_is_one_line_and_exit_2_not_a_traceback(
    home: Path, argv: list[str]
) -> None:
    """SQLAlchemy raises ``DatabaseError`` (not ``OperationalError``) for a file that is no
    database: it was a traceback and exit 1. Waiting does not mend it, a backup does: 2."""
    assert main(["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:9"]) == 0
    db = home / "cusdep.db"
    assert db.is_file()
    for side in ("-wal", "-shm"):  # the in-process init's WAL would still serve page 1
        (home / f"cusdep.db{side}").unlink(missing_ok=True)
    db.write_bytes(b"not a database, " * 512)
    proc = _cli(home, f"sqlite:///{db}", *argv)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"cusdep: error: database sqlite:///{db} is damaged: file is not a database "
        "(restore it from a backup)"
    ], lines
    assert proc.stdout == ""
