"""Retention: the documents past ``[retention] documents_days`` that stay, and why (admin only;
holds are put and lifted under ``/api/v1/documents/{sha}/hold|release``)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query

from node.api.deps import Admin, NodeDep, retention_service
from node.api.routes._body import GuardedRoute
from node.api.schemas import KeptDocument

router = APIRouter(prefix="/api/v1/retention", tags=["retention"], route_class=GuardedRoute)


@router.get("/kept")
async def kept(
    node: NodeDep,
    who: Admin,
    reason: Annotated[str | None, Query(max_length=64, description="e.g. review_failed")] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[KeptDocument]:
    """The documents past the period whose bytes stay, oldest first, each with the reasons
    that keep it (``held``, ``anchoring_pending``, ``review_failed``, ``outbox_undelivered``
    ...: docs/retention.md); only those kept for ``reason`` if named (400 for an unknown
    one). Empty while the policy is off."""
    rows = await asyncio.to_thread(retention_service(node).kept, reason, limit, offset)
    return [KeptDocument(**r) for r in rows]
