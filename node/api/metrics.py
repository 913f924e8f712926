"""Prometheus metrics (HTTP requests by route and status, node gauges read at scrape time) and
the access log (``node.api.access``: method, path, status, ms, the caller's subject and role).

Each app has its own ``CollectorRegistry`` (several nodes or apps may share a process in tests).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from node import corelog
from node.api.health import undelivered
from node.exchange.tables import InboxRow, OutboxRow
from node.review.tables import DeclarationMatchRow, ReviewRow
from node.runtime import Node
from node.storage.core import DocumentRow

_access = logging.getLogger("node.api.access")  # one line per request, with the caller
_log = logging.getLogger(__name__)


class _NodeCollector(Collector):
    def __init__(self, node: Node) -> None:
        self.node = node

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        """The gauges the database answers, then the ones it does not need: a scrape during
        a database outage still answers (``cusdep_database_up`` 0, the disk's free bytes)
        instead of a 500 that leaves every series of the node blank."""
        up = 1
        try:
            from_db = list(self._from_database())
        except SQLAlchemyError as err:
            _log.warning("metrics: the database cannot be read (%s)", str(err).splitlines()[0])
            from_db, up = [], 0
        yield from from_db
        yield GaugeMetricFamily(
            "cusdep_database_up", "1 if the database answered this scrape", value=up
        )
        free = shutil.disk_usage(self.node.settings.home).free
        yield GaugeMetricFamily("cusdep_home_free_bytes", "free bytes on the home's disk", free)
        yield CounterMetricFamily(
            "cusdep_tls_handshake_failures",
            "TLS handshakes refused since the node started (a peer's certificate not pinned or"
            " ended, or this node's not pinned by the partner)",
            value=corelog.tls_handshake_failures(),
        )

    def _from_database(self) -> Iterator[GaugeMetricFamily]:
        docs = GaugeMetricFamily(
            "cusdep_documents", "documents by kind and state", labels=["kind", "state"]
        )
        reviews = GaugeMetricFamily("cusdep_reviews", "reviews by state", labels=["state"])
        checks = GaugeMetricFamily(
            "cusdep_declaration_checks",
            "declarations checked against certificates accepted before them, by state",
            labels=["state"],
        )
        with self.node.db.session() as session:
            stmt = select(DocumentRow.kind, DocumentRow.state, func.count()).group_by(
                DocumentRow.kind, DocumentRow.state
            )
            for kind, state, n in session.exec(stmt):
                docs.add_metric([kind, state], n)
            for state, n in session.exec(
                select(ReviewRow.state, func.count()).group_by(ReviewRow.state)
            ):
                reviews.add_metric([state], n)
            pairs = select(DeclarationMatchRow.state, func.count())
            for state, n in session.exec(pairs.group_by(DeclarationMatchRow.state)):
                checks.add_metric([state], n)
        yield docs
        yield reviews
        yield checks
        yield from self._outbox()
        if self.node.anchoring is not None:
            pending, _ = self.node.anchoring.pending_count()
            yield GaugeMetricFamily(
                "cusdep_anchor_pending", "leaves waiting for a batch", value=pending
            )

    def _outbox(self) -> Iterator[GaugeMetricFamily]:
        pending = GaugeMetricFamily(
            "cusdep_outbox_pending", "messages waiting for a partner", labels=["peer"]
        )
        oldest = GaugeMetricFamily(
            "cusdep_outbox_oldest_pending_seconds",
            "age of the oldest message waiting for a partner",
            labels=["peer"],
        )
        waiting = undelivered(self.node)
        # every pinned partner has a series, 0 when nothing waits: a series that vanishes
        # when the queue empties reads as "no data" on a dashboard, not as "all delivered"
        pinned = (
            [p.node_id for p in self.node.exchange.partners.all()] if self.node.exchange else []
        )
        for peer in sorted(set(pinned) | set(waiting)):
            queued = waiting.get(peer, {"pending": 0, "oldest_seconds": 0.0})
            pending.add_metric([peer], queued["pending"])
            oldest.add_metric([peer], queued["oldest_seconds"])
        yield pending
        yield oldest
        yield self._messages()

    def _messages(self) -> GaugeMetricFamily:
        """Messages exchanged so far, by direction, peer, kind and state (the outbox's and the
        inbox's rows: they are kept, so these only grow)."""
        family = GaugeMetricFamily(
            "cusdep_messages",
            "messages exchanged, by direction, peer, kind and state",
            labels=["direction", "peer", "kind", "state"],
        )
        with self.node.db.session() as session:
            for direction, row in (("out", OutboxRow), ("in", InboxRow)):
                stmt = select(row.peer, row.kind, row.state, func.count()).group_by(
                    row.peer, row.kind, row.state
                )
                for peer, kind, state, n in session.exec(stmt):
                    family.add_metric([direction, peer, kind, state], n)
        return family


# Probes of health and metrics come every few seconds from monitoring and would bury the
# requests people make (651 of 957 lines of a node's `-v` log in an audit): debug, not info.
_PROBES = ("/health", "/metrics")


def _level(route: str) -> int:
    return logging.DEBUG if route.startswith(_PROBES) else logging.INFO


def install(app: FastAPI, node: Node) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "cusdep_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "cusdep_http_request_seconds", "HTTP request latency", ["route"], registry=registry
    )
    registry.register(_NodeCollector(node))

    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        elapsed = time.perf_counter() - started
        requests.labels(request.method, path, str(response.status_code)).inc()
        latency.labels(path).observe(elapsed)
        who = getattr(request.state, "principal", None)
        _access.log(
            _level(path),
            "%s %s %d",
            request.method,
            request.url.path,
            response.status_code,
            extra={
                "route": path,
                "status": response.status_code,
                "ms": round(elapsed * 1000, 1),
                "subject": who.subject if who else None,
                "role": who.role if who else None,
            },
        )
        return response

    @app.get("/metrics", tags=["health"], response_class=Response, operation_id="health-metrics")
    def metrics() -> Response:
        """Prometheus text exposition."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
