"""Reading a raw request body with the node's size limit."""

from __future__ import annotations

from fastapi import Request

from node.errors import InputError, LimitExceeded


async def raw_body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise LimitExceeded(f"document is larger than {limit} bytes")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise InputError("empty request body: send the document's bytes")
    return data


def raw_body_spec(*media_types: str) -> dict[str, object]:
    """OpenAPI ``requestBody`` for a route that reads the raw bytes itself."""
    schema = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "required": True,
            "content": {m: {"schema": schema} for m in media_types},
        }
    }
