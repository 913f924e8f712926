"""Exactly once across crashes: kill -9 the receiver, and separately the sender, at a random
moment while 500 messages stream; after restart the receiver holds every message exactly once
(ids and digests compared with the sender's outbox, one `received` event each) and the sender
holds a receipt for each that verifies against the receiver's pinned key."""

from __future__ import annotations

import random

import pytest
from nacl.signing import VerifyKey

from node.exchange._pb import envelope_pb2 as pb
from node.exchange.signing import verify_receipt
from node.identity import load_identity
from tests.integration.exchange.conftest import NodeHome, pin, wait_for

TRIALS = 10
MESSAGES = 500


def _queue(node: NodeHome, to: str, n: int, tag: str) -> list[str]:
    from node.bootstrap import build_node
    from node.config import load_settings

    built = build_node(load_settings(node.home))
    assert built.exchange is not None
    files = [(f'{{"certificate_number": "{tag}-{i:04d}"}}'.encode(), "") for i in range(n)]
    ids = [r.message_id for r in built.exchange.send_many(files, to)]
    built.db.dispose()
    return ids


def _inbox_count(node: NodeHome, ids: list[str]) -> int:
    marks = ",".join("?" * len(ids))
    return int(
        node.sql(f"SELECT count(*) FROM exchange_inbox WHERE message_id IN ({marks})", *ids)[0][0]
    )


def _check_exactly_once(sender: NodeHome, receiver: NodeHome, ids: list[str]) -> None:
    marks = ",".join("?" * len(ids))
    sent = sender.sql(
        f"SELECT message_id, digest, document_sha256, state, receipt FROM exchange_outbox "
        f"WHERE message_id IN ({marks})",
        *ids,
    )
    got = receiver.sql(
        f"SELECT message_id, digest FROM exchange_inbox WHERE message_id IN ({marks})", *ids
    )
    assert sorted((r[0], r[1]) for r in got) == sorted((r[0], r[1]) for r in sent)
    assert len(got) == len(ids)
    shas = [r[2] for r in sent]
    events = receiver.sql(
        f"SELECT sha256, count(*) FROM document_events WHERE kind = 'received' AND sha256 IN "
        f"({','.join('?' * len(shas))}) GROUP BY sha256",
        *shas,
    )
    assert sorted(events) == sorted((s, 1) for s in shas), "a message was processed twice"
    key = VerifyKey(bytes(load_identity(receiver.home, receiver.node_id).signing_key.verify_key))
    for mid, digest, _sha, state, receipt in sent:
        assert state == "delivered" and receipt, mid
        parsed = pb.Receipt.FromString(receipt)
        assert parsed.message_id == mid and parsed.receiver_node == receiver.node_id
        verify_receipt(parsed, key, expected_digest=bytes.fromhex(digest))


def _trials(victim_is_receiver: bool, node_factory) -> None:
    rng = random.Random()
    # small frames and window: the 500 messages take many round trips, so kills land mid-stream
    sender = node_factory("AU-CAN", batch_max=8, window_frames=2, retry_max_seconds=1.0)
    receiver = node_factory("CN-SHA")
    pin(sender, receiver)
    pin(receiver, sender)
    receiver.start()
    sender.start()
    mid_stream = 0
    for trial in range(TRIALS):
        ids = _queue(sender, "CN-SHA", MESSAGES, f"T{trial}")
        threshold = rng.randint(1, MESSAGES - 20)
        count = wait_for(
            lambda ids=ids, t=threshold: (
                _inbox_count(receiver, ids) >= t and _inbox_count(receiver, ids) + 1
            ),
            what="stream progress",
        )
        victim = receiver if victim_is_receiver else sender
        victim.kill9()
        mid_stream += count - 1 < MESSAGES
        victim.start()
        wait_for(
            lambda ids=ids: (
                _inbox_count(receiver, ids) == MESSAGES
                and sender.outbox_states().get("pending", 0) == 0
            ),
            timeout=90,
            what=f"trial {trial}: all delivered and acknowledged",
        )
        _check_exactly_once(sender, receiver, ids)
    assert mid_stream >= 1, "no kill landed mid-stream"
    assert sender.stop() == 0 and receiver.stop() == 0


@pytest.mark.slow
def test_kill9_receiver_during_streams(node_factory) -> None:
    _trials(True, node_factory)


@pytest.mark.slow
def test_kill9_sender_during_streams(node_factory) -> None:
    _trials(False, node_factory)
