"""Liveness and readiness (database, chain, partners). No token needed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from node.api.deps import NodeDep
from node.api.health import readiness
from node.api.schemas import Health

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live")
async def live() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get("/ready", responses={503: {"model": Health}})
async def ready(node: NodeDep) -> JSONResponse:
    """Database reachable, chain answering, partners pinned; 503 while not ready."""
    health = await readiness(node)
    return JSONResponse(health.model_dump(), status_code=200 if health.status == "ok" else 503)
