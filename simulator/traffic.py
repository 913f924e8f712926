"""``cusdep simulate traffic``: documents flowing between real nodes while faults hit them.

The driver queues documents (declarations as canonical JSON, paper scans from a generated
corpus) from random senders to random partners at ``rate`` per second for ``duration``
seconds, while a seeded schedule injects faults: links dropped (connections reset and refused),
links delayed, a node killed with SIGKILL and restarted, and the chain RPC stopped. Then it
waits for the outboxes to drain and checks every message was delivered exactly once, with the
document bytes intact (same SHA-256 on both sides).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.network import Cluster, SimNode, build_cluster, check_node_count
from simulator.provenance import check_provenance

logger = logging.getLogger(__name__)

FAULTS = ("drop", "delay", "kill", "chain")


@dataclass
class Sent:
    message_id: str
    sender: str
    receiver: str
    sha256: str
    kind: str


@dataclass
class TrafficReport:
    nodes: list[str]
    sent: int = 0
    delivered_once: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    corrupted: list[str] = field(default_factory=list)
    unexpected: int = 0
    faults: list[dict[str, Any]] = field(default_factory=list)
    drain_seconds: float = 0.0
    send_seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    provenance_ok: bool = True

    @property
    def ok(self) -> bool:
        return (
            self.provenance_ok
            and self.sent > 0
            and not (self.lost or self.duplicated or self.corrupted or self.unexpected)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "nodes": self.nodes,
            "sent": self.sent,
            "delivered_exactly_once": self.delivered_once,
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "corrupted": len(self.corrupted),
            "unexpected": self.unexpected,
            "kinds": self.kinds,
            "faults": self.faults,
            "send_seconds": round(self.send_seconds, 2),
            "drain_seconds": round(self.drain_seconds, 2),
            "provenance": self.provenance,
            "lost_ids": self.lost[:20],
            "duplicated_ids": self.duplicated[:20],
        }


def parse_faults(text: str) -> tuple[str, ...]:
    if not text or text == "none":
        return ()
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    if "all" in names:
        return FAULTS
    bad = [n for n in names if n not in FAULTS]
    if bad:
        raise ValueError(f"unknown fault(s) {', '.join(bad)}; known: {', '.join(FAULTS)}, all")
    return names


def run_traffic(
    out: Path,
    *,
    nodes: int,
    rate: float,
    duration: float,
    faults: tuple[str, ...],
    seed: int,
    scans: int = 6,
    drain_timeout: float = 180.0,
    progress: Callable[[str], None] | None = None,
) -> TrafficReport:
    check_node_count(nodes)  # before anything is generated or started
    say = progress or (lambda _m: None)
    rng = random.Random(f"traffic-{seed}")
    docs = _documents(out / "corpus", seed, scans)
    say(f"starting {nodes} nodes in {out}")
    cluster = build_cluster(out / "nodes", nodes)
    report = TrafficReport([n.node_id for n in cluster.nodes])
    try:
        for n in cluster.nodes:
            n.start()
        schedule = _fault_schedule(rng, faults, duration, cluster)
        say(f"sending at {rate}/s for {duration:.0f} s with faults: {', '.join(faults) or 'none'}")
        sent = _drive(cluster, rng, rate, duration, docs, schedule, report)
        say(f"queued {len(sent)} messages; waiting for delivery")
        for n in cluster.nodes:
            if n.restarts:
                n.wait_ready()
        _drain(cluster, sent, report, drain_timeout)
        _check(cluster, sent, report)
        say("checking that accepted documents are anchored and traceable")
        prov = check_provenance([n.home for n in cluster.nodes])
        report.provenance, report.provenance_ok = prov.to_json(), prov.ok
    finally:
        cluster.shutdown()
    return report


def _documents(root: Path, seed: int, scans: int) -> list[tuple[str, bytes, str]]:
    from simulator.corpus import generate_corpus

    generate_corpus(root, max(1, scans), seed, workers=1)
    docs: list[tuple[str, bytes, str]] = []
    for case in sorted((root / "cases").iterdir()):
        docs.append(("certificate", (case / "scan.jpg").read_bytes(), "scan.jpg"))
        docs.append(("declaration", (case / "declaration.json").read_bytes(), "declaration.json"))
    return docs


@dataclass
class _Fault:
    at: float
    kind: str
    target: str
    length: float
    done: bool = False
    ended: bool = False


def _fault_schedule(
    rng: random.Random, faults: tuple[str, ...], duration: float, cluster: Cluster
) -> list[_Fault]:
    plan = []
    slots = {"drop": 0.15, "delay": 0.35, "kill": 0.5, "chain": 0.65}
    for kind in faults:
        target = "chain" if kind == "chain" else rng.choice(cluster.nodes).node_id
        length = {"drop": 4.0, "delay": 8.0, "kill": 5.0, "chain": 12.0}[kind]
        at = duration * slots[kind] + rng.uniform(-0.05, 0.05) * duration
        plan.append(_Fault(at, kind, target, min(length, duration * 0.3)))
    return sorted(plan, key=lambda f: f.at)


def _apply(cluster: Cluster, fault: _Fault, report: TrafficReport, now: float) -> None:
    node = None if fault.target == "chain" else cluster.by_id(fault.target)
    if not fault.done and now >= fault.at:
        fault.done = True
        report.faults.append(
            {
                "kind": fault.kind,
                "target": fault.target,
                "at_s": round(now, 1),
                "length_s": fault.length,
            }
        )
        logger.info("fault %s on %s", fault.kind, fault.target)
        if fault.kind == "drop" and node:
            node.proxy.down()
        elif fault.kind == "delay" and node:
            node.proxy.delay(0.25)
        elif fault.kind == "kill" and node:
            node.kill9()
        elif fault.kind == "chain":
            cluster.chain_proxy.down()
    elif fault.done and not fault.ended and now >= fault.at + fault.length:
        fault.ended = True
        if fault.kind == "drop" and node:
            node.proxy.up()
        elif fault.kind == "delay" and node:
            node.proxy.delay(0.0)
        elif fault.kind == "kill" and node:
            node.start(wait=False)  # the driver keeps sending while it boots
            node.restarts += 1
        elif fault.kind == "chain":
            cluster.chain_proxy.up()


def _drive(
    cluster: Cluster,
    rng: random.Random,
    rate: float,
    duration: float,
    docs: list[tuple[str, bytes, str]],
    schedule: list[_Fault],
    report: TrafficReport,
) -> list[Sent]:
    sent: list[Sent] = []
    start = time.monotonic()
    n = 0
    while True:
        now = time.monotonic() - start
        for fault in schedule:
            _apply(cluster, fault, report, now)
        if now >= duration:
            break
        due = int(now * rate) + 1
        while n < due:
            sent.append(_send_one(cluster, rng, docs, n))
            n += 1
        time.sleep(min(0.05, max(0.0, (n / rate) - (time.monotonic() - start))))
    for fault in schedule:  # end every fault that is still active
        _apply(cluster, fault, report, fault.at + fault.length + 1)
    report.send_seconds = time.monotonic() - start
    report.sent = len(sent)
    report.kinds = dict(Counter(s.kind for s in sent))
    return sent


def _send_one(
    cluster: Cluster, rng: random.Random, docs: list[tuple[str, bytes, str]], n: int
) -> Sent:
    sender, receiver = rng.sample(cluster.nodes, 2)
    kind, data, name = rng.choice(docs)
    if kind == "declaration":  # a fresh declaration each time: unique bytes per message
        body = json.loads(data)
        body["declaration_number"] = f"{body['declaration_number']}-{n:05d}"
        data = (json.dumps(body, indent=2) + "\n").encode()
    exchange = sender.lib().exchange
    assert exchange is not None
    result = exchange.send(data, receiver.node_id, kind, name)
    return Sent(result.message_id, sender.node_id, receiver.node_id, result.document_sha256, kind)


def _inbox(node: SimNode) -> list[dict[str, Any]]:
    """Documents received (not the review outcomes and registry updates nodes send back)."""
    exchange = node.lib().exchange
    assert exchange is not None
    return [m for m in exchange.messages("in") if m["kind"] in ("certificate", "declaration")]


def _drain(cluster: Cluster, sent: list[Sent], report: TrafficReport, timeout: float) -> None:
    start = time.monotonic()
    want = Counter(s.receiver for s in sent)
    delay = 0.1
    while time.monotonic() - start < timeout:
        have = {n.node_id: len(_inbox(n)) for n in cluster.nodes}
        if all(have.get(node, 0) >= count for node, count in want.items()):
            break
        time.sleep(delay)  # polling other processes' databases; the condition decides
        delay = min(delay * 1.5, 1.0)
    report.drain_seconds = time.monotonic() - start


def _check(cluster: Cluster, sent: list[Sent], report: TrafficReport) -> None:
    rows: dict[str, list[dict[str, Any]]] = {}
    for node in cluster.nodes:
        for m in _inbox(node):
            rows.setdefault(m["message_id"], []).append({**m, "at_node": node.node_id})
    expected = {s.message_id for s in sent}
    report.unexpected = sum(len(v) for k, v in rows.items() if k not in expected)
    for s in sent:
        got = rows.get(s.message_id, [])
        if not got:
            report.lost.append(s.message_id)
        elif len(got) > 1:
            report.duplicated.append(s.message_id)
        elif (got[0]["at_node"], got[0]["peer"], got[0]["document_sha256"]) != (
            s.receiver,
            s.sender,
            s.sha256,
        ):
            report.corrupted.append(s.message_id)
        else:
            report.delivered_once += 1
