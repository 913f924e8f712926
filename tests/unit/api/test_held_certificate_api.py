"""A partner's electronic certificate held for its own status, as the API, the queue and
``review show`` present it: an electronic certificate (no scan), its fields as its issuer sent
them, its status, the certificate that replaced it, and who sent it (``node.review.held``);
and REST sending of a certificate that is not issued (``node.exchange.stated``)."""

from __future__ import annotations

import datetime as dt
import json

from tests.aging import dispose_aged
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import add_partner, labelled_scan, receive_copy
from tests.unit.api.test_endpoints_more import _pin_au

GOODS = {
    "issue_date": "2026-11-30",
    "expiry_date": "2026-12-30",
    "issuing_agency": "AU-DAFF",
    "consignor_name": "Harvest Pty Ltd",
    "consignee_name": "Shanghai Fresh Co",
    "commodity": "Fresh cherries",
    "hs_code": "080929",
    "net_weight_kg": 1200.0,
}


def _held_pair(node) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """AU's node sent AU-2026-NEW (not validated yet: held), then AU-2026-OLD, replaced by it
    (held too, linked to its replacement): (old, new)."""
    add_partner(node, "AU-SYD", "AU")
    new = receive_copy(node, "AU-2026-NEW", status_code="SUBMITTED", **GOODS)
    old = receive_copy(
        node, "AU-2026-OLD", status_code="REPLACED", replaced_by="AU-2026-NEW", **GOODS
    )
    return old, new


async def test_a_held_certificate_is_shown_with_its_fields_status_sender_and_replacement(
    node, client, tokens
) -> None:
    old, new = _held_pair(node)
    r = await client.get(f"/api/v1/review/{old}", headers=bearer(tokens["auditor"]))
    body = r.json()
    assert (r.status_code, body["kind"], body["state"], body["verdict"]) == (
        200,
        "electronic",
        "review",
        "review",
    )
    held = body["electronic"]
    assert (held["sender"], held["issuer_copy"], held["format"]) == ("AU-SYD", True, "cusdep-json")
    assert held["status"] == {
        "status": "replaced",
        "status_code": "REPLACED",
        "replaced_by": "AU-2026-NEW",
        "text": "replaced by AU-2026-NEW (status REPLACED)",
    }
    assert held["replacement"] == {
        "number": "AU-2026-NEW",
        "sha256": new,
        "state": "in_review",
        "review": True,
        "held_as": "issuer_copy",
    }
    assert (held["fields_gone"], held["disposed"]) == (None, None)
    fields = held["fields"]
    assert list(fields)[:5] == [
        "certificate_number",
        "issuing_agency",
        "issuing_country",
        "issue_date",
        "expiry_date",
    ]
    assert (fields["certificate_number"], fields["issuing_country"]) == ("AU-2026-OLD", "AU")
    assert (fields["consignor_name"], fields["consignee_name"]) == (
        "Harvest Pty Ltd",
        "Shanghai Fresh Co",
    )
    assert (fields["commodity"], fields["net_weight_kg"]) == ("Fresh cherries", 1200.0)
    # the queue says what it is; a scan's review says it is one, with no electronic part
    queue = await client.get("/api/v1/review/queue", headers=bearer(tokens["officer"]))
    assert [(q["document_sha256"], q["kind"]) for q in queue.json()] == [
        (new, "electronic"),
        (old, "electronic"),
    ]
    provisional = await client.get(f"/api/v1/review/{new}", headers=bearer(tokens["auditor"]))
    assert provisional.json()["electronic"]["replacement"] is None
    assert provisional.json()["electronic"]["status"]["text"] == "provisional (status SUBMITTED)"


async def test_a_replacing_number_not_on_the_node_is_named_without_a_link(
    node, client, tokens
) -> None:
    add_partner(node, "NZ-WLG", "NZ")  # not of AU: no issuer's copy
    sha = receive_copy(node, "AU-9", "NZ-WLG", status="replaced", replaced_by="AU-10")
    held = (await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["officer"]))).json()
    assert held["electronic"]["issuer_copy"] is False
    assert held["electronic"]["sender"] == "NZ-WLG"
    assert held["electronic"]["replacement"] == {
        "number": "AU-10",
        "sha256": None,
        "state": None,
        "review": False,
        "held_as": None,
    }


async def test_a_held_certificate_disposed_of_says_when_and_under_which_policy(
    node, client, tokens, home
) -> None:
    """Decided, then past the retention period: its bytes, and so its fields, were disposed
    of. Its review said only ``fields: null``; it says why, when and under which policy (its
    status, sender and replacement stay, read from its review)."""

    old, new = _held_pair(node)
    node.extras["review"].decide(old, "reject", "replaced: not valid", "CN-O1")
    assert dispose_aged(node, home, old) == [old]
    body = (await client.get(f"/api/v1/review/{old}", headers=bearer(tokens["auditor"]))).json()
    held = body["electronic"]
    assert (held["fields"], held["fields_gone"]) == (None, "disposed")
    assert held["disposed"]["document_sha256"] == old
    assert held["disposed"]["policy"]["documents_days"] == 7
    assert dt.datetime.fromisoformat(held["disposed"]["disposed_at"]) <= dt.datetime.now(dt.UTC)
    assert held["disposed"] == body["disposed"]
    assert held["status"]["text"] == "replaced by AU-2026-NEW (status REPLACED)"
    assert (held["replacement"]["sha256"], held["sender"]) == (new, "AU-SYD")
    kept = (await client.get(f"/api/v1/review/{new}", headers=bearer(tokens["auditor"]))).json()
    assert kept["electronic"]["disposed"] is None and kept["electronic"]["fields"]


async def test_a_held_certificate_rejected_and_disposed_of_is_not_decided_again(
    node, client, tokens, home
) -> None:
    """Rejected by an officer, then disposed of (retention): its review says it was never
    anchored (``anchor_state`` null: the page must not speak of an anchor proof), and a second
    decision is refused with a 409 problem that names who decided; nothing is queued."""

    old, _new = _held_pair(node)
    node.extras["review"].decide(old, "reject", "replaced: not valid", "CN-O1")
    assert dispose_aged(node, home, old) == [old]
    body = (await client.get(f"/api/v1/review/{old}", headers=bearer(tokens["auditor"]))).json()
    assert (body["state"], body["decision"]["decision"], body["decision"]["officer"]) == (
        "decided",
        "reject",
        "CN-O1",
    )
    assert body["disposed"] is not None and body["anchor_state"] is None
    again = await client.post(
        f"/api/v1/review/{old}/decision",
        json={"decision": "accept", "reason": "it stands after all"},
        headers=bearer(tokens["officer"]),
    )
    assert (again.status_code, again.headers["content-type"]) == (409, "application/problem+json")
    assert again.json()["type"] == "cusdep.conflict"
    assert "already decided by CN-O1" in again.json()["detail"]
    after = (await client.get(f"/api/v1/review/{old}", headers=bearer(tokens["auditor"]))).json()
    assert after["decision"] == body["decision"] and node.anchoring.state(old) is None


async def test_a_held_certificate_whose_bytes_are_lost_is_not_said_disposed_of(
    node, client, tokens
) -> None:
    """Bytes missing from the store without a disposal: its fields are null, and the review
    says they are missing rather than disposed of."""
    old, _new = _held_pair(node)
    node.blobs.path(old).unlink()
    held = (await client.get(f"/api/v1/review/{old}", headers=bearer(tokens["officer"]))).json()
    assert (held["electronic"]["fields"], held["electronic"]["fields_gone"]) == (None, "missing")
    assert held["electronic"]["disposed"] is None


async def test_a_replacement_held_from_a_partner_not_of_its_country_is_found_and_linked(
    node, client, tokens
) -> None:
    """The replacing certificate came from a partner not of its issuing country, held for its
    own status: it is no issuer's copy, and the replaced certificate's review said "not on
    this node"; it names it, with its review to open."""
    add_partner(node, "AU-SYD", "AU")
    add_partner(node, "NZ-WLG", "NZ")
    new = receive_copy(node, "AU-10", "NZ-WLG", status_code="SUBMITTED")
    old = receive_copy(node, "AU-9", status_code="REPLACED", replaced_by="AU-10")
    held = (await client.get(f"/api/v1/review/{old}", headers=bearer(tokens["officer"]))).json()
    assert held["electronic"]["replacement"] == {
        "number": "AU-10",
        "sha256": new,
        "state": "in_review",
        "review": True,
        "held_as": "held",
    }


async def test_a_replacement_reviewed_here_as_a_paper_is_found_the_issuers_copy_preferred(
    node, client, tokens
) -> None:
    """The replacing certificate is on the node as a paper reviewed here: found (it was "not
    on this node"); once its issuer's copy comes, that copy is named instead, with no review
    to open (an issued copy is accepted, not reviewed)."""
    add_partner(node, "AU-SYD", "AU")
    paper = node.extras["review"].submit_scan(labelled_scan("original"), actor="jane")["sha256"]
    await node.extras["review"].process_pending()
    old = receive_copy(node, "AU-9", status_code="REPLACED", replaced_by="AU-2026-original")
    officer = bearer(tokens["officer"])
    held = (await client.get(f"/api/v1/review/{old}", headers=officer)).json()
    replacement = held["electronic"]["replacement"]
    assert replacement["sha256"] == paper
    assert (replacement["held_as"], replacement["review"]) == ("paper", True)
    copy = receive_copy(node, "AU-2026-original", status_code="70")
    held = (await client.get(f"/api/v1/review/{old}", headers=officer)).json()
    assert held["electronic"]["replacement"] == {
        "number": "AU-2026-original",
        "sha256": copy,
        "state": "accepted",
        "review": False,
        "held_as": "issuer_copy",
    }


async def test_a_scan_review_says_it_is_a_scan(node, client, tokens) -> None:
    sha = node.extras["review"].submit_scan(labelled_scan("forged"), actor="jane")["sha256"]
    await node.extras["review"].process_pending()
    body = (await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["officer"]))).json()
    assert (body["kind"], body["electronic"]) == ("scan", None)


async def test_sending_a_certificate_not_issued_says_its_status_or_refuses_it(
    node, client, tokens, tmp_path
) -> None:
    """REST sending (``POST /api/v1/messages``) of a stored certificate whose own status says
    it is not issued: queued with that status in the answer, or, ``issued_only``, refused
    (409, nothing queued); an issued one carries its status and is sent either way."""
    _pin_au(node, tmp_path)
    h = {**bearer(tokens["officer"]), "Content-Type": "application/json"}

    async def stored(number: str, code: str) -> str:
        cert = {"doc_type": "certificate", "certificate_number": number, "status_code": code}
        r = await client.post("/api/v1/documents/certificates", content=json.dumps(cert), headers=h)
        assert r.status_code == 201, r.text
        return str(r.json()["sha256"])

    cancelled, issued = await stored("CN-2026-1", "CANCELLED"), await stored("CN-2026-2", "70")
    refused = await client.post(
        "/api/v1/messages",
        headers=h,
        json={"to": "AU-SYD", "document_sha256": cancelled, "issued_only": True},
    )
    assert (refused.status_code, refused.json()["type"]) == (409, "cusdep.conflict.not_issued")
    assert refused.json()["detail"] == (
        "document " + cancelled + ": the certificate is withdrawn (status CANCELLED): not valid; "
        "not sent (issued certificates only)"
    )
    assert (await client.get("/api/v1/messages", headers=h)).json() == []  # nothing queued
    sent = await client.post(
        "/api/v1/messages", headers=h, json={"to": "AU-SYD", "document_sha256": cancelled}
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["status"] == {"status": "withdrawn", "status_code": "CANCELLED"}
    fine = await client.post(
        "/api/v1/messages",
        headers=h,
        json={"to": "AU-SYD", "document_sha256": issued, "issued_only": True},
    )
    assert fine.status_code == 202, fine.text
    assert fine.json()["status"] == {"status": "issued", "status_code": "70"}
