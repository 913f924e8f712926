"""The retention policy on a real home (SQLite): ``cusdep retention`` run as a subprocess CLI,
the REST API (ASGI) of a node on the same home. A finished document older than the period is
disposed of (dry run first), a held one and one with open work are kept, a purged one answers
410, a kill between the marking and the file removal is completed by the next apply, and the
trace shows the disposal."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from node.config import RetentionSettings
from node.retention.service import LOCK_NAME, RetentionService
from node.runtime import Node
from tests.aging import age_documents
from tests.integration.exchange.conftest import wait_for
from tests.unit.api.conftest import bearer, post_declaration
from tests.unit.api.fakes import declaration, scan

REPO = Path(__file__).resolve().parents[3]


def _config(home: Path, days: int) -> None:
    (home / "config.toml").write_text(
        '[node]\nid = "CN-SHA"\ncountry = "CN"\nname = "Shanghai Customs"\n'
        '[chain]\nrpc_url = "http://127.0.0.1:9"\n'
        f"[retention]\ndocuments_days = {days}\n",
        encoding="utf-8",
    )


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUSDEP_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "node", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _popen(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CUSDEP_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "node", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _sql(home: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "cusdep.db", timeout=30) as conn:
        return list(conn.execute(query, params))


def _age(home: Path, days: int) -> None:
    age_documents(home / "cusdep.db", days)


@pytest.fixture
def held_lock(home: Path) -> Iterator[Any]:
    """``home/retention.lock`` held as a backup holds it: file removal waits."""
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        yield lambda: fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _unpaired(number: str) -> dict[str, Any]:
    """A declaration naming no certificate: no check waits on it (its work is done)."""
    return {**json.loads(declaration("-")), "declaration_number": number, "certificate_numbers": []}


async def _documents(client: httpx.AsyncClient, tokens: dict[str, str]) -> dict[str, str]:
    officer = bearer(tokens["officer"])
    done = await post_declaration(client, tokens["officer"], _unpaired("CN-DEC-1"))
    kept = await post_declaration(client, tokens["officer"], _unpaired("CN-DEC-2"))
    r = await client.post(
        "/api/v1/documents/scans", content=scan(), headers={**officer, "Content-Type": "image/png"}
    )
    assert r.status_code == 202, r.text
    return {"done": done, "held": kept, "open": r.json()["sha256"]}


async def _anchored(node: Node, *shas: str) -> None:
    """Their anchoring done (as the running node's worker does it, on the in-memory chain)."""
    assert node.anchoring is not None
    infos = await node.anchoring.anchor_now(list(shas))
    assert all(i.tx_hash for i in infos)


async def test_retention_through_cli_and_rest(
    node: Node, client: httpx.AsyncClient, tokens: dict[str, str], home: Path, held_lock: Any
) -> None:
    _config(home, 365)
    docs = await _documents(client, tokens)
    admin, auditor = bearer(tokens["admin"]), bearer(tokens["auditor"])
    done, held, open_ = docs["done"], docs["held"], docs["open"]
    await _anchored(node, done, held)
    crop = home / "evidence" / done / "page-1.jpg"  # as a review of it would have left
    crop.parent.mkdir(parents=True)
    crop.write_bytes(b"jpeg")
    blob = node.blobs.path(done)

    # a legal hold: admin only, audited in the trace; twice is 409
    body = {"reason": "case 2026-17"}
    r = await client.post(f"/api/v1/documents/{held}/hold", json=body, headers=auditor)
    assert r.status_code == 403
    r = await client.post(f"/api/v1/documents/{held}/hold", json=body, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["held_by"] == "root"
    r = await client.post(f"/api/v1/documents/{held}/hold", json=body, headers=admin)
    assert r.status_code == 409

    _age(home, 400)
    dry = _cli(home, "retention", "apply", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    listed = json.loads(dry.stdout)
    assert [d["sha256"] for d in listed["documents"]] == [done]  # not the held, not the open
    assert listed["held"] == 1 and listed["disposed"] == 0
    assert blob.exists() and _sql(home, "SELECT count(*) FROM document_disposals") == [(0,)]

    # killed after the marking committed, before the files went (a backup held the lock)
    proc = _popen(home, "retention", "apply", "--json")
    try:
        wait_for(lambda: _sql(home, "SELECT count(*) FROM document_disposals") == [(1,)], 60)
        assert proc.poll() is None  # waiting on the lock, files not removed
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert blob.exists() and crop.exists()
    r = await client.get(f"/api/v1/documents/{done}/content", headers=auditor)
    assert r.status_code == 410
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"] == "cusdep.not_found.disposed"

    held_lock()  # the backup is done: the next apply completes the disposal
    again = _cli(home, "retention", "apply", "--json")
    assert again.returncode == 0, again.stderr
    out = json.loads(again.stdout)
    assert out["disposed"] == 0 and out["files_completed"] == 1
    assert not blob.exists() and not crop.parent.exists()
    assert node.blobs.path(held).exists() and node.blobs.path(open_).exists()
    r = await client.get(f"/api/v1/documents/{held}/content", headers=auditor)
    assert r.status_code == 200

    # still 410 (not 404, not 500) once the files are gone; the trace tells when and why
    r = await client.get(f"/api/v1/documents/{done}/content", headers=auditor)
    assert r.status_code == 410 and done in r.json()["detail"]
    r = await client.get(f"/api/v1/review/{done}/evidence/page-1.jpg", headers=auditor)
    assert r.status_code == 410  # its evidence went with it: gone, not "no such evidence"
    r = await client.get(f"/api/v1/trace/{done}", headers=auditor)
    assert r.status_code == 200, r.text
    disposed = [e for e in r.json()["events"] if e["kind"] == "disposed"]
    assert len(disposed) == 1  # the interrupted apply and its completion: one event
    assert disposed[0]["detail"]["documents_days"] == 365
    assert r.json()["document_sha256"] == done
    r = await client.get(f"/api/v1/documents/{done}", headers=auditor)
    assert r.status_code == 200 and r.json()["held"] is None  # the record stays
    assert r.json()["disposed"]["policy"]["documents_days"] == 365
    assert r.json()["disposed"]["files_removed"] is True
    r = await client.get(f"/api/v1/documents/{held}", headers=auditor)
    assert r.json()["held"]["reason"] == "case 2026-17" and r.json()["disposed"] is None

    # the CLI: a purged document cannot be held (exit 2, one line)
    cli = _cli(home, "retention", "hold", done, "--reason", "late")
    assert cli.returncode == 2 and len(cli.stderr.strip().splitlines()) == 1
    assert "disposed of" in cli.stderr

    # the hold lifted: the next apply disposes of it; its trace has held, released, disposed
    r = await client.post(f"/api/v1/documents/{held}/release", json=body, headers=admin)
    assert r.status_code == 200, r.text
    third = json.loads(_cli(home, "retention", "apply", "--json").stdout)
    assert [d["sha256"] for d in third["documents"]] == [held]
    r = await client.get(f"/api/v1/trace/{held}", headers=auditor)
    kinds = [e["kind"] for e in r.json()["events"]]
    assert kinds[-3:] == ["held", "released", "disposed"]
    assert _sql(home, "SELECT files_removed FROM document_disposals WHERE sha256 = ?", held) == [
        (1,)
    ]


async def test_off_by_default_nothing_goes(node: Node, home: Path, tokens: dict[str, str]) -> None:
    service = RetentionService(
        node.db, node.blobs, home=home, settings=RetentionSettings(), actor="CN-SHA"
    )
    sha = node.blobs.put(b"a document")
    from node.storage.documents import add_document

    with node.db.session() as session:
        add_document(session, sha)
    _age(home, 100_000)
    out = service.apply()
    assert out["enabled"] is False and out["disposed"] == 0
    assert node.blobs.path(sha).exists()


async def test_release_of_a_document_not_held_is_409(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    sha = await post_declaration(client, tokens["officer"], _unpaired("CN-DEC-9"))
    admin = bearer(tokens["admin"])
    r = await client.post(f"/api/v1/documents/{sha}/release", json={"reason": "x"}, headers=admin)
    assert r.status_code == 409
    r = await client.post(f"/api/v1/documents/{'0' * 64}/hold", json={"reason": "x"}, headers=admin)
    assert r.status_code == 404
    r = await client.post(f"/api/v1/documents/{sha}/hold", json={"reason": " "}, headers=admin)
    assert r.status_code == 422


async def test_envelope_payloads_of_a_disposed_document_are_stripped(
    node: Node, home: Path
) -> None:
    from node.exchange._pb import documents_pb2 as docs
    from node.exchange._pb import envelope_pb2 as pb
    from node.exchange.store import restore_blobs
    from node.exchange.tables import OutboxRow
    from node.storage.documents import add_document

    sha = node.blobs.put(b"certificate bytes")
    payload = docs.Document(original=b"certificate bytes").SerializeToString()
    env = pb.SignedEnvelope(payload=payload, signature=b"s" * 64)
    env.header.message_id = "0" * 36
    with node.db.session() as session:
        add_document(session, sha)
        session.add(
            OutboxRow(
                message_id="m-1", peer="AU-SYD", kind="certificate", document_sha256=sha,
                digest="ab", envelope=env.SerializeToString(), state="delivered", stored=True,
            )
        )  # fmt: skip
    _age(home, 30)
    service = RetentionService(
        node.db, node.blobs, home=home, settings=RetentionSettings(documents_days=7), actor="X"
    )
    assert service.apply()["disposed"] == 1
    (raw,) = _sql(home, "SELECT envelope FROM exchange_outbox WHERE message_id = 'm-1'")[0]
    kept = pb.SignedEnvelope.FromString(raw)
    assert kept.payload == b"" and kept.signature == b"s" * 64
    assert kept.header.message_id == "0" * 36
    assert not node.blobs.path(sha).exists()
    # a node starting restores blobs missing on disk from their envelopes: not these
    with node.db.session() as session:
        assert restore_blobs(session, node.blobs) == 0
    assert not node.blobs.path(sha).exists()


def _dispose(node: Node, home: Path) -> dict[str, Any]:
    """Every document aged past a 7-day policy, applied now."""
    _age(home, 30)
    service = RetentionService(
        node.db, node.blobs, home=home, settings=RetentionSettings(documents_days=7), actor="X"
    )
    return service.apply()


async def _declared_against_the_paper(node: Node) -> tuple[str, str]:
    """A paper accepted by an officer, a declaration naming it checked and decided, both
    anchored: their work done. (paper, declaration)."""
    from tests.unit.api.fakes import labelled_scan

    review = node.extras["review"]
    paper = review.submit_scan(labelled_scan("genuine"), actor="clerk")["sha256"]
    await review.process_pending()
    review.decide(paper, "accept", "seal checked by hand", "CN-O1")
    data = declaration("AU-2026-genuine")
    decl = review.intake.submit_electronic(data, kind="declaration", actor="clerk")["sha256"]
    await review.process_pending()
    [check] = review.matches.of_declaration(decl)
    if check["state"] != "consistent":
        review.matches.decide(decl, "AU-2026-genuine", "clear", "checked by hand", "CN-O1")
    assert node.anchoring is not None
    await node.anchoring.run_once(force=True)
    return paper, decl


async def test_a_disposed_declaration_checked_again_goes_to_an_officer_saying_so(
    node: Node, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A check queued again after the declaration was disposed of (here reopened, as a
    revocation or replacement of its certificate reopens it): the worker raised ``Disposed``
    on its bytes, logged as a fault of the node's."""
    from node.review.pairs import recheck

    paper, decl = await _declared_against_the_paper(node)
    assert decl in {d["sha256"] for d in _dispose(node, home)["documents"]}
    review = node.extras["review"]
    [before] = review.matches.of_declaration(decl)
    with node.db.session() as session:
        assert recheck(session, before["certificate_number"], reopen=True) == 1
    assert review.matches.process_pending() == 1
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []  # not a fault of ours
    [check] = review.matches.of_declaration(decl)
    assert check["state"] == "review"
    why = " ".join(check["result"]["reasons"]) if "result" in check else json.dumps(check)
    assert "disposed of" in why and "retention policy" in why and decl in why
    assert review.matches.process_pending() == 0  # settled: no loop


async def test_a_declaration_against_a_disposed_issuers_copy_goes_to_an_officer_saying_so(
    node: Node, home: Path
) -> None:
    """The issuer's copy disposed of, a declaration naming it came: the copy was skipped as
    absent, the check left ``waiting`` for a certificate "not on this node yet", and the
    sweep queued it again every round (the copy's row is there)."""
    from tests.unit.api.fakes import add_partner, receive_copy

    add_partner(node, "AU-SYD", "AU")
    copy = receive_copy(node, "AU-2026-genuine")
    assert node.anchoring is not None
    await node.anchoring.run_once(force=True)
    assert [d["sha256"] for d in _dispose(node, home)["documents"]] == [copy]
    review = node.extras["review"]
    data = declaration("AU-2026-genuine")
    decl = review.intake.submit_electronic(data, kind="declaration", actor="clerk")["sha256"]
    await review.process_pending()
    [check] = review.matches.of_declaration(decl)
    assert check["state"] == "review"
    why = json.dumps(check)
    assert "disposed of" in why and "retention policy" in why and copy in why
    assert review.matches.requeue_found() == 0  # settled: not queued again and again


async def test_the_review_of_a_disposed_paper_says_when_and_under_which_policy(
    node: Node, home: Path, client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    """The officer's screen asked for the page images and evidence of a disposed paper (410s,
    broken images): the review API now carries ``disposed`` and review.js shows a notice."""
    paper, _decl = await _declared_against_the_paper(node)
    assert paper in {d["sha256"] for d in _dispose(node, home)["documents"]}
    auditor = bearer(tokens["auditor"])
    r = await client.get(f"/api/v1/review/{paper}", headers=auditor)
    assert r.status_code == 200, r.text
    gone = r.json()["disposed"]
    assert gone["policy"]["documents_days"] == 7 and gone["files_removed"] is True
    assert gone["disposed_at"]
    js = (REPO / "node" / "ui" / "static" / "review.js").read_text(encoding="utf-8")
    assert "if (review.disposed)" in js and "pages: [], evidence: {}" in js


async def test_a_paper_arriving_after_its_declaration_was_disposed_of_is_reviewed(
    node: Node, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A second paper of the number: the newest declaration naming it was the disposed one,
    its bytes raised ``Disposed`` in the review ("the machine review failed", a traceback)."""
    from tests.unit.api.fakes import labelled_scan

    _paper, decl = await _declared_against_the_paper(node)
    assert decl in {d["sha256"] for d in _dispose(node, home)["documents"]}
    review = node.extras["review"]
    again = review.submit_scan(labelled_scan("genuine, presented again"), actor="clerk")
    await review.process_pending()
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    out = review.get(again["sha256"])
    assert out["state"] == "review" and out["declaration_sha256"] is None
    assert not any("failed" in r for r in out["result"]["reasons"]), out["result"]["reasons"]


async def test_a_paper_whose_issuers_copy_was_disposed_of_is_left_to_an_officer_saying_so(
    node: Node, home: Path
) -> None:
    """The issuer's copy disposed of: the paper was reviewed as if the issuer had sent none,
    the officer not told there was one to compare it with."""
    from tests.unit.api.fakes import add_partner, labelled_scan, receive_copy

    add_partner(node, "AU-SYD", "AU")
    copy = receive_copy(node, "AU-2026-genuine")
    assert node.anchoring is not None
    await node.anchoring.run_once(force=True)
    assert [d["sha256"] for d in _dispose(node, home)["documents"]] == [copy]
    review = node.extras["review"]
    sha = review.submit_scan(labelled_scan("genuine"), actor="clerk")["sha256"]
    await review.process_pending()
    out = review.get(sha)
    assert out["state"] == "review"
    why = " ".join(out["result"]["reasons"])
    assert copy in why and "disposed of" in why and "retention policy" in why


async def test_a_partners_document_not_routed_yet_is_kept(node: Node, home: Path) -> None:
    """A partner's certificate stored but not yet routed (``received``: a node stopped longer
    than the period, ``cusdep retention apply`` run meanwhile) was disposed of: the router
    then skipped it for want of bytes every round, and its page filled with such rows."""
    from node.inbound import InboundRouter
    from tests.unit.api.fakes import add_partner

    add_partner(node, "AU-SYD", "AU")
    data = b'{"doc_type": "certificate", "certificate_number": "AU-1", "issuing_country": "AU"}'
    sha = node.blobs.put(data)
    from node.storage.documents import add_document

    with node.db.session() as session:
        add_document(session, sha, kind="certificate", size=len(data), source="AU-SYD")
    assert _dispose(node, home)["documents"] == []
    assert InboundRouter(node.db, node.blobs, None, actor="CN-SHA").route_pending() == 1
    assert node.blobs.path(sha).exists()
