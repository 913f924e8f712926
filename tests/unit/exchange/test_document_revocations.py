"""A partner's document revocation is recorded only for a document that partner sent this node;
anything else is refused with its own code and leaves the document's trace alone.

In-process (the registry helpers of tests/unit/registry/test_sync.py): AU, CN and NZ, each
pinning the others; AU's messages are handed to CN's inbox and CN's applier runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from node.errors import NotFound
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import MalformedMessage
from node.exchange.signing import seal_envelope
from node.exchange.store import materialize_blobs
from node.exchange.tables import InboxRow
from node.runtime import Node
from node.storage.documents import events_for
from tests.unit.exchange.three_nodes import exchange_of, three_nodes
from tests.unit.registry.records import png
from tests.unit.registry.test_sync import _applier, _deliver, _rejections

NOT_SENDER = "cusdep.exchange.not_document_sender"


@pytest.fixture
def nodes(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from three_nodes(tmp_path)


def _revoke(sender: Node, sha: str, reason: str = "withdrawn") -> str:
    """Queue ``sender``'s revocation of document ``sha`` for CN; returns its message id."""
    message = docs.Revocation(target=docs.Revocation.TARGET_DOCUMENT, subject_id=sha, reason=reason)
    return exchange_of(sender).send_message("CN-SHA", "revocation", message)


def _trace(node: Node, sha: str) -> list[tuple[str, str]]:
    with node.db.session() as session:
        return [(e.kind, e.actor) for e in events_for(session, sha)]


def _state(node: Node, message_id: str, peer: str) -> str:
    with node.db.session() as session:
        row = session.get(InboxRow, (message_id, peer))
    assert row is not None
    return row.state


async def test_a_partner_revokes_a_document_it_sent(nodes) -> None:
    au, cn, _ = nodes
    (sent,) = exchange_of(au).send_many([(png("white"), "scan.png")], "CN-SHA", fsync_blobs=True)
    await _deliver(au, cn)
    materialize_blobs(cn.db, cn.blobs)  # CN's document row, source AU-CBR
    mid = _revoke(au, sent.document_sha256, "issued in error")
    assert await _deliver(au, cn) == 1
    assert _state(cn, mid, "AU-CBR") == "applied"
    assert _trace(cn, sent.document_sha256) == [("received", "AU-CBR"), ("revoked", "AU-CBR")]
    with cn.db.session() as session:
        (revoked,) = [e for e in events_for(session, sent.document_sha256) if e.kind == "revoked"]
    assert revoked.detail == {
        "message_id": mid,
        "from": "AU-CBR",
        "kind": "revocation",
        "reason": "issued in error",
    }
    assert _rejections(cn) == []


async def test_a_revocation_arriving_before_the_documents_bytes_are_written(nodes) -> None:
    """The document row is added after the commit (materialize_blobs): AU's inbox row for the
    document is proof enough that AU sent it."""
    au, cn, _ = nodes
    (sent,) = exchange_of(au).send_many([(png("white"), "scan.png")], "CN-SHA", fsync_blobs=True)
    mid = _revoke(au, sent.document_sha256)
    assert await _deliver(au, cn) == 1  # document and revocation in one batch, nothing written
    assert _state(cn, mid, "AU-CBR") == "applied"
    assert _trace(cn, sent.document_sha256) == [("received", "AU-CBR"), ("revoked", "AU-CBR")]


async def test_a_partner_cannot_revoke_this_nodes_or_another_partners_document(nodes) -> None:
    au, cn, nz = nodes
    # CN's own document, which CN sent AU (so AU knows its hash)
    (own,) = exchange_of(cn).send_many([(png("red"), "own.png")], "AU-CBR", fsync_blobs=True)
    # NZ's document, sent to CN
    (nzs,) = exchange_of(nz).send_many([(png("blue"), "nz.png")], "CN-SHA", fsync_blobs=True)
    await _deliver(nz, cn)
    materialize_blobs(cn.db, cn.blobs)
    never = "ab" * 32  # a hash CN never saw
    before = {sha: _trace(cn, sha) for sha in (own.document_sha256, nzs.document_sha256, never)}
    assert before[own.document_sha256] == [("sent", "CN-SHA")]

    mids = {sha: _revoke(au, sha) for sha in before}
    assert await _deliver(au, cn) == 3
    assert {sha: _trace(cn, sha) for sha in before} == before  # no ``revoked`` anywhere
    assert {_state(cn, mid, "AU-CBR") for mid in mids.values()} == {"refused"}
    audit = {r.message_id: r for r in _rejections(cn)}
    assert set(audit) == set(mids.values())
    assert {(r.code, r.status, r.peer) for r in audit.values()} == {
        (NOT_SENDER, "PERMISSION_DENIED", "AU-CBR")
    }
    assert "its source: local" in audit[mids[own.document_sha256]].reason
    assert "its source: NZ-WLG" in audit[mids[nzs.document_sha256]].reason
    assert "never sent" in audit[mids[never]].reason
    # naming a document does not make it one exchanged with AU: no provenance of NZ's for AU
    with pytest.raises(NotFound):
        exchange_of(cn).provenance("AU-CBR", nzs.document_sha256)
    assert exchange_of(cn).provenance("NZ-WLG", nzs.document_sha256).events


@pytest.mark.parametrize("subject", ["AB" * 32, "ab" * 31, "../../etc/passwd", "g" * 64])
async def test_a_document_revocation_must_name_a_sha256(nodes, subject: str) -> None:
    au, cn, _ = nodes
    message = docs.Revocation(target=docs.Revocation.TARGET_DOCUMENT, subject_id=subject)
    env = seal_envelope(
        exchange_of(au).identity.signing_key,
        kind=pb.MESSAGE_KIND_REVOCATION,
        sender="AU-CBR",
        recipient="CN-SHA",
        payload=message.SerializeToString(),
        created_at=dt.datetime.now(dt.UTC),
    )
    (ack,) = await exchange_of(cn).receive("AU-CBR", [env])
    assert isinstance(ack.error, MalformedMessage) and ack.receipt is None
    assert ack.error.code == "cusdep.exchange.malformed"
    (audit,) = _rejections(cn)
    assert audit.message_id == env.header.message_id and audit.code == "cusdep.exchange.malformed"
    with cn.db.session() as session:
        assert session.exec(select(InboxRow)).all() == []
    assert _trace(cn, subject) == []
    assert await _applier(cn).process_pending() == 0


async def test_an_issuer_revoking_its_certificate_turns_the_declarations_on_it_inconsistent(
    nodes,
) -> None:
    """AU sent CN its electronic certificate, a declaration names it and agrees; AU then
    revokes the certificate: the pair is checked again and is inconsistent, and a paper of that
    number is reviewed against a copy marked revoked (rule ``copy.revoked``)."""
    import json

    from node.inbound import InboundRouter

    au, cn, _ = nodes
    certificate = {
        "doc_type": "certificate",
        "certificate_type": "phytosanitary",
        "certificate_number": "AU-2026-000123",
        "issuing_country": "AU",
        "net_weight_kg": 1200.0,
    }
    data = json.dumps(certificate).encode()
    (sent,) = exchange_of(au).send_many([(data, "certificate.json")], "CN-SHA", fsync_blobs=True)
    await _deliver(au, cn)
    materialize_blobs(cn.db, cn.blobs)
    assert InboundRouter(cn.db, cn.blobs, None, actor="CN-SHA").route_pending() == 1
    review = cn.extras["review"]
    declared = {
        "declaration_number": "CN-D-9",
        "net_weight_kg": 1200.0,
        "certificate_numbers": ["AU-2026-000123"],
    }
    decl = review.intake.submit_electronic(
        json.dumps(declared).encode(), kind="declaration", actor="clerk"
    )["sha256"]
    assert review.matches.process_pending() == 1
    [check] = review.matches.of_declaration(decl)
    assert (check["state"], check["certificate_sha256"]) == ("consistent", sent.document_sha256)

    _revoke(au, sent.document_sha256, "withdrawn: replaced by AU-2026-000124")
    assert await _deliver(au, cn) == 1
    [check] = review.matches.of_declaration(decl)
    assert check["state"] == "pending"  # queued again with the revocation
    assert review.matches.process_pending() == 1
    [check] = review.matches.of_declaration(decl)
    assert (check["state"], check["verdict"]) == ("inconsistent", "reject")
    assert check["reasons"][0].startswith(
        "certificate.revoked: AU-CBR revoked certificate AU-2026-000123: withdrawn: replaced by "
        "AU-2026-000124 ("
    )
    copy = review.intake.electronic_copy("AU-2026-000123")
    assert copy is not None and copy["revoked"]["by"] == "AU-CBR"


def _materialize(node: Node) -> int:
    """What the node's own blob materializer (as ``build_node`` wired it) does in one round."""
    from node.exchange.blobs import BlobMaterializer

    (worker,) = [w for w in node.workers if isinstance(w, BlobMaterializer)]
    return worker.once()


def _certificate(number: str = "AU-2026-000777") -> bytes:
    import json

    return json.dumps(
        {
            "doc_type": "certificate",
            "certificate_type": "phytosanitary",
            "certificate_number": number,
            "issuing_country": "AU",
            "net_weight_kg": 800.0,
        }
    ).encode()


def _source(node: Node, sha: str) -> str:
    from node.storage.core import DocumentRow

    with node.db.session() as session:
        row = session.get(DocumentRow, sha)
    assert row is not None
    return row.source


def _copy_source(node: Node, sha: str) -> str | None:
    from node.review.tables import CertificateCopyRow

    with node.db.session() as session:
        copy = session.get(CertificateCopyRow, sha)
    return None if copy is None else copy.source


async def test_the_issuer_outranks_a_partner_that_delivered_its_certificate_first(nodes) -> None:
    """NZ forwards AU's certificate before AU sends it: CN routes it as NZ's (not the issuer's
    copy). AU's delivery of the same bytes then makes it AU's: the issuer's copy, and AU may
    withdraw it; NZ no longer may."""
    from node.inbound import InboundRouter

    au, cn, nz = nodes
    data = _certificate()
    (first,) = exchange_of(nz).send_many([(data, "forwarded.json")], "CN-SHA", fsync_blobs=True)
    await _deliver(nz, cn)
    _materialize(cn)
    assert InboundRouter(cn.db, cn.blobs, None, actor="CN-SHA").route_pending() == 1
    sha = first.document_sha256
    assert (_source(cn, sha), _copy_source(cn, sha)) == ("NZ-WLG", None)

    (sent,) = exchange_of(au).send_many([(data, "certificate.json")], "CN-SHA", fsync_blobs=True)
    assert sent.document_sha256 == sha
    await _deliver(au, cn)
    _materialize(cn)
    assert (_source(cn, sha), _copy_source(cn, sha)) == ("AU-CBR", "AU-CBR")
    assert cn.extras["review"].intake.electronic_copy("AU-2026-000777") is not None

    by_nz, by_au = _revoke(nz, sha, "forwarded in error"), _revoke(au, sha, "issued in error")
    await _deliver(nz, cn)
    await _deliver(au, cn)
    assert (_state(cn, by_nz, "NZ-WLG"), _state(cn, by_au, "AU-CBR")) == ("refused", "applied")
    assert ("revoked", "AU-CBR") in _trace(cn, sha)
    assert ("revoked", "NZ-WLG") not in _trace(cn, sha)


async def test_the_issuers_withdrawal_before_its_delivery_is_written(nodes) -> None:
    """AU's delivery and its revocation in one batch, NZ's copy of the bytes held already: the
    revocation is checked before ``materialize_blobs`` makes AU the source, and applies."""
    au, cn, nz = nodes
    data = _certificate("AU-2026-000778")
    (first,) = exchange_of(nz).send_many([(data, "forwarded.json")], "CN-SHA", fsync_blobs=True)
    await _deliver(nz, cn)
    _materialize(cn)
    exchange_of(au).send_many([(data, "certificate.json")], "CN-SHA", fsync_blobs=True)
    mid = _revoke(au, first.document_sha256)
    assert await _deliver(au, cn) == 1  # the revocation; the document's bytes not yet written
    assert _source(cn, first.document_sha256) == "NZ-WLG"
    assert _state(cn, mid, "AU-CBR") == "applied"


async def test_a_later_sender_of_the_same_bytes_gets_no_say(nodes) -> None:
    """The first sender keeps a document another partner sends again, unless that one is the
    certificate's issuer: a scan (no issuing country to go by), and AU's certificate that AU
    sent first and NZ forwarded after, stay with their first sender; the other's withdrawal
    is refused."""
    au, cn, nz = nodes
    scan, cert = png("white"), _certificate("AU-2026-000779")
    (s1,) = exchange_of(nz).send_many([(scan, "copy.png")], "CN-SHA", fsync_blobs=True)
    (c1,) = exchange_of(au).send_many([(cert, "certificate.json")], "CN-SHA", fsync_blobs=True)
    await _deliver(nz, cn)
    await _deliver(au, cn)
    _materialize(cn)
    exchange_of(au).send_many([(scan, "scan.png")], "CN-SHA", fsync_blobs=True)
    exchange_of(nz).send_many([(cert, "forwarded.json")], "CN-SHA", fsync_blobs=True)
    await _deliver(au, cn)
    await _deliver(nz, cn)
    _materialize(cn)
    assert (_source(cn, s1.document_sha256), _source(cn, c1.document_sha256)) == (
        "NZ-WLG",
        "AU-CBR",
    )
    by_au, by_nz = _revoke(au, s1.document_sha256), _revoke(nz, c1.document_sha256)
    await _deliver(au, cn)
    await _deliver(nz, cn)
    assert (_state(cn, by_au, "AU-CBR"), _state(cn, by_nz, "NZ-WLG")) == ("refused", "refused")
    reasons = {r.message_id: r.reason for r in _rejections(cn)}
    assert "its source: NZ-WLG" in reasons[by_au]
    assert "its source: AU-CBR" in reasons[by_nz]
