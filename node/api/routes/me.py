"""Who am I: the caller's role, subject and (for an agency) country."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from node.api.deps import AnyRole
from node.api.routes._body import GuardedRoute

router = APIRouter(prefix="/api/v1", tags=["auth"], route_class=GuardedRoute)


class Me(BaseModel):
    token_id: str
    role: str
    subject: str
    country: str


@router.get("/me")
async def me(who: AnyRole) -> Me:
    return Me(**who.to_json())
