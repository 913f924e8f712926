"""Declarations checked against the certificates accepted before them, and officers' decisions
on the pairs the check did not find consistent (``node.review.matching``)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from node.api.deps import NodeDep, Officer, Reader, review_service
from node.api.routes._body import GuardedRoute
from node.api.schemas import CheckDecisionIn, DeclarationCheck

router = APIRouter(
    prefix="/api/v1/declaration-checks", tags=["declaration checks"], route_class=GuardedRoute
)
CheckState = Literal[
    "open", "all", "pending", "waiting", "consistent", "review", "inconsistent", "decided"
]


@router.get("")
async def checks(
    node: NodeDep,
    who: Reader,
    state: CheckState = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[DeclarationCheck]:
    """Pairs by state, oldest first; ``open`` = waiting for an officer (review, inconsistent)."""
    rows = await asyncio.to_thread(review_service(node).matches.list, state, limit, offset)
    return [DeclarationCheck(**r) for r in rows]


@router.get("/{declaration_sha256}")
async def of_declaration(
    node: NodeDep, who: Reader, declaration_sha256: str
) -> list[DeclarationCheck]:
    """The checks of one declaration, one per certificate it names."""
    rows = await asyncio.to_thread(
        review_service(node).matches.of_declaration, declaration_sha256.lower()
    )
    return [DeclarationCheck(**r) for r in rows]


@router.post("/{declaration_sha256}/{certificate_number}/decision")
async def decide(
    node: NodeDep,
    who: Officer,
    declaration_sha256: str,
    certificate_number: str,
    body: CheckDecisionIn,
) -> DeclarationCheck:
    """Clear the pair (the goods may go on this certificate) or refuse it; recorded as a
    ``reviewed`` event on the declaration."""
    out = await asyncio.to_thread(
        review_service(node).matches.decide,
        declaration_sha256.lower(),
        certificate_number,
        body.decision,
        body.reason,
        who.subject,
        body.generation,
    )
    return DeclarationCheck(**out)
