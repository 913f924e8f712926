"""A pinned partner flooding a real `cusdep node run` with tiny envelopes over mTLS (security
audit): an empty envelope is 2 bytes of a frame, so one frame within the message limit could
carry millions, each refused, audited and quarantined on its own while the inbox is held and
every other partner's delivery waits behind it; and empty envelopes cost the quarantine's
byte quota nothing, so they could fill the disk's inodes with empty files."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from node.bootstrap import build_node
from node.config import load_settings
from node.exchange.inbox import MAX_FRAME_ENVELOPES
from node.exchange.outbox import encode_frame
from node.exchange.payloads import KINDS, build_document
from node.exchange.service import ExchangeService
from tests.integration.exchange.conftest import NodeHome, make_node, pin, wait_for


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("flood")
    receiver = make_node(root, "CN-SHA", quarantine_max_bytes=64 * 1024)
    sender = make_node(root, "AU-CAN")
    pin(receiver, sender)
    pin(sender, receiver)
    receiver.start()
    yield receiver, sender
    assert receiver.running, "the receiving node crashed"
    assert receiver.stop() == 0


@pytest.fixture
async def client(pair: tuple[NodeHome, NodeHome]) -> AsyncIterator[ExchangeService]:
    built = build_node(load_settings(pair[1].home))
    assert built.exchange is not None
    yield built.exchange
    await built.exchange.client.aclose()
    built.db.dispose()


def _count(node: NodeHome) -> int:
    return int(node.sql("SELECT count(*) FROM exchange_rejections")[0][0])


async def _deliver(client: ExchangeService, envelopes: list[bytes]) -> list[object]:
    call = client.client.deliver_stream("CN-SHA")
    await call.write(encode_frame(envelopes))
    await call.done_writing()
    return [a for r in [r async for r in call] for a in r.acks]


async def test_a_frame_of_more_envelopes_than_any_node_frames_is_refused_whole(pair, client):
    receiver, _ = pair
    before = _count(receiver)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _deliver(client, [b""] * (MAX_FRAME_ENVELOPES + 1))
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert dict(info.value.trailing_metadata() or ())["cusdep-error-code"] == "cusdep.input.limit"
    rows = receiver.sql(
        "SELECT code, reason FROM exchange_rejections ORDER BY id LIMIT -1 OFFSET ?", before
    )
    assert rows == [
        (
            "cusdep.input.limit",
            f"a frame of {MAX_FRAME_ENVELOPES + 1} envelopes exceeds "
            f"{MAX_FRAME_ENVELOPES} per frame",
        )
    ]
    # the partner's next frame is served as ever
    doc = build_document(b'{"certificate_number": "AU-1"}', "certificate")
    env = client._seal("CN-SHA", KINDS["certificate"], doc.SerializeToString())[0]
    (ack,) = await _deliver(client, [env.SerializeToString()])
    assert ack.HasField("receipt")  # type: ignore[attr-defined]


async def test_empty_envelopes_cannot_fill_the_quarantine_with_files(pair, client):
    receiver, _ = pair
    before = _count(receiver)
    acks = await _deliver(client, [b""] * 100)
    assert len(acks) == 100  # acknowledged once committed: every refusal has its audit row
    assert _count(receiver) == before + 100
    kept = [p for p in (receiver.home / "quarantine").iterdir() if p.is_file()]
    # 64 KiB of quota, each file counted as at least a 4 KiB block
    assert len(kept) <= 16, f"{len(kept)} files kept for empty envelopes"
    assert sum(p.stat().st_size for p in kept) <= 64 * 1024


@pytest.fixture
def three(tmp_path: Path):
    receiver = make_node(tmp_path, "CN-SHA", refusal_burst=50, refusals_per_minute=60)
    au, nz = make_node(tmp_path, "AU-CAN"), make_node(tmp_path, "NZ-AKL")
    pin(receiver, au, nz)
    pin(au, receiver)
    pin(nz, receiver)
    receiver.start()
    yield receiver, au, nz
    for node in (au, receiver):
        if node.running:
            node.kill9()


async def test_a_partner_past_its_refusal_budget_is_refused_whole_then_served_again(
    three, tmp_path
):
    """`exchange.refusal_burst`: the audit log grows by the burst and one frame at most, then
    by one row for the episode; the partner's next delivery is RESOURCE_EXHAUSTED and writes
    nothing; another partner is served meanwhile; the throttled partner's outbox delivers its
    message once the budget has refilled (a real `cusdep node run` each side)."""
    receiver, au, nz = three
    clients = [build_node(load_settings(n.home)) for n in (au, nz)]
    try:
        au_x, nz_x = (c.exchange for c in clients)
        assert au_x is not None and nz_x is not None
        acks = await _deliver(au_x, [b""] * 53)  # 3 past the burst: about 4 s of debt
        assert all(a.HasField("rejection") for a in acks) and len(acks) == 53  # type: ignore[attr-defined]
        codes = [c for (c,) in receiver.sql("SELECT code FROM exchange_rejections ORDER BY id")]
        assert codes == ["cusdep.exchange.malformed"] * 53 + ["cusdep.exchange.throttled"]

        doc = build_document(b'{"certificate_number": "AU-2"}', "certificate")
        env = au_x._seal("CN-SHA", KINDS["certificate"], doc.SerializeToString())[0]
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await _deliver(au_x, [env.SerializeToString()])
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        trailer = dict(info.value.trailing_metadata() or ())
        assert trailer["cusdep-error-code"] == "cusdep.exchange.throttled"
        assert "AU-CAN" in (info.value.details() or "")
        assert _count(receiver) == 54 and receiver.inbox() == []

        nz_doc = build_document(b'{"certificate_number": "NZ-1"}', "certificate")
        nz_env = nz_x._seal("CN-SHA", KINDS["certificate"], nz_doc.SerializeToString())[0]
        (ack,) = await _deliver(nz_x, [nz_env.SerializeToString()])
        assert ack.HasField("receipt")  # type: ignore[attr-defined]
    finally:
        for c in clients:
            assert c.exchange is not None
            await c.exchange.client.aclose()
            c.db.dispose()

    cert = tmp_path / "au-3.json"
    cert.write_text('{"certificate_number": "AU-3"}')
    au.start()
    au.cli("send", str(cert), "--to", "CN-SHA", "--json")
    wait_for(lambda: au.outbox_states() == {"delivered": 1}, what="delivery after the budget")
    assert sorted(p for _, _, p in receiver.inbox()) == ["AU-CAN", "NZ-AKL"]
    assert _count(receiver) == 54  # refused whole while throttled: no row per attempt
    assert au.stop() == 0 and receiver.stop() == 0
