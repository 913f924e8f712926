"""After traffic: every document a receiver accepted must be anchored and traceable on chain."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.bootstrap import build_node
from node.config import load_settings
from node.trace import trace

logger = logging.getLogger(__name__)


@dataclass
class ProvenanceReport:
    accepted: int = 0
    anchored: int = 0
    verified_on_chain: int = 0
    not_anchored: list[str] = field(default_factory=list)
    not_verified: list[str] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.not_anchored or self.not_verified)

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "anchored": self.anchored,
            "verified_on_chain": self.verified_on_chain,
            "verdicts": self.verdicts,
            "not_anchored": self.not_anchored[:20],
            "not_verified": self.not_verified[:20],
        }


def _sql(home: Path, query: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{home / 'cusdep.db'}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def _verdicts(home: Path) -> dict[str, str]:
    """Latest verdict per received document (``verified`` / ``reviewed`` events)."""
    out: dict[str, str] = {}
    rows = _sql(
        home,
        "SELECT sha256, kind, detail FROM document_events "
        "WHERE kind IN ('verified', 'reviewed') ORDER BY id",
    )
    for sha, _kind, detail in rows:
        try:
            verdict = json.loads(detail).get("verdict")
        except (TypeError, ValueError, AttributeError):
            continue
        if verdict:
            out[sha] = verdict
    return out


def _anchored(home: Path) -> set[str]:
    return {r[0] for r in _sql(home, "SELECT sha256 FROM anchor_leaves WHERE state='anchored'")}


def check_provenance(homes: list[Path], timeout: float = 120.0) -> ProvenanceReport:
    """Wait for accepted documents to be anchored, then trace each one against the chain."""
    report = ProvenanceReport()
    accepted: dict[Path, set[str]] = {}
    for home in homes:
        verdicts = _verdicts(home)
        for v in verdicts.values():
            report.verdicts[v] = report.verdicts.get(v, 0) + 1
        accepted[home] = {sha for sha, v in verdicts.items() if v == "accept"}
    report.accepted = sum(len(v) for v in accepted.values())
    deadline = time.monotonic() + timeout
    delay = 0.2
    while time.monotonic() < deadline:
        if all(shas <= _anchored(home) for home, shas in accepted.items()):
            break
        time.sleep(delay)  # polling the nodes' databases; the condition decides
        delay = min(delay * 1.5, 2.0)
    for home, shas in accepted.items():
        done = _anchored(home)
        report.not_anchored += sorted(shas - done)
        ok = asyncio.run(_trace_all(home, sorted(shas & done)))
        report.anchored += len(shas & done)
        report.verified_on_chain += sum(ok.values())
        report.not_verified += [sha for sha, good in ok.items() if not good]
    return report


async def _trace_all(home: Path, shas: list[str]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    async with build_node(load_settings(home)) as node:
        for sha in shas:
            info = await trace(node, sha)
            kinds = {e["kind"] for e in info["events"]}
            out[sha] = bool(info["verified_on_chain"]) and {"received", "anchored"} <= kinds
    return out
