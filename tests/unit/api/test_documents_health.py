"""Electronic documents, reads, health/readiness, metrics, exchange routes, OpenAPI shape."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Iterator

from node.errors import ChainUnavailable
from tests.unit.api.conftest import bearer

CERT = {
    "doc_type": "certificate",
    "certificate_number": "AU-2026-000123",
    "issuing_country": "AU",
    "issue_date": "2026-03-12",
    "consignor_name": "Orchard",
    "origin_country": "AU",
    "commodity": "Apples",
    "net_weight_kg": 1200,
}
JSON = {"Content-Type": "application/json"}


@contextlib.contextmanager
def _database_held(node, statement: str, undo: str) -> Iterator[None]:
    """Another process's connection to the node's database runs ``statement`` (a write lock,
    a table taken away) until the block ends, then ``undo``."""
    other = sqlite3.connect(node.settings.home / "cusdep.db", isolation_level=None)
    other.execute(statement)
    try:
        yield
    finally:
        other.execute(undo)
        other.close()


async def test_electronic_certificate_is_recorded_and_anchored(node, client, tokens) -> None:
    r = await client.post(
        "/api/v1/documents/certificates",
        content=json.dumps(CERT),
        headers={**bearer(tokens["agency_au"]), **JSON},
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["kind"], doc["format"], doc["state"]) == ("certificate", "cusdep-json", "accepted")
    assert node.anchoring.state(doc["sha256"]) == "pending"
    await node.anchoring.run_once(force=True)
    t = await client.get(f"/api/v1/trace/{doc['sha256']}", headers=bearer(tokens["auditor"]))
    assert [e["kind"] for e in t.json()["events"]] == ["received", "verified", "anchored"]
    assert t.json()["verified_on_chain"] is True
    got = await client.get(f"/api/v1/documents/{doc['sha256']}", headers=bearer(tokens["officer"]))
    assert got.json() == doc
    raw = await client.get(
        f"/api/v1/documents/{doc['sha256']}/content", headers=bearer(tokens["officer"])
    )
    assert json.loads(raw.content) == CERT
    listed = await client.get("/api/v1/documents?kind=certificate", headers=bearer(tokens["admin"]))
    assert [d["sha256"] for d in listed.json()] == [doc["sha256"]]
    again = await client.post(  # the same bytes again: stored already (200), nothing new
        "/api/v1/documents/certificates",
        content=json.dumps(CERT),
        headers={**bearer(tokens["agency_au"]), **JSON},
    )
    assert again.status_code == 200 and again.json() == doc


async def test_agency_cannot_submit_another_countrys_certificate(client, tokens) -> None:
    r = await client.post(
        "/api/v1/documents/certificates",
        content=json.dumps(CERT),
        headers={**bearer(tokens["agency_nz"]), **JSON},
    )
    assert r.status_code == 403


async def test_bad_documents_are_4xx_problems(client, tokens) -> None:
    h = {**bearer(tokens["officer"]), **JSON}
    empty = await client.post("/api/v1/documents/certificates", content=b"", headers=h)
    assert empty.status_code == 400
    junk = await client.post("/api/v1/documents/certificates", content=b"{nope", headers=h)
    assert junk.status_code == 400 and junk.headers["content-type"] == "application/problem+json"
    wrong = await client.post("/api/v1/documents/declarations", content=json.dumps(CERT), headers=h)
    assert wrong.status_code == 400 and "not a declaration" in wrong.json()["detail"]
    # the same reading as `cusdep verify --declaration`: a value of the wrong type is named
    negative = {"declaration_number": "D9", "net_weight_kg": -5}
    r = await client.post("/api/v1/documents/declarations", content=json.dumps(negative), headers=h)
    assert r.status_code == 400 and "net_weight_kg" in r.json()["detail"], r.text
    assert "got -5" in r.json()["detail"]
    fmt = await client.post(
        "/api/v1/documents/certificates",
        params={"format": "nope"},
        content=json.dumps(CERT),
        headers=h,
    )
    assert fmt.status_code == 400 and "known formats" in fmt.json()["detail"]
    missing = await client.get("/api/v1/documents/" + "b" * 64, headers=h)
    assert missing.status_code == 404
    reader = await client.post(
        "/api/v1/documents/scans", content=b"x", headers=bearer(tokens["auditor"])
    )
    assert reader.status_code == 403


async def test_health_ready_and_metrics(node, client, tokens, monkeypatch) -> None:
    live = await client.get("/health/live")
    assert live.json() == {"status": "ok", "checks": {}}
    ready = await client.get("/health/ready")
    body = ready.json()
    assert ready.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "disk", "chain", "partners"}
    assert body["checks"]["partners"]["partners"] == 0

    async def down(leaf: str) -> bool:
        raise ChainUnavailable("connection refused")

    monkeypatch.setattr(node.anchoring.chain, "is_revoked", down)
    down = await client.get("/health/ready")
    assert down.status_code == 503 and down.json()["checks"]["chain"]["ok"] is False
    await client.get("/api/v1/registry", headers=bearer(tokens["auditor"]))
    metrics = (await client.get("/metrics")).text
    assert (
        'cusdep_http_requests_total{method="GET",route="/api/v1/registry",status="200"} 1.0'
        in metrics
    )
    assert "cusdep_anchor_pending 0.0" in metrics


async def test_a_database_another_process_holds_for_writing_is_not_ready(node, client) -> None:
    """Reads pass under SQLite's write lock (WAL), so a SELECT said ready while nothing could
    be written."""
    with _database_held(node, "BEGIN IMMEDIATE", "ROLLBACK"):
        locked = await client.get("/health/ready")
    database = locked.json()["checks"]["database"]
    assert locked.status_code == 503 and database["ok"] is False
    assert "database is locked" in database["error"]
    assert (await client.get("/health/ready")).status_code == 200


async def test_a_disk_without_room_for_one_more_document_is_not_ready(node, client) -> None:
    free = shutil.disk_usage(node.settings.home).free
    node.settings.verification.max_bytes = free * 2  # as if the disk had filled up
    full = await client.get("/health/ready")
    disk = full.json()["checks"]["disk"]
    assert full.status_code == 503 and disk["ok"] is False and "under one largest" in disk["error"]
    node.settings.verification.max_bytes = 1024
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["checks"]["disk"]["free_bytes"] > 0


async def test_an_unreachable_partner_is_reported_not_made_unready(node, client) -> None:
    """A partner down left readiness and metrics silent while its messages piled up."""
    from node.exchange.tables import OutboxRow

    with node.db.session() as session:
        for i in range(2):
            session.add(
                OutboxRow(
                    message_id=f"m{i}",
                    peer="AU-CBR",
                    kind="certificate",
                    digest="00",
                    envelope=b"x",
                    attempts=3 + i,
                    error="failed to connect to all addresses",
                    created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                )
            )
    ready = await client.get("/health/ready")
    partners = ready.json()["checks"]["partners"]
    assert ready.status_code == 200 and partners["ok"] is True
    waiting = partners["undelivered"]["AU-CBR"]
    assert waiting["pending"] == 2 and waiting["attempts"] == 4
    assert waiting["error"] == "failed to connect to all addresses"
    assert waiting["oldest_seconds"] > 86400
    metrics = (await client.get("/metrics")).text
    assert 'cusdep_outbox_pending{peer="AU-CBR"} 2.0' in metrics
    assert "cusdep_home_free_bytes " in metrics


async def test_exchange_routes(node, client, tokens) -> None:
    h = bearer(tokens["auditor"])
    assert (await client.get("/api/v1/partners", headers=h)).json() == []
    assert (await client.get("/api/v1/messages", headers=h)).json() == []
    assert (await client.get("/api/v1/messages/nope", headers=h)).status_code == 404
    send = await client.post(
        "/api/v1/messages",
        json={"to": "AU-SYD", "document_sha256": "c" * 64},
        headers=bearer(tokens["officer"]),
    )
    assert send.status_code == 404  # no such stored document


async def test_openapi_operation_ids_and_ui_pages(client) -> None:
    spec = (await client.get("/openapi.json")).json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "documents-submit_scan",
        "review-decide",
        "registry-add_seal",
        "trace-get_trace",
        "exchange-messages",
        "health-ready",
        "health-metrics",
    } <= ids
    assert "bearer" in json.dumps(spec["components"]["securitySchemes"]).lower()
    decide = spec["paths"]["/api/v1/review/{sha256}/decision"]["post"]["responses"]
    assert "application/problem+json" in decide["403"]["content"]
    page = await client.get("/ui/review/" + "d" * 64)
    assert (
        page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    )
    assert "/ui/static/review.js" in page.text and "cdn" not in page.text.lower()
    css = await client.get("/ui/static/review.css")
    assert css.status_code == 200
    bad = await client.get("/ui/review/nothex")
    assert bad.status_code == 400


async def test_revoking_an_anchored_certificate(node, client, tokens) -> None:
    r = await client.post(
        "/api/v1/documents/certificates",
        content=json.dumps(CERT),
        headers={**bearer(tokens["officer"]), **JSON},
    )
    sha = r.json()["sha256"]
    body = {"reason": "issued in error"}
    early = await client.post(
        f"/api/v1/documents/{sha}/revoke", json=body, headers=bearer(tokens["officer"])
    )
    assert early.status_code == 409  # not anchored yet
    await node.anchoring.run_once(force=True)
    denied = await client.post(
        f"/api/v1/documents/{sha}/revoke", json=body, headers=bearer(tokens["auditor"])
    )
    assert denied.status_code == 403
    ok = await client.post(
        f"/api/v1/documents/{sha}/revoke", json=body, headers=bearer(tokens["officer"])
    )
    assert ok.status_code == 200 and ok.json()["reason"] == "issued in error"
    t = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["auditor"]))).json()
    assert t["revoked"] is True and t["events"][-1]["kind"] == "revoked"
    assert t["events"][-1]["actor"] == "jane"
    again = await client.post(
        f"/api/v1/documents/{sha}/revoke", json=body, headers=bearer(tokens["officer"])
    )
    assert (again.status_code, again.json()["type"]) == (409, "cusdep.conflict")
    assert again.json()["detail"].endswith("is revoked already")


async def test_a_revocation_on_chain_the_node_did_not_record_is_recorded(
    node, client, tokens
) -> None:
    # the node stopped between the revoke transaction and its own record: a retry records it
    sha = await _anchored_certificate(node, client, tokens)
    info = node.anchoring.info(sha)
    await node.anchoring.chain.revoke(info.root, info.proof, info.leaf, "issued in error")
    retry = await client.post(
        f"/api/v1/documents/{sha}/revoke",
        json={"reason": "issued in error"},
        headers=bearer(tokens["officer"]),
    )
    assert retry.status_code == 200 and retry.json()["tx_hash"] is None
    t = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["auditor"]))).json()
    assert t["revoked"] is True and [e["kind"] for e in t["events"]].count("revoked") == 1


async def test_two_officers_revoking_one_document_at_once_record_one_revocation(
    node, client, tokens
) -> None:
    # the other request (its own connection) looks at the chain once this one's revocation is
    # mined, takes it for one whose node stopped before recording it, and records it just
    # before this one writes its record
    from tests.races import rival_before_write
    from tests.unit.api.conftest import other_process_review

    sha = await _anchored_certificate(node, client, tokens)
    other = other_process_review(node)
    second = rival_before_write(
        node.db, None, lambda: asyncio.run(other.revoke_document(sha, "issued in error", "bob"))
    )

    first = await client.post(
        f"/api/v1/documents/{sha}/revoke",
        json={"reason": "issued in error"},
        headers=bearer(tokens["officer"]),
    )

    assert first.status_code == 200 and second[0]["tx_hash"] is None
    t = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["auditor"]))).json()
    revoked = [e for e in t["events"] if e["kind"] == "revoked"]
    assert len(revoked) == 1 and revoked[0]["detail"]["tx_hash"] == first.json()["tx_hash"]


async def test_access_log_names_the_caller(client, tokens, caplog) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="node.api.access"):
        await client.get("/api/v1/registry", headers=bearer(tokens["auditor"]))
    record = next(r for r in caplog.records if r.name == "node.api.access")
    assert (record.subject, record.role, record.status) == ("audrey", "auditor", 200)
    assert record.route == "/api/v1/registry"


async def test_monitoring_probes_are_logged_at_debug_only(client, tokens, caplog) -> None:
    import logging

    with caplog.at_level(logging.DEBUG, logger="node.api.access"):
        for path in ("/health/live", "/health/ready", "/metrics"):
            await client.get(path)
        await client.get("/api/v1/registry", headers=bearer(tokens["auditor"]))
    levels = {r.route: r.levelno for r in caplog.records if r.name == "node.api.access"}
    assert levels == {
        "/health/live": logging.DEBUG,
        "/health/ready": logging.DEBUG,
        "/metrics": logging.DEBUG,
        "/api/v1/registry": logging.INFO,
    }


async def test_a_document_anchored_from_the_cli_is_recorded_with_its_media_type(node) -> None:
    from node.documents import anchor_files
    from node.storage.core import DocumentRow
    from tests.unit.api.fakes import png

    pdf = b"%PDF-1.7\n% a certificate\n"
    infos = await anchor_files(node, [("scan.png", png()), ("cert.pdf", pdf), ("c.json", b"{}")])
    with node.db.session() as session:
        media = [session.get(DocumentRow, i.sha256).media_type for i in infos]
    assert media == ["image/png", "application/pdf", "application/json"]


async def test_a_document_is_served_as_an_attachment_never_as_a_page(node, client, tokens) -> None:
    # security audit: a partner declared media type text/html for a document with a script
    from node.storage.documents import add_document

    page = b"<html><script>fetch('/api/v1/tokens')</script></html>"
    sha = node.blobs.put(page)
    with node.db.session() as session:
        add_document(session, sha, media_type="text/html", size=len(page), source="AU-SYD")
    raw = await client.get(f"/api/v1/documents/{sha}/content", headers=bearer(tokens["officer"]))
    assert raw.status_code == 200 and raw.content == page
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"].startswith("attachment")
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in raw.headers["content-security-policy"]


async def test_metrics_answer_while_the_database_cannot_be_read(node, client) -> None:
    """A scrape during a database outage was a 500, which left every series of the node
    blank; now the gauges that need no database answer, and ``cusdep_database_up`` says 0."""
    away = "ALTER TABLE documents RENAME TO documents_away"
    with _database_held(node, away, "ALTER TABLE documents_away RENAME TO documents"):
        down = await client.get("/metrics")
    assert down.status_code == 200
    assert "cusdep_database_up 0.0" in down.text
    assert "cusdep_home_free_bytes " in down.text and "cusdep_documents{" not in down.text
    up = (await client.get("/metrics")).text
    assert "cusdep_database_up 1.0" in up


async def _anchored_certificate(node, client, tokens) -> str:  # type: ignore[no-untyped-def]
    """A certificate the officer uploaded, anchored now; its SHA-256."""
    r = await client.post(
        "/api/v1/documents/certificates",
        content=json.dumps(CERT),
        headers={**bearer(tokens["officer"]), **JSON},
    )
    await node.anchoring.run_once(force=True)
    return str(r.json()["sha256"])


async def test_metrics_count_messages_and_show_an_empty_queue_as_zero(node, client) -> None:
    """A pinned partner with nothing waiting had no outbox series at all (a dashboard reads
    that as "no data"), and nothing counted the messages exchanged."""
    from node.exchange.tables import InboxRow, OutboxRow
    from tests.unit.api.fakes import add_partner

    add_partner(node, "NZ-AKL", "NZ")
    node.exchange.partners.refresh()
    with node.db.session() as session:
        for i, state in enumerate(("delivered", "delivered", "rejected")):
            session.add(
                OutboxRow(
                    message_id=f"o{i}",
                    peer="NZ-AKL",
                    kind="certificate",
                    digest="00",
                    envelope=b"x",
                    state=state,
                )
            )
        session.add(
            InboxRow(
                message_id="i0",
                peer="NZ-AKL",
                kind="review_outcome",
                digest="0",
                envelope=b"x",
                receipt=b"r",
            )
        )
    metrics = (await client.get("/metrics")).text
    assert 'cusdep_outbox_pending{peer="NZ-AKL"} 0.0' in metrics
    assert 'cusdep_outbox_oldest_pending_seconds{peer="NZ-AKL"} 0.0' in metrics
    out = 'cusdep_messages{direction="out",kind="certificate",peer="NZ-AKL",state="%s"} %s'
    assert out % ("delivered", "2.0") in metrics and out % ("rejected", "1.0") in metrics
    assert (
        'cusdep_messages{direction="in",kind="review_outcome",peer="NZ-AKL",state="received"} 1.0'
        in metrics
    )
