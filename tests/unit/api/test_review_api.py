"""Scans -> machine review (fake verifier) -> queue -> officer decision -> anchored; over HTTP."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from node.api.app import create_app
from node.api.tokens import TokenService
from node.bootstrap import build_node
from node.errors import InputError
from tests.aging import dispose_aged
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import (
    FakeVerifier,
    add_partner,
    declaration,
    fakes,
    issue_all,
    labelled_scan,
    receive_copy,
    settings,
)
from verification.testing import nested_forms_pdf


async def _submit(client, tokens, label: str, **params) -> str:
    r = await client.post(
        "/api/v1/documents/scans",
        content=labelled_scan(label),
        params=params,
        headers={**bearer(tokens["officer"]), "Content-Type": "image/png"},
    )
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "scan"
    return r.json()["sha256"]


async def test_forged_scan_is_rejected_with_seal_finding_first(node, client, tokens) -> None:
    sha = await _submit(client, tokens, "forged")
    review = node.extras["review"]
    assert review.pending() == [sha]
    assert await review.process_pending() == 1
    r = await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["auditor"]))
    body = r.json()
    assert (r.status_code, body["state"], body["verdict"]) == (200, "reject", "reject")
    assert body["rules"][0]["id"] == "seal.agency" and body["rules"][0]["passed"] is False
    assert [x["passed"] for x in body["rules"]] == [False, False, True, True]
    assert body["layout"]["seal"]["box"] == [560, 800, 760, 1000]
    queue = await client.get("/api/v1/review/queue", headers=bearer(tokens["officer"]))
    assert [q["document_sha256"] for q in queue.json()] == [sha]
    page = await client.get(
        f"/api/v1/review/{sha}/evidence/page-0.png", headers=bearer(tokens["officer"])
    )
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    assert node.anchoring.state(sha) is None  # a rejected scan is never anchored


async def test_officer_confirms_reject_recorded_in_trace(node, client, tokens) -> None:
    sha = await _submit(client, tokens, "forged")
    await node.extras["review"].process_pending()
    r = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "reject", "reason": "seal swapped"},
        headers=bearer(tokens["officer"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["decision"] == {
        "decision": "reject",
        "outcome": "confirmed",
        "officer": "jane",
        "reason": "seal swapped",
        "at": r.json()["decision"]["at"],
    }
    trace = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["auditor"]))).json()
    kinds = [(e["kind"], e["actor"]) for e in trace["events"]]
    assert kinds == [("received", "jane"), ("verified", "CN-SHA"), ("reviewed", "jane")]
    assert trace["anchor"] is None and trace["verified_on_chain"] is False
    assert r.json()["anchor_state"] is None  # rejected: never queued for anchoring
    again = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "accept", "reason": "x"},
        headers=bearer(tokens["officer"]),
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


async def test_accepting_a_review_anchors_it_and_proof_checks(node, client, tokens) -> None:
    sha = await _submit(client, tokens, "genuine")
    await node.extras["review"].process_pending()
    r = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "accept", "reason": "seal checked against the specimen"},
        headers=bearer(tokens["officer"]),
    )
    assert r.json()["decision"]["outcome"] == "overridden" and r.json()["forwardable"] is True
    # the review says how far its anchoring got (the page speaks of a proof only once anchored)
    assert r.json()["anchor_state"] == "pending"
    assert await node.anchoring.run_once(force=True) >= 1
    shown = await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["auditor"]))
    assert shown.json()["anchor_state"] == "anchored"
    trace = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["admin"]))).json()
    assert trace["verified_on_chain"] is True
    assert [e["kind"] for e in trace["events"]][-1] == "anchored"


async def test_overriding_a_reject_needs_a_reason(node, client, tokens) -> None:
    sha = await _submit(client, tokens, "forged")
    await node.extras["review"].process_pending()
    r = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "accept", "reason": " "},
        headers=bearer(tokens["officer"]),
    )
    assert r.status_code == 400 and "reason" in r.json()["detail"]


async def test_deciding_what_the_machine_sent_for_review_needs_a_reason(
    node, client, tokens
) -> None:
    sha = await _submit(client, tokens, "genuine")
    await node.extras["review"].process_pending()
    assert node.extras["review"].get(sha)["verdict"] == "review"
    r = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "accept"},
        headers=bearer(tokens["officer"]),
    )
    assert r.status_code == 400 and "needs a reason" in r.json()["detail"]
    assert node.extras["review"].get(sha)["state"] == "review"
    assert node.anchoring.state(sha) is None


def _racing(monkeypatch, review, rival) -> None:
    """The next read of a review row is followed, before its reader writes, by ``rival()``:
    another officer's request (or a rerun) committed in between."""
    read = review._row_in

    def row_then_rival(session, sha256):
        row = read(session, sha256)
        monkeypatch.setattr(review, "_row_in", read)
        rival()
        return row

    monkeypatch.setattr(review, "_row_in", row_then_rival)


async def test_of_two_officers_deciding_at_once_one_decision_stands(
    node, client, tokens, monkeypatch
) -> None:
    sha = await _submit(client, tokens, "forged")
    review = node.extras["review"]
    await review.process_pending()
    _racing(monkeypatch, review, lambda: review.decide(sha, "reject", "", "CN-O1"))
    r = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "accept", "reason": "looks fine"},
        headers=bearer(tokens["officer"]),
    )
    assert r.status_code == 409 and "meanwhile" in r.json()["detail"]
    body = review.get(sha)
    assert (body["decision"]["decision"], body["decision"]["officer"]) == ("reject", "CN-O1")
    assert body["forwardable"] is False and node.anchoring.state(sha) is None
    trace = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["admin"]))).json()
    assert [e["kind"] for e in trace["events"]].count("reviewed") == 1


async def test_of_two_officers_confirming_one_verdict_at_once_the_second_gets_409(
    node, client, tokens
) -> None:
    # the other officer's request (another connection) commits its confirmation just before
    # this one writes: this one is refused with a problem, and one decision is recorded
    from tests.races import rival_before_write
    from tests.unit.api.conftest import other_process_review

    sha = await _submit(client, tokens, "forged")
    review = node.extras["review"]
    await review.process_pending()
    other = other_process_review(node)
    rival_before_write(node.db, None, lambda: other.decide(sha, "reject", "", "CN-O1"))

    r = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "reject", "reason": ""},
        headers=bearer(tokens["officer"]),
    )

    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "cusdep.conflict" and "meanwhile" in r.json()["detail"]
    body = review.get(sha)
    assert (body["decision"]["officer"], body["decision"]["outcome"]) == ("CN-O1", "confirmed")
    trace = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["admin"]))).json()
    assert [e["kind"] for e in trace["events"]].count("reviewed") == 1


async def test_a_rerun_racing_a_decision_cannot_undo_it(node, client, tokens, monkeypatch) -> None:
    sha = await _submit(client, tokens, "forged")
    review = node.extras["review"]
    await review.process_pending()
    _racing(monkeypatch, review, lambda: review.decide(sha, "reject", "forged", "CN-O1"))
    r = await client.post(f"/api/v1/review/{sha}/rerun", headers=bearer(tokens["officer"]))
    assert r.status_code == 409
    assert review.get(sha)["state"] == "decided" and review.pending() == []
    sha2 = await _submit(client, tokens, "genuine")  # another paper, sent for review
    await review.process_pending()
    _racing(monkeypatch, review, lambda: review.requeue(sha2))  # and the other way round
    r = await client.post(
        f"/api/v1/review/{sha2}/decision",
        json={"decision": "reject", "reason": "forged"},
        headers=bearer(tokens["officer"]),
    )
    assert r.status_code == 409 and review.get(sha2)["state"] == "pending"


async def test_a_decision_names_its_officer(node, client, tokens) -> None:
    sha = await _submit(client, tokens, "forged")
    review = node.extras["review"]
    await review.process_pending()
    with pytest.raises(InputError, match="officer"):
        review.decide(sha, "reject", "forged", "  ")
    assert review.get(sha)["state"] == "reject"


async def test_an_accepted_document_left_unqueued_by_a_crash_is_queued_at_start(
    node, client, tokens
) -> None:
    from sqlmodel import delete

    from node.anchoring.tables import AnchorLeafRow

    sha = await _submit(client, tokens, "forged")
    review = node.extras["review"]
    await review.process_pending()
    review.decide(sha, "accept", "specimen checked by phone", "CN-O1")
    assert node.anchoring.state(sha) == "pending"
    with node.db.session() as session:  # as a node stopped between the two (before 0.x)
        session.exec(delete(AnchorLeafRow).where(AnchorLeafRow.sha256 == sha))
    assert node.anchoring.state(sha) is None
    assert review.requeue_unanchored() == 1
    assert node.anchoring.state(sha) == "pending"
    assert review.requeue_unanchored() == 0


async def test_decision_before_machine_review_is_a_conflict(client, tokens) -> None:
    sha = await _submit(client, tokens, "genuine")
    r = await client.post(
        f"/api/v1/review/{sha}/decision",
        json={"decision": "reject", "reason": "no"},
        headers=bearer(tokens["officer"]),
    )
    assert r.status_code == 409 and r.json()["type"] == "cusdep.conflict"


async def test_declaration_is_found_by_certificate_number(node, client, tokens) -> None:
    d = await client.post(
        "/api/v1/documents/declarations",
        content=declaration("AU-2026-genuine"),
        headers={**bearer(tokens["officer"]), "Content-Type": "application/json"},
    )
    assert d.status_code == 201, d.text
    sha = await _submit(client, tokens, "genuine")
    await node.extras["review"].process_pending()
    body = (await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["officer"]))).json()
    assert body["declaration_sha256"] == d.json()["sha256"]
    diff = {c["field"]: c["match"] for c in body["comparison"]}
    assert diff["net_weight_kg"] is False and diff["consignor_name"] is True
    calls = node.extras["review"].verifier.calls
    assert calls[0][1] is None and calls[1][1]["net_weight_kg"] == 1200.0


async def test_a_scan_submitted_again_with_a_declaration_is_reviewed_against_it(
    node, client, tokens
) -> None:
    review = node.extras["review"]
    sha = await _submit(client, tokens, "forged")
    await review.process_pending()
    assert review.get(sha)["declaration_sha256"] in ("", None)
    d = await client.post(
        "/api/v1/documents/declarations",
        content=declaration("AU-2026-other"),
        headers={**bearer(tokens["officer"]), "Content-Type": "application/json"},
    )
    assert await _submit(client, tokens, "forged", declaration=d.json()["sha256"]) == sha
    assert review.pending() == [sha] and review.get(sha)["declaration_sha256"] == d.json()["sha256"]
    await review.process_pending()
    assert review.verifier.calls[-1][1]["net_weight_kg"] == 1200.0  # checked against it
    review.decide(sha, "reject", "", "CN-O1")
    again = await client.post(
        "/api/v1/documents/scans",
        content=labelled_scan("forged"),
        params={"declaration": "0" * 64},
        headers={**bearer(tokens["officer"]), "Content-Type": "image/png"},
    )
    assert again.status_code == 400  # no such declaration: judged first
    d2 = await client.post(
        "/api/v1/documents/declarations",
        content=declaration("AU-2026-third"),
        headers={**bearer(tokens["officer"]), "Content-Type": "application/json"},
    )
    decided = await client.post(
        "/api/v1/documents/scans",
        content=labelled_scan("forged"),
        params={"declaration": d2.json()["sha256"]},
        headers={**bearer(tokens["officer"]), "Content-Type": "image/png"},
    )
    assert decided.status_code == 409 and "does not reopen it" in decided.json()["detail"]
    assert review.get(sha)["state"] == "decided"


async def test_the_issuers_electronic_copy_is_found_by_certificate_number(
    node, client, tokens
) -> None:
    add_partner(node, "AU-SYD", "AU")
    copy_sha = receive_copy(node, "AU-2026-genuine", net_weight_kg=1200.0)
    sha = await _submit(client, tokens, "genuine")
    other = await _submit(client, tokens, "forged")  # AU-2026-forged: no copy
    await node.extras["review"].process_pending()
    copies = dict(node.extras["review"].verifier.copies)
    assert copies[sha] is not None and copies[sha]["sha256"] == copy_sha
    assert copies[sha]["net_weight_kg"] == 1200.0
    assert copies[other] is None
    body = (await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["officer"]))).json()
    assert body["electronic_copy_sha256"] == copy_sha
    body = (await client.get(f"/api/v1/review/{other}", headers=bearer(tokens["officer"]))).json()
    assert body["electronic_copy_sha256"] is None


async def test_queue_neighbours_and_unknown_review(node, client, tokens) -> None:
    a = await _submit(client, tokens, "forged")
    b = await _submit(client, tokens, "genuine")
    await node.extras["review"].process_pending()
    first = (await client.get(f"/api/v1/review/{a}", headers=bearer(tokens["officer"]))).json()
    assert first["queue"] == {"previous": None, "next": b}
    missing = await client.get("/api/v1/review/" + "0" * 64, headers=bearer(tokens["officer"]))
    assert missing.status_code == 404 and missing.json()["type"] == "cusdep.not_found"
    bad = await client.get("/api/v1/review/xyz", headers=bearer(tokens["officer"]))
    assert bad.status_code == 400
    nofile = await client.get(
        f"/api/v1/review/{a}/evidence/..secret.png", headers=bearer(tokens["officer"])
    )
    assert nofile.status_code == 404


async def test_non_document_scan_is_415(client, tokens) -> None:
    r = await client.post(
        "/api/v1/documents/scans",
        content=b"hello",
        headers={**bearer(tokens["officer"]), "Content-Type": "image/png"},
    )
    assert r.status_code == 415 and r.json()["type"] == "cusdep.input.unsupported"


async def test_a_scan_the_review_could_never_open_is_refused_at_upload(
    node, client, tokens
) -> None:
    officer = {**bearer(tokens["officer"]), "Content-Type": "application/pdf"}
    broken = await client.post(
        "/api/v1/documents/scans", content=b"%PDF-1.4 broken", headers=officer
    )
    assert broken.status_code == 400 and "PDF cannot be opened" in broken.json()["detail"]
    assert broken.json()["type"] == "cusdep.input.corrupt"
    listed = await client.get("/api/v1/documents?kind=scan", headers=officer)
    assert listed.status_code == 200 and listed.json() == []  # nothing stored, nothing queued


def _one_page_pdf(page: bytes) -> bytes:
    """A PDF whose one page object (obj 3) is ``page``, with a correct xref."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page,
    ]
    out, offsets = b"%PDF-1.7\n", []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


async def test_a_pdf_whose_pages_the_review_could_never_render_is_refused_at_upload(
    node, client, tokens
) -> None:
    # the upload looked at a PDF's page count only: these were stored and queued for review
    officer = {**bearer(tokens["officer"]), "Content-Type": "application/pdf"}
    five_m = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14173 14173] >>"
    huge = await client.post(
        "/api/v1/documents/scans", content=_one_page_pdf(five_m), headers=officer
    )
    assert huge.status_code == 413 and "197x197 in" in huge.json()["detail"]
    loop = _one_page_pdf(b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")  # a page tree loop
    broken = await client.post("/api/v1/documents/scans", content=loop, headers=officer)
    assert broken.status_code == 400 and "PDF page 1 cannot be read" in broken.json()["detail"]
    listed = await client.get("/api/v1/documents?kind=scan", headers=officer)
    assert listed.status_code == 200 and listed.json() == []  # nothing stored, nothing queued


async def test_partner_scan_is_reviewed_once_its_bytes_are_stored(node, client, tokens) -> None:
    import hashlib

    from node.domain.states import EventKind
    from node.inbound import InboundRouter
    from node.storage.documents import add_document, add_event

    data = labelled_scan("forged")
    sha = hashlib.sha256(data).hexdigest()
    with node.db.session() as session:  # what the exchange inbox writes for a partner's scan
        add_document(session, sha, kind="certificate", media_type="image/png", source="AU-SYD")
        add_event(session, sha, EventKind.RECEIVED, "AU-SYD", {"from": "AU-SYD"})
    review = node.extras["review"]
    seen: list[tuple[str, str]] = []
    review.listeners.append(lambda s, r: seen.append((s, r["state"])))
    router = next(w for w in node.workers if isinstance(w, InboundRouter))
    assert router.route_pending() == 0
    assert review.pending() == []  # bytes not materialised yet: wait, do not fail
    node.blobs.put(data)
    assert router.route_pending() == 1
    assert await review.process_pending() == 1
    body = (await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["officer"]))).json()
    assert (body["state"], body["submitted_by"]) == ("reject", "AU-SYD")
    assert seen == [(sha, "reject")]


async def test_each_review_is_handed_the_prints_of_the_seals_reviewed_before(
    node, client, tokens
) -> None:
    """``seal.unique``: the node keeps the print of every matched seal it reviewed and hands
    the earlier ones of the same die to the next review (a forged seal has none to keep)."""
    first = await _submit(client, tokens, "genuine")
    await node.extras["review"].process_pending()
    forged = await _submit(client, tokens, "forged")
    await node.extras["review"].process_pending()
    second = await _submit(client, tokens, "genuine-again")
    await node.extras["review"].process_pending()
    prints = dict(node.extras["review"].verifier.prints)
    assert prints[first] == []
    assert prints[forged] == [("AU-2026-genuine", first[:32] * 16)]
    assert sorted(prints[second]) == [("AU-2026-genuine", first[:32] * 16)]
    # reviewed again, a paper is not compared with its own print
    again = await client.post(f"/api/v1/review/{first}/rerun", headers=bearer(tokens["officer"]))
    assert again.status_code < 300, again.text
    await node.extras["review"].process_pending()
    assert node.extras["review"].verifier.prints[-1] == (
        first,
        [("AU-2026-genuine", second[:32] * 16)],
    )


async def test_a_copied_seal_is_shown_beside_the_paper_it_was_copied_from(
    node, client, tokens
) -> None:
    original = await _submit(client, tokens, "original")
    await node.extras["review"].process_pending()
    copied = await _submit(client, tokens, "copied")
    await node.extras["review"].process_pending()
    body = (await client.get(f"/api/v1/review/{copied}", headers=bearer(tokens["officer"]))).json()
    assert body["verdict"] == "reject"
    assert body["stamping_of"] == {
        "sha256": original,
        "certificate_number": "AU-2026-original",
        "seal_evidence": f"{original[:16]}-seal.png",
        "disposed": None,
    }
    crop = await client.get(
        f"/api/v1/review/{original}/evidence/{original[:16]}-seal.png",
        headers=bearer(tokens["officer"]),
    )
    assert crop.status_code == 200 and crop.content[:4] == b"\x89PNG"
    first = await client.get(f"/api/v1/review/{original}", headers=bearer(tokens["officer"]))
    assert first.json()["stamping_of"] is None


async def test_a_copied_seal_beside_a_paper_disposed_of_since_names_its_disposal_not_its_crop(
    node, client, tokens, home
) -> None:
    """The paper a seal was copied from, disposed of since (retention): its seal crop answers
    410, and the review named it all the same (a broken image on the review page); now it
    names none and says when and under which policy that paper went."""

    officer = bearer(tokens["officer"])
    original = await _submit(client, tokens, "original")
    await node.extras["review"].process_pending()
    copied = await _submit(client, tokens, "copied")
    await node.extras["review"].process_pending()
    node.extras["review"].decide(original, "accept", "seal checked by hand", "CN-O1")
    await node.anchoring.run_once(force=True)
    assert dispose_aged(node, home, original) == [original]
    crop = await client.get(
        f"/api/v1/review/{original}/evidence/{original[:16]}-seal.png", headers=officer
    )
    assert crop.status_code == 410, crop.text
    body = (await client.get(f"/api/v1/review/{copied}", headers=officer)).json()
    earlier = body["stamping_of"]
    assert (earlier["sha256"], earlier["certificate_number"]) == (original, "AU-2026-original")
    assert earlier["seal_evidence"] is None
    assert earlier["disposed"]["document_sha256"] == original
    assert earlier["disposed"]["policy"]["documents_days"] == 7
    assert dt.datetime.fromisoformat(earlier["disposed"]["disposed_at"]) <= dt.datetime.now(dt.UTC)
    assert body["disposed"] is None  # the copy itself is kept
    queue = await client.get("/api/v1/review/queue?state=all", headers=bearer(tokens["officer"]))
    items = queue.json()
    assert len(items) == 2 and all("stamping" not in (i["seal"] or {}) for i in items)
    assert body["result"]["seal"]["stamping"]  # the detail keeps the print


async def test_a_pdf_content_bomb_is_refused_at_upload_as_413(home) -> None:
    # a few KB of nested forms: the upload only read the page tree, stored the scan and queued
    # it, and the review worker's pdfium took GBs of the node's memory for minutes
    s = settings(home)
    s.verification.max_render_bytes = 256 * 1024 * 1024
    s.verification.max_render_seconds = 30
    async with build_node(s, verifier=FakeVerifier(), **fakes()) as n:
        transport = httpx.ASGITransport(app=create_app(n))
        async with httpx.AsyncClient(transport=transport, base_url="http://cusdep.test") as c:
            officer = bearer(issue_all(TokenService(n.db))["officer"])
            r = await c.post(
                "/api/v1/documents/scans",
                content=nested_forms_pdf(20),
                headers={**officer, "Content-Type": "application/pdf"},
            )
            assert r.status_code == 413
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["type"] == "cusdep.input.limit"
            assert r.json()["detail"] == "PDF page 1 needs more than 256 MiB to render"
            listed = await c.get("/api/v1/documents?kind=scan", headers=officer)
            assert listed.status_code == 200 and listed.json() == []  # nothing stored
            queue = await c.get("/api/v1/review/queue", headers=officer)
            assert queue.status_code == 200 and queue.json() == []  # nothing queued


async def test_a_partners_pdf_content_bomb_reaches_the_officer_unreadable_not_the_chain(
    home,
) -> None:
    # a partner's scan is not checked at upload: the review worker rendered it in the node's
    # own process (46 s, 3 GB, then a verdict on whatever pdfium drew)
    import hashlib

    from node.inbound import InboundRouter
    from node.storage.documents import add_document

    s = settings(home)
    s.verification.max_render_bytes = 256 * 1024 * 1024
    s.verification.max_render_seconds = 30
    async with build_node(s, **fakes()) as n:  # the real review pipeline
        data = nested_forms_pdf(20)
        sha = hashlib.sha256(data).hexdigest()
        with n.db.session() as session:  # what the exchange inbox writes for a partner's scan
            add_document(session, sha, kind="certificate", source="AU-SYD")
        n.blobs.put(data)
        router = next(w for w in n.workers if isinstance(w, InboundRouter))
        assert router.route_pending() == 1
        review = n.extras["review"]
        assert await review.process_pending() == 1
        got = review.get(sha)
        assert (got["state"], got["submitted_by"]) == ("review", "AU-SYD")  # the officer's
        assert got["reasons"] == ["PDF page 1 needs more than 256 MiB to render"]
        assert n.anchoring.info(sha) is None


async def test_a_paper_left_for_an_officer_is_reviewed_again_when_its_copy_is_revoked(
    node, client, tokens
) -> None:
    """The issuer revokes the certificate whose copy a paper waiting for an officer was
    checked against: the paper goes back to the machine, which is handed the copy marked
    revoked (rule ``copy.revoked`` rejects it)."""
    from node.exchange._pb import documents_pb2 as docs
    from node.exchange.revocations import DocumentRevocation

    add_partner(node, "AU-SYD", "AU")
    copy_sha = receive_copy(node, "AU-2026-genuine", net_weight_kg=1250.5)
    review = node.extras["review"]
    sha = await _submit(client, tokens, "genuine")
    await review.process_pending()
    assert review.get(sha)["state"] == "review"
    revocation = docs.Revocation(
        target=docs.Revocation.TARGET_DOCUMENT, subject_id=copy_sha, reason="issued in error"
    )
    with node.db.session() as session:
        DocumentRevocation("AU-SYD", "m-1", revocation).write(session)
    assert review.pending() == [sha]
    await review.process_pending()
    handed = dict(review.verifier.copies)[sha]
    assert handed["sha256"] == copy_sha
    assert (handed["revoked"]["by"], handed["revoked"]["reason"]) == ("AU-SYD", "issued in error")


async def test_an_accepted_papers_review_shows_its_issuer_revoked_the_copy_since(
    node, client, tokens
) -> None:
    """The paper was accepted against the issuer's copy; the issuer revoked the certificate
    afterwards: the review (as an officer or auditor opens it) says so."""
    from node.exchange._pb import documents_pb2 as docs
    from node.exchange.revocations import DocumentRevocation

    add_partner(node, "AU-SYD", "AU")
    copy_sha = receive_copy(node, "AU-2026-genuine", net_weight_kg=1250.5)
    review = node.extras["review"]
    sha = await _submit(client, tokens, "genuine")
    await review.process_pending()
    review.decide(sha, "accept", "seal checked by hand", "CN-O1")
    assert "revoked" not in review.get(sha)["electronic_copy"]
    revocation = docs.Revocation(
        target=docs.Revocation.TARGET_DOCUMENT, subject_id=copy_sha, reason="withdrawn"
    )
    with node.db.session() as session:
        DocumentRevocation("AU-SYD", "m-2", revocation).write(session)
    body = (await client.get(f"/api/v1/review/{sha}", headers=bearer(tokens["auditor"]))).json()
    assert body["electronic_copy_sha256"] == copy_sha
    assert (body["electronic_copy"]["revoked"]["by"], body["state"]) == ("AU-SYD", "decided")
    trace = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["auditor"]))).json()
    [told] = [e for e in trace["events"] if e["detail"].get("check") == "issuer_revoked"]
    assert (told["kind"], told["actor"]) == ("verified", "AU-SYD")
    assert told["detail"] == {
        "check": "issuer_revoked",
        "certificate_number": "AU2026GENUINE",
        "copy_sha256": copy_sha,
        "reason": "withdrawn",
    }
    with node.db.session() as session:  # the partner sends its revocation again
        DocumentRevocation("AU-SYD", "m-3", revocation).write(session)
    trace = (await client.get(f"/api/v1/trace/{sha}", headers=bearer(tokens["auditor"]))).json()
    assert sum(e["detail"].get("check") == "issuer_revoked" for e in trace["events"]) == 1


async def test_pruned_page_images_are_rendered_from_the_scan_again(
    node, client, tokens, capsys
) -> None:
    """`cusdep review prune-pages` deletes the page images of old reviews (the crops stay);
    the review screen asking for one gets it rendered from the stored scan again."""
    import io

    from PIL import Image

    from node.cli import main
    from node.config import write_settings

    write_settings(node.settings)
    sha = await _submit(client, tokens, "forged")
    review = node.extras["review"]
    await review.process_pending()
    folder = review.evidence_dir(sha)
    crops = sorted(p.name for p in folder.iterdir() if not p.name.startswith("page-"))
    assert main(["review", "prune-pages", "--older-than", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"reviews": 0, "files": 0, "bytes": 0}
    assert main(["review", "prune-pages", "--older-than", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["reviews"], out["files"]) == (1, 1) and out["bytes"] > 0
    assert not (folder / "page-0.png").exists()
    assert sorted(p.name for p in folder.iterdir()) == crops  # the crops stay
    r = await client.get(
        f"/api/v1/review/{sha}/evidence/page-0.png", headers=bearer(tokens["officer"])
    )
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    again = Image.open(io.BytesIO(r.content)).convert("RGB")
    scan = Image.open(io.BytesIO(labelled_scan("forged"))).convert("RGB")
    assert again.size == scan.size and again.tobytes() == scan.tobytes()
    missing = await client.get(
        f"/api/v1/review/{sha}/evidence/page-7.png", headers=bearer(tokens["officer"])
    )
    assert missing.status_code == 404  # no such page in the scan
    assert main(["review", "prune-pages", "--older-than", "-1"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


async def test_accepted_papers_whose_issuer_revoked_the_certificate_are_listed_until_revoked(
    node, client, tokens, capsys
) -> None:
    """Accepted, then the issuer revoked its copy: the paper is listed apart
    (``state=withdrawn``) with that revocation, and its review says so, until an officer
    revokes the paper itself; a paper of another number or one still undecided is not."""
    from node.exchange._pb import documents_pb2 as docs
    from node.exchange.revocations import DocumentRevocation

    add_partner(node, "AU-SYD", "AU")
    copy_sha = receive_copy(node, "AU-2026-genuine", net_weight_kg=1250.5)
    review = node.extras["review"]
    sha = await _submit(client, tokens, "genuine")
    other = await _submit(client, tokens, "forged")
    await review.process_pending()
    review.decide(sha, "accept", "seal checked by hand", "CN-O1")
    officer, auditor = bearer(tokens["officer"]), bearer(tokens["auditor"])

    async def listed() -> list[dict]:
        r = await client.get("/api/v1/review/queue?state=withdrawn", headers=auditor)
        assert r.status_code == 200
        return r.json()

    assert await listed() == []
    assert review.get(sha)["withdrawn"] is None
    revocation = docs.Revocation(
        target=docs.Revocation.TARGET_DOCUMENT, subject_id=copy_sha, reason="issued in error"
    )
    with node.db.session() as session:
        DocumentRevocation("AU-SYD", "m-4", revocation).write(session)
    [row] = await listed()
    assert (row["document_sha256"], row["decision"]["decision"]) == (sha, "accept")
    gone = row["withdrawn"]
    assert (gone["copy_sha256"], gone["by"]) == (copy_sha, "AU-SYD")
    assert gone["reason"] == "issued in error"
    body = (await client.get(f"/api/v1/review/{sha}", headers=auditor)).json()
    assert body["withdrawn"] == gone and body["revoked"] is None
    from node.cli import main
    from node.config import write_settings

    write_settings(node.settings)
    capsys.readouterr()
    assert main(["review", "queue", "--state", "withdrawn"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(sha) and f"withdrawn by AU-SYD at {gone['at']}" in line
    assert other not in {r["document_sha256"] for r in await listed()}
    await node.anchoring.run_once(force=True)
    r = await client.post(
        f"/api/v1/documents/{sha}/revoke", json={"reason": "issuer withdrew it"}, headers=officer
    )
    assert r.status_code == 200
    assert await listed() == []
    body = (await client.get(f"/api/v1/review/{sha}", headers=auditor)).json()
    assert (body["revoked"]["reason"], body["withdrawn"]["by"]) == ("issuer withdrew it", "AU-SYD")


async def test_api_answers_are_not_kept_in_a_browser_cache(node, client, tokens) -> None:
    """A bearer's view of the queue, a review, its evidence and an error: ``no-store``.
    Without it a browser's back/forward navigation reused the cached answer without asking,
    and the queue listed papers decided since."""
    sha = await _submit(client, tokens, "forged")
    await node.extras["review"].process_pending()
    h = bearer(tokens["officer"])
    review = (await client.get(f"/api/v1/review/{sha}", headers=h)).json()
    crop = review["layout"]["evidence"]["seal"]
    for path in (
        "/api/v1/review/queue",
        f"/api/v1/review/{sha}",
        f"/api/v1/review/{sha}/evidence/{crop}",
        f"/api/v1/trace/{sha}",
        "/api/v1/review/" + "0" * 64,  # 404, problem+json
    ):
        r = await client.get(path, headers=h)
        assert r.headers.get("cache-control") == "no-store", (path, r.status_code)
