"""The declarations naming a certificate, looked up at volume: the queries of a declaration
check (``node.review.intake.declarations_naming``, and in ``node.review.matching`` the reuse
finding, the balance of a certificate several declarations draw on, the later declarations
queued again) on a real SQLite home filled in bulk with N declarations (50,000 by default: a
node keeps a year of them), each naming its own certificate, 20 of them one shared certificate.

    .venv/bin/python bench/declaration_lookup.py [N]

The same database is read twice in one run: with the lookup this replaced (the key in quotes
inside each row's JSON list, ``LIKE '%"KEY"%'``: a scan of the whole index) and through the
``declaration_certificates`` index (revision 0015). Prints a table: what was read, milliseconds
before and after (best of 5), and the ratio.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import String, cast  # noqa: E402
from sqlmodel import col  # noqa: E402

from node.review import intake, matching  # noqa: E402
from node.review.matching import MatchService  # noqa: E402
from node.review.tables import DeclarationIndexRow  # noqa: E402
from node.storage.blobs import BlobStore  # noqa: E402
from node.storage.db import Database  # noqa: E402
from verification.rules.loader import DEFAULT_RULES, load_rules  # noqa: E402

SHARED = "AUSHARED1"


def _fill(path: Path, n: int) -> None:
    start = dt.datetime(2025, 12, 1)

    def at(i: int) -> str:
        return (start + dt.timedelta(seconds=365 * 86400 * i / n)).isoformat(" ", "microseconds")

    def keys(i: int) -> list[str]:
        return [f"AU{i:08d}", SHARED] if i % (n // 20) == 0 else [f"AU{i:08d}"]

    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.executemany(
        "INSERT INTO declaration_index (sha256, certificate_numbers, indexed_at,"
        " declaration_number, net_weight_kg, packages) VALUES (?,?,?,?,?,?)",
        ((f"{i:064x}", json.dumps(keys(i)), at(i), f"DEC-{i}", 100.0, 4) for i in range(n)),
    )
    db.executemany(
        "INSERT INTO declaration_certificates (declaration_sha256, certificate_key) VALUES (?,?)",
        ((f"{i:064x}", key) for i in range(n) for key in keys(i)),
    )
    db.commit()  # no ANALYZE: a node's planner has no statistics
    db.close()


def _like(key: str) -> Any:
    """The condition this replaced: the key in quotes inside the row's JSON list."""
    numbers = cast(col(DeclarationIndexRow.certificate_numbers), String)
    return numbers.contains(json.dumps(key), autoescape=True)


@contextmanager
def _before() -> Iterator[None]:
    with (
        mock.patch.object(intake, "naming", _like),
        mock.patch.object(matching, "naming", _like),
    ):
        yield


def _best(fn: Callable[[], Any], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(
        prefix="cusdep-declaration-lookup-", ignore_cleanup_errors=True
    ) as tmp:
        root = Path(tmp)
        database = Database(f"sqlite:///{root / 'cusdep.db'}")
        database.migrate()
        started = time.perf_counter()
        _fill(root / "cusdep.db", n)
        print(f"filled {n:,} declarations in {time.perf_counter() - started:.1f} s\n")
        service = MatchService(
            database, BlobStore(root / "blobs"), load_rules(DEFAULT_RULES), actor="bench"
        )
        own, last = f"AU{n // 2 + 1:08d}", f"{(n - 1) // (n // 20) * (n // 20):064x}"

        def session_read(fn: Callable[[Any], Any]) -> Callable[[], Any]:
            def read() -> Any:
                with database.session() as session:
                    out = fn(session)
                    session.rollback()  # _later_again queues: nothing kept
                    return out

            return read

        def mine(session: Any) -> DeclarationIndexRow:
            row = session.get(DeclarationIndexRow, last)
            assert row is not None
            return row

        reads: dict[str, Callable[[], Any]] = {
            "declarations naming a certificate (1 of them)": session_read(
                lambda s: [r.sha256 for r in intake.declarations_naming(s, own)]
            ),
            "declarations naming a certificate (20 of them)": session_read(
                lambda s: sorted(r.sha256 for r in intake.declarations_naming(s, SHARED))
            ),
            "reuse finding: the earlier ones, first 3 and a count": session_read(
                lambda s: service._others(s, last, SHARED)
            ),
            "partial use: the balance the earlier ones left": session_read(
                lambda s: matching._drawn_on(s, mine(s), SHARED)
            ),
            "later declarations queued again": session_read(
                lambda s: matching._later_again(s, last, SHARED, partial=True)
            ),
        }
        with _before():
            before = {name: _best(fn) for name, fn in reads.items()}
            answers = {name: fn() for name, fn in reads.items()}
        after = {name: _best(fn) for name, fn in reads.items()}
        assert {name: fn() for name, fn in reads.items()} == answers  # the same answers
        print(f"| read ({n:,} declarations) | before ms (LIKE over the lists) | after ms | x |")
        print("|---|---|---|---|")
        for name, ms in before.items():
            print(
                f"| {name} | {ms:,.1f} | {after[name]:,.2f} | {ms / max(after[name], 0.01):,.0f} |"
            )
        database.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
