"""Readiness checks: each answers within a timeout and reports ok plus a short detail.

Not ready (503): the database cannot be written (SQLite: another process holds its write lock),
the chain does not answer, or the home's disk could not take one more largest document
(``verification.max_bytes``). A partner that cannot be reached leaves this node ready (it serves
everyone else; its outbox keeps the messages): ``partners.undelivered`` names it, with what is
waiting for it and the last delivery error. TLS handshakes this node refused since it started
(a peer whose certificate no pinned CA issued, an expired one, none) leave it ready too:
``partners.tls_refused`` counts them and says the last one's time, reason and detail
(``node.corelog.last_tls_refusal``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import func, text
from sqlmodel import select

from node import corelog
from node.api.schemas import Health
from node.exchange.tables import OutboxRow
from node.runtime import Node

_TIMEOUT = 3.0
_ZERO = "0x" + "00" * 32


def _database(node: Node) -> dict[str, Any]:
    with node.db.session() as session:
        session.connection().execute(text("SELECT 1"))
    node.db.check_writable()
    return {}


def _disk(node: Node) -> dict[str, Any]:
    free = shutil.disk_usage(node.settings.home).free
    needed = node.settings.verification.max_bytes
    if free < needed:
        raise OSError(f"{free} bytes free in {node.settings.home}, under one largest document")
    return {"free_bytes": free}


def undelivered(node: Node) -> dict[str, dict[str, Any]]:
    """Per partner: messages waiting in the outbox, the oldest one's age, the last error."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stmt = (
        select(OutboxRow.peer, func.count(), func.min(OutboxRow.created_at))
        .where(OutboxRow.state == "pending")
        .group_by(OutboxRow.peer)
    )
    out: dict[str, dict[str, Any]] = {}
    with node.db.session() as session:
        for peer, count, oldest in session.exec(stmt):
            error, attempts = session.exec(
                select(OutboxRow.error, OutboxRow.attempts)
                .where(OutboxRow.peer == peer, OutboxRow.state == "pending")
                .order_by(OutboxRow.attempts.desc())  # type: ignore[attr-defined]
                .limit(1)
            ).one()
            age = (now - oldest.replace(tzinfo=None)).total_seconds()
            out[peer] = {"pending": count, "oldest_seconds": round(max(age, 0.0), 1)}
            if attempts:
                out[peer].update(attempts=attempts, error=(error or "")[:200])
    return out


async def _chain(node: Node) -> dict[str, Any]:
    assert node.anchoring is not None
    await node.anchoring.chain.is_revoked(_ZERO)
    pending, _oldest = await asyncio.to_thread(node.anchoring.pending_count)
    resending = await asyncio.to_thread(node.anchoring.resending_count)
    return {"anchor_pending": pending, "anchor_resending": resending}


def _partners(node: Node) -> dict[str, Any]:
    if node.exchange is None:
        return {"partners": 0, "note": "exchange not wired"}
    node.exchange.partners.refresh()
    out = {"partners": len(node.exchange.partners.all()), "undelivered": undelivered(node)}
    if refused := corelog.tls_handshake_failures():
        out["tls_refused"] = {"count": refused, "last": corelog.last_tls_refusal()}
    return out


async def _check(probe: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(probe(), _TIMEOUT)
        out = {"ok": True, **detail}
    except Exception as err:  # a failing dependency is a result here, not an error
        out = {"ok": False, "error": f"{type(err).__name__}: {err}"[:300]}
    out["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return out


async def readiness(node: Node) -> Health:
    checks = {
        "database": await _check(lambda: asyncio.to_thread(_database, node)),
        "disk": await _check(lambda: asyncio.to_thread(_disk, node)),
        "chain": await _check(lambda: _chain(node)),
        "partners": await _check(lambda: asyncio.to_thread(_partners, node)),
    }
    ok = all(c["ok"] for c in checks.values())
    return Health(status="ok" if ok else "degraded", checks=checks)
