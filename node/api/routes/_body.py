"""Request bodies and query strings, judged at the edge before a route runs.

Every API router's ``route_class`` is ``GuardedRoute``. For each request it checks, in order:

1. the query string: a parameter the route does not take is 400 ``cusdep.input.validation``
   (after the token: the validation handler judges it first), as is a known one out of range;
2. for a route with a body, the bearer token (``deps.refusal``: 401/403 before a byte of the
   body is read);
3. the body's ``Content-Type``: a route takes the media types it lists (a JSON body:
   ``application/json`` or ``application/*+json``; a raw document route: those of its
   ``raw_body_spec``); a body without a type or with another is 415 ``cusdep.input.media_type``,
   before it is read. A request without a body is left to the route (422/400 as it says);
4. the body's size, with a cap: ``[api] max_json_bytes`` or the route's own (``json_limit``)
   for a JSON body, ``verification.max_bytes`` for a raw document: 413 ``cusdep.input.limit``
   at once for a declared ``Content-Length`` past it, and for a body that streams past it or
   past its declared length, at the chunk that does, before the rest arrives.

A JSON body nested deeper than ``MAX_JSON_DEPTH`` is refused (422) before it is decoded:
decoding it would end in a ``RecursionError`` (``node.chain._eth`` keeps the limit at 10,000; at
py_ecc's 100,000 it overflowed the C stack and killed the process). Routes that read the raw
bytes themselves (``raw_body``) do so after their dependencies, through the capped stream.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from node.api.deps import refusal
from node.errors import InputError, LimitExceeded, UnsupportedDocument
from node.review.intake import SCAN_TYPES
from verification import VerificationError
from verification.intake import sniff

_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])
MAX_JSON_DEPTH = 256  # the API's bodies nest a few levels
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
JSON_TYPES = frozenset({"application/json"})  # and application/*+json


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
    """An API route that judges the query string, then the token, the body's media type and
    its size before the body is read (module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        known = frozenset(_query_names(self.dependant))
        raw = _raw_media_types(self.openapi_extra)
        if self.body_field is None and raw is None:  # no body
            return _query_checked(handler, known)
        media = raw if raw is not None else JSON_TYPES
        own: int = getattr(self.endpoint, "max_json_bytes", 0)

        async def guarded(request: Request) -> Response:
            _check_query(request, known)
            refused = await asyncio.to_thread(refusal, request)
            if refused is not None:
                raise refused
            check_media_type(request, media)
            settings = request.app.state.node.settings
            if raw is not None:  # the endpoint streams it (``raw_body``)
                limit = settings.verification.max_bytes
                receive = _capped(request, limit, "document")
                return await handler(Request(request.scope, receive))
            limit = max(own, settings.api.max_json_bytes)
            capped = Request(request.scope, _capped(request, limit, "request body"))
            body = await capped.body()  # cached: FastAPI's handler reads it from there
            if _nested_deeper(body, MAX_JSON_DEPTH):
                msg = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
                raise RequestValidationError(
                    [{"type": "json_invalid", "loc": ("body",), "msg": msg}]
                )
            return await handler(capped)

        return guarded


def _query_checked(
    handler: Callable[[Request], Coroutine[Any, Any, Response]], known: frozenset[str]
) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    async def checked(request: Request) -> Response:
        _check_query(request, known)
        return await handler(request)

    return checked


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters the route and its dependencies take (by their alias)."""
    names = {field.alias for field in dependant.query_params}
    for dep in dependant.dependencies:
        names |= _query_names(dep)
    return names


def _check_query(request: Request, known: frozenset[str]) -> None:
    """A query parameter the route does not take is a mistake the caller should hear of (a
    misspelt ``stat=`` would otherwise list every document): 400, naming it and the known."""
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        msg = f"unknown query parameter (this route takes: {takes})"
        raise RequestValidationError(
            [{"type": "extra_forbidden", "loc": ("query", name), "msg": msg} for name in unknown]
        )


def _raw_media_types(openapi_extra: dict[str, Any] | None) -> frozenset[str] | None:
    """The media types of a route that reads its body itself (``raw_body_spec``), else None."""
    body = (openapi_extra or {}).get("requestBody")
    return frozenset(body["content"]) if body else None


def media_type(request: Request) -> str:
    """The request's ``Content-Type`` without parameters, lower case ("" when it has none)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def _takes(media: frozenset[str], declared: str) -> bool:
    if declared in media:
        return True
    main, _, sub = declared.partition("/")
    return main == "application" and any(
        sub.endswith(f"+{suffix}") and f"application/{suffix}" in media
        for suffix in ("json", "xml")
    )


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in request.headers


def check_media_type(request: Request, media: frozenset[str]) -> None:
    """415 for a body without a ``Content-Type`` or with one the route does not take."""
    if not _has_body(request):
        return  # nothing to read: the route says what is missing
    declared = media_type(request)
    if _takes(media, declared):
        return
    takes = ", ".join(sorted(media))
    got = f"Content-Type {declared}" if declared else "no Content-Type"
    raise UnsupportedDocument(
        f"{got}: this route takes {takes}", code="cusdep.input.media_type", accepted=takes
    )


def check_declared_scan(request: Request, data: bytes) -> None:
    """A scan's declared type must be what its magic number says it is: a JPEG sent as
    ``image/png`` is 415 naming both (bytes that are no supported type at all are left to the
    intake, which says so, 415 too)."""
    try:
        kind = sniff(data)
    except VerificationError:
        return
    declared, actual = media_type(request), SCAN_TYPES[kind]
    if declared != actual:
        raise UnsupportedDocument(
            f"Content-Type {declared} does not match the document, which is {actual} "
            f"by its first bytes: send it as {actual}",
            code="cusdep.input.media_type",
            accepted=actual,
        )


def _capped(request: Request, limit: int, what: str) -> Receive:
    """``request.receive`` that raises ``LimitExceeded`` once the body passes ``limit`` bytes
    or its declared length: at once for a declared Content-Length past ``limit``, else at the
    chunk that passes either."""
    too_large = f"{what} is larger than {limit} bytes"
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise LimitExceeded(f"{too_large} (Content-Length: {declared})")
    length = int(declared) if declared.isdigit() else None
    size = 0

    async def receive() -> Message:
        nonlocal size
        message = await request.receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise LimitExceeded(too_large)
            if length is not None and size > length:
                raise LimitExceeded(f"{what} is longer than its Content-Length ({length})")
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
