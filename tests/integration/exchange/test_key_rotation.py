"""`cusdep identity rotate` between two real `cusdep node run` processes over mTLS: messages
queued and retrying when the sender rotates its key are signed again and delivered exactly once
after the partner re-pins the new card; what the old key signed is accepted during the overlap
its card gives it (also a re-delivery of a message already received: acknowledged, not applied
twice), and refused with UNAUTHENTICATED and an audit row once the overlap is over."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from pathlib import Path

import grpc
import pytest
from nacl.signing import SigningKey

from node.bootstrap import build_node
from node.config import load_settings
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.client import RemoteRejected
from node.exchange.payloads import build_document
from node.exchange.service import ExchangeService
from node.exchange.signing import envelope_digest, seal_envelope, sign_header, verify_receipt
from tests.integration.exchange.conftest import NodeHome, pin, wait_for

N = 6


def _seed(node: NodeHome) -> SigningKey:
    return SigningKey(bytes.fromhex((node.home / "keys" / "signing.key").read_text().strip()))


def _queue(node: NodeHome, tmp_path: Path) -> set[str]:
    files = []
    for i in range(N):
        f = tmp_path / f"cert{i}.json"
        f.write_text(json.dumps({"certificate_number": f"AU-2026-{i:04d}"}))
        files.append(str(f))
    sent = json.loads(node.cli("send", *files, "--to", "CN-SHA", "--json").stdout)
    return {m["message_id"] for m in sent}


def _rotate(node: NodeHome, tmp_path: Path, *args: str) -> Path:
    card = json.loads(node.cli("identity", "rotate", *args, "--json").stdout)
    path = tmp_path / f"au-{card['key_id']}.json"
    path.write_text(json.dumps(card))
    return path


def _from_au(cn: NodeHome) -> list[tuple[str, str]]:
    return cn.sql("SELECT message_id, digest FROM exchange_inbox WHERE peer = 'AU-CAN'")  # type: ignore[return-value]


def test_messages_queued_across_a_key_rotation_arrive_exactly_once(
    tmp_path: Path, node_factory
) -> None:
    au = node_factory("AU-CAN", retry_base_seconds=0.05, retry_max_seconds=0.3)
    cn = node_factory("CN-SHA")
    pin(au, cn)
    pin(cn, au)
    au.start()
    ids = _queue(au, tmp_path)  # CN is down: they wait and are retried
    wait_for(lambda: au.sql("SELECT min(attempts) FROM exchange_outbox")[0][0], what="retries")
    running = au.cli("identity", "rotate", check=False)
    assert running.returncode == 2 and running.stderr.count("\n") == 1
    assert "stop it first" in running.stderr
    assert au.stop() == 0

    old = json.loads(au.cli("partner", "export").stdout)
    card = json.loads(_rotate(au, tmp_path).read_text())
    assert card["key_id"] != old["key_id"] and card["ca_pem"] == old["ca_pem"]
    (retired,) = card["retired_keys"]
    assert (retired["key_id"], retired["verify_key_hex"]) == (old["key_id"], old["verify_key_hex"])
    until = dt.datetime.fromisoformat(retired["until"])
    assert dt.timedelta(days=6.9) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)

    au.start()  # signs the queued envelopes again with the new key
    cn.start()  # still pins AU's old key: refuses the new one, AU keeps the messages
    wait_for(
        lambda: {r[1] for r in cn.rejections()} == {"cusdep.exchange.unknown_key"},
        what="CN refusing AU's new key",
    )
    assert {r[2] for r in cn.rejections()} == {"UNAUTHENTICATED"}
    # each row's error is the one of its latest attempt: the refusal, once every row was tried
    # against the running CN (a row tried only while CN was down still says "connection refused")
    wait_for(
        lambda: all(
            "has not pinned this node's signing key" in (e or "")
            for (e,) in au.sql("SELECT error FROM exchange_outbox")
        ),
        what="every queued message refused for the unpinned key",
    )
    assert au.outbox_states() == {"pending": N} and _from_au(cn) == []

    cn.cli("partner", "add", str(tmp_path / f"au-{card['key_id']}.json"), "--replace")
    wait_for(lambda: au.outbox_states() == {"delivered": N}, what="delivery after re-pin")
    received = _from_au(cn)
    assert sorted(mid for mid, _ in received) == sorted(ids)  # each once, none lost
    sent = dict(au.sql("SELECT message_id, digest FROM exchange_outbox"))
    assert dict(received) == sent  # what arrived is what AU holds, signed by the new key
    assert au.stop() == 0 and cn.stop() == 0


def _repin_offline(cn: NodeHome, card: Path) -> None:
    """Re-pin with CN stopped, so the next call meets the new pin (a running node takes up
    to a second to apply it)."""
    assert cn.stop() == 0
    cn.cli("partner", "add", str(card), "--replace")
    cn.start()


async def _with_au(au: NodeHome, work):
    """``work(service)`` with an AU ExchangeService built from AU's home (its current keys)."""
    node = build_node(load_settings(au.home))
    assert node.exchange is not None
    try:
        return await work(node.exchange)
    finally:
        await node.exchange.client.aclose()
        node.db.dispose()


async def _send(svc: ExchangeService, env: pb.SignedEnvelope) -> pb.Receipt:
    return await svc.client.send("CN-SHA", env)


def _envelope(key: SigningKey, message_id: str | None = None) -> pb.SignedEnvelope:
    doc = build_document(b'{"certificate_number": "AU-2026-9999"}', "certificate")
    return seal_envelope(
        key,
        kind=pb.MESSAGE_KIND_CERTIFICATE,
        sender="AU-CAN",
        recipient="CN-SHA",
        payload=doc.SerializeToString(),
        created_at=dt.datetime.now(dt.UTC),
        message_id=message_id or str(uuid.uuid4()),
    )


async def _within_overlap(
    svc: ExchangeService, cn: NodeHome, first: SigningKey, delivered: pb.SignedEnvelope
) -> None:
    cn_key = svc.partners.require("CN-SHA").verify_key
    # signed by the retired key after the re-pin (in flight): accepted within the overlap
    late = _envelope(first)
    receipt = await _send(svc, late)
    verify_receipt(receipt, cn_key, expected_digest=envelope_digest(late.header))
    # the message received before, signed again by the new key: acknowledged, not kept twice
    header = pb.EnvelopeHeader()
    header.CopyFrom(delivered.header)
    header.signer_key_id = svc.identity.key_id
    again, digest = sign_header(svc.identity.signing_key, header, delivered.payload)
    receipt = await _send(svc, again)
    verify_receipt(receipt, cn_key, expected_digest=digest)
    rows = [r for r in _from_au(cn) if r[0] == delivered.header.message_id]
    assert rows == [(delivered.header.message_id, envelope_digest(delivered.header).hex())]
    # another message under a used id is still a replay, whatever key signs it
    with pytest.raises(RemoteRejected) as replay:
        await _send(svc, _envelope(svc.identity.signing_key, delivered.header.message_id))
    assert replay.value.grpc_status == grpc.StatusCode.ALREADY_EXISTS


async def _after_overlap(
    svc: ExchangeService, cn: NodeHome, first: SigningKey, second: SigningKey
) -> None:
    leaked = _envelope(second)
    with pytest.raises(RemoteRejected) as refused:
        await _send(svc, leaked)
    assert refused.value.grpc_status == grpc.StatusCode.UNAUTHENTICATED
    assert refused.value.remote_code == "cusdep.exchange.retired_key"
    audit = [r for r in cn.rejections() if r[0] == leaked.header.message_id]
    assert [(r[1], r[2]) for r in audit] == [("cusdep.exchange.retired_key", "UNAUTHENTICATED")]
    assert leaked.header.message_id not in {r[0] for r in _from_au(cn)}
    await _send(svc, _envelope(first))  # the first key's overlap still runs
    await _send(svc, _envelope(svc.identity.signing_key))  # and the current key is current


def test_the_old_key_within_its_overlap_and_after_it(tmp_path: Path, node_factory) -> None:
    au, cn = node_factory("AU-CAN"), node_factory("CN-SHA")
    pin(au, cn)
    pin(cn, au)
    cn.start()
    first = _seed(au)
    delivered = _envelope(first)
    asyncio.run(_with_au(au, lambda svc: _send(svc, delivered)))  # under AU's first key

    _repin_offline(cn, _rotate(au, tmp_path))  # 7 days of overlap
    second = _seed(au)
    asyncio.run(_with_au(au, lambda svc: _within_overlap(svc, cn, first, delivered)))

    # a key that leaked: no overlap; CN re-pins, and what that key signs is refused from now on
    _repin_offline(cn, _rotate(au, tmp_path, "--overlap-hours", "0"))
    asyncio.run(_with_au(au, lambda svc: _after_overlap(svc, cn, first, second)))
    assert cn.stop() == 0


def test_receipts_of_a_partner_that_rotated_wait_for_its_new_card(
    tmp_path: Path, node_factory
) -> None:
    """CN rotates and AU has not pinned CN's new card: CN receives AU's messages and signs
    receipts AU cannot check yet. AU keeps them pending, says why, and tries again after its
    longest back-off (not every second, with an error line per message each time); once it
    pins the card, each is delivered, received once."""
    au = node_factory("AU-CAN", retry_base_seconds=0.05, retry_max_seconds=4)
    cn = node_factory("CN-SHA")
    pin(au, cn)
    pin(cn, au)
    assert cn.cli("identity", "rotate").returncode == 0
    card = tmp_path / "cn-rotated.json"
    card.write_text(cn.cli("partner", "export").stdout)
    cn.start()
    au.start()
    files = []
    for i in range(N):
        f = tmp_path / f"au{i}.json"
        f.write_text(json.dumps({"certificate_number": f"AU-2026-{i:04d}"}))
        files.append(str(f))
    au.cli("send", *files, "--to", "CN-SHA", "--json")
    wait_for(lambda: len(_from_au(cn)) == N, what="CN receiving AU's messages")
    waiting = "CN-SHA signs its receipts with a key not pinned here"
    wait_for(
        lambda: all(waiting in (e or "") for (e,) in au.sql("SELECT error FROM exchange_outbox")),
        what="every message waiting for CN's new card",
    )
    (ahead,) = au.sql(
        "SELECT min(julianday(next_attempt_at) - julianday('now')) * 86400 FROM exchange_outbox"
    )[0]
    assert ahead > 2  # the longest back-off (4 s), not a retry a second
    assert au.outbox_states() == {"pending": N}
    assert "invalid receipt" not in (au.home / "node.log").read_text()

    au.cli("partner", "add", str(card), "--replace")
    wait_for(lambda: au.outbox_states() == {"delivered": N}, what="delivery after re-pin")
    assert len(_from_au(cn)) == N and cn.rejections() == []
    assert au.stop() == 0 and cn.stop() == 0
