"""`cusdep node backup`: taken while the node runs and writes, restored into a new home, it
traces the same documents and its anchors still verify on the (restored) embedded chain."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.integration.chain.homes import cusdep, node_run, small_files, stop_embedded_anvil


@pytest.fixture
def homes(home: Path, tmp_path: Path):
    restored = tmp_path / "restored"
    cusdep(home, "init", "--country", "CN", "--name", "Shanghai Customs")
    yield home, restored
    for h in (home, restored):
        if (h / "config.toml").exists():
            stop_embedded_anvil(h)


def _restore(backup: Path, home: Path) -> None:
    """What the README says: the backup's files into an empty directory."""
    shutil.copytree(backup, home)
    (home / "backup.json").unlink()


def test_a_backup_of_a_running_node_restores_its_documents_and_anchors(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    home, restored = homes
    docs = [str(p) for p in small_files(tmp_path, 3)]
    anchored = json.loads(cusdep(home, "anchor", *docs, "--json").stdout)
    node = node_run(home)
    stop, first = threading.Event(), threading.Event()
    issued: list[str] = []

    def write_on() -> None:  # another process writes the database while the backup copies it
        while not stop.is_set():
            out = cusdep(home, "token", "issue", "--role", "auditor", "--subject", "a", "--json")
            issued.append(json.loads(out.stdout)["id"])
            first.set()

    writer = threading.Thread(target=write_on)
    writer.start()
    try:
        assert first.wait(timeout=60)
        out = cusdep(home, "node", "backup", "--out", str(tmp_path / "backup"))
    finally:
        stop.set()
        writer.join()
        node.send_signal(signal.SIGTERM)
        assert node.wait(timeout=60) == 0
    manifest = json.loads(out.stdout)
    assert not (tmp_path / "backup" / "node.lock").exists()
    with sqlite3.connect(tmp_path / "backup" / "cusdep.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
    assert len(revision) == 4 and manifest["database"]["schema_revision"] == revision

    _restore(tmp_path / "backup", restored)

    for doc in anchored:
        sha = doc["document_sha256"]
        before = json.loads(cusdep(home, "trace", sha, "--json").stdout)
        after = json.loads(cusdep(restored, "trace", sha, "--json").stdout)
        assert after["verified_on_chain"] is True
        assert after["events"] == before["events"] and after["anchor"] == before["anchor"]
    tokens = {t["id"] for t in json.loads(cusdep(restored, "token", "list", "--json").stdout)}
    assert tokens and tokens <= set(issued)  # what was committed when the snapshot was taken


def test_a_backup_goes_only_into_a_new_or_empty_directory(
    homes: tuple[Path, Path], tmp_path: Path
) -> None:
    home, _ = homes
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("an operator's file")

    proc = cusdep(home, "node", "backup", "--out", str(full), check=False)

    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"cusdep: error: --out {full} exists and is not an empty directory"
    ]
    assert sorted(p.name for p in full.iterdir()) == ["keep.txt"]
    proc = cusdep(home, "node", "backup", "--out", str(home / "backups"), check=False)
    assert proc.returncode == 2 and "inside the node's home" in proc.stderr


def test_a_backup_taken_before_an_upgrade_leaves_the_old_database_as_it_is(
    home: Path, tmp_path: Path
) -> None:
    """The operator's first step before upgrading: the new cusdep backs up a database from
    before schema revisions without migrating it (the backup is of the node as it was)."""
    from alembic import command
    from sqlalchemy import inspect, text

    from node.backup import backup_home
    from node.config import Settings
    from node.storage.db import BASELINE, Database, alembic_config

    home.mkdir(parents=True)
    db = Database(f"sqlite:///{home / 'cusdep.db'}")
    with db.engine.begin() as conn:  # the schema nodes made with create_all before revisions
        command.upgrade(alembic_config(conn), BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
    db.dispose()

    manifest = backup_home(Settings(home=home), tmp_path / "backup")

    assert manifest["database"]["schema_revision"] is None
    for path in (home / "cusdep.db", tmp_path / "backup" / "cusdep.db"):
        check = Database(f"sqlite:///{path}")
        with check.engine.connect() as conn:
            tables = inspect(conn).get_table_names()
        check.dispose()
        assert "documents" in tables and "alembic_version" not in tables


def test_a_backup_killed_part_way_leaves_no_backup_that_looks_whole(
    home: Path, tmp_path: Path
) -> None:
    """SIGKILLed while copying: ``--out`` stays as it was (nothing there that looks like a
    backup), and the next backup there succeeds and clears what the killed one left."""
    import os
    import subprocess
    import sys

    from node.backup import MANIFEST, backup_home
    from node.config import Settings

    _database(home)
    (home / "blobs").mkdir()
    (home / "blobs" / "doc").write_bytes(b"a document")
    (home / "chain").mkdir()
    (home / "chain" / "state.json").write_text('{"half": ')  # anvil caught mid-write: retries
    out = tmp_path / "backup"
    code = "import sys; from pathlib import Path; from node.backup import backup_home; "
    code += "from node.config import Settings; backup_home(Settings(home=Path(sys.argv[1])), "
    code += "Path(sys.argv[2]))"
    proc = subprocess.Popen([sys.executable, "-c", code, str(home), str(out)])
    staging = tmp_path / f".backup.partial-{proc.pid}"
    try:
        while not (staging / "blobs" / "doc").exists():  # copying: the files are going in
            assert proc.poll() is None, "the backup ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert not out.exists() and staging.is_dir()

    (home / "chain" / "state.json").write_text('{"whole": true}')
    manifest = backup_home(Settings(home=home), out)

    assert json.loads((out / MANIFEST).read_text())["files"] == manifest["files"] >= 2
    assert (out / "blobs" / "doc").read_bytes() == b"a document"
    assert not staging.exists() and not list(tmp_path.glob(".backup.partial-*"))


def test_a_backup_that_fails_leaves_the_empty_directory_as_it_was(
    home: Path, tmp_path: Path
) -> None:
    from node.backup import backup_home
    from node.config import Settings
    from node.errors import ConfigError

    _database(home)
    (home / "chain").mkdir()
    (home / "chain" / "state.json").write_text("not json")
    out = tmp_path / "empty"
    out.mkdir()

    with pytest.raises(ConfigError, match="did not read as whole JSON"):
        backup_home(Settings(home=home), out)

    assert out.is_dir() and not any(out.iterdir())
    assert not list(tmp_path.glob(".*partial*"))


def _database(home: Path) -> None:
    from node.storage.db import Database

    home.mkdir(parents=True)
    db = Database(f"sqlite:///{home / 'cusdep.db'}")
    db.migrate()
    db.dispose()
