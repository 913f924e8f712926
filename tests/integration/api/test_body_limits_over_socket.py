"""JSON body limits over a real socket (uvicorn on port 0, the node on chain fakes): a caller
without a token gets its 401, and one over the cap its 413, while the body it announced is
still on its way (the audit streamed 400 MB before the 401 came back)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from node.api.server import ApiServer
from node.api.tokens import TokenService
from node.bootstrap import build_node
from node.runtime import Node
from tests.unit.api.fakes import FakeVerifier, fakes, settings

DECIDE = "/api/v1/review/" + "a" * 64 + "/decision"
ANSWER_WITHIN = 30.0  # seconds: a bound for a failing run, not a wait in a passing one
CHUNK = 64 * 1024


@pytest.fixture
async def api(home: Path) -> AsyncIterator[tuple[Node, ApiServer]]:
    node = build_node(settings(home), verifier=FakeVerifier(), **fakes())
    async with node:
        server = ApiServer(node, port=0)
        await server.start()
        try:
            yield node, server
        finally:
            await server.aclose()


def _head(port: int, extra: str) -> bytes:
    return (
        f"POST {DECIDE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    ).encode()


async def _answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], dict[str, object]]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), ANSWER_WITHIN)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)}
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), ANSWER_WITHIN)
    return int(status_line.split()[1]), headers, json.loads(body)


async def _stream(writer: asyncio.StreamWriter, chunks: int, *, chunked: bool) -> int:
    """Write body chunks until ``chunks`` are sent or the server shuts the connection."""
    sent = 0
    try:
        for _ in range(chunks):
            data = b" " * CHUNK
            writer.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            await writer.drain()
            sent += len(data)
    except ConnectionError:
        pass
    return sent


async def test_no_token_is_401_while_a_400_mb_body_is_announced(api) -> None:
    _node, server = api
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(_head(server.port, f"Content-Length: {400 * 1024 * 1024}\r\n"))
        writer.write(b'{"decision": "reject", "reason": "')  # and the rest never comes
        await writer.drain()
        status, headers, problem = await _answer(reader)
    finally:
        writer.close()
    assert status == 401 and headers["content-type"] == "application/problem+json"
    assert problem["type"] == "cusdep.unauthenticated"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_json_body_past_the_cap_is_413_before_it_ends(api, chunked: bool) -> None:
    node, server = api
    token = TokenService(node.db).issue("officer", "jane")["token"]
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {400 << 20}\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    sender = None
    try:
        writer.write(_head(server.port, f"Authorization: Bearer {token}\r\n{framing}"))
        await writer.drain()
        # 4 MiB offered, never ended: only the cap (1 MiB) may be read
        sender = asyncio.create_task(_stream(writer, 64, chunked=chunked))
        status, headers, problem = await _answer(reader)
    finally:
        if sender is not None:
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
        writer.close()
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert problem["type"] == "cusdep.input.limit"
    assert str(node.settings.api.max_json_bytes) in str(problem["detail"])


async def test_a_scan_announcing_999999999999_bytes_is_413_at_once(api) -> None:
    """The audit's request (a tiny body under ``Content-Length: 999999999999``) had no answer
    in 40 s: the scan route read the body, which never came, before it looked at its size."""
    node, server = api
    token = TokenService(node.db).issue("officer", "jane")["token"]
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(
            (
                f"POST /api/v1/documents/scans HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: image/png\r\n"
                "Content-Length: 999999999999\r\n\r\n\x89PNG"
            ).encode("latin-1")
        )
        await writer.drain()
        status, headers, problem = await _answer(reader)
    finally:
        writer.close()
    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert problem["type"] == "cusdep.input.limit"
    assert "(Content-Length: 999999999999)" in str(problem["detail"])
