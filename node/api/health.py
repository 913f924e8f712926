"""Readiness checks: each answers within a timeout and reports ok plus a short detail."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text

from node.api.schemas import Health
from node.runtime import Node

_TIMEOUT = 3.0
_ZERO = "0x" + "00" * 32


def _database(node: Node) -> dict[str, Any]:
    with node.db.session() as session:
        session.connection().execute(text("SELECT 1"))
    return {}


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
    return {"partners": len(node.exchange.partners.all())}


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
        "chain": await _check(lambda: _chain(node)),
        "partners": await _check(lambda: asyncio.to_thread(_partners, node)),
    }
    ok = all(c["ok"] for c in checks.values())
    return Health(status="ok" if ok else "degraded", checks=checks)
