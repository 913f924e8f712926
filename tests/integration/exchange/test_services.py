"""The other RPCs against a real node over mTLS: health, reflection, GetReceipt, provenance and
registry specimens."""

from __future__ import annotations

import asyncio
import hashlib

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from node.bootstrap import build_node
from node.config import load_settings
from node.exchange.client import ERROR_CODE_KEY, SERVICE, RemoteRejected
from node.exchange.tls import channel_credentials, channel_options
from node.registry.tables import RegistryRecordRow
from node.storage.blobs import BlobStore
from node.storage.db import Database
from tests.integration.exchange.conftest import make_node, pin


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("svc")
    receiver, sender = make_node(root, "CN-SHA"), make_node(root, "AU-CAN")
    pin(receiver, sender)
    pin(sender, receiver)
    settings = load_settings(receiver.home)
    sha = BlobStore(settings.home / "blobs").put(b"\x89PNG\r\n\x1a\nseal specimen")
    db = Database(settings.database_url)
    db.migrate()
    with db.session() as session:
        session.add(
            RegistryRecordRow(
                kind="seal",
                registrar="CN",
                record_id="CN-GACC-S1",
                agency_id="CN-GACC",
                country="CN",
                sha256=sha,
            )
        )
    db.dispose()
    receiver.start()
    yield receiver, sender, sha
    assert receiver.stop() == 0


@pytest.fixture
async def client(pair):
    node = build_node(load_settings(pair[1].home))
    assert node.exchange is not None
    yield node.exchange
    await node.exchange.client.aclose()
    node.db.dispose()


async def test_health_and_reflection(client) -> None:
    channel = client.client.channel("CN-SHA")
    reply = await health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service="cusdep.exchange.v1.Exchange"), timeout=10
    )
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    call = stub.ServerReflectionInfo()
    await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
    await call.done_writing()
    services = {s.name for r in [r async for r in call] for s in r.list_services_response.service}
    assert {"cusdep.exchange.v1.Exchange", "grpc.health.v1.Health"} <= services


async def test_receipt_and_provenance_of_a_sent_document(client) -> None:
    receipt = await client.send_now(b'{"certificate_number": "AU-7"}', "CN-SHA")
    again = await client.client.get_receipt("CN-SHA", receipt.message_id)
    assert again.SerializeToString() == receipt.SerializeToString()
    sha = hashlib.sha256(b'{"certificate_number": "AU-7"}').hexdigest()
    reply = await client.client.query_provenance("CN-SHA", sha)
    assert reply.document_sha256 == sha
    assert (reply.events[0].kind, reply.events[0].actor) == ("received", "AU-CAN")
    with pytest.raises(RemoteRejected) as info:
        await client.client.query_provenance("CN-SHA", "0" * 64)
    assert info.value.grpc_status == grpc.StatusCode.NOT_FOUND
    with pytest.raises(RemoteRejected) as info:
        await client.client.get_receipt("CN-SHA", "no-such-message")
    assert info.value.grpc_status == grpc.StatusCode.NOT_FOUND


async def test_fetch_registry_specimen_by_hash(pair, client) -> None:
    specimen = await client.client.fetch_specimen("CN-SHA", pair[2])
    assert (specimen.kind, specimen.record_id, specimen.registrar) == ("seal", "CN-GACC-S1", "CN")
    assert hashlib.sha256(specimen.content).hexdigest() == pair[2]
    with pytest.raises(RemoteRejected) as info:
        await client.client.fetch_specimen("CN-SHA", "f" * 64)
    assert info.value.grpc_status == grpc.StatusCode.NOT_FOUND
    assert info.value.remote_code == "cusdep.not_found"


async def _raw_call(client, method: str, request: bytes) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    """``method`` called with ``request`` as it is (no serializer), by a pinned partner over
    mTLS; the error it answers with."""
    call = client.client.channel("CN-SHA").unary_unary(
        SERVICE + method, request_serializer=None, response_deserializer=None
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call(request, timeout=10)
    return info.value


@pytest.mark.parametrize(
    ("method", "request_bytes", "why"),
    [
        # field 1 (message_id / sha256 / document_sha256), a string of bytes ff fe: not UTF-8
        ("GetReceipt", b"\x0a\x02\xff\xfe", "String field had bad UTF-8"),
        ("QueryProvenance", b"\x0a\x02\xff\xfe", "String field had bad UTF-8"),
        ("FetchSpecimen", b"\x0a\x02\xff\xfe", "String field had bad UTF-8"),
        ("GetReceipt", b"\x0a\x05ab", "Wire format was corrupt"),  # shorter than it says
    ],
)
async def test_a_malformed_query_is_invalid_argument_not_a_server_error(
    pair, client, method, request_bytes, why
) -> None:
    """Decoded by gRPC's deserializer, it failed before the servicer: UNKNOWN "Unexpected
    DecodeError", and the server logged an error with its traceback."""
    log = pair[0].home / "node.log"
    before = log.stat().st_size
    err = await _raw_call(client, method, request_bytes)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err.details()
    assert err.details().endswith(f"does not decode: {why}"), err.details()
    assert (ERROR_CODE_KEY, "cusdep.exchange.malformed") in tuple(err.trailing_metadata() or ())
    ok = await client.client.fetch_specimen("CN-SHA", pair[2])  # the server serves on
    assert ok.record_id == "CN-GACC-S1"
    written = log.read_bytes()[before:].decode(errors="replace")
    assert "Traceback" not in written and "deserializ" not in written.lower()


@pytest.mark.parametrize("sha256", ["zzzz", "f" * 63, "g" * 64, ""])
async def test_a_specimen_asked_for_by_what_is_no_sha256_is_invalid_argument(
    client, sha256
) -> None:
    with pytest.raises(RemoteRejected) as info:
        await client.client.fetch_specimen("CN-SHA", sha256)
    assert info.value.grpc_status == grpc.StatusCode.INVALID_ARGUMENT  # was NOT_FOUND
    assert info.value.remote_code == "cusdep.input"
    assert "sha256 must be 64 hex digits" in info.value.message
    with pytest.raises(RemoteRejected) as info:
        await client.client.query_provenance("CN-SHA", sha256)
    assert info.value.grpc_status == grpc.StatusCode.INVALID_ARGUMENT
    assert "document_sha256 must be 64 hex digits" in info.value.message


async def test_a_specimen_asked_for_in_upper_case_hex_is_found(pair, client) -> None:
    specimen = await client.client.fetch_specimen("CN-SHA", pair[2].upper())
    assert specimen.record_id == "CN-GACC-S1"


async def test_a_partner_channel_pinging_while_idle_is_not_sent_away(client) -> None:
    """Partners' channels ping every 20 s, idle or not (to keep NATs and firewalls open on the
    way). gRPC core counts a ping on a connection without calls sooner than two hours after the
    last as a strike, keepalive permitted or not, and answered the third strike with GOAWAY
    "too_many_pings": 80 s into an idle exchange both nodes of the README's pair logged it in
    plain text on stderr and their connections dropped. Here a channel pings every second
    while idle, for six seconds (without the fix the GOAWAY came at four): it stays READY."""
    exchange = client.client
    partner = exchange.partners.require("CN-SHA")
    options = dict(channel_options("CN-SHA", exchange.max_bytes))
    options["grpc.keepalive_time_ms"] = 1000
    channel = grpc.aio.secure_channel(
        partner.endpoint,
        channel_credentials(exchange.identity, partner),
        options=list(options.items()),
    )
    try:
        await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert channel.get_state() == grpc.ChannelConnectivity.READY
        with pytest.raises(TimeoutError):  # the window the pings are sent in: no state change
            await asyncio.wait_for(
                channel.wait_for_state_change(grpc.ChannelConnectivity.READY), timeout=6.0
            )
        assert channel.get_state() == grpc.ChannelConnectivity.READY
    finally:
        await channel.close()
