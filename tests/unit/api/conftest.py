"""API unit fixtures: a node on in-memory chain fakes with a fake verifier, its ASGI app, an
httpx client, and one token per role."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from node.api.app import create_app
from node.api.tokens import TokenService
from node.bootstrap import build_node
from node.runtime import Node
from tests.unit.api.fakes import FakeVerifier, fakes, issue_all, settings


@pytest.fixture
async def node(home) -> AsyncIterator[Node]:
    n = build_node(settings(home), verifier=FakeVerifier(), **fakes())
    async with n:
        yield n


@pytest.fixture
def tokens(node: Node) -> dict[str, str]:
    return issue_all(TokenService(node.db))


@pytest.fixture
async def client(node: Node) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(node))
    async with httpx.AsyncClient(transport=transport, base_url="http://cusdep.test") as c:
        yield c


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}


async def post_declaration(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> str:
    """A JSON declaration stored through the API (201): its SHA-256."""
    r = await client.post(
        "/api/v1/documents/declarations",
        content=json.dumps(body).encode(),
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["sha256"])


def other_process_review(node: Node) -> Any:
    """The node's review service as another process of its home has it: the same blobs,
    chain and evidence, its own ``Database`` (own connections) on the same file."""
    from node.review.service import ReviewService
    from node.storage.db import Database

    review = node.extras["review"]
    return ReviewService(
        Database(node.db.url),
        node.blobs,
        node.anchoring,
        None,
        evidence_root=review.evidence_root,
        actor=review.actor,
    )
