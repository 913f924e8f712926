"""Database engine and sessions from a URL: SQLite (WAL) by default, PostgreSQL by URL.

No module-level engine: ``Database`` is built by the composition root and passed down.
The schema is kept by Alembic revisions (``node/storage/migrations``): ``migrate()`` brings any
database to head, and only one process migrates a database at a time.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, ExceptionContext
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlmodel import Session, SQLModel, create_engine

from node.errors import DATABASE_NAME, ConfigError
from node.storage.revisions import BASELINE, HEAD

logger = logging.getLogger(__name__)


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = _make_engine(url, echo=echo)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (a no-op when it is there already).

        A database made before migrations existed (tables, no ``alembic_version``) is stamped
        with the baseline revision, whose schema it has, and then upgraded. A database at
        ``HEAD`` is told so by one query, without Alembic (whose import and revision scan cost a
        one-shot command such as ``cusdep verify`` ~0.15 s of CPU beside its review).
        """
        if self._at_head():
            return
        with self._migration_lock(), self.engine.begin() as conn:
            from alembic import command
            from alembic.runtime.migration import MigrationContext
            from alembic.script import ScriptDirectory

            cfg = alembic_config(conn)
            current = MigrationContext.configure(conn).get_current_heads()
            script = ScriptDirectory.from_config(cfg)
            if set(current) == set(script.get_heads()):
                return
            self._refuse_unknown(current, {rev.revision for rev in script.walk_revisions()})
            if not current and inspect(conn).has_table("documents"):
                logger.info("database predates migrations: stamping the baseline")
                command.stamp(cfg, BASELINE)
            command.upgrade(cfg, "head")
            logger.info("database migrated to head")

    def _refuse_unknown(self, current: tuple[str, ...], known: set[str]) -> None:
        """A database a newer cusdep migrated is left as it is: this code cannot know its schema."""
        newer = sorted(set(current) - known)
        if newer:
            where = self.engine.url.render_as_string(hide_password=True)
            raise ConfigError(
                f"database {where} has schema revision {newer[0]}, newer than this cusdep knows "
                f"(up to {HEAD}): run the cusdep version that wrote it, or restore a backup"
            )

    def _at_head(self) -> bool:
        """Whether the recorded revision is ``HEAD`` (read as it stands: a migration under way
        elsewhere has not committed it yet, and ``migrate`` then waits for its lock)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return False
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return set(found) == {HEAD}

    @contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """One migrating process per database: a file lock beside a SQLite file, an advisory
        lock on PostgreSQL (taken inside ``migrate``'s transaction), nothing in memory."""
        path = _sqlite_path(self.url)
        if path is None or path == ":memory:":
            if self.engine.dialect.name == "postgresql":
                with self.engine.begin() as conn:
                    conn.execute(text("SELECT pg_advisory_xact_lock(7175726570)"))
                    yield
                return
            yield
            return
        with open(f"{path}.migrate-lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def check_writable(self, wait_ms: int = 2000) -> None:
        """Raise unless a write could start within ``wait_ms`` (SQLite: another process may hold
        the database's one write lock, which reads do not notice). Writes nothing."""
        if self.engine.dialect.name != "sqlite":
            return
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
            try:
                cur.execute("BEGIN IMMEDIATE")
                cur.execute("ROLLBACK")
            finally:
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        finally:
            raw.close()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def claimed(session: Session, statement: Any) -> bool:
    """Run a conditional UPDATE (its WHERE names the state the caller read) in the session's
    transaction: whether it changed exactly one row, i.e. no one else changed that row since.
    The row stays locked for the rest of the transaction."""
    return int(session.connection().execute(statement).rowcount or 0) == 1


def insert_absent(session: Session, row: SQLModel) -> bool:
    """Insert ``row`` unless its key is taken: one ``INSERT ... ON CONFLICT DO NOTHING`` in the
    session's transaction, so of two writers (processes, requests) inserting one key at once
    neither fails and one row stands. Whether this one inserted it. "Insert if absent" as a
    read then an insert is not atomic (a read opens no transaction here: another process can
    commit the row in between, and the insert then fails). On SQLite the statement takes the
    write lock even when it inserts nothing, so what the caller reads after it stays as read."""
    table = type(row).__table__  # type: ignore[attr-defined]
    values = {c.name: getattr(row, c.name) for c in table.columns}
    values = {k: v for k, v in values.items() if v is not None}
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = ins.values(**values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    # RETURNING, not rowcount: psycopg reports -1 for this statement through SQLAlchemy
    return session.connection().execute(stmt).first() is not None


_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(conn: Connection) -> Any:
    """An Alembic config for our revisions that runs on ``conn`` (no alembic.ini)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.attributes["connection"] = conn
    return cfg


def _sqlite_path(url: str) -> str | None:
    return url.split("///", 1)[-1] if url.startswith("sqlite") else None


def _make_engine(url: str, *, echo: bool) -> Engine:
    engine = _engine(url, echo=echo)
    event.listen(engine, "handle_error", _name_database)
    return engine


def _name_database(context: ExceptionContext) -> None:
    """Mark each error of the engine (connecting included) with the database it came from,
    its URL without the password, for the edges to name (``node.errors.database_unavailable``):
    the driver's message names a host and port at best, not which of the node's settings."""
    if context.engine is not None:
        where = context.engine.url.render_as_string(hide_password=True)
        setattr(context.sqlalchemy_exception, DATABASE_NAME, where)


def _engine(url: str, *, echo: bool) -> Engine:
    path = _sqlite_path(url)
    if path is not None:
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, echo=echo, pool_pre_ping=True)
    except ModuleNotFoundError as err:  # the URL's DBAPI driver is not installed
        hint = " (pip install 'cusdep-node[postgres]')" if url.startswith("postgres") else ""
        raise ConfigError(
            f"storage.url needs the database driver {err.name!r}, which is not installed{hint}"
        ) from None
    except (ArgumentError, NoSuchModuleError, ValueError) as err:
        # not a URL, a dialect SQLAlchemy lacks, or a part of it malformed (a port not a number)
        scheme = url.split("://", 1)[0] if "://" in url else ""
        why = "a port that is not a number, " if "int()" in str(err) else ""
        raise ConfigError(
            f"storage.url is not a database URL cusdep can use (scheme {scheme!r}, {why}"
            "expected postgresql+psycopg://user:password@host:5432/db, or empty for SQLite "
            "under home)"
        ) from None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    _wal(cur)
    # FULL: a committed transaction survives power loss, not only a killed process.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _wal(cur: Any, wait: float = 30.0) -> None:
    """Switch to WAL. On a new file the switch needs the database to itself, and SQLite answers
    "database is locked" at once, without its busy handler, to a connection that asks while
    another is switching (three threads migrating a new database: 4 runs in 25 under load), so
    the switch is retried for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
        time.sleep(delay)  # another connection is switching the file: back off and ask again
        delay = min(delay * 2, 0.1)
