"""Provenance of a document: its lifecycle events, its anchor, and the proof checked on chain."""

from __future__ import annotations

import asyncio
from typing import Any

from node.anchoring.service import AnchorInfo, check_sha256
from node.errors import NotFound
from node.logging import redact
from node.runtime import Node
from node.storage.documents import events_for, iso, reported_anchor


def _events(node: Node, sha256: str) -> list[dict[str, Any]]:
    with node.db.session() as session:
        return [
            {"at": iso(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail}
            for e in events_for(session, sha256)
        ]


async def trace(node: Node, sha256_hex: str) -> dict[str, Any]:
    sha = check_sha256(sha256_hex)
    assert node.anchoring is not None
    # The anchor first, the events after it: a root's confirmation marks its leaves anchored
    # and writes their ``anchored`` events in one transaction, so an anchor read here is
    # always among the events (read the other way round, a confirmation between the two
    # reads reported the anchor with no ``anchored`` event).
    info = await asyncio.to_thread(node.anchoring.info, sha)
    state = await asyncio.to_thread(node.anchoring.state, sha)
    events = await asyncio.to_thread(_events, node, sha)
    if not events and state is None:
        raise NotFound(f"unknown document {sha}: this node has no record of it")
    out: dict[str, Any] = {
        "document_sha256": sha,
        "events": events,
        "anchor": None,
        "verified_on_chain": False,
        "revoked": False,
    }
    by = None
    if info is None:
        found = _partners_anchor(sha, events)
        if found is None:
            out["anchor_state"] = state or "not queued"
            return out
        by, info = found
        out["anchor_state"] = f"anchored by {by}"
    ok, revoked = await node.anchoring.verify_on_chain(info)
    settings = node.settings
    out["anchor"] = {
        "chain_id": settings.chain.chain_id,
        # an auditor's token reads this (REST): a password in the URL is masked, as in logs
        "rpc_url": redact(node.chain.rpc_url if node.chain else settings.chain.rpc_url),
        "contract": node.anchoring.chain.contract_address,
        "merkle_root": info.root,
        "leaf": info.leaf,
        "proof": info.proof,
        "tx_hash": info.tx_hash,
        "block_number": info.block_number,
    }
    if by is not None:
        out["anchor"]["anchored_by"] = by
    out["verified_on_chain"] = ok
    out["revoked"] = revoked
    return out


def _partners_anchor(sha: str, events: list[dict[str, Any]]) -> tuple[str, AnchorInfo] | None:
    """The anchor a partner reported with its review of a document this node sent it (the
    latest ``reviewed`` event that carries its leaf and proof), checked on chain again by the
    caller: a sender's auditor sees the document anchored where the receiver anchored it."""
    for event in reversed(events):
        anchor = reported_anchor(event["kind"], event["detail"])
        if anchor is not None:
            info = AnchorInfo(
                sha256=sha,
                leaf=str(anchor["leaf"]),
                root=str(anchor["merkle_root"]),
                proof=[str(p) for p in anchor["proof"]],
                tx_hash=str(anchor.get("tx_hash") or ""),
                block_number=int(anchor.get("block_number") or 0),
            )
            return str(event["actor"]), info
    return None
