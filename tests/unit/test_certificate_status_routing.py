"""A partner's certificate whose own status says it does not stand is held for an officer,
not accepted and anchored (``node.review.statuses``); the officer decides it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from node.errors import Conflict, NotFound
from node.inbound import InboundRouter
from node.review.tables import ReplacementRow, ReviewRow
from node.storage.core import DocumentRow
from node.storage.documents import add_document
from tests.unit.api.fakes import add_partner
from tests.unit.memory_node import memory_node


@pytest.fixture
def node(home):
    node = memory_node(home)
    add_partner(node, "AU-SYD", "AU")
    add_partner(node, "NZ-WLG", "NZ")
    return node


def _receive(node: Any, number: str, source: str = "AU-SYD", **more: Any) -> str:
    body = {
        "doc_type": "certificate",
        "certificate_number": number,
        "issuing_country": "AU",
        "net_weight_kg": 10.0,
        **more,
    }
    data = json.dumps(body).encode()
    sha = node.blobs.put(data)
    with node.db.session() as session:
        add_document(session, sha, kind="certificate", size=len(data), source=source)
    return sha


def _route(node: Any) -> None:
    InboundRouter(node.db, node.blobs, node.anchoring, actor="CN-SHA").route_pending()


def _state(node: Any, sha: str) -> str:
    with node.db.session() as session:
        return session.get(DocumentRow, sha).state


def test_a_cancelled_certificate_is_held_until_an_officer_accepts_it(node) -> None:
    sha = _receive(node, "AU-1", status_code="CANCELLED")
    _route(node)
    assert _state(node, sha) == "in_review"
    assert node.anchoring.state(sha) is None  # not anchored
    review = node.extras["review"]
    held = review.get(sha)
    assert (held["state"], held["verdict"]) == ("review", "review")
    assert held["reasons"] == [
        "certificate.status: certificate AU-1 is withdrawn (status CANCELLED) by its issuer's "
        "own status: not accepted as valid; an officer decides"
    ]
    # the issuer's copy of AU-1, with the status a paper of it is checked against
    copy = review.intake.electronic_copy("AU-1")
    assert copy["sha256"] == sha
    assert copy["status"] == {"status": "withdrawn", "status_code": "CANCELLED"}
    with pytest.raises(Conflict, match="held for its status: there is no machine review"):
        review.requeue(sha)
    with pytest.raises(NotFound, match="no evidence 'page-1.jpg'"):  # no pages: no scan
        review.evidence_file(sha, "page-1.jpg")
    decided = review.decide(sha, "accept", "the issuer confirmed by phone", "officer-7")
    assert decided["decision"]["outcome"] == "overridden"
    assert _state(node, sha) == "accepted" and node.anchoring.state(sha) == "pending"


def test_a_provisional_certificate_is_held_an_issued_or_unknown_one_accepted(node) -> None:
    submitted = _receive(node, "AU-2", status_code="SUBMITTED")
    issued = _receive(node, "AU-3", status_code="VALIDATED")
    odd = _receive(node, "AU-4", status_code="ON_HOLD")
    plain = _receive(node, "AU-5")
    _route(node)
    assert [_state(node, s) for s in (submitted, issued, odd, plain)] == [
        "in_review",
        "accepted",
        "accepted",
        "accepted",
    ]
    copy = node.extras["review"].intake.electronic_copy("AU-4")
    assert copy["status"] == {"status": "unknown", "status_code": "ON_HOLD"}


def test_another_countrys_withdrawn_certificate_is_held_but_is_no_copy(node) -> None:
    sha = _receive(node, "AU-6", source="NZ-WLG", status_code="40")
    _route(node)
    assert _state(node, sha) == "in_review"
    assert node.extras["review"].intake.electronic_copy("AU-6") is None


def test_a_replaced_certificate_before_its_replacement_is_linked_when_that_comes(node) -> None:
    old = _receive(node, "AU-7", status="replaced", replaced_by="AU-8")
    _route(node)
    with node.db.session() as session:
        assert session.get(ReplacementRow, "AU7") is None  # the replacement is not here yet
        reason = session.get(ReviewRow, old).result["reasons"][0]
    assert reason.startswith("certificate.status: certificate AU-7 is replaced by AU-8 by its")
    assert "linked" not in reason
    new = _receive(node, "AU-8", status_code="70", replaces="AU-7")
    _route(node)
    assert _state(node, new) == "accepted"
    with node.db.session() as session:
        row = session.get(ReplacementRow, "AU7")
        assert (row.replacement_number, row.replacement_sha256) == ("AU-8", new)
