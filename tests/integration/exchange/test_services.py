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
from node.exchange.client import RemoteRejected
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
