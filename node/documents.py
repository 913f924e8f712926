"""Documents entering the node locally: stored by hash, recorded, and queued for anchoring."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from node.anchoring.service import AnchorInfo
from node.domain.states import EventKind
from node.errors import InputError
from node.exchange.payloads import sniff_media_type
from node.runtime import Node
from node.storage.documents import add_document, add_event


def _record_local(node: Node, items: list[tuple[str, bytes]]) -> list[str]:
    shas = []
    with node.db.session() as session:
        for name, data in items:
            sha = node.blobs.put(data)
            media = sniff_media_type(data)
            _row, created = add_document(
                session, sha, media_type=media, size=len(data), source="local"
            )
            if created:
                add_event(
                    session, sha, EventKind.RECEIVED, node.node_id, {"source": "cli", "file": name}
                )
            shas.append(sha)
    return shas


async def anchor_files(node: Node, items: list[tuple[str, bytes]]) -> list[AnchorInfo]:
    """Store these documents, record them, and anchor their SHA-256 now (waits for receipts)."""
    assert node.anchoring is not None
    empty = [name for name, data in items if not data]
    if empty:  # nothing to attest; refused as `send` refuses it
        raise InputError(f"{empty[0]}: refusing to anchor an empty file")
    known = await asyncio.to_thread(
        node.anchoring.infos, [hashlib.sha256(d).hexdigest() for _, d in items]
    )
    fresh = [(n, d) for n, d in items if hashlib.sha256(d).hexdigest() not in known]
    await asyncio.to_thread(_record_local, node, fresh)
    return await node.anchoring.anchor_now([hashlib.sha256(d).hexdigest() for _, d in items])


def as_cli(infos: list[AnchorInfo]) -> list[dict[str, Any]]:
    return [i.as_cli() for i in infos]
