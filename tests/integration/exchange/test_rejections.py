"""Every check on receipt, against a real `cusdep node run` over mTLS on loopback: each refusal
has its own gRPC status and stable code, an audit row and quarantined bytes, and never reaches
the inbox; the receiving node keeps running throughout."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from nacl.signing import SigningKey

from node.bootstrap import build_node
from node.config import load_settings
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.client import RemoteRejected
from node.exchange.outbox import encode_frame
from node.exchange.payloads import build_document
from node.exchange.service import ExchangeService
from node.exchange.signing import envelope_digest, key_id, seal_envelope, verify_receipt
from node.runtime import Node
from tests.integration.exchange.conftest import NodeHome, make_node, pin

CERT = pb.MESSAGE_KIND_CERTIFICATE


@dataclass
class Setup:
    receiver: NodeHome  # CN-SHA, running, pins AU-CAN and NZ-AKL, small size limit
    sender: NodeHome  # AU-CAN, pinned by the receiver
    other: NodeHome  # NZ-AKL, pinned by the receiver (used for impersonation)
    stranger: NodeHome  # US-NYC, pins the receiver but is not pinned by it


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("rej")
    receiver = make_node(root, "CN-SHA", max_message_bytes=65536)
    sender, other, stranger = (make_node(root, n) for n in ("AU-CAN", "NZ-AKL", "US-NYC"))
    pin(receiver, sender, other)
    for n in (sender, other, stranger):
        pin(n, receiver)
    receiver.start()
    yield Setup(receiver, sender, other, stranger)
    assert receiver.running, "the receiving node crashed"
    assert receiver.stop() == 0


async def _service(node: NodeHome) -> AsyncIterator[tuple[Node, ExchangeService]]:
    built = build_node(load_settings(node.home))
    assert built.exchange is not None
    yield built, built.exchange
    await built.exchange.client.aclose()
    built.db.dispose()


@pytest.fixture
async def client(setup: Setup):
    async for pair in _service(setup.sender):
        yield pair[1]


def _doc(text: str = "") -> bytes:
    body = text or f'{{"certificate_number": "AU-{uuid.uuid4().hex[:8]}"}}'
    return build_document(body.encode(), "certificate").SerializeToString()


def _seal(
    svc: ExchangeService,
    *,
    key: SigningKey | None = None,
    payload: bytes | None = None,
    sender: str | None = None,
    recipient: str = "CN-SHA",
    created: dt.datetime | None = None,
    message_id: str | None = None,
) -> pb.SignedEnvelope:
    return seal_envelope(
        key or svc.identity.signing_key,
        kind=CERT,
        sender=sender or svc.node_id,
        recipient=recipient,
        payload=payload if payload is not None else _doc(),
        created_at=created or dt.datetime.now(dt.UTC),
        message_id=message_id,
    )


async def _refused(svc: ExchangeService, env: pb.SignedEnvelope) -> RemoteRejected:
    with pytest.raises(RemoteRejected) as info:
        await svc.client.send("CN-SHA", env)
    return info.value


def _assert_refused(
    setup: Setup, err: RemoteRejected, status: grpc.StatusCode, code: str, message_id: str
) -> None:
    assert err.grpc_status == status, err
    assert err.remote_code == code
    inbox_ids = {row[0] for row in setup.receiver.inbox()}
    assert message_id not in inbox_ids
    audit = [r for r in setup.receiver.rejections() if r[0] == message_id]
    assert audit and audit[-1][1] == code and audit[-1][2] == status.name
    assert Path(audit[-1][3]).is_file() and Path(audit[-1][3]).stat().st_size > 0


async def test_a_valid_message_is_accepted_with_a_verifiable_receipt(setup, client) -> None:
    env = _seal(client)
    receipt = await client.client.send("CN-SHA", env)
    receiver_key = client.partners.require("CN-SHA").verify_key
    verify_receipt(receipt, receiver_key, expected_digest=envelope_digest(env.header))
    assert env.header.message_id in {r[0] for r in setup.receiver.inbox()}


async def test_envelope_sender_must_be_the_tls_peer(setup, client) -> None:
    other_key = load_settings(setup.other.home)  # NZ-AKL is pinned, but this is AU-CAN's line
    from node.identity import load_identity

    key = load_identity(setup.other.home, other_key.node.id).signing_key
    env = _seal(client, key=key, sender="NZ-AKL")
    err = await _refused(client, env)
    _assert_refused(
        setup,
        err,
        grpc.StatusCode.UNAUTHENTICATED,
        "cusdep.exchange.unknown_sender",
        env.header.message_id,
    )


async def test_recipient_must_be_this_node(setup, client) -> None:
    env = _seal(client, recipient="NZ-AKL")
    err = await _refused(client, env)
    _assert_refused(
        setup,
        err,
        grpc.StatusCode.PERMISSION_DENIED,
        "cusdep.exchange.wrong_recipient",
        env.header.message_id,
    )


async def test_message_signed_by_the_wrong_key_never_reaches_the_inbox(setup, client) -> None:
    forged = _seal(client, key=SigningKey.generate())
    forged.header.signer_key_id = client.identity.key_id  # claims the pinned key
    forged.signature = SigningKey.generate().sign(envelope_digest(forged.header)).signature
    err = await _refused(client, forged)
    _assert_refused(
        setup,
        err,
        grpc.StatusCode.FAILED_PRECONDITION,
        "cusdep.exchange.bad_signature",
        forged.header.message_id,
    )
    unknown_key = _seal(client, key=SigningKey.generate())
    assert unknown_key.header.signer_key_id != key_id(bytes(client.identity.signing_key.verify_key))
    err = await _refused(client, unknown_key)
    _assert_refused(
        setup,
        err,
        grpc.StatusCode.UNAUTHENTICATED,
        "cusdep.exchange.unknown_key",
        unknown_key.header.message_id,
    )


async def test_payload_must_match_the_signed_hash(setup, client) -> None:
    env = _seal(client)
    env.payload = _doc('{"certificate_number": "TAMPERED"}')
    err = await _refused(client, env)
    _assert_refused(
        setup, err, grpc.StatusCode.DATA_LOSS, "cusdep.exchange.payload_hash", env.header.message_id
    )


@pytest.mark.parametrize("offset", [dt.timedelta(hours=1), dt.timedelta(days=30)])
async def test_created_at_outside_the_window(setup, client, offset) -> None:
    now = dt.datetime.now(dt.UTC)
    created = now + offset if offset < dt.timedelta(days=1) else now - offset
    env = _seal(client, created=created)
    err = await _refused(client, env)
    _assert_refused(
        setup,
        err,
        grpc.StatusCode.OUT_OF_RANGE,
        "cusdep.exchange.clock_skew",
        env.header.message_id,
    )


async def test_replayed_message_id_with_another_digest(setup, client) -> None:
    first = _seal(client)
    receipt = await client.client.send("CN-SHA", first)
    again = await client.client.send("CN-SHA", first)  # identical re-delivery: idempotent
    assert again.SerializeToString() == receipt.SerializeToString()
    replay = _seal(client, message_id=first.header.message_id)
    with pytest.raises(RemoteRejected) as info:
        await client.client.send("CN-SHA", replay)
    assert info.value.grpc_status == grpc.StatusCode.ALREADY_EXISTS
    assert info.value.remote_code == "cusdep.replay"
    digests = [r[1] for r in setup.receiver.inbox() if r[0] == first.header.message_id]
    assert digests == [envelope_digest(first.header).hex()]


async def test_oversized_message(setup, client) -> None:
    big = build_document(b"%PDF-" + bytes(100_000), "certificate").SerializeToString()
    env = _seal(client, payload=big)
    err = await _refused(client, env)
    _assert_refused(
        setup, err, grpc.StatusCode.RESOURCE_EXHAUSTED, "cusdep.input.limit", env.header.message_id
    )


async def test_malformed_payload(setup, client) -> None:
    env = _seal(client, payload=b"\xff\xff\xff\xff")
    err = await _refused(client, env)
    _assert_refused(
        setup,
        err,
        grpc.StatusCode.INVALID_ARGUMENT,
        "cusdep.exchange.malformed",
        env.header.message_id,
    )
    lying = build_document(b"%PDF-1.7 scan", "certificate")
    lying.document_sha256 = hashlib.sha256(b"something else").hexdigest()
    env = _seal(client, payload=lying.SerializeToString())
    err = await _refused(client, env)
    _assert_refused(
        setup,
        err,
        grpc.StatusCode.INVALID_ARGUMENT,
        "cusdep.exchange.malformed",
        env.header.message_id,
    )


@pytest.mark.parametrize("message_id", ["../../etc/passwd", "not-a-uuid", "x" * 5000])
async def test_a_message_id_must_be_a_uuid(setup, client, message_id: str) -> None:
    env = _seal(client, message_id=message_id)
    err = await _refused(client, env)
    assert err.grpc_status == grpc.StatusCode.INVALID_ARGUMENT
    assert err.remote_code == "cusdep.exchange.malformed"
    assert "is not a UUID" in str(err) and len(str(err)) < 400  # the id is not echoed whole
    assert message_id not in {row[0] for row in setup.receiver.inbox()}


async def test_undecodable_bytes_are_quarantined(setup, client) -> None:
    before = len(setup.receiver.rejections())
    method = client.client.channel("CN-SHA").unary_unary(
        "/cusdep.exchange.v1.Exchange/Send",
        request_serializer=None,
        response_deserializer=pb.Receipt.FromString,
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await method(b"\x0a\xff\xff\xff\xff\x0f garbage", timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    rows = setup.receiver.rejections()
    assert len(rows) == before + 1 and rows[-1][1] == "cusdep.exchange.malformed"


async def test_sender_with_an_unpinned_certificate_is_refused_by_tls(setup) -> None:
    async for _node, stranger in _service(setup.stranger):
        env = _seal(stranger)
        before = setup.receiver.inbox()
        with pytest.raises(RemoteRejected) as info:
            await stranger.client.send("CN-SHA", env, timeout=10)
        assert info.value.grpc_status == grpc.StatusCode.UNAVAILABLE
        assert setup.receiver.inbox() == before


async def test_stream_acknowledges_each_envelope_on_its_own(setup, client) -> None:
    good1, good2 = _seal(client), _seal(client)
    bad = _seal(client)
    bad.signature = bytes(64)
    call = client.client.deliver_stream("CN-SHA")
    await call.write(encode_frame([e.SerializeToString() for e in (good1, bad, good2)]))
    await call.done_writing()
    responses = [r async for r in call]
    acks = [a for r in responses for a in r.acks]
    assert [a.message_id for a in acks] == [e.header.message_id for e in (good1, bad, good2)]
    assert acks[0].HasField("receipt") and acks[2].HasField("receipt")
    assert acks[1].rejection.status_code == grpc.StatusCode.FAILED_PRECONDITION.value[0]
    assert acks[1].rejection.error_code == "cusdep.exchange.bad_signature"
    inbox = {r[0] for r in setup.receiver.inbox()}
    assert good1.header.message_id in inbox and good2.header.message_id in inbox
    assert bad.header.message_id not in inbox


async def _at_once(setup: Setup, envelopes: list[pb.SignedEnvelope]) -> list[object]:
    """Each envelope on its own connection (a client process of its own), all sent at once."""
    services = [_service(setup.sender) for _ in envelopes]
    clients = [(await anext(s))[1] for s in services]
    try:
        return await asyncio.gather(
            *(c.client.send("CN-SHA", e) for c, e in zip(clients, envelopes, strict=True)),
            return_exceptions=True,
        )
    finally:
        for s in services:
            await anext(s, None)


async def test_one_envelope_on_two_connections_at_once_is_accepted_once(setup, client) -> None:
    env = _seal(client)
    a, b = await _at_once(setup, [env, env])
    assert isinstance(a, pb.Receipt) and isinstance(b, pb.Receipt)
    assert a.SerializeToString() == b.SerializeToString()  # the second: the stored receipt
    assert [r[0] for r in setup.receiver.inbox()].count(env.header.message_id) == 1
    received = setup.receiver.sql(
        "SELECT count(*) FROM document_events WHERE kind = 'received' AND detail LIKE ?",
        f"%{env.header.message_id}%",
    )
    assert received == [(1,)]


async def test_one_message_id_with_two_contents_at_once_is_accepted_once(setup, client) -> None:
    first = _seal(client)
    replay = _seal(client, message_id=first.header.message_id)  # same id, other document
    outcomes = await _at_once(setup, [first, replay])
    receipts = [o for o in outcomes if isinstance(o, pb.Receipt)]
    refused = [o for o in outcomes if isinstance(o, RemoteRejected)]
    assert len(receipts) == len(refused) == 1
    assert refused[0].remote_code == "cusdep.replay"
    digests = [r[1] for r in setup.receiver.inbox() if r[0] == first.header.message_id]
    assert digests == [receipts[0].envelope_digest.hex()]
