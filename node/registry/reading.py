"""What building the review's specimens reads from the node's database, behind one small port.

``build_specimens`` needs three reads: the confirmed registry records, the countries of the
pinned partners (trusted registrars) and whether a certificate number was already presented.
``DatabaseRead`` answers them through the node's ``Database`` (SQLModel; any URL, PostgreSQL
included). ``SqliteRead`` answers the same three with the standard library's ``sqlite3`` on a
SQLite file whose schema is at ``HEAD``: a one-shot ``cusdep verify`` then never imports
SQLAlchemy/SQLModel (~0.6 s of CPU on its registry thread, beside OCR, holding the GIL). The two
return equal data (``tests/unit/registry/test_reading.py``).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from node.storage.revisions import HEAD

if TYPE_CHECKING:
    from node.storage.db import Database

_COUNTED = ("accept", "decided")  # review states in which a certificate number counts as used


@dataclass(frozen=True)
class RegistryRecord:
    """One confirmed row of ``registry_records``: what a specimen is built from."""

    kind: str
    registrar: str
    record_id: str
    agency_id: str
    country: str
    sha256: str
    fields: dict[str, Any]
    state: str = "confirmed"  # or "revoked" (seals only: a paper stamped with one is named)


@runtime_checkable
class RegistryRead(Protocol):
    def confirmed_records(self) -> list[RegistryRecord]:
        """Every record in state ``confirmed``, and every seal in state ``revoked``, in the
        order they were stored."""
        ...

    def partner_countries(self) -> set[str]:
        """The country of every pinned exchange partner."""
        ...

    def certificate_number_used(self, number: str, sha256: str) -> bool:
        """Whether another document (not ``sha256``) with certificate ``number`` was accepted
        or decided."""
        ...


class DatabaseRead:
    """The three reads through the node's ``Database`` (SQLModel sessions)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def confirmed_records(self) -> list[RegistryRecord]:
        from sqlalchemy import select as select_columns
        from sqlmodel import col

        from node.registry.tables import RegistryRecordRow

        t = RegistryRecordRow
        # the columns, not the rows as objects: a quarter of the time (the node reads them for
        # every review, node.registry.specimens.SpecimenSnapshots)
        columns = (t.kind, t.registrar, t.record_id, t.agency_id, t.country, t.sha256, t.fields)
        stmt = select_columns(*(col(c) for c in (*columns, t.state))).where(
            col(t.state).in_(_STATES)
        )
        with self.db.session() as session:
            return [
                RegistryRecord(kind, registrar, record_id, agency_id, country, sha, fields, state)
                for kind, registrar, record_id, agency_id, country, sha, fields, state in (
                    session.connection().execute(stmt)
                )
                if _wanted(kind, state)
            ]

    def partner_countries(self) -> set[str]:
        from sqlmodel import select

        from node.exchange.tables import PartnerRow

        with self.db.session() as session:
            return set(session.exec(select(PartnerRow.country)))

    def certificate_number_used(self, number: str, sha256: str) -> bool:
        from sqlmodel import col, select

        from node.review.tables import ReviewRow

        with self.db.session() as session:
            stmt = (
                select(ReviewRow.sha256)
                .where(ReviewRow.certificate_number == number)
                .where(ReviewRow.sha256 != sha256)
                .where(col(ReviewRow.state).in_(_COUNTED))
            )
            return session.exec(stmt).first() is not None


class SqliteRead:
    """The three reads with ``sqlite3`` on the file at ``path`` (a connection per read, so the
    reads may come from any thread; nothing is written: ``query_only``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            conn.execute("PRAGMA query_only=ON")
            yield conn
        finally:
            conn.close()

    def confirmed_records(self) -> list[RegistryRecord]:
        sql = (
            "SELECT kind, registrar, record_id, agency_id, country, sha256, fields, state"
            " FROM registry_records WHERE state IN ('confirmed', 'revoked') ORDER BY rowid"
        )
        with self._connect() as conn:
            rows = conn.execute(sql).fetchall()
        return [
            RegistryRecord(kind, registrar, record_id, agency_id, country, sha, _json(f), state)
            for kind, registrar, record_id, agency_id, country, sha, f, state in rows
            if _wanted(kind, state)
        ]

    def partner_countries(self) -> set[str]:
        with self._connect() as conn:
            return {row[0] for row in conn.execute("SELECT country FROM exchange_partners")}

    def certificate_number_used(self, number: str, sha256: str) -> bool:
        sql = (
            "SELECT 1 FROM reviews WHERE certificate_number = ? AND sha256 != ?"
            f" AND state IN ({', '.join('?' for _ in _COUNTED)}) LIMIT 1"
        )
        with self._connect() as conn:
            return conn.execute(sql, (number, sha256, *_COUNTED)).fetchone() is not None


def _json(text: str | None) -> Any:
    """A JSON column as SQLAlchemy's ``JSON`` type reads it."""
    return None if text is None else json.loads(text)


def sqlite_read(url: str) -> SqliteRead | None:
    """A ``SqliteRead`` when ``url`` names an existing SQLite file whose schema is at ``HEAD``;
    ``None`` otherwise (another database, in memory, missing, or to be migrated first: the
    caller then goes through ``Database``, which migrates)."""
    if not url.startswith("sqlite:///") or "?" in url:
        return None
    path = Path(url.removeprefix("sqlite:///"))
    if not path.name or str(path) == ":memory:" or not path.is_file():
        return None
    read = SqliteRead(path)
    try:
        with read._connect() as conn:
            found = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.Error:  # no alembic_version table (not migrated) or not a database
        return None
    return read if found == {HEAD} else None


_STATES = ("confirmed", "revoked")


def _wanted(kind: str, state: str) -> bool:
    return state == "confirmed" or (state == "revoked" and kind == "seal")
