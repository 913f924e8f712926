"""One document arriving twice at once in one home (two API requests, the API and a `cusdep
anchor`, a partner's copy and an officer's upload): one ``documents`` row, one ``received``
event, and neither arrival fails. Each "process" is its own ``Database`` on one SQLite file;
the rival commits between what the first read and what it writes (``tests.races``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import select

from node.documents import _record_local
from node.inbound import InboundRouter
from node.review.intake import Intake
from node.review.tables import DeclarationCertificateRow, DeclarationIndexRow, ReviewRow
from node.storage.blobs import BlobStore
from node.storage.core import DocumentEventRow, DocumentRow
from node.storage.db import Database
from tests.races import rival_before_write
from tests.unit.api.fakes import declaration, png


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    Database(url).migrate()
    return url


def _intake(url: str, tmp_path: Path) -> Intake:
    return Intake(Database(url), BlobStore(tmp_path / "blobs"), None)


def _rows(db: Database, sha: str) -> tuple[int, list[str]]:
    with db.session() as session:
        docs = len(session.exec(select(DocumentRow).where(DocumentRow.sha256 == sha)).all())
        kinds = session.exec(select(DocumentEventRow.kind).where(DocumentEventRow.sha256 == sha))
        return docs, sorted(kinds)


def test_a_declaration_submitted_twice_at_once_is_recorded_once(url, tmp_path) -> None:
    first, second = _intake(url, tmp_path), _intake(url, tmp_path)
    data = declaration("AU-2026-000123")
    other = rival_before_write(
        first.db, None, lambda: second.submit_electronic(data, kind="declaration", actor="b")
    )

    mine = first.submit_electronic(data, kind="declaration", actor="a")

    assert other and other[0]["created"] is True and mine["created"] is False
    assert mine["state"] == other[0]["state"] == "accepted"
    assert _rows(first.db, mine["sha256"]) == (1, ["received", "verified"])
    with first.db.session() as session:
        assert len(session.exec(select(DeclarationIndexRow)).all()) == 1
        keys = session.exec(select(DeclarationCertificateRow.certificate_key)).all()
        assert keys == ["AU2026000123"]  # written by the one that indexed it, once


def test_a_scan_submitted_twice_at_once_is_queued_for_review_once(url, tmp_path) -> None:
    first, second = _intake(url, tmp_path), _intake(url, tmp_path)
    data = png("navy", (120, 160))
    other = rival_before_write(first.db, None, lambda: second.submit_scan(data, actor="officer-b"))

    mine = first.submit_scan(data, actor="officer-a")

    assert [other[0]["created"], mine["created"]] == [True, False]
    assert _rows(first.db, mine["sha256"]) == (1, ["received"])
    with first.db.session() as session:
        [review] = session.exec(select(ReviewRow)).all()
    assert (review.state, review.submitted_by) == ("pending", "officer-b")


def test_two_anchor_commands_of_one_file_at_once_record_it_once(url, tmp_path) -> None:
    nodes = [
        SimpleNamespace(db=Database(url), blobs=BlobStore(tmp_path / "blobs"), node_id="CN-SHA")
        for _ in range(2)
    ]
    items = [("cert.pdf", b"%PDF-1.7 one certificate")]
    other = rival_before_write(nodes[0].db, None, lambda: _record_local(nodes[1], items))

    mine = _record_local(nodes[0], items)  # type: ignore[arg-type]

    sha = hashlib.sha256(items[0][1]).hexdigest()
    assert mine == other[0] == [sha]
    assert _rows(nodes[0].db, sha) == (1, ["received"])


def test_an_officer_uploading_a_scan_a_partner_sent_while_it_is_routed_gets_one_review(
    url, tmp_path
) -> None:
    upload = _intake(url, tmp_path)
    data = png("teal", (120, 160))
    sha = upload.blobs.put(data)
    router = InboundRouter(Database(url), upload.blobs, None, actor="CN-SHA")
    with router.db.session() as session:
        session.add(DocumentRow(sha256=sha, kind="certificate", source="AU-CAN"))
    routed = rival_before_write(upload.db, None, router.route_pending)

    mine = upload.submit_scan(data, actor="officer")

    assert routed == [1] and mine["created"] is False
    with router.db.session() as session:
        [review] = session.exec(select(ReviewRow)).all()
        assert session.get(DocumentRow, sha).state == "in_review"  # type: ignore[union-attr]
    assert (review.state, review.submitted_by) == ("pending", "AU-CAN")


@pytest.mark.parametrize("how", ["put", "stash_blob"])
def test_threads_storing_the_same_bytes_at_once_all_store_them(tmp_path, how) -> None:
    # two identical uploads to one node's REST API (two threads) wrote and moved one temp file:
    # the request whose file the other had moved away answered 500 (FileNotFoundError)
    import os
    import threading

    from node.exchange.store import stash_blob

    blobs = BlobStore(tmp_path / "blobs")
    errors: list[BaseException] = []
    for round_ in range(20):
        data = os.urandom(256 * 1024) + bytes([round_])
        sha = hashlib.sha256(data).hexdigest()
        start = threading.Barrier(6)

        def store(data: bytes = data, sha: str = sha, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                blobs.put(data) if how == "put" else stash_blob(blobs, sha, data)
            except BaseException as err:  # the assertion below names it
                errors.append(err)

        threads = [threading.Thread(target=store) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert blobs.get(sha) == data
    assert errors == []
