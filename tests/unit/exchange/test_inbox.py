"""Inbox checks and the batch transaction, on a real SQLite file (no network)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from node.config import ExchangeSettings, Settings
from node.exchange import store
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import (
    BadSignature,
    ClockSkew,
    OversizedMessage,
    ReplayedMessage,
    UnknownSender,
    WrongRecipient,
)
from node.exchange.inbox import Inbox
from node.exchange.partners import PartnerDirectory, add_partner, export_card, parse_card
from node.exchange.payloads import build_document
from node.exchange.signing import seal_envelope
from node.exchange.tables import InboxRow, RejectionRow
from node.exchange.throttle import RefusalBudget
from node.identity import Identity, create_identity
from node.storage.blobs import BlobStore
from node.storage.core import DocumentEventRow, DocumentRow
from node.storage.db import Database


def make_world(
    tmp_path: Path, settings: ExchangeSettings, budget: RefusalBudget | None = None
) -> tuple[Inbox, Identity, Database]:
    """CN-SHA's inbox on a real SQLite file, AU-CAN pinned; AU-CAN's identity to sign with."""
    me = create_identity(tmp_path / "cn", "CN-SHA")
    peer = create_identity(tmp_path / "au", "AU-CAN")
    db = Database(f"sqlite:///{tmp_path / 'cn.db'}")
    db.migrate()
    card = export_card(Settings(home=tmp_path / "au", node={"id": "AU-CAN", "country": "AU"}), peer)
    add_partner(db, parse_card(json.dumps(card.to_json())), own_id="CN-SHA")
    blobs, quarantine = BlobStore(tmp_path / "blobs"), store.Quarantine(tmp_path / "quarantine")
    inbox = Inbox(db, blobs, me, PartnerDirectory(db), settings, quarantine, budget)
    return inbox, peer, db


@pytest.fixture
def world(tmp_path: Path):
    return make_world(tmp_path, ExchangeSettings(max_message_bytes=4096))


def _env(peer: Identity, body: str = "AU-1", **kw) -> pb.SignedEnvelope:
    args = dict(
        kind=pb.MESSAGE_KIND_CERTIFICATE,
        sender="AU-CAN",
        recipient="CN-SHA",
        created_at=dt.datetime.now(dt.UTC),
    )
    args.update(kw)
    payload = build_document(f'{{"certificate_number": "{body}"}}'.encode(), "certificate")
    return seal_envelope(peer.signing_key, payload=payload.SerializeToString(), **args)


async def test_checks_map_to_their_errors(world) -> None:
    inbox, peer, db = world
    ok = _env(peer)
    cases = [
        (_env(peer, recipient="NZ-AKL"), WrongRecipient, "AU-CAN"),
        (
            _env(peer, created_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)),
            ClockSkew,
            "AU-CAN",
        ),
        (ok, UnknownSender, "NZ-AKL"),  # connection identified as someone else
        (ok, UnknownSender, None),
    ]
    for env, error, conn in cases:
        (ack,) = await inbox.receive(conn, [env])
        assert isinstance(ack.error, error) and ack.receipt is None
    big = seal_envelope(
        peer.signing_key,
        kind=1,
        sender="AU-CAN",
        recipient="CN-SHA",
        created_at=dt.datetime.now(dt.UTC),
        payload=b"x" * 5000,
    )
    (ack,) = await inbox.receive("AU-CAN", [big])
    assert isinstance(ack.error, OversizedMessage)
    forged = _env(peer)
    forged.signature = bytes(64)
    (ack,) = await inbox.receive("AU-CAN", [forged])
    assert isinstance(ack.error, BadSignature)
    with db.session() as session:
        assert session.exec(select(InboxRow)).all() == []
        audit = session.exec(select(RejectionRow)).all()
    assert len(audit) == len(cases) + 2
    assert all(Path(r.quarantine_path).read_bytes() for r in audit)


async def test_duplicates_are_acknowledged_once_and_replays_refused(world) -> None:
    inbox, peer, db = world
    first, second = _env(peer, "A"), _env(peer, "B")
    acks = await inbox.receive("AU-CAN", [first, first, second])
    assert [a.error for a in acks] == [None, None, None]
    assert acks[0].receipt == acks[1].receipt  # same receipt for the in-batch duplicate
    (again,) = await inbox.receive("AU-CAN", [first])
    assert again.receipt == acks[0].receipt
    replay = _env(peer, "C", message_id=first.header.message_id)
    (ack,) = await inbox.receive("AU-CAN", [replay])
    assert isinstance(ack.error, ReplayedMessage)
    # an old message is still acknowledged if it is an identical re-delivery
    old = _env(peer, "D", created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    (ack,) = await inbox.receive("AU-CAN", [old])
    assert isinstance(ack.error, ClockSkew)
    with db.session() as session:
        rows = session.exec(select(InboxRow)).all()
        events = session.exec(select(DocumentEventRow)).all()
    assert sorted(r.message_id for r in rows) == sorted(
        [first.header.message_id, second.header.message_id]
    )
    assert len(events) == 2 and {e.kind for e in events} == {"received"}
    assert all(not r.stored for r in rows)
    with db.session() as session:  # documents appear to review/anchoring with their bytes
        assert session.exec(select(DocumentRow)).all() == []
    assert store.materialize_blobs(db, inbox.blobs) == 2
    assert all(inbox.blobs.has(r.document_sha256) for r in rows)
    with db.session() as session:
        documents = session.exec(select(DocumentRow)).all()
    assert sorted(d.sha256 for d in documents) == sorted(r.document_sha256 for r in rows)
    assert {(d.source, d.kind, d.media_type) for d in documents} == {
        ("AU-CAN", "certificate", "application/json")
    }
    assert store.materialize_blobs(db, inbox.blobs) == 0


async def test_unknown_kind_is_malformed_not_a_crash(world) -> None:
    from node.exchange.errors import MalformedMessage

    inbox, peer, _db = world
    env = _env(peer, kind=99)
    (ack,) = await inbox.receive("AU-CAN", [env])
    assert isinstance(ack.error, MalformedMessage)


async def test_registry_updates_and_revocations_are_accepted(world) -> None:
    from node.exchange._pb import documents_pb2 as docs

    inbox, peer, db = world
    now = dt.datetime.now(dt.UTC)
    seal = docs.SealSpecimen(id="AU-DAFF-S1", agency_id="AU-DAFF", sha256="ab" * 32, image=b"png")
    update = docs.RegistryUpdate(registrar_country="AU", seal=seal)
    revocation = docs.Revocation(target=docs.Revocation.TARGET_DOCUMENT, subject_id="cd" * 32)
    envs = [
        seal_envelope(
            peer.signing_key,
            kind=pb.MESSAGE_KIND_REGISTRY_UPDATE,
            sender="AU-CAN",
            recipient="CN-SHA",
            created_at=now,
            payload=update.SerializeToString(),
        ),
        seal_envelope(
            peer.signing_key,
            kind=pb.MESSAGE_KIND_REVOCATION,
            sender="AU-CAN",
            recipient="CN-SHA",
            created_at=now,
            payload=revocation.SerializeToString(),
        ),
    ]
    acks = await inbox.receive("AU-CAN", envs)
    assert [a.error for a in acks] == [None, None]
    with db.session() as session:
        rows = {r.kind: r for r in session.exec(select(InboxRow))}
    assert set(rows) == {"registry_update", "revocation"}
    assert rows["revocation"].document_sha256 == "cd" * 32
    assert (
        docs.RegistryUpdate.FromString(
            pb.SignedEnvelope.FromString(rows["registry_update"].envelope).payload
        ).seal.id
        == "AU-DAFF-S1"
    )
    with db.session() as session:
        kinds = [e.kind for e in session.exec(select(DocumentEventRow))]
    assert kinds == []  # a revocation is recorded once checked (node.applier), not on receipt
    assert store.materialize_blobs(db, inbox.blobs) == 0  # nothing to copy: no document bytes


def test_the_quarantine_keeps_bytes_up_to_its_quota_and_every_audit_row(tmp_path: Path) -> None:
    """Any pinned peer could fill the disk with refused envelopes (security audit)."""
    from node.errors import InputError
    from node.exchange.tables import RejectionRow

    db = Database(f"sqlite:///{tmp_path / 'q.db'}")
    db.migrate()
    # each file counts for at least a block (4096 bytes): two of 1000 bytes fit in 10,000
    quarantine = store.Quarantine(tmp_path / "quarantine", max_bytes=10_000)
    for n in range(4):
        with db.session() as session:
            quarantine.keep(session, "AU-CAN", bytes([n]) * 1000, InputError("refused"))
    with db.session() as session:
        rows = list(session.exec(select(RejectionRow).order_by(col(RejectionRow.id))))
    assert len(rows) == 4
    assert [bool(r.quarantine_path) for r in rows] == [True, True, False, False]
    assert rows[2].reason == "refused (bytes not kept: quarantine full)"
    kept = sum(p.stat().st_size for p in (tmp_path / "quarantine").iterdir())
    assert kept == 2000
    again = store.Quarantine(tmp_path / "quarantine", max_bytes=10_000)  # a restart counts them
    with db.session() as session:
        again.keep(session, "AU-CAN", b"x" * 600, InputError("refused"))
    assert sum(p.stat().st_size for p in (tmp_path / "quarantine").iterdir()) == 2000


async def test_two_copies_committed_at_once_by_two_inboxes_are_stored_once(world) -> None:
    """Within a node, one lock orders the inbox's commits (both copies are seen: the second is
    acknowledged with the stored receipt). Two inboxes of one database (two processes, which
    `node run`'s home lock forbids) still store a message once: its key (sender, id) refuses
    the later insert, whose whole batch then fails and is sent again by its sender."""
    import asyncio

    from sqlalchemy.exc import IntegrityError

    from tests.races import rival_before_write

    inbox, peer, db = world
    other = Inbox(
        Database(db.url),
        inbox.blobs,
        inbox.identity,
        PartnerDirectory(db),
        inbox.settings,
        inbox.quarantine,
    )
    env = _env(peer)
    acks = rival_before_write(db, None, lambda: asyncio.run(other.receive("AU-CAN", [env])))

    with pytest.raises(IntegrityError):  # this batch read the id unseen; the other stored it
        await inbox.receive("AU-CAN", [env])

    assert acks[0][0].receipt is not None
    with db.session() as session:
        assert len(session.exec(select(InboxRow)).all()) == 1
        assert len(session.exec(select(DocumentEventRow)).all()) == 1
    (again,) = await inbox.receive("AU-CAN", [env])  # the sender's retry: the stored receipt
    assert again.receipt_bytes == acks[0][0].receipt_bytes
