"""Request bodies: the raw documents a route reads itself, and the JSON bodies FastAPI reads.

A route with a JSON body (a pydantic model parameter) has that body read by FastAPI before its
dependencies are solved, so before the bearer token is judged. ``GuardedRoute`` (every API
router's ``route_class``) judges the token first (``deps.refusal``: 401/403 before a byte of the
body is read) and reads the body with a cap, ``[api] max_json_bytes`` or the route's own
(``json_limit``): 413 ``cusdep.input.limit`` once a declared or streamed body passes it, before
the rest arrives. A body nested deeper than ``MAX_JSON_DEPTH`` is refused (422) before it is
decoded: decoding it would end in a ``RecursionError`` (``node.chain._eth`` keeps the limit at
10,000; at py_ecc's 100,000 it overflowed the C stack and killed the process). Routes that read
the raw bytes themselves (``raw_body``, after the dependencies, with ``verification.max_bytes``)
are left as they are.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from node.api.deps import refusal
from node.errors import InputError, LimitExceeded

_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])
MAX_JSON_DEPTH = 256  # the API's bodies nest a few levels
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


async def raw_body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise LimitExceeded(f"document is larger than {limit} bytes")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise InputError("empty request body: send the document's bytes")
    return data


def raw_body_spec(*media_types: str) -> dict[str, object]:
    """OpenAPI ``requestBody`` for a route that reads the raw bytes itself."""
    schema = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "required": True,
            "content": {m: {"schema": schema} for m in media_types},
        }
    }


def json_limit(limit: int) -> Callable[[_Endpoint], _Endpoint]:
    """Let one route's JSON body be larger than ``[api] max_json_bytes`` (a base64 image)."""

    def mark(endpoint: _Endpoint) -> _Endpoint:
        endpoint.max_json_bytes = limit  # type: ignore[attr-defined]  # read by GuardedRoute
        return endpoint

    return mark


class GuardedRoute(APIRoute):
    """An API route whose JSON body is read only for a caller with a token that may call it,
    and only up to the cap (module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:  # no body, or one the endpoint reads itself (raw_body)
            return handler
        own: int = getattr(self.endpoint, "max_json_bytes", 0)

        async def guarded(request: Request) -> Response:
            refused = await asyncio.to_thread(refusal, request)
            if refused is not None:
                raise refused
            limit = max(own, request.app.state.node.settings.api.max_json_bytes)
            capped = Request(request.scope, _capped(request, limit))
            body = await capped.body()  # cached: FastAPI's handler reads it from there
            if _nested_deeper(body, MAX_JSON_DEPTH):
                msg = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
                raise RequestValidationError(
                    [{"type": "json_invalid", "loc": ("body",), "msg": msg}]
                )
            return await handler(capped)

        return guarded


def _capped(request: Request, limit: int) -> Receive:
    """``request.receive`` that raises ``LimitExceeded`` once the body passes ``limit`` bytes:
    at once for a declared Content-Length, else at the chunk that passes it."""
    too_large = f"request body is larger than {limit} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise LimitExceeded(f"{too_large} (Content-Length: {declared})")
    size = 0

    async def receive() -> Message:
        nonlocal size
        message = await request.receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise LimitExceeded(too_large)
        return message

    return receive


def _nested_deeper(body: bytes, limit: int) -> bool:
    """Whether the JSON text opens more than ``limit`` arrays/objects at once (brackets inside
    strings do not count). A scan of the bytes, without decoding them: ~15 ms a MiB."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False
