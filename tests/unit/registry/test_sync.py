"""Registry sync and review outcomes in-process, with the in-memory chain: AU's node writes
records, the signed messages its outbox holds are handed to CN's inbox (no gRPC here; see
tests/integration/exchange/test_registry_sync.py for real processes over mTLS on anvil), and
CN's applier checks them against the chain before using them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import make_transient
from sqlmodel import select

from node.applier import MessageApplier
from node.bootstrap import build_node
from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.config import ChainSettings, NodeIdentity, Settings
from node.domain.states import EventKind
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.outcomes import OutcomeNotifier
from node.exchange.partners import add_partner, export_card
from node.exchange.store import materialize_blobs
from node.exchange.tables import InboxRow, OutboxRow, RejectionRow
from node.identity import create_identity, load_identity
from node.registry.specimens import build_specimens, trusted_registrars
from node.registry.tables import RegistryRecordRow
from node.runtime import Node
from node.storage.core import DocumentEventRow, WorkerCursorRow
from node.storage.documents import add_event, events_for
from tests.unit.registry.records import AU_TEMPLATE, png


def _node(
    root: Path, node_id: str, chain: InMemoryTrustRegistry, anchor: InMemoryChainAnchor
) -> Node:
    home = root / node_id.lower()
    settings = Settings(
        home=home,
        node=NodeIdentity(id=node_id, country=node_id[:2], name=node_id),
        chain=ChainSettings(rpc_url="http://127.0.0.1:9"),
    )
    create_identity(home, node_id)
    node = build_node(settings, chain_anchor=anchor, registry_chain=chain.as_authority(node_id[:2]))
    node.extras["chain"] = chain
    return node


def _pin(node: Node, *others: Node) -> None:
    for other in others:
        s = other.settings
        add_partner(node.db, export_card(s, load_identity(s.home, s.node.id)), own_id=node.node_id)
    assert node.exchange is not None
    node.exchange.partners.refresh()


@pytest.fixture
def nodes(tmp_path: Path):  # type: ignore[no-untyped-def]
    chain = InMemoryTrustRegistry(None)
    anchor = InMemoryChainAnchor()
    au, cn, nz = (_node(tmp_path, n, chain, anchor) for n in ("AU-CBR", "CN-SHA", "NZ-WLG"))
    _pin(au, cn, nz)
    _pin(cn, au, nz)
    _pin(nz, cn)
    yield au, cn, nz
    for n in (au, cn, nz):
        n.db.dispose()


def _outbox(node: Node, to: str, kind: str | None = None) -> list[OutboxRow]:
    with node.db.session() as session:
        stmt = select(OutboxRow).where(OutboxRow.peer == to).order_by(OutboxRow.seq)  # type: ignore[arg-type]
        return [r for r in session.exec(stmt) if kind is None or r.kind == kind]


def _id(name: str) -> str:
    """A message id (a UUID, as the envelope requires) named for the test's reading."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cusdep-test:{name}"))


async def _deliver(sender: Node, receiver: Node, **applier: Any) -> int:
    """Hand the sender's pending envelopes for ``receiver`` to its inbox, then apply them."""
    assert receiver.exchange is not None
    rows = [r for r in _outbox(sender, receiver.node_id) if r.state == "pending"]
    envs = [pb.SignedEnvelope.FromString(r.envelope) for r in rows]
    acks = await receiver.exchange.receive(sender.node_id, envs)
    assert all(a.error is None for a in acks), [a.error for a in acks if a.error]
    with sender.db.session() as session:
        for r in rows:
            session.get(OutboxRow, r.seq).state = "delivered"  # type: ignore[union-attr]
    return await _applier(receiver, **applier).process_pending()


def _applier(node: Node, **kw: Any) -> MessageApplier:
    assert node.registry is not None and node.anchoring is not None
    return MessageApplier(node.db, node.blobs, node.registry.chain, node.anchoring.chain, **kw)


def _record(node: Node, kind: str, registrar: str, record_id: str) -> RegistryRecordRow | None:
    with node.db.session() as session:
        return session.get(RegistryRecordRow, (kind, registrar, record_id))


def _rejections(node: Node) -> list[RejectionRow]:
    with node.db.session() as session:
        return list(session.exec(select(RejectionRow)))


async def _register_au(au: Node) -> None:
    reg = au.registry
    assert reg is not None
    await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    await reg.add_seal("AU-DAFF", "AU-S1", png("red"))
    await reg.add_officer("AU-DAFF", "AU-O7", "Jane Citizen", png("navy"), "2024-01-01")
    await reg.add_template(json.dumps(AU_TEMPLATE).encode())


async def test_authoritative_records_reach_the_partner_and_serve_its_review(nodes) -> None:
    au, cn, nz = nodes
    await _register_au(au)
    updates = _outbox(au, "CN-SHA", "registry_update")
    assert len(updates) == 4 and len(_outbox(au, "NZ-WLG", "registry_update")) == 4
    assert await _deliver(au, cn) == 4

    seal = _record(cn, "seal", "AU", "AU-S1")
    assert seal is not None and seal.state == "confirmed" and seal.source == "AU-CBR"
    assert seal.sha256 == hashlib.sha256(png("red")).hexdigest()
    assert cn.blobs.get(seal.sha256) == png("red")
    assert cn.registry is not None
    listed = {(r["kind"], r["id"]): r for r in cn.registry.list()}
    assert listed[("seal", "AU-S1")]["source"] == "AU-CBR"
    assert (
        listed[("seal", "AU-S1")]["registrar"] == "AU"
        and listed[("seal", "AU-S1")]["authoritative"]
    )
    registrars = trusted_registrars(cn.db, "CN")
    assert registrars == {"CN", "AU", "NZ"}
    src = await build_specimens(cn.db, cn.blobs, cn.registry.chain, registrars=registrars)
    assert src.agency("AU-DAFF") is not None
    assert [s.id for s in src.seals("AU-DAFF")] == ["AU-S1"]
    (officer,) = src.officers("AU-DAFF")
    assert officer.signatures == (png("navy"),) and str(officer.valid_from) == "2024-01-01"
    assert [t["id"] for t in src.templates()] == ["AU-PHYTO"]
    with cn.db.session() as session:
        assert {r.state for r in session.exec(select(InboxRow))} == {"applied"}


async def test_writing_again_queues_nothing_twice(nodes) -> None:
    au, cn, _ = nodes
    await _register_au(au)
    assert au.registry is not None and au.registry.publisher is not None
    await au.registry.add_seal("AU-DAFF", "AU-S1", png("red"))  # idempotent re-registration
    await au.registry.process_pending()
    assert au.registry.publisher.share_all("CN-SHA") == 0  # same message ids: already queued
    assert len(_outbox(au, "CN-SHA", "registry_update")) == 4


async def test_partner_pinned_later_gets_the_live_records(nodes, tmp_path: Path) -> None:
    au, _, _ = nodes
    await _register_au(au)
    assert au.registry is not None
    await au.registry.revoke("officer", "AU-O7", "left the service")
    late = _node(tmp_path, "SG-SIN", au.extras["chain"], InMemoryChainAnchor())
    _pin(au, late)
    assert au.registry.publisher is not None
    assert au.registry.publisher.share_all("SG-SIN") == 3  # agency, seal, template (not revoked)
    assert au.registry.publisher.share_all("SG-SIN") == 0
    late.db.dispose()


async def test_records_from_a_sender_not_authoritative_are_refused(nodes) -> None:
    au, cn, nz = nodes
    await _register_au(au)
    assert nz.exchange is not None
    # NZ forwards AU's (genuine, on-chain) seal as if it were the authority for AU
    update = docs.RegistryUpdate(registrar_country="AU")
    update.seal.CopyFrom(
        docs.SealSpecimen(
            id="AU-S1",
            agency_id="AU-DAFF",
            sha256=hashlib.sha256(png("red")).hexdigest(),
            image=png("red"),
        )
    )
    with nz.db.session() as session:
        nz.exchange.queue(session, "CN-SHA", "registry_update", update, message_id=_id("m-nz-1"))
    await _deliver(nz, cn)
    assert _record(cn, "seal", "AU", "AU-S1") is None
    (rej,) = _rejections(cn)
    assert rej.code == "cusdep.registry.not_authoritative" and rej.message_id == _id("m-nz-1")
    assert "NZ-WLG is pinned for NZ" in rej.reason


async def test_specimen_not_matching_the_chain_is_refused(nodes) -> None:
    au, cn, _ = nodes
    await _register_au(au)
    assert au.exchange is not None
    swapped = png("green")  # consistent message, but not the image on chain
    lying = png("yellow")  # claims the chain's hash over other bytes
    for mid, image, sha in (
        ("m-swap", swapped, hashlib.sha256(swapped).hexdigest()),
        ("m-lie", lying, hashlib.sha256(png("red")).hexdigest()),
        ("m-ghost", png("red"), hashlib.sha256(png("red")).hexdigest()),
    ):
        update = docs.RegistryUpdate(registrar_country="AU")
        rid = "AU-S9" if mid == "m-ghost" else "AU-S1"
        update.seal.CopyFrom(
            docs.SealSpecimen(id=rid, agency_id="AU-DAFF", sha256=sha, image=image)
        )
        with au.db.session() as session:
            au.exchange.queue(session, "CN-SHA", "registry_update", update, message_id=_id(mid))
    await _deliver(au, cn)
    codes = {r.message_id: r.code for r in _rejections(cn)}
    assert codes == {
        _id("m-swap"): "cusdep.registry.specimen_mismatch",
        _id("m-lie"): "cusdep.registry.specimen_mismatch",
        _id("m-ghost"): "cusdep.registry.not_on_chain",
    }
    seal = _record(cn, "seal", "AU", "AU-S1")
    assert seal is not None and seal.sha256 == hashlib.sha256(png("red")).hexdigest()
    assert _record(cn, "seal", "AU", "AU-S9") is None


async def test_revocation_propagates_and_is_checked_on_chain(nodes) -> None:
    au, cn, _ = nodes
    await _register_au(au)
    await _deliver(au, cn)
    assert au.registry is not None and cn.registry is not None and au.exchange is not None
    await au.registry.revoke("seal", "AU-S1", "stolen")
    assert len(_outbox(au, "CN-SHA", "revocation")) == 1
    fake_officer = docs.Revocation(target=docs.Revocation.TARGET_OFFICER, subject_id="AU-O7")
    with au.db.session() as session:  # a revocation the chain does not show
        au.exchange.queue(session, "CN-SHA", "revocation", fake_officer, message_id=_id("m-rv"))
    await _deliver(au, cn)
    seal = _record(cn, "seal", "AU", "AU-S1")
    assert (
        seal is not None and seal.state == "revoked" and seal.fields["revoked_reason"] == "stolen"
    )
    officer = _record(cn, "officer", "AU", "AU-O7")
    assert officer is not None and officer.state == "confirmed"
    assert [r.code for r in _rejections(cn)] == ["cusdep.registry.not_revoked_on_chain"]
    src = await build_specimens(cn.db, cn.blobs, cn.registry.chain, registrars={"AU"})
    assert src.seals("AU-DAFF") == []


async def test_review_outcomes_reach_the_sender(nodes) -> None:
    au, cn, _ = nodes
    assert au.exchange is not None and cn.exchange is not None and cn.anchoring is not None
    data = png("white")
    (sent,) = au.exchange.send_many([(data, "scan.png")], "CN-SHA", fsync_blobs=True)
    await _deliver(au, cn)
    materialize_blobs(cn.db, cn.blobs)  # the partner's document row (source AU-CBR)
    sha = sent.document_sha256
    with cn.db.session() as session:  # the machine rejects, an officer overrides and accepts
        add_event(
            session, sha, EventKind.VERIFIED, "CN-SHA", {"verdict": "reject", "reasons": ["seal"]}
        )
        add_event(session, sha, EventKind.REVIEWED, "jane", {"decision": "accept", "reason": "ok"})
    (info,) = await cn.anchoring.anchor_now([sha])
    notifier = OutcomeNotifier(cn.db, cn.exchange, cn.anchoring)
    assert notifier.step() == 2
    restarted = OutcomeNotifier(cn.db, cn.exchange, cn.anchoring)
    assert restarted.step() == 0  # restart: nothing new (past its own `sent` events too)
    with cn.db.session() as session:
        saved = session.get(WorkerCursorRow, "review-outcomes")
        last = max(e.id or 0 for e in session.exec(select(DocumentEventRow)))
    assert saved is not None and saved.position == restarted.cursor == last
    assert await _deliver(cn, au) == 2

    with au.db.session() as session:
        reviewed = [e for e in events_for(session, sha) if e.kind == "reviewed"]
    assert [(e.actor, e.detail["verdict"], e.detail["decided_by"]) for e in reviewed] == [
        ("CN-SHA", "reject", "machine"),
        ("CN-SHA", "accept", "officer"),
    ]
    assert reviewed[0].detail["reasons"] == ["seal"]
    anchor = reviewed[1].detail["anchor"]
    assert anchor["merkle_root"] == info.root and anchor["verified_on_chain"] is True
    assert reviewed[1].detail["officer"] == "jane"
    with cn.db.session() as session:
        kinds = [e.kind for e in events_for(session, sha)]
    assert kinds.count("sent") == 2

    # A restart resumes from the saved cursor: even with the delivered messages pruned from the
    # outbox (so message ids alone could not tell), old events are not reported again.
    with cn.db.session() as session:
        for row in session.exec(select(OutboxRow).where(OutboxRow.kind == "review_outcome")):
            session.delete(row)
    assert OutcomeNotifier(cn.db, cn.exchange, cn.anchoring).step() == 0


async def test_outcome_for_a_document_never_sent_or_a_false_anchor_is_refused(nodes) -> None:
    au, cn, _ = nodes
    assert au.exchange is not None and cn.exchange is not None
    (sent,) = au.exchange.send_many([(png("white"), "scan.png")], "CN-SHA", fsync_blobs=True)
    await _deliver(au, cn)
    stranger = docs.ReviewOutcome(document_sha256="a" * 64, verdict="reject", decided_by="machine")
    false_anchor = docs.ReviewOutcome(
        document_sha256=sent.document_sha256,
        verdict="accept",
        decided_by="machine",
        anchor_root="0x" + "11" * 32,
    )
    with cn.db.session() as session:
        cn.exchange.queue(session, "AU-CBR", "review_outcome", stranger, message_id=_id("o-1"))
        cn.exchange.queue(session, "AU-CBR", "review_outcome", false_anchor, message_id=_id("o-2"))
    await _deliver(cn, au, anchor_wait=dt.timedelta(0))  # a root never on chain: not waited for
    codes = {r.message_id: r.code for r in _rejections(au)}
    assert codes == {
        _id("o-1"): "cusdep.exchange.unknown_document",
        _id("o-2"): "cusdep.exchange.anchor_unverified",
    }
    with au.db.session() as session:
        assert [e.kind for e in events_for(session, sent.document_sha256)] == ["sent"]


class _Clock:
    def __init__(self) -> None:
        self.at = dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return self.at


async def test_an_outcome_whose_root_is_not_on_chain_yet_waits_for_it(nodes) -> None:
    """The sender's chain view a block behind the receiver's (or the receiver's chain lost the
    root and anchors it again): the outcome waits and is applied once the root is there; one
    whose root stays away is refused when the wait is over. Others go on meanwhile."""
    from node.anchoring.merkle import MerkleTree, leaf_for

    au, cn, _ = nodes
    assert au.exchange is not None and cn.exchange is not None and cn.anchoring is not None
    (sent,) = au.exchange.send_many([(png("white"), "scan.png")], "CN-SHA", fsync_blobs=True)
    (other,) = au.exchange.send_many([(png("black"), "two.png")], "CN-SHA", fsync_blobs=True)
    await _deliver(au, cn)
    sha = sent.document_sha256
    root = "0x" + MerkleTree.build([leaf_for(sha)]).root.hex()  # what CN is about to anchor
    early = docs.ReviewOutcome(
        document_sha256=sha, verdict="accept", decided_by="machine", anchor_root=root
    )
    never = docs.ReviewOutcome(
        document_sha256=other.document_sha256,
        verdict="accept",
        decided_by="machine",
        anchor_root="0x" + "22" * 32,
    )
    reject = docs.ReviewOutcome(
        document_sha256=other.document_sha256, verdict="reject", decided_by="machine"
    )
    with cn.db.session() as session:
        cn.exchange.queue(session, "AU-CBR", "review_outcome", early, message_id=_id("w-1"))
        cn.exchange.queue(session, "AU-CBR", "review_outcome", never, message_id=_id("w-2"))
        cn.exchange.queue(session, "AU-CBR", "review_outcome", reject, message_id=_id("w-3"))
    clock = _Clock()
    applier = _applier(au, clock=clock)
    await _deliver(cn, au, clock=clock)  # a first pass of its own: the two wait, the third goes
    assert _inbox_states(au) == {
        _id("w-1"): "received",
        _id("w-2"): "received",
        _id("w-3"): "applied",
    }
    assert _rejections(au) == []
    await applier.process_pending()  # the node's own applier: they wait there too

    (info,) = await cn.anchoring.anchor_now([sha])
    assert info.root == root
    await applier.process_pending()
    assert _inbox_states(au)[_id("w-1")] == "received"  # set aside for a while: not tried yet
    clock.at += dt.timedelta(seconds=20)
    await applier.process_pending()
    assert _inbox_states(au)[_id("w-1")] == "applied"
    with au.db.session() as session:
        (reviewed,) = [e for e in events_for(session, sha) if e.kind == "reviewed"]
    assert reviewed.detail["anchor"]["verified_on_chain"] is True

    clock.at += dt.timedelta(minutes=11)
    await applier.process_pending()
    assert _inbox_states(au)[_id("w-2")] == "refused"
    (refused,) = _rejections(au)
    assert refused.code == "cusdep.exchange.anchor_unverified" and "not on chain" in refused.reason


def _inbox_states(node: Node) -> dict[str, str]:
    with node.db.session() as session:
        rows = session.exec(select(InboxRow).where(InboxRow.kind == "review_outcome"))
        return {r.message_id: r.state for r in rows}


async def test_an_officers_validity_changed_by_its_agency_reaches_the_partners_review(
    nodes,
) -> None:
    """An agency extends an officer's validity (an issuing agency's audit: only a new id
    could): on chain, at the agency, and at the partner, whose review takes the chain's."""
    from node.errors import Conflict, InputError, NotFound

    au, cn, _ = nodes
    await _register_au(au)
    await _deliver(au, cn)
    assert au.registry is not None and cn.registry is not None
    out = await au.registry.set_officer_validity("AU-O7", "2024-01-01", "2031-12-31")
    assert (out["valid_from"], out["valid_to"]) == ("2024-01-01", "2031-12-31")
    again = await au.registry.set_officer_validity("AU-O7", "2024-01-01", "2031-12-31")
    assert again == out  # the same change twice: one operation, one transaction
    chain = au.registry.chain
    held = await chain.get("officer", "AU", "AU-O7")
    assert held is not None and held["valid_to"] == 1956527999  # 2031-12-31T23:59:59Z

    # the partner's review uses the chain's validity even before the update is applied ...
    registrars = trusted_registrars(cn.db, "CN")
    src = await build_specimens(cn.db, cn.blobs, cn.registry.chain, registrars=registrars)
    (officer,) = src.officers("AU-DAFF")
    assert str(officer.valid_to) == "2031-12-31"
    # ... and the update, applied, shows it in its registry too
    assert len(_outbox(au, "CN-SHA", "registry_update")) == 5
    assert await _deliver(au, cn) == 1
    listed = {(r["kind"], r["id"]): r for r in cn.registry.list()}
    assert listed[("officer", "AU-O7")]["valid_to"] == "2031-12-31"

    with pytest.raises(InputError, match="before valid_from"):
        await au.registry.set_officer_validity("AU-O7", "2030-01-01", "2029-01-01")
    with pytest.raises(NotFound):
        await au.registry.set_officer_validity("AU-O99", None, None)
    await au.registry.revoke("officer", "AU-O7", "left the service")
    with pytest.raises(Conflict, match="revoked: register the officer under a new id"):
        await au.registry.set_officer_validity("AU-O7", None, None)


def _kinds(node: Node, to: str) -> list[str]:
    """The kinds of the registry records queued for ``to``, in the outbox's (delivery) order."""
    out = []
    for row in _outbox(node, to, "registry_update"):
        update = docs.RegistryUpdate.FromString(pb.SignedEnvelope.FromString(row.envelope).payload)
        out.append(str(update.WhichOneof("record")))
    return out


async def test_a_partner_pinned_later_gets_each_agency_before_what_names_it(
    nodes, tmp_path: Path
) -> None:
    """Records written in one instant (an import), stored in an order that puts the agency
    last: shared by ``created_at`` alone they went out as the database returned them, the
    officer before its agency; now agencies first, then seals, officers, templates."""
    au, _, _ = nodes
    await _register_au(au)
    assert au.registry is not None and au.registry.publisher is not None
    await au.registry.add_seal("AU-DAFF", "AU-S0", png("green"))  # two of a kind: by id
    await au.registry.process_pending()
    instant = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with au.db.session() as session:
        rows = list(session.exec(select(RegistryRecordRow)))
        for row in rows:
            session.delete(row)
    order = ["template", "officer", "seal", "agency"]  # written back in the wrong order
    backwards = sorted(rows, key=lambda r: r.record_id, reverse=True)  # AU-S1 before AU-S0
    with au.db.session() as session:
        for row in sorted(backwards, key=lambda r: order.index(r.kind)):
            make_transient(row)
            row.created_at = instant
            session.add(row)
            session.flush()
    late = _node(tmp_path, "SG-SIN", au.extras["chain"], InMemoryChainAnchor())
    _pin(au, late)
    _pin(late, au)
    assert au.registry.publisher.share_all("SG-SIN") == 5
    assert _kinds(au, "SG-SIN") == ["agency", "seal", "seal", "officer", "template"]
    seals = [
        docs.RegistryUpdate.FromString(pb.SignedEnvelope.FromString(r.envelope).payload).seal.id
        for r in _outbox(au, "SG-SIN", "registry_update")[1:3]
    ]
    assert seals == ["AU-S0", "AU-S1"]
    assert await _deliver(au, late) == 5
    assert _rejections(late) == []
    late.db.dispose()
