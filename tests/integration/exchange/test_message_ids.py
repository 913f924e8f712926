"""A third node using a sender's message id first does not block that sender, over real gRPC
with mTLS: CN runs as a `cusdep node run` process; NZ delivers (in-process client) a certificate
carrying the id AU's revocation of agency AU-SQT will carry; then AU, running, delivers that
revocation from its outbox. CN accepts both, each under its own sender; a replay within one
sender is still refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import grpc
import pytest

from node.bootstrap import build_node
from node.config import load_settings
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.client import RemoteRejected
from node.exchange.payloads import build_document
from node.exchange.service import ExchangeService
from node.exchange.signing import envelope_digest, seal_envelope, verify_receipt
from tests.integration.exchange.conftest import NodeHome, pin, wait_for


async def _service(node: NodeHome) -> AsyncIterator[ExchangeService]:
    built = build_node(load_settings(node.home))
    assert built.exchange is not None
    try:
        yield built.exchange
    finally:
        await built.exchange.client.aclose()
        built.db.dispose()


def _certificate(svc: ExchangeService, message_id: str, number: str) -> pb.SignedEnvelope:
    doc = build_document(f'{{"certificate_number": "{number}"}}'.encode(), "certificate")
    return seal_envelope(
        svc.identity.signing_key,
        kind=pb.MESSAGE_KIND_CERTIFICATE,
        sender=svc.node_id,
        recipient="CN-SHA",
        payload=doc.SerializeToString(),
        created_at=dt.datetime.now(dt.UTC),
        message_id=message_id,
    )


@pytest.fixture
def nodes(node_factory) -> tuple[NodeHome, NodeHome, NodeHome]:  # type: ignore[no-untyped-def]
    """CN pinning AU and NZ, each of them pinning CN (homes made outside the event loop)."""
    cn, au, nz = node_factory("CN-SHA"), node_factory("AU-CAN"), node_factory("NZ-AKL")
    pin(cn, au, nz)
    pin(au, cn)
    pin(nz, cn)
    return cn, au, nz


async def test_an_id_taken_by_a_third_node_does_not_block_the_sender(nodes) -> None:
    cn, au, nz = nodes
    cn.start()

    # AU queues its revocation of agency AU-SQT under its stable id (as node.registry.sync
    # does); the test reads that id from AU's node: NZ itself could not compute it
    revocation = docs.Revocation(
        target=docs.Revocation.TARGET_AGENCY, subject_id="AU-SQT", reason="closed"
    )
    async for au_svc in _service(au):
        mid = au_svc.message_id_for("CN-SHA", "revocation", "agency", "AU", "AU-SQT")
        with au_svc.db.session() as session:
            assert au_svc.queue(session, "CN-SHA", "revocation", revocation, message_id=mid)

    async for nz_svc in _service(nz):
        squat = _certificate(nz_svc, mid, "NZ-2026-1")
        receipt = await nz_svc.client.send("CN-SHA", squat)
        verify_receipt(
            receipt,
            nz_svc.partners.require("CN-SHA").verify_key,
            expected_digest=envelope_digest(squat.header),
        )
        assert (mid, "NZ-AKL") in {(r[0], r[2]) for r in cn.inbox()}

        au.start()  # AU's outbox worker delivers the revocation over mTLS
        wait_for(lambda: au.outbox_states() == {"delivered": 1}, what="AU's delivery")
        ((state, code, receipt_bytes),) = au.sql(
            "SELECT state, error_code, receipt FROM exchange_outbox WHERE message_id = ?", mid
        )
        assert (state, code) == ("delivered", "")
        au_receipt = pb.Receipt.FromString(receipt_bytes)
        assert au_receipt.message_id == mid and au_receipt.sender_node == "AU-CAN"
        assert sorted((r[0], r[2]) for r in cn.inbox() if r[0] == mid) == [
            (mid, "AU-CAN"),
            (mid, "NZ-AKL"),
        ]
        ((kind,),) = cn.sql(
            "SELECT kind FROM exchange_inbox WHERE message_id = ? AND peer = 'AU-CAN'", mid
        )
        assert kind == "revocation"
        assert [r for r in cn.rejections() if r[0] == mid] == []

        # the per-sender replay check still holds: NZ reusing its own id with other content
        with pytest.raises(RemoteRejected) as info:
            await nz_svc.client.send("CN-SHA", _certificate(nz_svc, mid, "NZ-2026-2"))
        assert info.value.grpc_status == grpc.StatusCode.ALREADY_EXISTS
        assert info.value.remote_code == "cusdep.replay"

    assert au.stop() == 0
    assert cn.stop() == 0
