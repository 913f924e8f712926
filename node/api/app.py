"""``create_app(node)``: the FastAPI application of one node (the node owns the app).

Operation ids are ``{tag}-{name}``; errors leave as RFC 9457 problem+json (``problems``);
tokens come from ``cusdep token issue`` (``tokens``); roles are checked in ``deps``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute

import node as node_pkg
from node.api import metrics, problems
from node.api.routes import (
    checks,
    documents,
    exchange,
    health,
    me,
    registry,
    retention,
    review,
    trace,
)
from node.api.tokens import TokenService
from node.runtime import Node
from node.ui import views


def _operation_id(route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def create_app(node: Node) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield  # the node starts and stops its own resources

    app = FastAPI(
        title=f"cusdep node {node.settings.node.id}",
        version=getattr(node_pkg, "__version__", "0"),
        description="Cross-border customs document exchange: documents, review, registry, "
        "trace. Errors are application/problem+json; authenticate with a bearer token "
        "from `cusdep token issue`.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url=None,  # FastAPI's Swagger/ReDoc pages load from a CDN; the spec is served
        redoc_url=None,
    )
    app.state.node = node
    app.state.tokens = TokenService(node.db)
    problems.install(app)
    metrics.install(app, node)
    _not_cached(app)
    for module in (documents, review, checks, registry, trace, exchange, retention, me):
        app.include_router(module.router, responses=problems.RESPONSES)
    app.include_router(health.router)
    views.install(app)
    return app


def _not_cached(app: FastAPI) -> None:
    """The API's answers (and errors) are one bearer's view of customs data: ``no-store``, never
    kept in a browser's cache, whose back/forward navigation reuses a cached answer without
    asking (the queue page listed papers decided since). The UI's pages say so themselves."""

    @app.middleware("http")
    async def _no_store(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
