"""Exchange: pinned partners, message status, and sending a stored document to a partner."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from node.api.deps import NodeDep, Officer, Reader
from node.api.routes._body import GuardedRoute
from node.api.schemas import Message, Partner, SendIn
from node.errors import ConfigError, NotFound
from node.exchange.service import ExchangeService
from node.runtime import Node

router = APIRouter(prefix="/api/v1", tags=["exchange"], route_class=GuardedRoute)


def _exchange(node: Node) -> ExchangeService:
    if node.exchange is None:
        raise ConfigError("the exchange is not wired on this node")
    return node.exchange


@router.get("/partners")
async def partners(node: NodeDep, who: Reader) -> list[Partner]:
    directory = _exchange(node).partners
    await asyncio.to_thread(directory.refresh)
    return [
        Partner(node_id=p.node_id, endpoint=p.endpoint, key_id=p.key_id) for p in directory.all()
    ]


@router.get("/messages")
async def messages(
    node: NodeDep,
    who: Reader,
    direction: Literal["in", "out"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many")] = 1000,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="skip this many first")] = 0,
) -> list[Message]:
    """Received messages, then sent ones, each in their order; a page of ``limit`` from
    ``offset``."""
    rows = await asyncio.to_thread(_exchange(node).messages, direction, limit, offset)
    return [Message(**r) for r in rows]


@router.get("/messages/{message_id}")
async def message(node: NodeDep, who: Reader, message_id: str) -> Message:
    row = await asyncio.to_thread(_exchange(node).message, message_id)
    if row is None:
        raise NotFound(f"no message {message_id}")
    return Message(**row)


@router.post("/messages", status_code=202)
async def send(node: NodeDep, who: Officer, body: SendIn) -> Message:
    """Queue a stored document for a partner (durable outbox; delivered by the running node).
    A certificate whose own status says it is not issued is sent with that ``status`` in the
    answer, or refused (409) with ``issued_only``."""
    forward = partial(_exchange(node).forward, issued_only=body.issued_only)
    result = await asyncio.to_thread(forward, body.document_sha256.lower(), body.to, body.kind)
    sent = await message(node, who, result.message_id)
    return sent.model_copy(update={"status": result.status}) if result.status else sent
