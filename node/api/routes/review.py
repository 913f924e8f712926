"""The officers' review queue, one review with its evidence, and the officer's decision."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from node.api.deps import NodeDep, Officer, Reader, review_service
from node.api.routes._body import GuardedRoute
from node.api.schemas import DecisionIn, Review, ReviewBrief
from node.review.pages import MEDIA_TYPES

router = APIRouter(prefix="/api/v1/review", tags=["review"], route_class=GuardedRoute)
QueueState = Literal["open", "all", "pending", "accept", "review", "reject", "decided", "withdrawn"]


@router.get("/queue")
async def queue(
    node: NodeDep,
    who: Reader,
    state: QueueState = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[ReviewBrief]:
    """Reviews by state; ``open`` = waiting for an officer (verdict review or reject);
    ``withdrawn`` = accepted, then the issuer revoked the certificate (with that revocation)."""
    rows = await asyncio.to_thread(review_service(node).queue, state, limit, offset)
    return [ReviewBrief(**r) for r in rows]


@router.get("/{sha256}")
async def get_one(node: NodeDep, who: Reader, sha256: str) -> Review:
    """The machine result, findings (failures first), certificate vs declaration, layout."""
    return Review(**await asyncio.to_thread(review_service(node).get, sha256))


@router.post("/{sha256}/decision")
async def decide(node: NodeDep, who: Officer, sha256: str, body: DecisionIn) -> Review:
    """Confirm or override the machine verdict; recorded as a ``reviewed`` event."""
    out = await asyncio.to_thread(
        review_service(node).decide, sha256, body.decision, body.reason, who.subject
    )
    return Review(**out)


@router.post("/{sha256}/rerun", status_code=202)
async def rerun(node: NodeDep, who: Officer, sha256: str) -> Review:
    """Queue the machine review again (e.g. after a specimen was registered)."""
    return Review(**await asyncio.to_thread(review_service(node).requeue, sha256))


@router.get("/{sha256}/evidence/{name}", response_class=FileResponse)
async def evidence(node: NodeDep, who: Reader, sha256: str, name: str) -> FileResponse:
    """A page image (JPEG; PNG for reviews made before) or an evidence crop (PNG)."""
    path = await asyncio.to_thread(review_service(node).evidence_file, sha256, name)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix])
