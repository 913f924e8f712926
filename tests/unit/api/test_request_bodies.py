"""JSON request bodies: read only for a caller whose token may call the route, only up to a cap
(413 problem past it), and a body that is not UTF-8 JSON is the same 422 problem as malformed
JSON. Raw document uploads keep their own, larger limit."""

from __future__ import annotations

import base64
import io
import os
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from node.api import problems
from node.api.app import create_app
from node.api.deps import Officer
from node.api.routes.registry import SPECIMEN_JSON_BYTES
from node.api.schemas import DecisionIn
from node.runtime import Node
from tests.unit.api.conftest import bearer

DECIDE = "/api/v1/review/" + "a" * 64 + "/decision"
JSON = {"Content-Type": "application/json"}
MIB = 1024 * 1024


class Counted:
    """A request body streamed chunk by chunk, counting what the app pulled of it."""

    def __init__(self, chunk: bytes, count: int) -> None:
        self.chunk, self.count, self.pulled = chunk, count, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.pulled += len(self.chunk)
            yield self.chunk


@pytest.mark.parametrize("who", [None, "cdp_nope_nope", "auditor"])
async def test_a_caller_who_may_not_decide_is_refused_before_the_body_is_read(
    client, tokens, who
) -> None:
    """400 MB streamed with no token grew the node by 700 MB before the 401 came back."""
    body = Counted(b"x" * 65536, 64)
    auth = bearer(tokens.get(who, who)) if who else {}
    r = await client.post(
        DECIDE, content=body, headers={**JSON, **auth, "Content-Length": str(400 * MIB)}
    )
    assert r.status_code == (403 if who == "auditor" else 401)
    assert r.headers["content-type"] == problems.MEDIA_TYPE
    assert r.json()["type"] == (
        "cusdep.permission" if who == "auditor" else "cusdep.unauthenticated"
    )
    assert body.pulled == 0


async def test_a_declared_json_body_over_the_cap_is_413_unread(client, tokens) -> None:
    body = Counted(b"x" * 65536, 64)
    headers = {**JSON, **bearer(tokens["officer"]), "Content-Length": str(400 * MIB)}
    r = await client.post(DECIDE, content=body, headers=headers)
    assert r.status_code == 413 and r.headers["content-type"] == problems.MEDIA_TYPE
    assert r.json()["type"] == "cusdep.input.limit" and "1048576 bytes" in r.json()["detail"]
    assert body.pulled == 0


async def test_a_streamed_json_body_is_read_only_up_to_the_cap(client, tokens) -> None:
    body = Counted(b" " * 65536, 128)  # 8 MiB, no Content-Length (chunked)
    r = await client.post(DECIDE, content=body, headers={**JSON, **bearer(tokens["officer"])})
    assert r.status_code == 413 and r.json()["type"] == "cusdep.input.limit"
    assert MIB < body.pulled <= MIB + 65536


async def test_the_cap_is_the_api_setting(node: Node, client, tokens) -> None:
    node.settings.api.max_json_bytes = 2048
    officer = {**JSON, **bearer(tokens["officer"])}
    reason = {"decision": "reject", "reason": "r" * 1000}
    r = await client.post(DECIDE, json=reason, headers=officer)
    assert r.status_code == 404  # under the cap: read, and no such review
    r = await client.post(DECIDE, json={**reason, "reason": "r" * 3000}, headers=officer)
    assert r.status_code == 413 and "2048 bytes" in r.json()["detail"]


def _noise_png(side: int) -> bytes:
    """A PNG that does not compress: ~3 * side**2 bytes."""
    buf = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(3 * side * side)).save(buf, "PNG")
    return buf.getvalue()


async def test_a_specimen_image_may_be_larger_than_the_json_cap(client, tokens) -> None:
    """Seal and signature specimens travel in base64 (the registry takes images up to
    MAX_SPECIMEN_BYTES): those routes have their own cap."""
    agency = bearer(tokens["agency_au"])
    await client.post(
        "/api/v1/registry/agencies",
        json={"id": "AU-DAFF", "country": "AU", "name": "Department of Agriculture"},
        headers=agency,
    )
    image = _noise_png(700)
    seal = {
        "agency": "AU-DAFF",
        "id": "AU-DAFF-S1",
        "image_base64": base64.b64encode(image).decode(),
    }
    assert len(seal["image_base64"]) > MIB
    r = await client.post("/api/v1/registry/seals", json=seal, headers=agency)
    assert r.status_code == 201, r.text
    body = Counted(b"x" * 65536, 4)
    headers = {**JSON, **agency, "Content-Length": str(SPECIMEN_JSON_BYTES + 1)}
    r = await client.post("/api/v1/registry/seals", content=body, headers=headers)
    assert r.status_code == 413 and body.pulled == 0


async def test_raw_document_uploads_keep_their_own_limit(node: Node, client, tokens) -> None:
    officer = {**JSON, **bearer(tokens["officer"])}
    big = b'{"declaration_number": "D1", "padding": "' + b" " * (2 * MIB) + b'"}'
    r = await client.post("/api/v1/documents/declarations", content=big, headers=officer)
    assert r.status_code != 413, r.text  # over the JSON cap, well under verification.max_bytes
    node.settings.verification.max_bytes = MIB
    r = await client.post("/api/v1/documents/declarations", content=big, headers=officer)
    assert r.status_code == 413 and r.json()["type"] == "cusdep.input.limit"
    assert "document is larger" in r.json()["detail"]


def _operations_with_a_body(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every operation that takes a request body and a bearer token."""
    fill = {"sha256": "a" * 64, "kind": "seal"}
    for path, methods in app.openapi()["paths"].items():
        for method, op in methods.items():
            if "requestBody" in op and op.get("security"):
                for name, value in fill.items():
                    path = path.replace("{" + name + "}", value)
                yield method.upper(), re.sub(r"\{[^}]+\}", "X", path)


async def test_no_route_reads_a_body_before_the_token_is_judged(node: Node, client) -> None:
    app = create_app(node)
    operations = list(_operations_with_a_body(app))
    assert ("POST", DECIDE) in operations and len(operations) >= 8
    for method, path in operations:
        body = Counted(b"x" * 65536, 4)
        headers = {**JSON, "Content-Length": str(400 * MIB)}
        r = await client.request(method, path, content=body, headers=headers)
        assert (r.status_code, body.pulled) == (401, 0), (method, path)


@pytest.mark.parametrize(
    "body", [b'\xff\xfe{"decision":"reject"}', b'{"decision": "\xff"}'], ids=["bom", "latin1"]
)
async def test_a_body_that_is_not_utf8_json(client, tokens, body: bytes) -> None:
    r = await client.post(DECIDE, content=body, headers=JSON)
    assert r.status_code == 401 and r.json()["type"] == "cusdep.unauthenticated"
    officer = {**JSON, **bearer(tokens["officer"])}
    malformed = await client.post(DECIDE, content=b"{bad", headers=officer)
    r = await client.post(DECIDE, content=body, headers=officer)
    assert r.status_code == malformed.status_code == 422
    assert r.headers["content-type"] == problems.MEDIA_TYPE
    assert r.json()["type"] == malformed.json()["type"] == "cusdep.input.validation"
    assert "not UTF-8 JSON" in r.json()["detail"]


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a": [' * 200 + b"1" + b"]}" * 200])
async def test_json_nested_too_deeply_is_refused_before_it_is_decoded(
    client, tokens, body: bytes
) -> None:
    """The node runs with py_ecc's recursion limit of 100,000: decoding 100 KB of "[" overflowed
    the C stack and killed the process (a test run died so) instead of raising RecursionError."""
    officer = {**JSON, **bearer(tokens["officer"])}
    r = await client.post(DECIDE, content=body, headers=officer)
    assert r.status_code == 422 and r.json()["type"] == "cusdep.input.validation"
    assert "nested deeper than 256 levels" in r.json()["detail"]


async def test_brackets_inside_strings_do_not_count_as_nesting(client, tokens) -> None:
    officer = {**JSON, **bearer(tokens["officer"])}
    decision = {"decision": "reject", "reason": '[{"\\' * 400}
    r = await client.post(DECIDE, json=decision, headers=officer)
    assert r.status_code == 404  # read and valid: no such review


async def test_the_http_error_handler_judges_the_token_first(node: Node) -> None:
    """``problems._http`` asks ``refusal`` as ``_validation`` does, for a route that is not a
    ``GuardedRoute`` (FastAPI then reads the body before the token is judged)."""
    app = FastAPI()
    app.state.node = node
    app.state.tokens = create_app(node).state.tokens
    problems.install(app)

    @app.post("/plain")
    async def plain(who: Officer, body: DecisionIn) -> str:
        return body.decision

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cusdep.test") as c:
        r = await c.post("/plain", content=b'\xff\xfe{"decision":"reject"}', headers=JSON)
    assert r.status_code == 401 and r.json()["type"] == "cusdep.unauthenticated"
