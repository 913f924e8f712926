"""The HTTP contract every API route keeps (``node.api.problems``, ``node.api.routes._body``):
415 for a body of a media type the route does not take, 413 for a declared or streamed body past
its limit before it is read, 400 for a query parameter that is unknown or out of range, 404 for
an unknown document, 422 for a malformed JSON body, each as application/problem+json."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from node.api import problems
from node.api.app import create_app
from node.runtime import Node
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import labelled_scan
from tests.unit.api.test_request_bodies import Counted

SCANS = "/api/v1/documents/scans"
UNKNOWN = "b" * 64
DECIDE = f"/api/v1/review/{UNKNOWN}/decision"
JSON = {"Content-Type": "application/json"}


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (850, 1100), "white").save(buf, "JPEG")
    return buf.getvalue()


def _problem(r, status: int, code: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == problems.MEDIA_TYPE
    body = r.json()
    assert body["type"] == code and body["status"] == status
    return body  # type: ignore[no-any-return]


# --- 1. a scan's Content-Type ---------------------------------------------------------------


@pytest.mark.parametrize("declared", ["text/plain", "application/octet-stream", None])
async def test_a_scan_of_a_type_the_route_does_not_take_is_415_unread(
    client, tokens, declared: str | None
) -> None:
    body = Counted(_jpeg(), 1)
    headers = {**bearer(tokens["officer"]), "Content-Length": str(len(_jpeg()))}
    if declared:
        headers["Content-Type"] = declared
    r = await client.post(SCANS, content=body, headers=headers)
    detail = _problem(r, 415, "cusdep.input.media_type")["detail"]
    assert detail.startswith(f"Content-Type {declared}:" if declared else "no Content-Type:")
    assert "application/pdf, image/jpeg, image/png, image/tiff" in detail
    assert body.pulled == 0


async def test_a_jpeg_declared_as_png_is_415_naming_its_type(client, tokens) -> None:
    headers = {**bearer(tokens["officer"]), "Content-Type": "image/png"}
    r = await client.post(SCANS, content=_jpeg(), headers=headers)
    body = _problem(r, 415, "cusdep.input.media_type")
    assert "image/png does not match" in body["detail"] and body["accepted"] == "image/jpeg"
    listed = await client.get("/api/v1/documents", headers=bearer(tokens["officer"]))
    assert listed.json() == []  # nothing stored


@pytest.mark.parametrize(
    ("declared", "data"),
    [
        ("image/jpeg", _jpeg),
        ("IMAGE/JPEG", _jpeg),
        ("image/png; name=scan.png", lambda: labelled_scan("forged")),
    ],
)
async def test_a_scan_of_its_own_type_is_taken(client, tokens, declared: str, data) -> None:  # type: ignore[no-untyped-def]
    headers = {**bearer(tokens["officer"]), "Content-Type": declared}
    r = await client.post(SCANS, content=data(), headers=headers)
    assert r.status_code == 202, r.text


async def test_json_routes_answer_415_for_a_body_that_is_not_json(
    node: Node, client, tokens
) -> None:
    """``POST /review/{sha}/decision`` as text/plain was 422 "Input should be a valid
    dictionary"; every JSON route is 415, and an electronic document as text/plain too."""
    admin = bearer(tokens["admin"])
    routes = [(m, p) for m, p, media in _operations_with_a_body(node) if media == JSON_TYPES]
    assert ("POST", DECIDE) in routes and len(routes) >= 7
    for method, path in [*routes, ("POST", "/api/v1/documents/certificates")]:
        for declared in ("text/plain", "application/x-www-form-urlencoded"):
            headers = {**admin, "Content-Type": declared}
            r = await client.request(method, path, content=b'{"a": 1}', headers=headers)
            _problem(r, 415, "cusdep.input.media_type")
    r = await client.post(DECIDE, content=b'{"decision": "accept"}', headers=admin)
    _problem(r, 415, "cusdep.input.media_type")  # no Content-Type at all
    headers = {**admin, "Content-Type": "application/merge-patch+json"}
    r = await client.post(DECIDE, content=b'{"decision": "accept"}', headers=headers)
    _problem(r, 404, "cusdep.not_found")  # a JSON type: read, and no such review


# --- 2. Content-Length ----------------------------------------------------------------------


JSON_TYPES = ("application/json",)


def _operations_with_a_body(node: Node) -> list[tuple[str, str, tuple[str, ...]]]:
    """(method, path, media types) of every operation that takes a body."""
    fill = {"sha256": UNKNOWN, "kind": "seal"}
    found = []
    for path, methods in create_app(node).openapi()["paths"].items():
        for method, op in methods.items():
            if "requestBody" in op:
                for name, value in fill.items():
                    path = path.replace("{" + name + "}", value)
                media = tuple(op["requestBody"]["content"])
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "X", path), media))
    return found


async def test_every_route_refuses_a_huge_declared_body_before_reading_it(
    node: Node, client, tokens
) -> None:
    """``Content-Length: 999999999999`` with a tiny body had no answer in 40 s."""
    operations = _operations_with_a_body(node)
    assert ("POST", SCANS, ("application/pdf", "image/png", "image/jpeg", "image/tiff")) in (
        operations
    )
    for method, path, media in operations:
        body = Counted(b"x" * 16, 1)
        headers = {
            **bearer(tokens["admin"]),
            "Content-Type": media[0],
            "Content-Length": "999999999999",
        }
        r = await client.request(method, path, content=body, headers=headers)
        detail = _problem(r, 413, "cusdep.input.limit")["detail"]
        assert "(Content-Length: 999999999999)" in detail, (method, path)
        assert body.pulled == 0, (method, path)


@pytest.mark.parametrize(("path", "declared"), [(SCANS, "image/png"), (DECIDE, "application/json")])
async def test_a_body_longer_than_its_content_length_is_413(
    client, tokens, path: str, declared: str
) -> None:
    headers = {**bearer(tokens["officer"]), "Content-Type": declared, "Content-Length": "10"}
    r = await client.post(path, content=Counted(b"x" * 64, 2), headers=headers)
    assert "longer than its Content-Length (10)" in _problem(r, 413, "cusdep.input.limit")["detail"]


async def test_a_streamed_scan_past_the_limit_is_413(node: Node, client, tokens) -> None:
    node.settings.verification.max_bytes = 100_000
    body = Counted(b"\x89PNG\r\n\x1a\n" + b"x" * 65528, 64)  # chunked: no Content-Length
    headers = {**bearer(tokens["officer"]), "Content-Type": "image/png"}
    r = await client.post(SCANS, content=body, headers=headers)
    assert "larger than 100000 bytes" in _problem(r, 413, "cusdep.input.limit")["detail"]
    assert body.pulled <= 2 * 65536


# --- 4. query parameters --------------------------------------------------------------------


async def test_an_unknown_document_state_is_400_listing_the_states(client, tokens) -> None:
    """``?state=bogus`` answered 200 ``[]`` (while ``kind=bogus`` was 400)."""
    h = bearer(tokens["officer"])
    r = await client.get("/api/v1/documents?state=bogus", headers=h)
    detail = _problem(r, 400, "cusdep.input.validation")["detail"]
    for state in ("received", "in_review", "accepted", "rejected", "revoked"):
        assert f"'{state}'" in detail
    await client.post(
        SCANS, content=labelled_scan("forged"), headers={**h, "Content-Type": "image/png"}
    )
    r = await client.get("/api/v1/documents?state=received", headers=h)
    assert r.status_code == 200 and [d["state"] for d in r.json()] == ["received"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/documents?stat=accepted",
        "/api/v1/review/queue?state=open&sort=asc",
        "/api/v1/registry?kind=seal&country=AU",
        "/api/v1/me?debug=1",
        f"/api/v1/trace/{UNKNOWN}?x=1",
    ],
)
async def test_an_unknown_query_parameter_is_400_naming_it(client, tokens, url: str) -> None:
    unknown = re.findall(r"[?&](\w+)=", url)[-1]
    r = await client.get(url, headers=bearer(tokens["admin"]))
    body = _problem(r, 400, "cusdep.input.validation")
    assert body["detail"].startswith(f"query.{unknown}: unknown query parameter")
    assert [e["loc"] for e in body["errors"]] == [["query", unknown]]
    r = await client.get(url)  # without a token: 401 first, as for any fault of the request
    _problem(r, 401, "cusdep.unauthenticated")


async def test_an_unknown_query_parameter_on_a_body_route_is_400_unread(client, tokens) -> None:
    body = Counted(b"x" * 16, 1)
    headers = {**bearer(tokens["officer"]), "Content-Type": "image/png"}
    r = await client.post(f"{SCANS}?declaraton={UNKNOWN}", content=body, headers=headers)
    assert "query.declaraton" in _problem(r, 400, "cusdep.input.validation")["detail"]
    assert body.pulled == 0


# --- 5. unknown documents -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("POST", f"/api/v1/documents/{UNKNOWN}/revoke", {"reason": "issued in error"}),
        ("GET", f"/api/v1/documents/{UNKNOWN}", None),
        ("GET", f"/api/v1/documents/{UNKNOWN}/content", None),
        ("GET", f"/api/v1/review/{UNKNOWN}", None),
        ("POST", DECIDE, {"decision": "accept"}),
        ("POST", f"/api/v1/review/{UNKNOWN}/rerun", None),
        ("GET", f"/api/v1/review/{UNKNOWN}/evidence/page-1.png", None),
        ("GET", f"/api/v1/trace/{UNKNOWN}", None),
    ],
)
async def test_an_unknown_document_is_404_on_every_route(
    client,
    tokens,
    method: str,
    path: str,
    json: dict | None,  # type: ignore[type-arg]
) -> None:
    """``POST /documents/{unknown}/revoke`` was 409 "is not anchored"."""
    r = await client.request(method, path, json=json, headers=bearer(tokens["officer"]))
    assert UNKNOWN in _problem(r, 404, "cusdep.not_found")["detail"]


async def test_a_known_document_not_anchored_is_still_409_on_revoke(client, tokens) -> None:
    h = bearer(tokens["officer"])
    sha = (
        await client.post(
            SCANS, content=labelled_scan("forged"), headers={**h, "Content-Type": "image/png"}
        )
    ).json()["sha256"]
    r = await client.post(f"/api/v1/documents/{sha}/revoke", json={"reason": "x"}, headers=h)
    assert "is not anchored" in _problem(r, 409, "cusdep.conflict")["detail"]


async def test_revoking_a_document_a_partner_anchored_names_the_partner(
    node: Node, client, tokens
) -> None:
    """A document this node sent, which the receiver anchored and reported (its ``reviewed``
    event carries the anchor): the sender's trace says "anchored by CN-SHA", and its revoke
    said "is not anchored: nothing to revoke"."""
    from node.domain.states import EventKind
    from node.storage.documents import add_event

    h = bearer(tokens["officer"])
    sha = (
        await client.post(
            SCANS, content=labelled_scan("forged"), headers={**h, "Content-Type": "image/png"}
        )
    ).json()["sha256"]
    anchor = {"leaf": "0x" + "1" * 64, "merkle_root": "0x" + "2" * 64, "proof": []}
    with node.db.session() as session:
        add_event(
            session, sha, EventKind.REVIEWED, "CN-SHA", {"verdict": "accept", "anchor": anchor}
        )
        session.commit()
    r = await client.post(f"/api/v1/documents/{sha}/revoke", json={"reason": "x"}, headers=h)
    detail = _problem(r, 409, "cusdep.conflict")["detail"]
    assert "was anchored by CN-SHA, not by this node: only CN-SHA" in detail


# --- 6. one status for a malformed body -----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "good"),
    [
        (DECIDE, {"decision": "accept"}),
        (f"/api/v1/documents/{UNKNOWN}/revoke", {"reason": "issued in error"}),
        ("/api/v1/messages", {"to": "AU-SYD", "document_sha256": UNKNOWN}),
        ("/api/v1/registry/agencies", {"id": "AU-DAFF", "country": "AU", "name": "Dept"}),
        ("/api/v1/registry/seals", {"agency": "AU-DAFF", "id": "S1", "image_base64": "QQ=="}),
    ],
)
async def test_a_malformed_json_body_is_422_on_every_route(
    client,
    tokens,
    path: str,
    good: dict,  # type: ignore[type-arg]
) -> None:
    h = {**bearer(tokens["admin"]), **JSON}
    field = next(iter(good))
    malformed = {
        "not JSON": b"{bad",
        "not UTF-8": b'{"a": "\xff"}',
        "a list": b"[]",
        "a missing field": _dumps({k: v for k, v in good.items() if k != field}),
        "an extra field": _dumps({**good, "extra": 1}),
        "a wrong type": _dumps({**good, field: 12}),
    }
    for what, body in malformed.items():
        r = await client.post(path, content=body, headers=h)
        assert r.status_code == 422, (path, what, r.text)
        _problem(r, 422, "cusdep.input.validation")


async def test_body_field_checks_are_422_like_the_schema(client, tokens) -> None:
    """A blank revocation reason and a specimen that is not base64 were 400 from the route or
    service, beside 422 for every other fault of the same bodies."""
    h = {**bearer(tokens["admin"]), **JSON}
    r = await client.post(
        f"/api/v1/documents/{UNKNOWN}/revoke", content=_dumps({"reason": "   "}), headers=h
    )
    assert _problem(r, 422, "cusdep.input.validation")["detail"].startswith("body.reason:")
    seal = {"agency": "AU-DAFF", "id": "S1", "image_base64": "!!"}
    r = await client.post("/api/v1/registry/seals", content=_dumps(seal), headers=h)
    assert "body.image_base64" in _problem(r, 422, "cusdep.input.validation")["detail"]


async def test_parameters_are_400_beside_the_body_422(client, tokens) -> None:
    h = bearer(tokens["officer"])
    r = await client.get("/api/v1/documents?limit=0", headers=h)
    _problem(r, 400, "cusdep.input.validation")
    r = await client.post(
        f"{SCANS}?declaration=nothex",
        content=labelled_scan("forged"),
        headers={**h, "Content-Type": "image/png"},
    )
    _problem(r, 400, "cusdep.input.validation")


def _dumps(value: object) -> bytes:
    import json

    return json.dumps(value).encode()


async def test_a_fault_of_the_nodes_own_is_a_500_problem_naming_no_internals(
    node: Node, tokens, monkeypatch, caplog
) -> None:
    """A route that fails unexpectedly answers problem+json (Starlette's default is a bare
    text/plain "Internal Server Error"); the cause goes to the log, not to the caller."""
    import httpx

    from node.api.routes import documents

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk /var/lib/cusdep/secret.db is corrupt")

    monkeypatch.setattr(documents, "get_document", broken)
    transport = httpx.ASGITransport(app=create_app(node), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://cusdep.test") as c:
        r = await c.get("/api/v1/documents/" + "ab" * 32, headers=bearer(tokens["officer"]))
    assert r.status_code == 500
    assert r.headers["content-type"] == problems.MEDIA_TYPE
    body = r.json()
    assert (body["type"], body["status"]) == ("cusdep.internal", 500)
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert "secret.db is corrupt" in caplog.text
