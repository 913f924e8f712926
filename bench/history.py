"""A node after a year of traffic: the reads it answers all year, on a home filled in bulk.

    .venv/bin/python bench/history.py [SCALE]     # SCALE 1.0 (default): 100k received and
                                                  # 75k sent messages, 150k documents,
                                                  # 25k declarations; 0.2 for a quick look

The same database is read twice in one run: without the indexes of revision 0008 (baseline: as
at 0007) and at head. The declaration lookup of a scan's review is compared with
the code it replaced (every declaration's number list read and decoded in Python). Prints a
table: what was read, milliseconds before and after (best of 3), and the ratio.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select

from node.api.metrics import _NodeCollector
from node.bootstrap import build_exchange
from node.config import load_settings
from node.identity import create_identity
from node.review.intake import Intake, list_documents
from node.review.tables import DeclarationIndexRow
from node.storage.blobs import BlobStore
from node.storage.db import Database


def _fill(path: Path, scale: float) -> dict[str, int]:
    n_in, n_out = int(100_000 * scale), int(75_000 * scale)
    start = dt.datetime(2025, 12, 1)

    def at(i: int, n: int) -> str:
        return (start + dt.timedelta(seconds=365 * 86400 * i / n)).isoformat(" ", "microseconds")

    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    envelope, receipt = os.urandom(2000), os.urandom(180)  # a 2 KB document's envelope
    kinds = ("certificate", "certificate", "declaration", "review_outcome")
    db.executemany(
        "INSERT INTO exchange_inbox (message_id, peer, kind, document_sha256, digest, envelope,"
        " receipt, state, received_at, stored) VALUES (?,?,?,?,'00',?,?,?,?,1)",
        (
            (f"in-{i}", ("AU-CAN", "NZ-AKL")[i % 2], kinds[i % 4], f"{i:064x}", envelope, receipt)
            + ("applied" if i % 4 == 3 else "received", at(i, n_in))
            for i in range(n_in)
        ),
    )
    db.executemany(
        "INSERT INTO exchange_outbox (message_id, peer, kind, document_sha256, digest, envelope,"
        " state, attempts, next_attempt_at, error, error_code, receipt, created_at, stored)"
        " VALUES (?,?,'certificate',?,'00',?,'delivered',1,?,'','',?,?,1)",
        (
            (f"out-{i}", ("AU-CAN", "NZ-AKL")[i % 2], f"{n_in + i:064x}", envelope, a, receipt, a)
            for i in range(n_out)
            for a in (at(i, n_out),)
        ),
    )
    db.executemany(
        "INSERT INTO documents VALUES (?,?,'cusdep-json','application/json',2000,?,?,'accepted')",
        (
            (f"{i:064x}", "declaration" if i < n_in and i % 4 == 2 else "certificate")
            + ("AU-CAN" if i < n_in else "local", at(i % n_in, n_in))
            for i in range(n_in + n_out)
            if i >= n_in or i % 4 != 3
        ),
    )
    db.executemany(
        "INSERT INTO declaration_index (sha256, certificate_numbers, indexed_at,"
        " declaration_number, net_weight_kg, packages) VALUES (?,?,?,?,?,?)",
        (
            (f"{i:064x}", json.dumps([f"AU{i:08d}"]), at(i, n_in), f"DEC-{i}", 1000.0, 40)
            for i in range(2, n_in, 4)
        ),
    )
    db.executemany(  # its keys one a row, as ``index_declaration`` writes them
        "INSERT INTO declaration_certificates (declaration_sha256, certificate_key) VALUES (?,?)",
        ((f"{i:064x}", f"AU{i:08d}") for i in range(2, n_in, 4)),
    )
    db.commit()
    counts = {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("exchange_inbox", "exchange_outbox", "documents", "declaration_index")
    }
    db.close()
    return counts


def _best(fn: Callable[[], Any], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _find_declaration_before(intake: Intake, number: str) -> str:
    """The lookup this replaced: the indexing pass and every declaration's list in Python."""
    with intake.db.session() as session:
        known = set(session.exec(select(DeclarationIndexRow.sha256)))
        from node.storage.core import DocumentRow

        for row in session.exec(select(DocumentRow).where(DocumentRow.kind == "declaration")):
            if row.sha256 in known or not intake.blobs.has(row.sha256):
                continue
        hits = [
            r for r in session.exec(select(DeclarationIndexRow)) if number in r.certificate_numbers
        ]
    return max(hits, key=lambda r: r.indexed_at).sha256 if hits else ""


# the indexes revision 0008 added, and the one it replaced
_INDEXES_0008 = (
    "ix_documents_kind_state",
    "ix_documents_created_at",
    "ix_exchange_inbox_received_at",
    "ix_exchange_inbox_peer_kind_state",
    "ix_exchange_outbox_peer_kind_state",
)


def _without_0008_indexes(database: Database) -> list[str]:
    """The baseline: the schema at head without the indexes of 0008 (as at 0007; downgrading
    to 0007 itself drops the tables the code reads since, e.g. the metrics'
    ``declaration_matches``). Returns their DDL, for ``_with_indexes``."""
    marks = ", ".join(f"'{n}'" for n in _INDEXES_0008)
    with database.engine.begin() as conn:
        saved = [
            sql
            for (sql,) in conn.exec_driver_sql(
                f"SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})"
            )
        ]
        for name in _INDEXES_0008:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql("CREATE INDEX ix_documents_kind ON documents (kind)")
    return saved


def _with_indexes(database: Database, saved: list[str]) -> None:
    with database.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_documents_kind")
        for sql in saved:
            conn.exec_driver_sql(sql)


def main(scale: float) -> None:
    with tempfile.TemporaryDirectory(prefix="cusdep-history-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        (home / "config.toml").write_text('[node]\nid = "CN-SHA"\ncountry = "CN"\nname = "X"\n')
        create_identity(home, "CN-SHA")
        settings = load_settings(home)
        database = Database(settings.database_url)
        database.migrate()
        started = time.perf_counter()
        counts = _fill(home / "cusdep.db", scale)
        print(f"filled in {time.perf_counter() - started:.1f} s: {counts}\n")
        node = build_exchange(settings)
        exchange = node.exchange
        assert exchange is not None
        collector = _NodeCollector(node)
        intake = Intake(node.db, BlobStore(home / "blobs"), None)
        middle = counts["exchange_inbox"] // 2
        number = f"AU{4 * (counts['declaration_index'] // 2) + 2:08d}"
        reads: dict[str, Callable[[], Any]] = {
            "/metrics (counts by state)": lambda: list(collector._from_database()),
            "messages, first page of 1000": lambda: exchange.messages(None, 1000, 0),
            f"messages in, 1000 at offset {middle}": lambda: exchange.messages("in", 1000, middle),
            "documents, newest 100": lambda: list_documents(
                node.db, kind=None, state=None, limit=100, offset=0
            ),
        }
        saved = _without_0008_indexes(database)
        before = {name: _best(fn) for name, fn in reads.items()}
        before["declaration of a scan's number"] = _best(
            lambda: _find_declaration_before(intake, number)
        )
        _with_indexes(database, saved)
        after = {name: _best(fn) for name, fn in reads.items()}
        after["declaration of a scan's number"] = _best(lambda: intake.find_declaration(number))
        assert intake.find_declaration(number) == _find_declaration_before(intake, number) != ""
        print("| read | before ms (no 0008 indexes / old lookup) | after ms | x |")
        print("|---|---|---|---|")
        for name, ms in before.items():
            print(
                f"| {name} | {ms:,.1f} | {after[name]:,.1f} | {ms / max(after[name], 0.01):,.0f} |"
            )
        node.db.dispose()
        database.dispose()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
