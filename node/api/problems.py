"""The one translator from errors to HTTP: RFC 9457 ``application/problem+json``.

``type`` is the stable error code (``cusdep.not_found``), ``title`` the error class, ``status``
the HTTP status, ``detail`` the rolled-up message; extra detail keys are added as extensions.

Which status a faulty request gets, on every route:

    401 / 403  the bearer token, judged before anything else about the request
    400        a query or path parameter: malformed, out of range, or one the route does not
               take (``cusdep.input.validation``, ``errors`` naming each); or content a
               service refuses (``InputError``: a document that does not parse, a specimen
               that is not an image, a template the registry rejects)
    404        a record the node does not have (an unknown document on every route)
    413        a body past the route's limit, declared or streamed (``cusdep.input.limit``)
    415        a body without a ``Content-Type`` or with one the route does not take, or a scan
               whose bytes are of another type than declared (``cusdep.input.media_type``)
    422        a malformed JSON body, on every JSON route: not decodable (bad UTF-8, bad JSON,
               nested too deep) or not the route's schema (missing or extra field, wrong type,
               a base64 field that is not base64) (``cusdep.input.validation``)
    500        a fault of the node's own (``cusdep.internal``; the traceback in its log only)
    503        the node's database or chain unreachable (``cusdep.database.unavailable``,
               ``cusdep.chain.unavailable``): try again later

The line between 422 and 400: 422 is the shape of the request body the route defines; 400 is
the request's parameters, or a document carried in it that its service reads and refuses.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from node.api.deps import refusal
from node.errors import CusdepError, Unauthenticated, database_unavailable

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Invalid Input",
}


_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "stable error code, e.g. cusdep.not_found"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}
_WHEN = {
    400: "invalid input",
    401: "missing, unknown or revoked bearer token",
    403: "the token's role (or agency country) may not do this",
    404: "no such record",
    409: "conflicts with the current state",
    413: "request body past the route's limit",
    415: "missing or unsupported Content-Type",
    422: "malformed JSON body: not decodable, or not the route's schema",
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": f"{text} (RFC 9457 problem)",
        "content": {MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}},
    }
    for code, text in _WHEN.items()
}


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": code, "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": 'Bearer realm="cusdep"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _cusdep(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CusdepError)
    if exc.http_status >= 500 and not isinstance(exc, Unauthenticated):
        logger.error("%s %s failed: %s", request.method, request.url.path, exc.roll_up())
    extra = {k: v for k, v in exc.detail.items() if isinstance(v, str | int | float | bool)}
    return problem(exc.http_status, exc.code, type(exc).__name__, exc.roll_up(), **extra)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    refused = refusal(request)  # the token first: who may not call it learns no more
    if refused is not None:
        return await _cusdep(request, refused)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    in_body = any(e["loc"][:1] == ["body"] for e in errors)
    status = 422 if in_body else 400
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    detail = f"{'.'.join(first['loc'])}: {first['msg']}"
    return problem(status, "cusdep.input.validation", "Invalid Request", detail, errors=errors)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    refused = refusal(request)  # as in ``_validation``: the token before the request's faults
    if refused is not None:
        return await _cusdep(request, refused)
    unreadable = _unreadable_body(exc)
    if unreadable is not None:
        errors = [{"loc": ["body"], "msg": unreadable}]
        detail = f"body: {unreadable}"
        return problem(422, "cusdep.input.validation", "Invalid Request", detail, errors=errors)
    code = "cusdep.not_found" if exc.status_code == 404 else f"cusdep.http.{exc.status_code}"
    title = _TITLES.get(exc.status_code, "HTTP Error")
    return problem(exc.status_code, code, title, str(exc.detail))


def _unreadable_body(exc: StarletteHTTPException) -> str | None:
    """Why FastAPI could not decode the JSON body, when that is what its bare 400 ("There was an
    error parsing the body", raised from the decoder's error) stands for; the same 422 problem
    as malformed JSON then. None for any other HTTP error."""
    cause = exc.__cause__
    if exc.status_code != 400 or cause is None or isinstance(cause, StarletteHTTPException):
        return None
    if isinstance(cause, UnicodeDecodeError):
        return f"not UTF-8 JSON ({cause.reason} at byte {cause.start})"
    return f"not JSON that can be read ({type(cause).__name__})"


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A fault of this node's, not the request's: logged with its traceback, answered as a 500
    problem that names no internals (Starlette's default is a bare ``text/plain`` body)."""
    logger.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    detail = "the node failed to answer this request; its log has the cause"
    return problem(500, "cusdep.internal", "Internal Server Error", detail)


async def _database(request: Request, exc: Exception) -> JSONResponse:
    """The database unreachable (its server down, a connection dropped): no fault of the
    node's, a 503 the client tries again (as ``/health/ready`` says), naming no host."""
    unavailable = database_unavailable(exc)
    if unavailable is None:  # registered for OperationalError only
        return await _unexpected(request, exc)
    logger.error("%s %s failed: %s", request.method, request.url.path, unavailable.message)
    detail = "the node's database is unavailable: try again later"
    return problem(503, unavailable.code, type(unavailable).__name__, detail)


def install(app: FastAPI) -> None:
    from sqlalchemy.exc import OperationalError

    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(CusdepError, _cusdep)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
