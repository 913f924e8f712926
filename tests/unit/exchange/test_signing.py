from __future__ import annotations

import datetime as dt

import pytest
from nacl.signing import SigningKey

from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import BadSignature
from node.exchange.signing import (
    envelope_digest,
    key_id,
    receipt_digest,
    seal_envelope,
    sign_receipt,
    verify_envelope,
    verify_receipt,
)

NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def _env(key: SigningKey, **kw) -> pb.SignedEnvelope:
    args = dict(
        kind=pb.MESSAGE_KIND_CERTIFICATE,
        sender="AU-CAN",
        recipient="CN-SHA",
        payload=b"doc",
        created_at=NOW,
        message_id="m-1",
    )
    args.update(kw)
    return seal_envelope(key, **args)


def test_signature_verifies_and_every_header_field_is_covered() -> None:
    key = SigningKey.generate()
    env = _env(key)
    assert verify_envelope(env, key.verify_key) == envelope_digest(env.header)
    assert env.header.signer_key_id == key_id(bytes(key.verify_key))
    changes = {
        "message_id": "m-2",
        "kind": pb.MESSAGE_KIND_DECLARATION,
        "sender_node": "AU-SYD",
        "recipient_node": "CN-PEK",
        "payload_sha256": b"\x00" * 32,
        "signer_key_id": "x",
    }
    for name, value in changes.items():
        tampered = pb.SignedEnvelope()
        tampered.CopyFrom(env)
        setattr(tampered.header, name, value)
        with pytest.raises(BadSignature):
            verify_envelope(tampered, key.verify_key)
    tampered.CopyFrom(env)
    tampered.header.created_at.seconds += 1
    with pytest.raises(BadSignature):
        verify_envelope(tampered, key.verify_key)


def test_length_prefixes_keep_field_boundaries() -> None:
    key = SigningKey.generate()
    a = _env(key, sender="AU-CA", recipient="NCN-SHA")
    b = _env(key, sender="AU-CAN", recipient="CN-SHA")
    assert envelope_digest(a.header) != envelope_digest(b.header)


def test_wrong_key_is_refused() -> None:
    env = _env(SigningKey.generate())
    with pytest.raises(BadSignature):
        verify_envelope(env, SigningKey.generate().verify_key)


def test_receipt_binds_the_envelope_digest_and_the_receiver_key() -> None:
    receiver = SigningKey.generate()
    digest = envelope_digest(_env(SigningKey.generate()).header)
    receipt = sign_receipt(
        receiver,
        message_id="m-1",
        digest=digest,
        receiver="CN-SHA",
        sender="AU-CAN",
        accepted_at=NOW,
    )
    verify_receipt(receipt, receiver.verify_key, expected_digest=digest)
    with pytest.raises(BadSignature):
        verify_receipt(receipt, receiver.verify_key, expected_digest=b"\x01" * 32)
    with pytest.raises(BadSignature):
        verify_receipt(receipt, SigningKey.generate().verify_key, expected_digest=digest)
    forged = pb.Receipt()
    forged.CopyFrom(receipt)
    forged.receiver_node = "NZ-AKL"
    with pytest.raises(BadSignature):
        verify_receipt(forged, receiver.verify_key, expected_digest=digest)


def test_envelope_and_receipt_digests_are_domain_separated() -> None:
    receipt = pb.Receipt(message_id="m-1")
    header = pb.EnvelopeHeader(message_id="m-1")
    assert receipt_digest(receipt) != envelope_digest(header)
