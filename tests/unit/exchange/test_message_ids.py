"""Message ids are each sender's own: another partner cannot block a sender's messages by using
their ids first (the inbox checks replays per sender), nor tell them in advance (the stable ids
of registry updates, revocations and outcomes are an HMAC under a key of the sender's own).

In-process, the signed envelopes handed from outbox to inbox (the registry helpers of
tests/unit/registry/test_sync.py); over real gRPC and mTLS see
tests/integration/exchange/test_message_ids.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from node.config import NodeIdentity, Settings
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import ReplayedMessage
from node.exchange.inbox import _is_uuid
from node.exchange.payloads import build_document
from node.exchange.service import ExchangeService
from node.exchange.signing import envelope_digest, seal_envelope
from node.exchange.store import materialize_blobs
from node.exchange.tables import InboxRow
from node.identity import create_identity, load_identity, rotate_identity
from node.runtime import Node
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow
from node.storage.db import Database
from tests.unit.exchange.three_nodes import exchange_of, three_nodes
from tests.unit.registry.test_sync import (
    _applier,
    _outbox,
    _record,
    _register_au,
    _rejections,
)


@pytest.fixture
def nodes(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from three_nodes(tmp_path)


def _certificate(sender: Node, to: str, message_id: str, number: str) -> pb.SignedEnvelope:
    """A valid certificate from ``sender`` carrying ``message_id`` (the sender chooses it)."""
    doc = build_document(f'{{"certificate_number": "{number}"}}'.encode(), "certificate")
    return seal_envelope(
        exchange_of(sender).identity.signing_key,
        kind=pb.MESSAGE_KIND_CERTIFICATE,
        sender=sender.node_id,
        recipient=to,
        payload=doc.SerializeToString(),
        created_at=dt.datetime.now(dt.UTC),
        message_id=message_id,
    )


def _pending(sender: Node, to: str) -> list[pb.SignedEnvelope]:
    rows = [r for r in _outbox(sender, to) if r.state == "pending"]
    return [pb.SignedEnvelope.FromString(r.envelope) for r in rows]


def _inbox(node: Node) -> list[InboxRow]:
    with node.db.session() as session:
        return list(session.exec(select(InboxRow)))


async def test_a_partner_using_anothers_ids_first_does_not_block_them(nodes) -> None:
    """The reported attack: NZ sends CN ordinary certificates carrying the ids of AU's registry
    updates and revocation (here read off AU's outbox: NZ cannot compute them any more, see
    below); AU's real messages still reach CN and are applied."""
    au, cn, nz = nodes
    assert au.registry is not None and cn.exchange is not None
    await _register_au(au)
    updates = _pending(au, "CN-SHA")
    assert len(updates) == 4
    squatted = [
        _certificate(nz, "CN-SHA", u.header.message_id, f"NZ-{i}") for i, u in enumerate(updates)
    ]
    acks = await cn.exchange.receive("NZ-WLG", squatted)
    assert [a.error for a in acks] == [None] * 4  # NZ's own messages: nothing wrong with them

    acks = await cn.exchange.receive("AU-CBR", updates)
    assert [a.error for a in acks] == [None] * 4
    for ack, env in zip(acks, updates, strict=True):
        assert ack.receipt is not None and ack.receipt.sender_node == "AU-CBR"
        assert ack.receipt.envelope_digest == envelope_digest(env.header)
    assert await _applier(cn).process_pending() == 4
    seal = _record(cn, "seal", "AU", "AU-S1")
    assert seal is not None and seal.state == "confirmed" and seal.source == "AU-CBR"

    await au.registry.revoke("seal", "AU-S1", "stolen")
    (revocation,) = [
        e for e in _pending(au, "CN-SHA") if e.header.kind == pb.MESSAGE_KIND_REVOCATION
    ]
    (ack,) = await cn.exchange.receive(
        "NZ-WLG", [_certificate(nz, "CN-SHA", revocation.header.message_id, "NZ-R")]
    )
    assert ack.error is None
    (ack,) = await cn.exchange.receive("AU-CBR", [revocation])
    assert ack.error is None and ack.receipt is not None
    assert await _applier(cn).process_pending() == 1
    seal = _record(cn, "seal", "AU", "AU-S1")
    assert seal is not None and seal.state == "revoked"
    assert _rejections(cn) == []

    # both senders' messages are kept, each under its own sender
    by_id: dict[str, set[str]] = {}
    for row in _inbox(cn):
        by_id.setdefault(row.message_id, set()).add(row.peer)
    assert all(by_id[e.header.message_id] == {"AU-CBR", "NZ-WLG"} for e in [*updates, revocation])
    # each sender asks for (and gets) the receipt of its own message
    mid = revocation.header.message_id
    assert cn.exchange.receipt_for("AU-CBR", mid).envelope_digest == envelope_digest(
        revocation.header
    )
    assert cn.exchange.receipt_for("NZ-WLG", mid).sender_node == "NZ-WLG"


async def test_replays_and_duplicates_are_still_refused_per_sender(nodes) -> None:
    au, cn, nz = nodes
    assert cn.exchange is not None
    mid = str(uuid.uuid4())
    first = _certificate(au, "CN-SHA", mid, "AU-1")
    (taken,) = await cn.exchange.receive("NZ-WLG", [_certificate(nz, "CN-SHA", mid, "NZ-1")])
    acks = await cn.exchange.receive("AU-CBR", [first, first])
    assert [a.error for a in acks] == [None, None] and acks[0].receipt == acks[1].receipt
    (again,) = await cn.exchange.receive("AU-CBR", [first])  # identical re-delivery
    assert again.error is None and again.receipt == acks[0].receipt
    (replay,) = await cn.exchange.receive("AU-CBR", [_certificate(au, "CN-SHA", mid, "AU-2")])
    assert isinstance(replay.error, ReplayedMessage) and replay.receipt is None
    (nz_replay,) = await cn.exchange.receive("NZ-WLG", [_certificate(nz, "CN-SHA", mid, "NZ-2")])
    assert isinstance(nz_replay.error, ReplayedMessage)
    assert taken.receipt is not None and taken.receipt != acks[0].receipt

    # both documents are written with their own source, and both rows marked stored
    assert materialize_blobs(cn.db, cn.blobs) == 2
    rows = {r.peer: r for r in _inbox(cn)}
    assert set(rows) == {"AU-CBR", "NZ-WLG"} and all(r.stored for r in rows.values())
    with cn.db.session() as session:
        sources = {d.source for d in session.exec(select(DocumentRow))}
    assert sources == {"AU-CBR", "NZ-WLG"}
    assert cn.exchange.message(mid) is not None


def _service(home: Path, node_id: str) -> ExchangeService:
    settings = Settings(home=home, node=NodeIdentity(id=node_id, country=node_id[:2], name="x"))
    db = Database(f"sqlite:///{home / 'node.db'}")
    db.migrate()
    return ExchangeService(settings, db, BlobStore(home / "blobs"), load_identity(home, node_id))


def test_stable_ids_are_secret_to_the_sender_and_survive_a_restart(tmp_path: Path) -> None:
    create_identity(tmp_path / "au", "AU-CBR")
    create_identity(tmp_path / "impostor", "AU-CBR")  # every public fact the same, not the key
    au = _service(tmp_path / "au", "AU-CBR")
    facts = ("CN-SHA", "revocation", "agency", "AU", "AU-SQT")
    mid = au.message_id_for(*facts)
    assert _is_uuid(mid) and uuid.UUID(mid).version == 4

    restarted = _service(tmp_path / "au", "AU-CBR")  # keys loaded again from the home
    assert restarted.message_id_for(*facts) == mid
    assert _service(tmp_path / "impostor", "AU-CBR").message_id_for(*facts) != mid
    public = uuid.uuid5(
        uuid.UUID("5b0f5c1e-8d0e-4c55-9a56-63d1a5e1c0de"), "\x1f".join(("AU-CBR", *facts))
    )
    assert mid != str(public)  # what anyone could compute before
    # and every part counts
    assert au.message_id_for("CN-SHA", "revocation", "agency", "AU", "AU-SQU") != mid
    assert au.message_id_for("NZ-WLG", *facts[1:]) != mid
    for svc in (au, restarted):
        svc.db.dispose()


def test_derived_keys_differ_by_purpose_and_are_not_the_seed(tmp_path: Path) -> None:
    identity = create_identity(tmp_path / "au", "AU-CBR")
    a, b = identity.derived_key("exchange.message-id"), identity.derived_key("other")
    assert len(a) == 32 and a != b and bytes(identity.signing_key) not in (a, b)
    assert load_identity(tmp_path / "au", "AU-CBR").derived_key("exchange.message-id") == a


def test_stable_ids_survive_a_key_rotation(tmp_path: Path) -> None:
    """Registry-sync ids derive from the first signing seed, not the current key: after
    `cusdep identity rotate` a retry still finds the id it queued (no message sent twice)."""
    create_identity(tmp_path / "au", "AU-CBR")
    facts = ("CN-SHA", "revocation", "agency", "AU", "AU-SQT")
    before = _service(tmp_path / "au", "AU-CBR")
    mid = before.message_id_for(*facts)
    rotate_identity(tmp_path / "au", "AU-CBR", dt.timedelta(days=1))
    rotate_identity(tmp_path / "au", "AU-CBR", dt.timedelta(days=1))
    after = _service(tmp_path / "au", "AU-CBR")
    assert after.identity.key_id != before.identity.key_id
    assert after.message_id_for(*facts) == mid


def test_the_outbox_is_woken_from_a_worker_thread(tmp_path: Path) -> None:
    """A revocation (or a send) is recorded under ``asyncio.to_thread`` and wakes the outbox
    from that thread: an asyncio.Event set there is not thread-safe (in debug mode it raised
    after the revocation was committed, and the request answered 500)."""
    import asyncio
    import threading

    create_identity(tmp_path / "au", "AU-CBR")
    au = _service(tmp_path / "au", "AU-CBR")

    async def scenario() -> list[BaseException]:
        stopping = asyncio.Event()
        waiting = asyncio.create_task(au.wait_for_work(600, stopping))
        while not (au._wakeup and au._wakeup._waiters):  # the worker waits on its event
            await asyncio.sleep(0)
        raised: list[BaseException] = []

        def from_thread() -> None:
            try:
                au.wake()
            except BaseException as err:  # noqa: BLE001 - what the thread raised, asserted
                raised.append(err)

        thread = threading.Thread(target=from_thread)
        thread.start()
        await asyncio.to_thread(thread.join)
        await asyncio.wait_for(waiting, 60)  # woken: not the 600 s timeout
        return raised

    outcome: list[object] = []
    # in a thread of its own: without a thread-safe wake the waiting task is never resumed and
    # asyncio.run would not return (the join's limit fails the test instead of hanging it)
    runner = threading.Thread(
        target=lambda: outcome.append(asyncio.run(scenario(), debug=True)), daemon=True
    )
    runner.start()
    runner.join(120)
    assert outcome == [[]]
