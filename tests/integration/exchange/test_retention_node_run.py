"""``cusdep node run`` applies the retention policy periodically when it is configured, and a
node killed between marking a disposal and removing its files completes it when it restarts.
(A real node process on a real home; the file removal waits while ``retention.lock`` is held,
as it waits for a backup, which is how the kill lands between the two steps.)"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from node.config import load_settings, write_settings
from node.retention.service import LOCK_NAME
from node.storage.blobs import BlobStore
from node.storage.db import Database
from node.storage.documents import add_document
from tests.aging import age_documents
from tests.integration.exchange.conftest import NodeHome, wait_for


def _old_document(node: NodeHome, data: bytes) -> Path:
    """A document with no work left (nothing to anchor, review or deliver), 30 days old."""
    settings = load_settings(node.home)
    db = Database(settings.database_url)
    db.migrate()
    blobs = BlobStore(node.home / "blobs")
    sha = blobs.put(data)
    with db.session() as session:
        add_document(session, sha, size=len(data))
    db.engine.dispose()
    age_documents(node.home / "cusdep.db", 30)
    return blobs.path(sha)


def _configure(node: NodeHome, days: int) -> None:
    settings = load_settings(node.home)
    settings.retention = settings.retention.model_copy(
        update={"documents_days": days, "interval_seconds": 0.2}
    )
    write_settings(settings)


def test_node_run_disposes_periodically_and_completes_after_a_kill(node_factory) -> None:
    node = node_factory("CN-SHA")
    first = _old_document(node, b"first document")
    _configure(node, 7)
    fd = os.open(node.home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # as a backup holds it: the files wait
        node.start()
        wait_for(lambda: node.sql("SELECT count(*) FROM document_disposals") == [(1,)])
        node.kill9()
        assert first.exists()
        assert node.sql("SELECT files_removed FROM document_disposals") == [(0,)]
        node.start()  # the backup still running: the node neither waits for it nor removes
        assert node.stop() == 0  # and a stop is not held up by it
        assert first.exists()
    finally:
        os.close(fd)  # the lock goes with its descriptor
    node.start()  # completes the disposal the killed node marked
    wait_for(lambda: not first.exists())
    wait_for(lambda: node.sql("SELECT files_removed FROM document_disposals") == [(1,)])
    # a document that ages past the period later goes at a later interval
    second = _old_document(node, b"second document")
    wait_for(lambda: not second.exists())
    kinds = node.sql("SELECT kind, count(*) FROM document_events GROUP BY kind")
    assert ("disposed", 2) in kinds  # one per document, none twice
    assert node.stop() == 0
    events = json.loads(node.cli("trace", first.name, "--json").stdout)["events"]
    assert [e["kind"] for e in events] == ["disposed"]
    assert events[0]["detail"]["documents_days"] == 7


def test_off_by_default_node_run_keeps_everything(node_factory) -> None:
    node = node_factory("CN-SHA")
    doc = _old_document(node, b"kept for ever")
    node.start()
    kept = node.cli("retention", "apply", "--dry-run", "--json")
    assert '"enabled": false' in kept.stdout
    assert node.sql("SELECT count(*) FROM document_disposals") == [(0,)]
    assert doc.exists()
    assert node.stop() == 0


def test_a_backup_of_a_half_done_disposal_restores_consistent(node_factory, tmp_path) -> None:
    """Killed after the marking, before the files went; backed up then; restored: the restored
    node knows the bytes are disposed of and its next apply removes the files it copied."""
    import shutil
    import subprocess
    import sys

    node = node_factory("CN-SHA")
    doc = _old_document(node, b"disposed, half way")
    _configure(node, 7)
    fd = os.open(node.home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        proc = subprocess.Popen(
            [sys.executable, "-m", "node", "--home", str(node.home), "retention", "apply"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=node._env(),
        )
        try:
            wait_for(lambda: node.sql("SELECT count(*) FROM document_disposals") == [(1,)])
        finally:
            proc.kill()
            proc.wait(timeout=30)
        backup = tmp_path / "backup"
        node.cli("node", "backup", "--out", str(backup))  # shares the lock with the "backup"
    finally:
        os.close(fd)
    restored_home = tmp_path / "restored"
    shutil.copytree(backup, restored_home)
    (restored_home / "backup.json").unlink()
    restored = NodeHome(restored_home, node.node_id, node.grpc_port)
    copied = restored_home / doc.relative_to(node.home)
    assert copied.exists()
    assert restored.sql("SELECT files_removed FROM document_disposals") == [(0,)]
    out = json.loads(restored.cli("retention", "apply", "--json").stdout)
    assert out["files_completed"] == 1 and out["disposed"] == 0
    assert not copied.exists()
    refused = restored.cli("retention", "hold", doc.name, "--reason", "audit", check=False)
    assert refused.returncode == 2 and "disposed of" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
