"""Tokens and roles over HTTP: 401 without a token, 403 for the wrong role or country, and the
registry flows (register, list, specimen, revoke) through RegistryService."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pytest
from PIL import Image

from node.api.tokens import TokenService
from node.errors import InputError, NotFound, Unauthenticated
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import TEMPLATE, png

AGENCY = {"id": "AU-DAFF", "country": "AU", "name": "Department of Agriculture"}


def _seal(seal_id: str = "AU-DAFF-S1", agency: str = "AU-DAFF") -> dict[str, str]:
    return {"agency": agency, "id": seal_id, "image_base64": base64.b64encode(png()).decode()}


async def test_no_token_is_401_problem(client) -> None:
    r = await client.get("/api/v1/registry")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["type"] == "cusdep.unauthenticated" and r.json()["status"] == 401
    bad = await client.get("/api/v1/registry", headers=bearer("cdp_nope_nope"))
    assert bad.status_code == 401 and "unknown" in bad.json()["detail"]


async def test_the_token_is_judged_before_a_malformed_body(client, tokens) -> None:
    route = "/api/v1/registry/agencies"
    json_ = {"Content-Type": "application/json"}
    r = await client.post(route, content=b"{bad", headers=json_)
    assert r.status_code == 401 and r.json()["type"] == "cusdep.unauthenticated"
    r = await client.post(route, content=b"{bad", headers={**json_, **bearer("cdp_nope_nope")})
    assert r.status_code == 401
    r = await client.post(route, content=b"{bad", headers={**json_, **bearer(tokens["auditor"])})
    assert r.status_code == 403 and r.json()["type"] == "cusdep.permission"
    r = await client.post(route, content=b"{bad", headers={**json_, **bearer(tokens["agency_au"])})
    assert r.status_code == 422 and r.json()["type"] == "cusdep.input.validation"
    # a token that may call it: then what is wrong with the request itself
    r = await client.get("/api/v1/documents?limit=9999", headers=bearer(tokens["auditor"]))
    assert r.status_code == 400


async def test_me(client, tokens) -> None:
    r = await client.get("/api/v1/me", headers=bearer(tokens["agency_au"]))
    assert r.json()["role"] == "agency" and r.json()["country"] == "AU"
    assert r.json()["subject"] == "AU-DAFF"


async def test_revoked_token_is_refused(node, client, tokens) -> None:
    service = TokenService(node.db)
    issued = service.issue("auditor", "temp")
    assert (
        await client.get("/api/v1/registry", headers=bearer(issued["token"]))
    ).status_code == 200
    service.revoke(issued["id"])
    r = await client.get("/api/v1/registry", headers=bearer(issued["token"]))
    assert r.status_code == 401 and "revoked" in r.json()["detail"]


async def test_auditor_cannot_register_a_seal(client, tokens) -> None:
    await client.post("/api/v1/registry/agencies", json=AGENCY, headers=bearer(tokens["agency_au"]))
    r = await client.post("/api/v1/registry/seals", json=_seal(), headers=bearer(tokens["auditor"]))
    assert r.status_code == 403
    assert r.json()["type"] == "cusdep.permission" and "auditor" in r.json()["detail"]


async def test_officer_cannot_write_registry_nor_agency_decide(client, tokens) -> None:
    r = await client.post(
        "/api/v1/registry/agencies", json=AGENCY, headers=bearer(tokens["officer"])
    )
    assert r.status_code == 403
    d = await client.post(
        "/api/v1/review/" + "a" * 64 + "/decision",
        json={"decision": "accept"},
        headers=bearer(tokens["agency_au"]),
    )
    assert d.status_code == 403


async def test_agency_writes_only_for_its_own_country(node, client, tokens) -> None:
    au, nz = bearer(tokens["agency_au"]), bearer(tokens["agency_nz"])
    other = await client.post("/api/v1/registry/agencies", json=AGENCY, headers=nz)
    assert other.status_code == 403 and "NZ" in other.json()["detail"]
    ok = await client.post("/api/v1/registry/agencies", json=AGENCY, headers=au)
    assert ok.status_code == 201 and ok.json()["state"] == "confirmed"
    assert (
        await client.post("/api/v1/registry/seals", json=_seal(), headers=nz)
    ).status_code == 403
    seal = await client.post("/api/v1/registry/seals", json=_seal(), headers=au)
    assert seal.status_code == 201, seal.text
    chain = node.registry.chain
    assert (await chain.get("seal", "CN", "AU-DAFF-S1"))["image_sha256"] == seal.json()["sha256"]
    t = await client.post("/api/v1/registry/templates", json=TEMPLATE, headers=nz)
    assert t.status_code == 403
    t = await client.post("/api/v1/registry/templates", json=TEMPLATE, headers=au)
    assert t.status_code == 201 and t.json()["id"] == "AU-PHYTO-2025"
    rv = await client.post(
        "/api/v1/registry/seal/AU-DAFF-S1/revoke", json={"reason": "lost"}, headers=nz
    )
    assert rv.status_code == 403


async def test_register_officer_list_specimen_and_revoke(client, tokens) -> None:
    au = bearer(tokens["agency_au"])
    await client.post("/api/v1/registry/agencies", json=AGENCY, headers=au)
    body = {
        "agency": "AU-DAFF",
        "id": "AU-DAFF-O7",
        "name": "Jane Citizen",
        "signature_base64": base64.b64encode(png("blue")).decode(),
        "valid_from": "2024-01-01",
        "valid_to": "2028-12-31",
    }
    o = await client.post("/api/v1/registry/officers", json=body, headers=au)
    assert o.status_code == 201 and o.json()["valid_to"] == "2028-12-31"
    listed = await client.get("/api/v1/registry?kind=officer", headers=bearer(tokens["auditor"]))
    assert [r["id"] for r in listed.json()] == ["AU-DAFF-O7"]
    # one record by id, or an agency's records: not the whole registry for one paper
    auditor = bearer(tokens["auditor"])
    for query, ids in (
        ("kind=officer&id=AU-DAFF-O7", ["AU-DAFF-O7"]),
        ("kind=officer&id=AU-DAFF-O8", []),
        ("id=AU-DAFF", ["AU-DAFF"]),
        ("kind=officer&agency=AU-DAFF", ["AU-DAFF-O7"]),
        ("agency=NZ-MPI", []),
    ):
        r = await client.get(f"/api/v1/registry?{query}", headers=auditor)
        assert [rec["id"] for rec in r.json()] == ids, query
    img = await client.get(
        "/api/v1/registry/officer/AU-DAFF-O7/specimen", headers=bearer(tokens["officer"])
    )
    assert img.status_code == 200 and img.content == png("blue")
    validity = "/api/v1/registry/officer/AU-DAFF-O7/validity"
    nz = bearer(tokens["agency_nz"])
    assert (
        await client.post(validity, json={"valid_to": "2030-06-30"}, headers=nz)
    ).status_code == 403
    bad = await client.post(
        validity, json={"valid_from": "2031-01-01", "valid_to": "2030-06-30"}, headers=au
    )
    assert bad.status_code == 400 and "before valid_from" in bad.json()["detail"]
    longer = await client.post(
        validity, json={"valid_from": "2024-01-01", "valid_to": "2030-06-30"}, headers=au
    )
    assert longer.status_code == 200 and longer.json()["valid_to"] == "2030-06-30"
    # the change's own transaction, beside the registration's (`tx_hash`), as a revocation's
    assert longer.json()["validity_tx_hash"] not in ("", None, o.json()["tx_hash"])
    rv = await client.post(
        "/api/v1/registry/officer/AU-DAFF-O7/revoke", json={"reason": "retired"}, headers=au
    )
    assert rv.status_code == 200 and rv.json()["state"] == "revoked"
    assert rv.json()["revoked_reason"] == "retired"
    assert rv.json()["revoke_tx_hash"] not in ("", None, o.json()["tx_hash"])  # its own tx
    missing = await client.post(
        "/api/v1/registry/seal/NOPE/revoke", json={"reason": "x"}, headers=au
    )
    assert missing.status_code == 404


async def test_a_tiff_specimen_is_served_as_tiff(client, tokens) -> None:
    """The registry takes TIFF specimens; showing one answered 400 "not a PNG or JPEG"."""
    au = bearer(tokens["agency_au"])
    await client.post("/api/v1/registry/agencies", json=AGENCY, headers=au)
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buf, "TIFF", compression="tiff_lzw")
    tiff = buf.getvalue()
    body = {**_seal(), "image_base64": base64.b64encode(tiff).decode()}
    assert (await client.post("/api/v1/registry/seals", json=body, headers=au)).status_code == 201
    img = await client.get(
        "/api/v1/registry/seal/AU-DAFF-S1/specimen", headers=bearer(tokens["officer"])
    )
    assert img.status_code == 200, img.text
    assert img.headers["content-type"] == "image/tiff" and img.content == tiff


async def test_registry_input_errors(client, tokens) -> None:
    au = bearer(tokens["agency_au"])
    r = await client.post(
        "/api/v1/registry/seals", json={**_seal(), "image_base64": "!!"}, headers=au
    )
    # a field that is not base64 is a malformed body: 422 like any schema error (was 400)
    assert r.status_code == 422 and "base64" in r.json()["detail"]
    await client.post("/api/v1/registry/agencies", json=AGENCY, headers=au)
    r = await client.post(
        "/api/v1/registry/seals", json={**_seal(), "image_base64": "!!"}, headers=au
    )
    assert r.status_code == 422 and r.json()["type"] == "cusdep.input.validation"
    assert r.json()["detail"] == "body.image_base64: Value error, not valid base64"
    r = await client.post("/api/v1/registry/seals", json={"agency": "AU-DAFF"}, headers=au)
    assert r.status_code == 422 and r.json()["type"] == "cusdep.input.validation"
    bad = {**_seal(), "image_base64": base64.b64encode(b"not an image").decode()}
    r = await client.post("/api/v1/registry/seals", json=bad, headers=au)
    assert r.status_code == 400 and "not a PNG, JPEG or TIFF image" in r.json()["detail"]
    assert "BytesIO" not in r.json()["detail"]
    # a template without its country is malformed (400), not another country's (403)
    r = await client.post("/api/v1/registry/templates", json={"id": "T1"}, headers=au)
    assert r.status_code == 400 and "issuing_country" in r.json()["detail"]
    dup = await client.post(
        "/api/v1/registry/agencies", json={**AGENCY, "name": "Other"}, headers=au
    )
    assert dup.status_code in (200, 201, 409)


def test_token_service_rules(node) -> None:
    service = TokenService(node.db)
    with pytest.raises(InputError):
        service.issue("agency", "x")  # no country
    with pytest.raises(InputError):
        service.issue("officer", "x", "AU")
    with pytest.raises(InputError):
        service.issue("root", "x")
    with pytest.raises(NotFound):
        service.revoke("nope")
    issued = service.issue("officer", "jane")
    assert issued["token"].startswith("cdp_") and "token" not in service.list()[0]
    with pytest.raises(Unauthenticated):
        service.authenticate(issued["token"] + "x")
    with pytest.raises(InputError):
        service.issue("officer", "x", days=0)
    short = service.issue("officer", "temp", days=1)
    assert service.authenticate(short["token"]).subject == "temp"
    with node.db.session() as session:  # a day later
        from node.api.tokens import ApiTokenRow

        row = session.get(ApiTokenRow, short["id"])
        row.expires_at = row.expires_at - dt.timedelta(days=2)
    with pytest.raises(Unauthenticated, match="expired"):
        service.authenticate(short["token"])


def test_cli_issue_list_revoke(home, capsys) -> None:
    from node.cli import main
    from node.config import write_settings
    from tests.unit.api.fakes import settings

    write_settings(settings(home))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["token", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = run("issue", "--role", "agency", "--subject", "AU-DAFF", "--country", "au")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("cdp_")
    _, listed, _ = run("list")
    assert "agency" in listed and "AU" in listed and token not in listed
    code, _, err = run("issue", "--role", "agency", "--subject", "x")
    assert code == 2 and "country" in err
    assert run("revoke", token)[0] == 0
    assert "revoked" in run("list")[1]
    # days past the calendar were an OverflowError (99999999999) or a ValueError (3000000)
    for days in ("99999999999", "3000000", "3651", "nan"):
        code, out, err = run("issue", "--role", "officer", "--subject", "X", "--days", days)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert "--days must be more than 0 and at most 3650" in err
    assert run("issue", "--role", "officer", "--subject", "X", "--days", "3650")[0] == 0


async def test_cli_review_queue_show_decide(node, home, capsys) -> None:
    from node.cli import main
    from node.config import write_settings
    from tests.unit.api.fakes import labelled_scan

    write_settings(node.settings)
    review = node.extras["review"]
    sha = review.submit_scan(labelled_scan("forged"), actor="clerk")["sha256"]
    await review.process_pending()
    capsys.readouterr()
    assert main(["review", "queue", "--json"]) == 0
    assert [r["document_sha256"] for r in json.loads(capsys.readouterr().out)] == [sha]
    assert main(["review", "queue", "--offset", "1", "--json"]) == 0  # paged past it
    assert json.loads(capsys.readouterr().out) == []
    for bad in (["--limit", "0"], ["--limit", "501"], ["--offset", "-1"]):
        assert main(["review", "queue", *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"{bad[0]} must be" in err
    assert main(["review", "show", sha]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "reject"
    assert main(["review", "decide", sha, "--decision", "reject", "--officer", ""]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "officer" in err
    code = main(["review", "decide", sha, "--decision", "reject", "--officer", "CN-O1"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["officer"] == "CN-O1"
    assert main(["review", "decide", sha, "--decision", "accept", "--officer", "CN-O1"]) == 2
    assert "already decided" in capsys.readouterr().err
