"""An issuer's replacement certificate as the officers see it: the paper of the replaced
certificate accepted before is listed with the withdrawn ones (naming the replacement), its
review and trace say so, a paper of it presented afterwards is handed a copy marked replaced
(rule ``copy.replaced`` rejects it), and ``POST /documents/{sha}/replace`` refuses what this
node may not replace with problem+json."""

from __future__ import annotations

import json

from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import add_partner, receive_copy
from tests.unit.api.test_review_api import _submit

OLD, NEW = "AU-2026-genuine", "AU-2026-genuine-R1"


async def test_a_paper_of_a_replaced_certificate_is_withdrawn_and_no_longer_accepted(
    node, client, tokens
) -> None:
    add_partner(node, "AU-SYD", "AU")
    copy_sha = receive_copy(node, OLD, net_weight_kg=1250.5)
    review = node.extras["review"]
    sha = await _submit(client, tokens, "genuine")
    await review.process_pending()
    review.decide(sha, "accept", "seal checked by hand", "CN-O1")
    auditor = bearer(tokens["auditor"])

    async def listed() -> list[dict]:
        r = await client.get("/api/v1/review/queue?state=withdrawn", headers=auditor)
        assert r.status_code == 200
        return r.json()

    assert await listed() == []
    new_sha = receive_copy(node, NEW, net_weight_kg=1250.5, replaces=OLD)
    [row] = await listed()
    assert row["document_sha256"] == sha
    gone = row["withdrawn"]
    assert (gone["by"], gone["replaced_by"], gone["replacement_sha256"]) == ("AU-SYD", NEW, new_sha)
    assert gone["copy_sha256"] == copy_sha and gone["reason"].startswith(f"replaced by {NEW}")
    body = (await client.get(f"/api/v1/review/{sha}", headers=auditor)).json()
    assert body["withdrawn"] == gone
    assert body["electronic_copy"]["replaced"]["replaced_by"] == NEW
    trace = (await client.get(f"/api/v1/trace/{sha}", headers=auditor)).json()
    [told] = [e for e in trace["events"] if e["detail"].get("check") == "issuer_replaced"]
    assert (told["kind"], told["actor"]) == ("verified", "AU-SYD")
    assert told["detail"]["replaced_by"] == NEW
    trace = (await client.get(f"/api/v1/trace/{copy_sha}", headers=auditor)).json()
    [link] = [e for e in trace["events"] if e["kind"] == "replaced"]
    assert link["detail"]["replacement_sha256"] == new_sha

    # another paper of the replaced certificate, presented afterwards: reviewed against the
    # issuer's copy marked replaced (rule ``copy.replaced`` rejects it)
    later = await _submit(client, tokens, "genuine-presented-later")
    assert later != sha
    await review.process_pending()
    handed = dict(review.verifier.copies)[later]
    assert (handed["sha256"], handed["replaced"]["replaced_by"]) == (copy_sha, NEW)
    assert handed["replaced"]["by"] == "AU-SYD"


async def test_replace_refuses_what_this_node_may_not_replace(node, client, tokens) -> None:
    add_partner(node, "AU-SYD", "AU")
    copy_sha = receive_copy(node, OLD)
    officer = {**bearer(tokens["officer"]), "Content-Type": "application/json"}
    body = json.dumps({"certificate_number": NEW, "replaces": OLD}).encode()
    r = await client.post(f"/api/v1/documents/{'ab' * 32}/replace", content=body, headers=officer)
    assert (r.status_code, r.headers["content-type"]) == (404, "application/problem+json")
    r = await client.post(f"/api/v1/documents/{copy_sha}/replace", content=body, headers=officer)
    assert r.status_code == 403
    assert r.json()["type"] == "cusdep.exchange.not_certificate_issuer"
    assert "only its issuer replaces it" in r.json()["detail"]
    r = await client.post(
        f"/api/v1/documents/{copy_sha}/replace", content=body, headers=bearer(tokens["auditor"])
    )
    assert r.status_code == 403
