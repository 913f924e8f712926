"""Trace: a document's provenance timeline and its anchor proof, checked against the chain."""

from __future__ import annotations

from fastapi import APIRouter

from node.api.deps import NodeDep, Reader
from node.api.routes._body import GuardedRoute
from node.api.schemas import Trace
from node.trace import trace

router = APIRouter(prefix="/api/v1/trace", tags=["trace"], route_class=GuardedRoute)


@router.get("/{sha256}")
async def get_trace(node: NodeDep, who: Reader, sha256: str) -> Trace:
    """Every event with actor and time, the Merkle proof, and whether the chain confirms it."""
    return Trace(**await trace(node, sha256))
