"""``cusdep node backup``: a consistent copy of a node's home, taken while the node runs.

The SQLite database is copied with SQLite's online backup API (a snapshot of one moment, WAL
included, while writers go on); then every other file of the home is copied: keys, config,
rule files, the content-addressed documents (``blobs/``), review evidence, the quarantine and
the embedded chain's state. Documents are written before the rows that name them and never
removed, so every document the snapshot names is there when the files are copied after it.
Locks, pids and SQLite's ``-wal``/``-shm`` files are left out: a restored home starts clean.

Restore: copy the backup's files into an empty directory and run cusdep with that home (the
README's "Backup and restore"). A PostgreSQL database is its server's to back up (``pg_dump``,
taken before this backup): the backup then holds the home's files and says so in its
``backup.json``, with the database's URL (no password) and schema revision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from node.config import Settings
from node.errors import ConfigError, InputError
from node.processes import alive

MANIFEST = "backup.json"
DATABASE = "cusdep.db"
# files of a running home that a restored one must not inherit
_SKIPPED_NAMES = {
    "node.lock", "anvil.pid", "anvil.lock", "anvil.start.lock", "send.lock", "retention.lock"
}  # fmt: skip
_SKIPPED_SUFFIXES = (".migrate-lock", "-wal", "-shm", "-journal", ".tmp")
_CHAIN_STATE = Path("chain") / "state.json"


def backup_home(settings: Settings, out: Path) -> dict[str, Any]:
    """Copy ``settings.home`` into ``out`` (new or empty); return what ``backup.json`` says.

    The copy is made in a hidden sibling (``.NAME.partial-PID``) and moved to ``out`` whole,
    after ``backup.json`` and a sync: a backup killed part way leaves ``out`` as it was (new or
    empty), never a directory that looks like a backup; the next backup there removes what a
    killed one left."""
    out = _empty_target(out, settings.home)
    _remove_abandoned(out)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    staging.mkdir(mode=0o700)
    try:
        manifest = _copy_home(settings, staging)
        os.sync()
        os.replace(staging, out)  # onto an empty directory, or none: whole or not at all
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _copy_home(settings: Settings, out: Path) -> dict[str, Any]:
    """Under the retention lock (shared): the files of documents disposed of are removed
    either before the snapshot (it says so) or after the copy, never while it is made."""
    from node.retention.service import files_lock

    with files_lock(settings.home, shared=True):
        return _copy_snapshot(settings, out)


def _copy_snapshot(settings: Settings, out: Path) -> dict[str, Any]:
    db_path = _sqlite_file(settings.database_url)
    database = _copy_database(db_path, out / DATABASE) if db_path else None
    skip = {db_path.resolve()} if db_path else set()
    files = _copy_files(settings.home, out, skip)
    manifest = {
        "node_id": settings.node.id,
        "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "home": str(settings.home),
        "database": database or _server_database(settings.database_url),
        "files": files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _empty_target(out: Path, home: Path) -> Path:
    out = out.expanduser().resolve()
    if out == home or home in out.parents:
        raise InputError(f"--out {out} is inside the node's home {home}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"--out {out} exists and is not an empty directory")
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return out


def _remove_abandoned(out: Path) -> None:
    """Staging copies of backups into ``out`` whose process is gone (killed part way)."""
    for left in out.parent.glob(f".{out.name}.partial-*"):
        pid = left.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(left, ignore_errors=True)


def _sqlite_file(url: str) -> Path | None:
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def _copy_database(source: Path, target: Path) -> dict[str, Any]:
    """SQLite's online backup: one consistent snapshot however busy the node is."""
    if not source.is_file():
        raise ConfigError(f"no database at {source}")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        revision = _revision(dst)
    finally:
        dst.close()
        src.close()
    return {
        "included": True,
        "file": DATABASE,
        "source": str(source),
        "schema_revision": revision,
        "sha256": _sha256(target),
    }


def _server_database(url: str) -> dict[str, Any]:
    """What a restore needs to know of a database its server backs up (``pg_dump``): which
    one (no password) and its schema revision as this copy of the home was taken. Its dump is
    to be taken before this copy: documents are written before the rows that name them, so a
    home copied after the dump holds every document the dump names."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from node.storage.db import Database

    db = Database(url)
    try:
        with db.engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        db.dispose()
    return {
        "included": False,
        "url": make_url(url).render_as_string(hide_password=True),
        "schema_revision": found,
        "note": "storage.url is not SQLite: back it up with its server (pg_dump) before "
        "this backup, and restore the dump beside it",
    }


def _revision(db: sqlite3.Connection) -> str | None:
    """The schema revision, None for a database from before revisions (a backup taken before
    upgrading such a node: the backup neither migrates nor needs to)."""
    try:
        row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return str(row[0]) if row else None


def _copy_files(home: Path, out: Path, skip: set[Path]) -> int:
    count = 0
    for root, dirs, names in os.walk(home):
        here = Path(root)
        dirs.sort()
        for name in sorted(names):
            path = here / name
            if path.resolve() in skip or _skipped(name) or path.is_symlink():
                continue
            rel = path.relative_to(home)
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if rel == _CHAIN_STATE:
                _copy_chain_state(path, target)
            else:
                shutil.copy2(path, target)
            count += 1
    return count


def _skipped(name: str) -> bool:
    return name in _SKIPPED_NAMES or name.endswith(_SKIPPED_SUFFIXES)


def _copy_chain_state(source: Path, target: Path, tries: int = 20) -> None:
    """The embedded anvil rewrites its state file every ``state_interval`` seconds: take a
    copy that parses whole (one read between two of its writes)."""
    for _ in range(tries):
        data = source.read_bytes()
        try:
            json.loads(data)
        except ValueError:
            time.sleep(0.1)  # caught anvil mid-write; its next dump is at most a second away
            continue
        target.write_bytes(data)
        shutil.copystat(source, target)
        return
    raise ConfigError(f"{source} did not read as whole JSON in {tries} tries")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
