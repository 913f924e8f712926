"""A partner far away (over a link with a long round trip) is reached: the TLS handshake of a
new connection takes several round trips, more than gRPC's connect timeout was once set to
(``grpc.min_reconnect_backoff_ms`` is also the least time a connection attempt is given; at
200 ms every new connection to a partner 150 ms away failed "Handshake read failed", and a
loaded partner's handshake sometimes did so on loopback)."""

from __future__ import annotations

import datetime as dt

import pytest

from node.bootstrap import build_node
from node.config import load_settings, write_settings
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.payloads import build_document
from node.exchange.signing import envelope_digest, seal_envelope, verify_receipt
from simulator.faultproxy import ProxyHub
from tests.integration.exchange.conftest import pin

ONE_WAY = 0.15  # seconds each way: a 300 ms round trip, as between Shanghai and Canberra


@pytest.fixture
def far(node_factory):  # type: ignore[no-untyped-def]
    """CN behind a slow link, as AU has it pinned (homes made outside the event loop)."""
    hub = ProxyHub()
    cn, au = node_factory("CN-SHA"), node_factory("AU-CAN")
    proxy = hub.add("CN-SHA", cn.grpc_port)
    settings = load_settings(cn.home)
    advertise = f"127.0.0.1:{proxy.port}"
    settings.exchange = settings.exchange.model_copy(update={"advertise": advertise})
    write_settings(settings)
    pin(cn, au)
    pin(au, cn)  # AU dials CN through the slow link
    proxy.delay(ONE_WAY)
    yield cn, au, proxy
    hub.close()


async def test_a_partner_300_ms_away_is_reached_on_a_new_connection(far) -> None:
    cn, au, proxy = far
    cn.start()

    built = build_node(load_settings(au.home))
    assert built.exchange is not None
    svc = built.exchange
    try:
        assert svc.partners.require("CN-SHA").endpoint == f"127.0.0.1:{proxy.port}"
        doc = build_document(b'{"certificate_number": "AU-FAR-1"}', "certificate")
        envelope = seal_envelope(
            svc.identity.signing_key,
            kind=pb.MESSAGE_KIND_CERTIFICATE,
            sender="AU-CAN",
            recipient="CN-SHA",
            payload=doc.SerializeToString(),
            created_at=dt.datetime.now(dt.UTC),
        )
        receipt = await svc.client.send("CN-SHA", envelope)
        verify_receipt(
            receipt,
            svc.partners.require("CN-SHA").verify_key,
            expected_digest=envelope_digest(envelope.header),
        )
        assert proxy.connections == 1  # the first connection served it, not a retry
    finally:
        await svc.client.aclose()
        built.db.dispose()
    assert [r[2] for r in cn.inbox()] == ["AU-CAN"]
    assert cn.stop() == 0
