"""The remaining endpoints' success and failure paths: queue filters, rerun, specimens, trace of
an unknown document, partners and sending to a pinned partner."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import text

from node.config import NodeIdentity, Settings
from node.exchange.partners import add_partner, export_card
from node.identity import create_identity
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import labelled_scan, png
from tests.unit.api.test_documents_health import CERT, JSON

PNG = {"Content-Type": "image/png"}


async def test_queue_filters_and_bad_state(node, client, tokens) -> None:
    h = bearer(tokens["officer"])
    await client.post(
        "/api/v1/documents/scans", content=labelled_scan("forged"), headers={**h, **PNG}
    )
    assert [
        r["state"]
        for r in (await client.get("/api/v1/review/queue?state=pending", headers=h)).json()
    ] == ["pending"]
    assert (await client.get("/api/v1/review/queue", headers=h)).json() == []
    await node.extras["review"].process_pending()
    assert len((await client.get("/api/v1/review/queue?state=all", headers=h)).json()) == 1
    assert len((await client.get("/api/v1/review/queue?state=reject", headers=h)).json()) == 1
    bad = await client.get("/api/v1/review/queue?state=nope", headers=h)
    assert bad.status_code == 400 and bad.json()["type"] == "cusdep.input.validation"
    big = await client.get("/api/v1/review/queue?limit=100000", headers=h)
    assert big.status_code == 400


async def test_rerun_queues_the_machine_again(node, client, tokens) -> None:
    h = bearer(tokens["officer"])
    sha = (
        await client.post(
            "/api/v1/documents/scans", content=labelled_scan("genuine"), headers={**h, **PNG}
        )
    ).json()["sha256"]
    review = node.extras["review"]
    await review.process_pending()
    r = await client.post(f"/api/v1/review/{sha}/rerun", headers=h)
    assert r.status_code == 202 and r.json()["state"] == "pending"
    assert review.wakeup.is_set()
    assert await review.process_pending() == 1
    assert len(review.verifier.calls) == 2
    assert (await client.get(f"/api/v1/review/{sha}", headers=h)).json()["state"] == "review"
    denied = await client.post(f"/api/v1/review/{sha}/rerun", headers=bearer(tokens["auditor"]))
    assert denied.status_code == 403
    missing = await client.post("/api/v1/review/" + "e" * 64 + "/rerun", headers=h)
    assert missing.status_code == 404


async def test_specimen_found_and_missing(client, tokens) -> None:
    au = bearer(tokens["agency_au"])
    await client.post(
        "/api/v1/registry/agencies",
        json={"id": "AU-DAFF", "country": "AU", "name": "Dept"},
        headers=au,
    )
    await client.post(
        "/api/v1/registry/seals",
        headers=au,
        json={
            "agency": "AU-DAFF",
            "id": "AU-DAFF-S1",
            "image_base64": base64.b64encode(png()).decode(),
        },
    )
    h = bearer(tokens["auditor"])
    ok = await client.get("/api/v1/registry/seal/AU-DAFF-S1/specimen", headers=h)
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    other = await client.get("/api/v1/registry/seal/AU-DAFF-S1/specimen?registrar=NZ", headers=h)
    assert other.status_code == 404
    kind = await client.get("/api/v1/registry/agency/AU-DAFF/specimen", headers=h)
    assert kind.status_code == 400


async def test_trace_of_unknown_and_malformed(client, tokens) -> None:
    h = bearer(tokens["auditor"])
    assert (await client.get("/api/v1/trace/" + "f" * 64, headers=h)).status_code == 404
    assert (await client.get("/api/v1/trace/zz", headers=h)).status_code == 400
    assert (
        await client.get("/api/v1/trace/" + "f" * 64, headers=bearer(tokens["agency_au"]))
    ).status_code == 403


def _pin_au(node, tmp_path) -> None:
    """AU-SYD's card pinned on this node (CN-SHA)."""
    au_home = tmp_path / "au"
    au = Settings(home=au_home, node=NodeIdentity(id="AU-SYD", country="AU", name="Sydney"))
    add_partner(node.db, export_card(au, create_identity(au_home, "AU-SYD")), own_id="CN-SHA")


async def _certificate(client, headers) -> dict:
    """CERT stored through the API (queued for anchoring): its document record."""
    r = await client.post(
        "/api/v1/documents/certificates", content=json.dumps(CERT), headers={**headers, **JSON}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_send_to_a_pinned_partner_is_queued(node, client, tokens, tmp_path) -> None:
    _pin_au(node, tmp_path)
    h = bearer(tokens["officer"])
    partners = (await client.get("/api/v1/partners", headers=bearer(tokens["auditor"]))).json()
    assert [p["node_id"] for p in partners] == ["AU-SYD"]
    doc = await _certificate(client, h)
    sent = await client.post(
        "/api/v1/messages", headers=h, json={"to": "AU-SYD", "document_sha256": doc["sha256"]}
    )
    assert sent.status_code == 202, sent.text
    msg = sent.json()
    assert (msg["direction"], msg["peer"], msg["document_sha256"]) == (
        "out",
        "AU-SYD",
        doc["sha256"],
    )
    one = await client.get(f"/api/v1/messages/{msg['message_id']}", headers=h)
    assert one.json()["message_id"] == msg["message_id"]
    out = await client.get("/api/v1/messages?direction=out", headers=h)
    assert [m["message_id"] for m in out.json()] == [msg["message_id"]]
    again = await client.post(
        "/api/v1/messages", headers=h, json={"to": "AU-SYD", "document_sha256": doc["sha256"]}
    )
    pages = [
        (await client.get(f"/api/v1/messages?limit=1&offset={n}", headers=h)).json()
        for n in (0, 1, 2)
    ]
    assert [[m["message_id"] for m in p] for p in pages] == [
        [msg["message_id"]],
        [again.json()["message_id"]],
        [],
    ]
    too_many = await client.get("/api/v1/messages?limit=5000", headers=h)
    assert too_many.status_code == 400
    too_far = await client.get(f"/api/v1/messages?offset={2**63}", headers=h)  # fuzz: no 500
    assert too_far.status_code == 400 and too_far.json()["type"] == "cusdep.input.validation"
    unknown = await client.post(
        "/api/v1/messages", headers=h, json={"to": "NZ-AKL", "document_sha256": doc["sha256"]}
    )
    assert unknown.status_code == 404
    auditor = await client.post(
        "/api/v1/messages",
        headers=bearer(tokens["auditor"]),
        json={"to": "AU-SYD", "document_sha256": doc["sha256"]},
    )
    assert auditor.status_code == 403


async def test_only_an_accepted_document_is_forwarded(node, client, tokens, tmp_path) -> None:
    _pin_au(node, tmp_path)
    h = bearer(tokens["officer"])
    sha = (
        await client.post(
            "/api/v1/documents/scans", content=labelled_scan("forged"), headers={**h, **PNG}
        )
    ).json()["sha256"]
    body = {"to": "AU-SYD", "document_sha256": sha}
    pending = await client.post("/api/v1/messages", headers=h, json=body)
    assert pending.status_code == 409 and " is received here" in pending.json()["detail"]
    await node.extras["review"].process_pending()  # the machine rejects it
    rejected = await client.post("/api/v1/messages", headers=h, json=body)
    assert rejected.status_code == 409
    assert rejected.json()["detail"].endswith(
        "is rejected here: only accepted documents are forwarded"
    )
    assert (await client.get("/api/v1/messages?direction=out", headers=h)).json() == []
    await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "accept", "reason": "seal confirmed with the issuer"},
        headers=h,
    )
    accepted = await client.post("/api/v1/messages", headers=h, json=body)
    assert accepted.status_code == 202 and accepted.json()["document_sha256"] == sha


async def test_rerun_after_a_decision_is_a_conflict(node, client, tokens) -> None:
    h = bearer(tokens["officer"])
    sha = (
        await client.post(
            "/api/v1/documents/scans", content=labelled_scan("forged"), headers={**h, **PNG}
        )
    ).json()["sha256"]
    await node.extras["review"].process_pending()
    await client.post(f"/api/v1/review/{sha}/decision", json={"decision": "reject"}, headers=h)
    r = await client.post(f"/api/v1/review/{sha}/rerun", headers=h)
    assert r.status_code == 409
    body = (await client.get(f"/api/v1/review/{sha}", headers=h)).json()
    assert body["state"] == "decided"


async def test_a_document_revoked_while_it_is_being_queued_is_not_sent(
    node, client, tokens, tmp_path
) -> None:
    """Another process of this home (an officer's `cusdep`, a second API worker) revokes the
    document between the send's check of its state and its outbox write: the send is refused
    (409) and nothing is queued."""
    from sqlalchemy import update

    from node.storage.core import DocumentRow
    from node.storage.db import Database
    from tests.races import rival_before_write

    _pin_au(node, tmp_path)
    h = bearer(tokens["officer"])
    doc = await _certificate(client, h)
    other = Database(str(node.db.engine.url))

    def revoke() -> None:
        with other.session() as session:
            session.connection().execute(
                update(DocumentRow)
                .where(DocumentRow.sha256 == doc["sha256"])
                .values(state="revoked")
            )

    ran = rival_before_write(node.db, "exchange_outbox", revoke)
    sent = await client.post(
        "/api/v1/messages", headers=h, json={"to": "AU-SYD", "document_sha256": doc["sha256"]}
    )
    assert ran == [None]  # the revocation committed between the check and the write
    assert sent.status_code == 409, sent.text
    assert sent.headers["content-type"] == "application/problem+json"
    assert "revoked" in sent.json()["detail"]
    out = await client.get("/api/v1/messages?direction=out", headers=h)
    assert out.json() == []


async def test_revoking_a_document_sent_to_a_partner_tells_it(node, client, tokens, tmp_path):
    """The document was anchored here and sent to AU-SYD: revoked on chain, and a signed
    revocation queued for AU-SYD after the document itself (its delivery order); a document
    on its way to the chain here is refused until it is anchored."""
    _pin_au(node, tmp_path)
    h = bearer(tokens["officer"])
    doc = await _certificate(client, h)
    sha = doc["sha256"]
    body = {"to": "AU-SYD", "document_sha256": sha}
    sent = await client.post("/api/v1/messages", headers=h, json=body)
    assert sent.status_code == 202, sent.text
    early = await client.post(f"/api/v1/documents/{sha}/revoke", json={"reason": "x"}, headers=h)
    assert early.status_code == 409 and "being anchored here" in early.json()["detail"]
    await node.anchoring.run_once(force=True)
    r = await client.post(
        f"/api/v1/documents/{sha}/revoke", json={"reason": "issued in error"}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["told"] == ["AU-SYD"] and r.json()["tx_hash"]
    out = (await client.get("/api/v1/messages?direction=out", headers=h)).json()
    assert sorted((m["kind"], m["peer"], m["document_sha256"]) for m in out) == [
        ("certificate", "AU-SYD", sha),
        ("revocation", "AU-SYD", sha),
    ]
    with node.db.session() as session:
        seq = dict(session.exec(text("SELECT kind, seq FROM exchange_outbox")).all())
    assert seq["revocation"] > seq["certificate"]  # delivered after the document
    t = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["auditor"]))).json()
    assert t["events"][-1]["detail"]["told"] == ["AU-SYD"]


async def test_a_revocation_is_not_queued_for_a_partner_removed_since(
    node, client, tokens, tmp_path
):
    """The document went to AU-SYD (delivered), which was unpinned since (`partner remove`):
    it is told nothing, as an outcome is not sent to a partner no longer pinned. A message
    queued for it was retried for ever (no channel to an unpinned partner) and the answer
    named it among the partners told."""
    from node.exchange.partners import remove_partner

    _pin_au(node, tmp_path)
    h = bearer(tokens["officer"])
    sha = (await _certificate(client, h))["sha256"]
    sent = await client.post(
        "/api/v1/messages", headers=h, json={"to": "AU-SYD", "document_sha256": sha}
    )
    assert sent.status_code == 202, sent.text
    with node.db.session() as session:
        session.exec(text("UPDATE exchange_outbox SET state = 'delivered'"))
        session.commit()
    remove_partner(node.db, "AU-SYD")
    await node.anchoring.run_once(force=True)
    r = await client.post(f"/api/v1/documents/{sha}/revoke", json={"reason": "x"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["told"] == [] and r.json()["tx_hash"]
    out = (await client.get("/api/v1/messages?direction=out", headers=h)).json()
    assert [m["kind"] for m in out] == ["certificate"]


async def test_a_document_on_its_way_to_the_chain_is_refused_until_it_is_anchored(
    node, client, tokens
):
    """A document accepted here whose anchoring is still pending (the chain away, a batch not
    yet sent), sent to no partner, is refused as being anchored, not as "nothing to revoke"."""
    h = bearer(tokens["officer"])
    sha = (await _certificate(client, h))["sha256"]
    assert node.anchoring.state(sha) is not None and node.anchoring.info(sha) is None
    early = await client.post(f"/api/v1/documents/{sha}/revoke", json={"reason": "x"}, headers=h)
    assert early.status_code == 409
    assert "being anchored here" in early.json()["detail"], early.json()
    await node.anchoring.run_once(force=True)
    r = await client.post(f"/api/v1/documents/{sha}/revoke", json={"reason": "x"}, headers=h)
    assert r.status_code == 200, r.text


async def test_revoking_a_document_not_on_the_node_is_not_found(node) -> None:
    """`cusdep revoke` (no route's 404 before it) of a hash this node has no document of, its
    bytes not written yet: refused, nothing recorded (a revocation recorded then was not the
    document's state when its row came, and could be recorded again)."""
    from node.errors import NotFound
    from node.storage.documents import events_for

    sha = "ab" * 32
    with pytest.raises(NotFound, match="no document"):
        await node.extras["review"].revoke_document(sha, "issued in error", "jane")
    with node.db.session() as session:
        assert events_for(session, sha) == []
