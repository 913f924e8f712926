"""Partner documents received over the exchange are routed like local submissions."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from node.inbound import InboundRouter
from node.review.tables import ReviewRow
from node.storage.core import DocumentRow
from node.storage.documents import add_document, events_for
from tests.unit.api.fakes import add_partner
from tests.unit.memory_node import memory_node
from verification.normalise import certificate_key


@pytest.fixture
def node(home):
    return memory_node(home)


def _receive(node, data: bytes, kind: str = "certificate") -> str:
    sha = node.blobs.put(data)
    with node.db.session() as session:
        add_document(session, sha, kind=kind, size=len(data), source="AU-SYD")
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
        add_document(session, "ab" * 32, kind="certificate", source="AU-SYD")
    assert router.route_pending() == 0


def _certificate(number: str, country: str, weight: float) -> bytes:
    body = {
        "doc_type": "certificate",
        "certificate_number": number,
        "issuing_country": country,
        "consignee_name": "Shanghai Fresh Co",
        "net_weight_kg": weight,
    }
    return json.dumps(body).encode()


def _receive_from(node, data: bytes, source: str) -> str:
    sha = node.blobs.put(data)
    with node.db.session() as session:
        add_document(session, sha, kind="certificate", size=len(data), source=source)
    return sha


def test_a_certificate_a_partner_sends_for_its_own_country_is_the_issuers_copy(node) -> None:
    add_partner(node, "AU-SYD", "AU")
    add_partner(node, "NZ-WLG", "NZ")
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    own = _receive_from(node, _certificate("AU-2026-000123", "AU", 1250.5), "AU-SYD")
    # NZ's node cannot vouch for an Australian certificate, nor can an unknown source
    _receive_from(node, _certificate("AU-2026-000777", "AU", 10.0), "NZ-WLG")
    _receive_from(node, _certificate("AU-2026-000888", "AU", 10.0), "XX-NOWHERE")
    assert router.route_pending() == 3
    intake = node.extras["review"].intake
    copy = intake.electronic_copy("AU 2026 000123")  # found whatever the separators
    assert copy is not None
    assert copy["sha256"] == own and copy["net_weight_kg"] == 1250.5
    assert copy["issuing_country"] == "AU" and copy["source"] == "AU-SYD"
    assert intake.electronic_copy("AU-2026-000777") is None
    assert intake.electronic_copy("AU-2026-000888") is None
    assert intake.electronic_copy("") is None


def _paper(sha: str, state: str, number: str, **more: str) -> ReviewRow:
    """A reviewed paper as the review records it: the number read, and its key."""
    return ReviewRow(
        sha256=sha,
        state=state,
        certificate_number=number,
        certificate_key=certificate_key(number),
        **more,
    )


def test_a_copy_that_arrives_late_sends_its_paper_back_to_the_machine(node) -> None:
    add_partner(node, "AU-SYD", "AU")
    with node.db.session() as session:
        session.add(_paper("a" * 64, "review", "AU-2026-5"))
        session.add(_paper("b" * 64, "decided", "AU-2026-5"))
        session.add(_paper("c" * 64, "review", "AU-2026-6"))
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    _receive_from(node, _certificate("AU20265", "AU", 5.0), "AU-SYD")
    assert router.route_pending() == 1
    with node.db.session() as session:
        states = [session.get(ReviewRow, x * 64).state for x in "abc"]
    assert states == ["pending", "decided", "review"]  # an officer's decision stands


def test_a_copy_indexed_while_its_paper_was_reviewed_sends_the_paper_round_again(node) -> None:
    """The review looked for the copy before it came, and recorded "review" after the router
    had indexed it (so the router found nothing to send back): the record itself sees it."""
    from node.review.service import _Against
    from node.review.verifier import Verification

    add_partner(node, "AU-SYD", "AU")
    with node.db.session() as session:
        session.add(ReviewRow(sha256="d" * 64, state="pending"))
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    copy = _receive_from(node, _certificate("AU-2026-9", "AU", 9.0), "AU-SYD")
    assert router.route_pending() == 1
    number = {"certificate_number": {"value": "AU-2026-9"}}
    service = node.extras["review"]
    out = Verification({"verdict": "review", "fields": number}, {})
    service._record("d" * 64, out, _Against("", None, None))
    with node.db.session() as session:
        assert session.get(ReviewRow, "d" * 64).state == "pending"
    service._record("d" * 64, out, _Against("", None, {"sha256": copy}))  # reviewed with it
    with node.db.session() as session:
        assert session.get(ReviewRow, "d" * 64).state == "review"


def test_a_declaration_is_found_by_the_whole_number_it_names(node) -> None:
    """The lookup asks the database for the declarations whose list spells the number (it read
    and decoded every declaration's list for each scan: 3 s a scan at 40k declarations): a
    number that is part of another, or that holds LIKE's wildcards, finds only its own."""

    def declaration(number: str, *names: str) -> str:
        body = {"declaration_number": number, "certificate_numbers": list(names)}
        return _receive(node, json.dumps(body).encode(), "declaration")

    intake = node.extras["review"].intake
    first = declaration("D1", "AU-12", "NZ_1%")
    assert intake.find_declaration("AU-12") == first  # indexed when first looked for
    second = declaration("D2", "AU-1", "AU-12")  # arrived since: indexed by the next lookup
    assert intake.find_declaration("AU-1") == second
    assert intake.find_declaration("AU-12") == second  # the newest naming it
    assert intake.find_declaration("NZ_1%") == first
    assert intake.find_declaration("NZ-1") == first  # one certificate, however spelt
    for absent in ("AU", "U-1", "NZ", "Z1", "%", "_"):
        assert intake.find_declaration(absent) == "", absent


def test_a_declaration_is_found_however_it_spells_the_papers_number(node) -> None:
    """A declaration lists a number as the importer typed it: the scan read "E-517-0834559"
    found no declaration listing "e 517 0834559" or "No. ZA00247334" (as the node of the audit
    reviewed it: without a declaration, and a consignment whose origin the declaration
    contradicts was accepted and anchored)."""

    def declaration(number: str, *names: str) -> str:
        body = {"declaration_number": number, "certificate_numbers": list(names)}
        return _receive(node, json.dumps(body).encode(), "declaration")

    intake = node.extras["review"].intake
    lower = declaration("D1", "e 517 0834559")
    labelled = declaration("D2", "No. ZA00247334", "Certificate No: NZ26/979604")
    norway = declaration("D3", "NO-2026-624617")
    assert intake.find_declaration("E-517-0834559") == lower
    assert intake.find_declaration("ZA00247334") == labelled
    assert intake.find_declaration("NZ26/979604") == labelled
    assert intake.find_declaration("NO-2026-624617") == norway  # "NO" is no label here
    assert intake.find_declaration("2026-624617") == ""


def test_a_declaration_that_arrives_late_sends_its_papers_back_to_the_machine(node) -> None:
    """A paper left for an officer before its declaration came (an audit: it was never checked
    against the declaration) is reviewed again with it; an officer's decision stands, and a
    paper submitted with a declaration of its own keeps it."""
    with node.db.session() as session:
        session.add(_paper("a" * 64, "review", "E-517-08"))
        session.add(_paper("b" * 64, "decided", "E-517-08"))
        session.add(_paper("c" * 64, "review", "E-517-08", declaration_sha256="d" * 64))
        session.add(_paper("e" * 64, "review", "E-517-09"))
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    body = {"declaration_number": "D7", "certificate_numbers": ["e 517 08"]}
    _receive(node, json.dumps(body).encode(), "declaration")
    assert router.route_pending() == 1
    with node.db.session() as session:
        states = [session.get(ReviewRow, x * 64).state for x in "abce"]
    assert states == ["pending", "decided", "review", "review"]


def test_a_declaration_indexed_while_its_paper_was_reviewed_sends_the_paper_round_again(
    node,
) -> None:
    from node.review.service import _Against
    from node.review.verifier import Verification

    with node.db.session() as session:
        session.add(ReviewRow(sha256="f" * 64, state="pending"))
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    body = {"declaration_number": "D8", "certificate_numbers": ["NZ26/1"]}
    decl = _receive(node, json.dumps(body).encode(), "declaration")
    assert router.route_pending() == 1
    out = Verification(
        {"verdict": "review", "fields": {"certificate_number": {"value": "NZ26/1"}}}, {}
    )
    service = node.extras["review"]
    service._record("f" * 64, out, _Against("", None, None))  # reviewed without it
    with node.db.session() as session:
        assert session.get(ReviewRow, "f" * 64).state == "pending"
    service._record("f" * 64, out, _Against(decl, {}, None))  # reviewed with it
    with node.db.session() as session:
        assert session.get(ReviewRow, "f" * 64).state == "review"


def test_a_partners_declaration_is_checked_against_the_issuers_copy_it_sent(node) -> None:
    """AU's node sent its certificate, then a declaration naming it with another weight: the
    pair is queued with the routing and checked by the review worker (no paper involved)."""
    from node.exchange.tables import PartnerRow
    from node.review.tables import DeclarationMatchRow

    with node.db.session() as session:
        session.add(
            PartnerRow(
                node_id="AU-SYD",
                country="AU",
                endpoint="127.0.0.1:1",
                ca_pem="",
                verify_key_hex="",
                key_id="",
            )
        )
    router = InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA")
    body = {"certificate_number": "AU-1", "issuing_country": "AU", "net_weight_kg": 1000}
    cert = _receive(node, json.dumps({"doc_type": "certificate", **body}).encode())
    declared = {"declaration_number": "D1", "net_weight_kg": 800, "certificate_numbers": ["AU-1"]}
    decl = _receive(node, json.dumps(declared).encode(), "declaration")
    assert router.route_pending() == 2
    with node.db.session() as session:
        assert session.get(DeclarationMatchRow, (decl, "AU1")).state == "pending"
    matches = node.extras["review"].matches
    assert matches.process_pending() == 1
    [check] = matches.of_declaration(decl)
    assert (check["state"], check["source"], check["certificate_sha256"]) == (
        "inconsistent",
        "electronic",
        cert,
    )
    assert "net weight 1000 kg on certificate, 800 kg declared" in check["reasons"][0]
