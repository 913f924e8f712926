"""Replacement certificates (ISPM 12): an issuer replaces a certificate it sent by a new one (a
new number naming the replaced one); the receiving node no longer accepts the replaced one.
Only its issuer may replace it; a replacement keeps no number.

In-process (the registry helpers of tests/unit/registry/test_sync.py): AU, CN and NZ, each
pinning the others; AU's and NZ's messages are handed to CN's inbox and CN's router runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from node.errors import Conflict, InputError, NotFound
from node.exchange.replacing import send_replacement
from node.exchange.store import materialize_blobs
from node.exchange.tables import OutboxRow
from node.inbound import InboundRouter
from node.review.replacements import (
    NotCertificateIssuer,
    ReplacedAlready,
    SameNumberReplacement,
)
from node.review.tables import ReplacementRow
from node.runtime import Node
from node.storage.core import DocumentRow
from node.storage.documents import events_for
from tests.unit.exchange.three_nodes import exchange_of, three_nodes
from tests.unit.registry.test_sync import _deliver, _rejections

OLD, NEW = "AU-2026-000123", "AU-2026-000124"


@pytest.fixture
def nodes(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from three_nodes(tmp_path)


def _certificate(number: str, country: str = "AU", **more: Any) -> bytes:
    cert = {
        "doc_type": "certificate",
        "certificate_type": "phytosanitary",
        "certificate_number": number,
        "issuing_country": country,
        "net_weight_kg": 1200.0,
        **more,
    }
    return json.dumps(cert).encode()


async def _send(sender: Node, cn: Node, data: bytes) -> str:
    """``sender`` sends CN ``data``; CN stores and routes it. Its SHA-256."""
    (sent,) = exchange_of(sender).send_many([(data, "c.json")], "CN-SHA", fsync_blobs=True)
    await _arrive(sender, cn)
    return sent.document_sha256


async def _arrive(sender: Node, cn: Node) -> None:
    await _deliver(sender, cn)
    materialize_blobs(cn.db, cn.blobs)
    InboundRouter(cn.db, cn.blobs, None, actor="CN-SHA").route_pending()


def _events(node: Node, sha: str) -> list[tuple[str, str, dict[str, Any]]]:
    with node.db.session() as session:
        return [(e.kind, e.actor, dict(e.detail or {})) for e in events_for(session, sha)]


def _state(node: Node, sha: str) -> str:
    with node.db.session() as session:
        row = session.get(DocumentRow, sha)
    assert row is not None
    return row.state


def _replacement(node: Node, number: str) -> ReplacementRow | None:
    from verification.normalise import certificate_key

    with node.db.session() as session:
        return session.get(ReplacementRow, certificate_key(number))


async def test_the_issuers_replacement_makes_the_replaced_certificate_no_longer_accepted(
    nodes,
) -> None:
    """AU sent CN certificate OLD, a declaration names it and agrees; AU replaces it by NEW:
    CN marks OLD replaced (its copy carries ``replaced``, for rule ``copy.replaced``), the
    declaration goes to an officer pointing to NEW, and both traces carry the link."""
    au, cn, _ = nodes
    old = await _send(au, cn, _certificate(OLD))
    review = cn.extras["review"]
    declared = {
        "declaration_number": "CN-D-9",
        "net_weight_kg": 1200.0,
        "certificate_numbers": [OLD],
    }
    decl = review.intake.submit_electronic(
        json.dumps(declared).encode(), kind="declaration", actor="clerk"
    )["sha256"]
    assert review.matches.process_pending() == 1
    [check] = review.matches.of_declaration(decl)
    assert check["state"] == "consistent"

    replacement = _certificate(NEW, replaces=OLD)
    out = send_replacement(exchange_of(au), old, replacement, "AU-CBR", "new.json")
    assert (out["certificate_number"], out["replacement_number"], out["told"]) == (
        OLD,
        NEW,
        ["CN-SHA"],
    )
    new = out["replacement_sha256"]
    # the issuer's own trace says so, and a retry queues nothing twice
    (on_au,) = [e for e in _events(au, old) if e[0] == "replaced"]
    assert on_au[2]["replaced_by"] == NEW and on_au[2]["told"] == ["CN-SHA"]
    again = send_replacement(exchange_of(au), old, replacement, "AU-CBR", "new.json")
    assert again["message_ids"] == out["message_ids"]
    with au.db.session() as session:
        assert (
            len(session.exec(select(OutboxRow).where(OutboxRow.document_sha256 == new)).all()) == 1
        )
    assert len([e for e in _events(au, old) if e[0] == "replaced"]) == 1
    mine = _replacement(au, OLD)  # the issuer's node knows it replaced it (one replacement)
    assert mine is not None and (mine.replacement_sha256, mine.source) == (new, "AU-CBR")

    await _arrive(au, cn)
    assert _state(cn, new) == "accepted"
    row = _replacement(cn, OLD)
    assert row is not None and (row.replacement_number, row.source) == (NEW, "AU-CBR")
    (replaced,) = [e for e in _events(cn, old) if e[0] == "replaced"]
    assert replaced[1] == "AU-CBR" and replaced[2]["replacement_sha256"] == new
    (verified,) = [e for e in _events(cn, new) if e[0] == "verified"]
    assert verified[2]["replaces"] == OLD and verified[2]["replaces_sha256"] == [old]

    copy = review.intake.electronic_copy(OLD)
    assert copy is not None and copy["replaced"]["replaced_by"] == NEW
    assert copy["replaced"]["by"] == "AU-CBR"
    assert "replaced" not in (review.intake.electronic_copy(NEW) or {"replaced": 1})

    [check] = review.matches.of_declaration(decl)
    assert check["state"] == "pending"  # queued again with the replacement
    assert review.matches.process_pending() == 1
    [check] = review.matches.of_declaration(decl)
    assert (check["state"], check["verdict"]) == ("review", "review")
    why = check["reasons"][0]
    assert why.startswith(f"certificate.replaced: AU-CBR replaced certificate {OLD} by {NEW} on ")
    assert why.endswith(f"it should name {NEW}")
    assert _rejections(cn) == []


async def test_a_replacement_before_the_replaced_certificate_is_recorded_all_the_same(
    nodes,
) -> None:
    """CN never had OLD: the replacement is recorded (its declarations are pointed to NEW)."""
    au, cn, _ = nodes
    new = await _send(au, cn, _certificate(NEW, replaces=OLD))
    assert _state(cn, new) == "accepted"
    row = _replacement(cn, OLD)
    assert row is not None and row.replacement_sha256 == new
    (verified,) = [e for e in _events(cn, new) if e[0] == "verified"]
    assert verified[2]["replaces_sha256"] == []


async def test_only_the_issuer_may_replace_a_certificate(nodes) -> None:
    """NZ may not replace AU's certificate: neither by a certificate of its own naming it, nor
    by one claiming to be AU's. Both are rejected, audited with the code and status, and OLD
    is not marked replaced."""
    au, cn, nz = nodes
    await _send(au, cn, _certificate(OLD))
    own = await _send(nz, cn, _certificate("NZ-2026-000001", "NZ", replaces=OLD))
    claimed = await _send(nz, cn, _certificate(NEW, "AU", replaces=OLD))
    assert (_state(cn, own), _state(cn, claimed)) == ("rejected", "rejected")
    assert _replacement(cn, OLD) is None
    audit = _rejections(cn)
    assert {(r.code, r.status, r.peer) for r in audit} == {
        (NotCertificateIssuer.code, "PERMISSION_DENIED", "NZ-WLG")
    }
    assert len(audit) == 2 and all(r.message_id for r in audit)
    reasons = sorted(r.reason for r in audit)
    assert "it was issued in AU (sent by AU-CBR), not in NZ" in reasons[1]
    assert "NZ-WLG (NZ) is not the issuer of certificate AU-2026-000124" in reasons[0]
    (verified,) = [e for e in _events(cn, own) if e[0] == "verified"]
    assert verified[2]["verdict"] == "reject" and verified[2]["code"] == NotCertificateIssuer.code
    assert cn.extras["review"].intake.electronic_copy(OLD).get("replaced") is None


async def test_a_replacement_has_a_new_number_and_replaces_once(nodes) -> None:
    """Re-issuing under the same number is no replacement: refused (on receipt, and by the
    issuer's own node). A second replacement of a replaced certificate is refused."""
    au, cn, _ = nodes
    old = await _send(au, cn, _certificate(OLD))
    same = await _send(au, cn, _certificate(OLD.lower(), replaces=OLD, net_weight_kg=1100.0))
    assert _state(cn, same) == "rejected"
    assert [(r.code, r.status) for r in _rejections(cn)] == [
        (SameNumberReplacement.code, "INVALID_ARGUMENT")
    ]
    assert _replacement(cn, OLD) is None
    with pytest.raises(SameNumberReplacement, match="a replacement has a new number"):
        send_replacement(exchange_of(au), old, _certificate(OLD, replaces=OLD), "AU-CBR")

    out = send_replacement(exchange_of(au), old, _certificate(NEW, replaces=OLD), "AU-CBR")
    await _arrive(au, cn)
    first = out["replacement_sha256"]
    second = await _send(au, cn, _certificate("AU-2026-000125", replaces=OLD))
    assert (_state(cn, first), _state(cn, second)) == ("accepted", "rejected")
    assert _rejections(cn)[-1].code == ReplacedAlready.code
    row = _replacement(cn, OLD)
    assert row is not None and row.replacement_sha256 == first
    with pytest.raises(ReplacedAlready):
        send_replacement(
            exchange_of(au), old, _certificate("AU-2026-000126", replaces=OLD), "AU-CBR"
        )


async def test_the_issuers_node_refuses_what_is_no_replacement_of_its_own(nodes) -> None:
    au, cn, _ = nodes
    old = await _send(au, cn, _certificate(OLD))
    with pytest.raises(NotFound):
        send_replacement(exchange_of(au), "ab" * 32, _certificate(NEW, replaces=OLD), "AU-CBR")
    # CN holds AU's certificate, but did not issue it
    with pytest.raises(NotCertificateIssuer, match="only its issuer replaces it"):
        send_replacement(exchange_of(cn), old, _certificate(NEW, replaces=OLD), "CN-SHA")
    declaration = json.dumps({"declaration_number": "D-1", "certificate_numbers": [OLD]})
    with pytest.raises(InputError, match="the replacement: a declaration, not a certificate"):
        send_replacement(exchange_of(au), old, declaration.encode(), "AU-CBR")
    with pytest.raises(InputError, match="names no certificate it replaces"):
        send_replacement(exchange_of(au), old, _certificate(NEW), "AU-CBR")
    with pytest.raises(InputError, match=f"replaces AU-9, not {OLD}"):
        send_replacement(exchange_of(au), old, _certificate(NEW, replaces="AU-9"), "AU-CBR")
    # a certificate AU sent, its delivery refused: sent to no partner
    (own,) = exchange_of(au).send_many(
        [(_certificate("AU-7"), "x.json")], "CN-SHA", fsync_blobs=True
    )
    with au.db.session() as session:
        for row in session.exec(
            select(OutboxRow).where(OutboxRow.document_sha256 == own.document_sha256)
        ):
            row.state = "rejected"
            session.add(row)
    with pytest.raises(Conflict, match="was sent to no partner"):
        send_replacement(
            exchange_of(au), own.document_sha256, _certificate("AU-8", replaces="AU-7"), "AU-CBR"
        )


async def test_a_replacement_a_partner_forwarded_first_is_applied_when_its_issuer_sends_it(
    nodes,
) -> None:
    """NZ forwards AU's replacement before AU sends it: refused as NZ's (not the issuer). AU's
    own delivery of the same bytes then makes the document AU's and routes it again, so the
    replacement holds: a forwarder (or a partner racing the issuer) cannot block it."""
    from node.inbound import claim_delivery

    au, cn, nz = nodes
    await _send(au, cn, _certificate(OLD))
    replacement = _certificate(NEW, replaces=OLD)
    forwarded = await _send(nz, cn, replacement)
    assert _state(cn, forwarded) == "rejected" and _replacement(cn, OLD) is None
    (sent,) = exchange_of(au).send_many([(replacement, "new.json")], "CN-SHA", fsync_blobs=True)
    assert sent.document_sha256 == forwarded
    await _deliver(au, cn)
    materialize_blobs(cn.db, cn.blobs, claim=claim_delivery)
    InboundRouter(cn.db, cn.blobs, None, actor="CN-SHA").route_pending()
    assert _state(cn, forwarded) == "accepted"
    row = _replacement(cn, OLD)
    assert row is not None and row.replacement_sha256 == forwarded
    verdicts = [e[2]["verdict"] for e in _events(cn, forwarded) if e[0] == "verified"]
    assert verdicts == ["reject", "accept"]  # the forwarder's refusal stays on the trace
