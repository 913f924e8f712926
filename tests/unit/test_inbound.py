"""Partner documents received over the exchange are routed like local submissions."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from node.bootstrap import build_node
from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.config import ChainSettings, NodeIdentity, Settings
from node.identity import create_identity
from node.inbound import InboundRouter
from node.review.tables import ReviewRow
from node.storage.core import DocumentRow
from node.storage.documents import events_for, upsert_document


@pytest.fixture
def node(home):
    settings = Settings(
        home=home,
        node=NodeIdentity(id="CN-SHA", country="CN", name="x"),
        chain=ChainSettings(rpc_url="http://127.0.0.1:9"),
    )
    create_identity(home, "CN-SHA")
    return build_node(
        settings, chain_anchor=InMemoryChainAnchor(), registry_chain=InMemoryTrustRegistry("CN")
    )


def _receive(node, data: bytes, kind: str = "certificate") -> str:
    sha = node.blobs.put(data)
    with node.db.session() as session:
        upsert_document(session, sha, kind=kind, size=len(data), source="AU-SYD")
    return sha


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buf, "PNG")
    return buf.getvalue()


def test_routes_scans_to_review_and_electronic_documents_to_anchoring(node) -> None:
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    cert = _receive(
        node,
        json.dumps(
            {"certificate_number": "AU-1", "origin_country": "AU", "hs_code": "080810"}
        ).encode(),
    )
    decl = _receive(
        node,
        json.dumps({"declaration_number": "D1", "certificate_numbers": ["AU-1"]}).encode(),
        "declaration",
    )
    scan = _receive(node, _png())
    junk = _receive(node, b"\x00not a document at all")
    assert router.route_pending() == 4
    assert router.route_pending() == 0  # routed once
    with node.db.session() as session:
        states = {s: session.get(DocumentRow, s).state for s in (cert, decl, scan, junk)}
        assert session.get(ReviewRow, scan) is not None
        verdicts = {
            s: [e.detail.get("verdict") for e in events_for(session, s)] for s in (cert, junk)
        }
    assert states == {cert: "accepted", decl: "accepted", scan: "in_review", junk: "rejected"}
    assert verdicts == {cert: ["accept"], junk: ["reject"]}
    assert node.anchoring.state(cert) == "pending" and node.anchoring.state(decl) == "pending"
    assert node.anchoring.state(scan) is None and node.anchoring.state(junk) is None
    assert node.extras["review"].intake.find_declaration("AU-1") == decl


def test_waits_for_the_bytes(node) -> None:
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    with node.db.session() as session:
        upsert_document(session, "ab" * 32, kind="certificate", source="AU-SYD")
    assert router.route_pending() == 0
