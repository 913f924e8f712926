"""Why the retention policy keeps a document past its period (``node.retention.kept``): each
reason named and counted (``apply``'s ``kept``), the documents listed oldest first with their
reasons (``RetentionService.kept``, ``GET /api/v1/retention/kept``), and the work that can
never finish keeping nothing. Before, nothing said what stayed or why, and a partner's
revocation or review outcome naming a document (an inbox row never ``stored``: it carries no
bytes) kept that document for ever."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from node.anchoring.tables import AnchorLeafRow
from node.config import RetentionSettings
from node.errors import InputError
from node.exchange.tables import InboxRow, OutboxRow
from node.registry.tables import RegistryRecordRow
from node.retention.kept import REASONS
from node.retention.service import RetentionService
from node.retention.tables import HoldRow
from node.review.tables import DeclarationMatchRow, ReviewRow
from node.runtime import Node
from node.storage.documents import add_document
from tests.aging import age_documents
from tests.query_plans import plans, statements
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import scan

_NOW = dt.datetime.now(dt.UTC)


def _service(node: Node, home: Path) -> RetentionService:
    return RetentionService(
        node.db, node.blobs, home=home, settings=RetentionSettings(documents_days=7), actor="X"
    )


def _doc(node: Node, name: str, days_old: int, **row: Any) -> str:
    sha = node.blobs.put(name.encode())
    with node.db.session() as session:
        add_document(session, sha, **row)
    with sqlite3.connect(node.db.engine.url.database or "", timeout=30) as conn:
        conn.execute(
            "UPDATE documents SET created_at = datetime('now', ?) WHERE sha256 = ?",
            (f"-{days_old} days", sha),
        )
    return sha


def _message(table: type, sha: str, n: int, **row: Any) -> Any:
    common = {"message_id": f"m-{n}", "peer": "AU-SYD", "document_sha256": sha, "digest": "ab"}
    if table is InboxRow:
        return InboxRow(**common, envelope=b"", receipt=b"", **row)
    return OutboxRow(**common, envelope=b"", **row)


def _work(node: Node) -> tuple[dict[str, str], list[str]]:
    """One document past the period kept for each reason (the oldest first, in ``REASONS``
    order), and those whose work is done or can never be (which go)."""
    kept = {r: _doc(node, f"kept {r}", 100 - i) for i, r in enumerate(REASONS) if r != "not_routed"}
    kept["not_routed"] = _doc(
        node, "kept not_routed", 100 - len(REASONS), kind="certificate", source="AU-SYD"
    )
    goes = {
        name: _doc(node, f"goes {name}", 50)
        for name in (
            "revocation_received", "outcome_received", "revocation_pending", "expired",
            "rejected", "decided", "anchored", "consistent",
        )
    }  # fmt: skip
    paper = _doc(node, "a paper naming the declaration", 1)  # not past the period
    failed_at = "the machine review failed: no such file"
    rows = [
        HoldRow(sha256=kept["held"], held_by="court", reason="case 7"),
        RegistryRecordRow(kind="seal", registrar="CN", record_id="S1", sha256=kept["specimen"]),
        AnchorLeafRow(sha256=kept["anchoring_pending"], leaf="0x1", state="batched"),
        ReviewRow(sha256=kept["review_pending"], state="pending"),
        ReviewRow(sha256=kept["review_failed"], state="review", error=failed_at),
        ReviewRow(sha256=kept["review_open"], state="reject"),
        ReviewRow(sha256=paper, state="review", declaration_sha256=kept["declaration_review"]),
        DeclarationMatchRow(
            declaration_sha256=kept["check_waiting"], certificate_number="K1", state="waiting"
        ),
        DeclarationMatchRow(
            declaration_sha256="d" * 64,
            certificate_number="K2",
            certificate_sha256=kept["check_open"],
            state="inconsistent",
        ),
        _message(OutboxRow, kept["outbox_undelivered"], 1, kind="certificate", stored=True),
        _message(InboxRow, kept["not_stored"], 2, kind="declaration", stored=False),
        # work that is done, or can never be done: keeps nothing
        _message(InboxRow, goes["revocation_received"], 3, kind="revocation", state="applied"),
        _message(InboxRow, goes["outcome_received"], 4, kind="review_outcome", state="applied"),
        _message(OutboxRow, goes["revocation_pending"], 5, kind="revocation", stored=True),
        _message(OutboxRow, goes["expired"], 6, kind="certificate", state="expired", stored=True),
        _message(OutboxRow, goes["rejected"], 7, kind="certificate", state="rejected", stored=True),
        ReviewRow(sha256=goes["decided"], state="decided", error=failed_at),
        AnchorLeafRow(sha256=goes["anchored"], leaf="0x2", state="anchored"),
        DeclarationMatchRow(
            declaration_sha256=goes["consistent"], certificate_number="K3", state="consistent"
        ),
    ]
    with node.db.session() as session:
        session.add_all(rows)
    return kept, sorted(goes.values())


async def test_each_reason_is_named_counted_and_listed(node: Node, home: Path) -> None:
    kept, goes = _work(node)
    service = _service(node, home)
    dry = service.apply(dry_run=True)
    assert sorted(d["sha256"] for d in dry["documents"]) == goes
    assert dry["kept"] == {"documents": len(REASONS), "reasons": dict.fromkeys(REASONS, 1)}

    listed = service.kept()
    assert [(d["sha256"], d["reasons"]) for d in listed] == [(kept[r], [r]) for r in REASONS]
    assert listed[0]["arrived"] < listed[1]["arrived"]  # oldest first
    assert [d["sha256"] for d in service.kept("review_failed")] == [kept["review_failed"]]
    assert [d["sha256"] for d in service.kept("check_open")] == [kept["check_open"]]
    assert [d["sha256"] for d in service.kept(limit=2, offset=1)] == [
        kept["specimen"],
        kept["anchoring_pending"],
    ]
    with pytest.raises(InputError, match="unknown reason 'stuck'"):
        service.kept("stuck")
    with pytest.raises(InputError):
        service.kept(limit=0)

    out = service.apply()  # disposes of what goes; what stays is counted after the run
    assert sorted(d["sha256"] for d in out["documents"]) == goes
    assert out["kept"]["documents"] == len(REASONS)
    assert all(not node.blobs.path(s).exists() for s in goes)
    assert all(node.blobs.path(s).exists() for s in kept.values())
    # a hold on a document with open work: both reasons, counted under each
    service.hold(kept["review_open"], "court", "case 8")
    both = service.kept("held")
    assert [(d["sha256"], d["reasons"]) for d in both] == [
        (kept["held"], ["held"]),
        (kept["review_open"], ["held", "review_open"]),
    ]
    counts = service.apply(dry_run=True)["kept"]
    assert counts["documents"] == len(REASONS) and counts["reasons"]["held"] == 2


async def test_the_policy_off_keeps_nothing_past_a_cutoff(node: Node, home: Path) -> None:
    _doc(node, "old", 1000)
    service = RetentionService(
        node.db, node.blobs, home=home, settings=RetentionSettings(), actor="X"
    )
    assert service.apply(dry_run=True)["kept"] == {
        "documents": 0,
        "reasons": dict.fromkeys(REASONS, 0),
    }
    assert service.kept() == []


async def test_a_review_the_machine_could_not_run_is_kept_as_review_failed(
    node: Node, home: Path
) -> None:
    """The machine review raised (its bytes missing here): the paper waits for an officer
    like any other (``review``), with why in ``error``; retention names it ``review_failed``
    until the officer decides."""
    review = node.extras["review"]
    sha = review.submit_scan(scan(), actor="clerk")["sha256"]
    node.blobs.path(sha).unlink()
    await review.process_pending()
    assert review.get(sha)["state"] == "review"
    assert "the machine review failed" in (review.get(sha)["error"] or "")
    age_documents(node.db.engine.url.database or "", 30)
    service = _service(node, home)
    assert [(d["sha256"], d["reasons"]) for d in service.kept()] == [(sha, ["review_failed"])]
    review.decide(sha, "reject", "unreadable, asked for the original", "CN-O1")
    assert service.kept() == []
    assert [d["sha256"] for d in service.apply(dry_run=True)["documents"]] == [sha]


async def test_kept_reads_through_indexes(node: Node, home: Path) -> None:
    """Each document past the period asked whether a review names it as the declaration, or
    whether it is a specimen: with neither column indexed (before migration 0016) each
    question read the whole table (a home of 50,000 documents and reviews did not finish a
    dry run in five minutes; 2 s with the indexes)."""
    _work(node)
    service = _service(node, home)
    with statements(node.db.engine) as seen:
        service.apply(dry_run=True)
        service.kept()
        service.kept("declaration_review")
    steps = plans(node.db.engine, seen, lambda s: "FROM documents" in s)
    assert len(steps) >= 4
    scans = [
        f"{step}: {statement[:120]}"
        for statement, plan in steps
        for step in plan
        if step.startswith("SCAN") and not step.startswith("SCAN documents")
    ]
    assert scans == []


async def test_rest_lists_what_is_kept_for_admins(
    node: Node, home: Path, client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    kept, _goes = _work(node)
    admin = bearer(tokens["admin"])
    r = await client.get("/api/v1/retention/kept", headers=admin)
    assert r.status_code == 200 and r.json() == []  # the node's policy is off
    node.extras["retention"].settings = RetentionSettings(documents_days=7)
    r = await client.get("/api/v1/retention/kept?reason=outbox_undelivered", headers=admin)
    assert r.status_code == 200, r.text
    assert [(d["sha256"], d["reasons"]) for d in r.json()] == [
        (kept["outbox_undelivered"], ["outbox_undelivered"])
    ]
    r = await client.get("/api/v1/retention/kept?limit=3", headers=admin)
    assert [d["sha256"] for d in r.json()] == [kept[n] for n in REASONS[:3]]
    r = await client.get("/api/v1/retention/kept?reason=stuck", headers=admin)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "unknown reason" in r.json()["detail"]
    r = await client.get("/api/v1/retention/kept", headers=bearer(tokens["auditor"]))
    assert r.status_code == 403
    r = await client.get("/api/v1/retention/kept")
    assert r.status_code == 401
