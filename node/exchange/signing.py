"""Canonical digests and Ed25519 signatures for envelopes and receipts (pynacl).

The digest is domain-separated and length-prefixed over every header field, so no two distinct
headers share a digest and an envelope signature can never be replayed as a receipt signature.
Protobuf serialisation is not canonical, hence not signed directly.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import struct
import uuid
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import BadSignature

ENVELOPE_DOMAIN = b"cusdep.exchange.v1.envelope\x00"
RECEIPT_DOMAIN = b"cusdep.exchange.v1.receipt\x00"


@functools.lru_cache(maxsize=64)
def key_id(verify_key: bytes) -> str:
    return hashlib.sha256(verify_key).hexdigest()[:16]


_U32 = struct.Struct(">I").pack
_TS = struct.Struct(">IqIi").pack  # length 8, seconds, length 4, nanos


def _enum_name(enum: Any, value: int) -> bytes:
    """The enum value's name; an unknown value gets a stable stand-in (refused later)."""
    try:
        return str(enum.Name(value)).encode()
    except ValueError:
        return f"UNKNOWN_{value}".encode()


def _digest(
    domain: bytes, parts: tuple[bytes, ...], ts: Timestamp, tail: tuple[bytes, ...]
) -> bytes:
    body = b"".join(_U32(len(p)) + p for p in parts)
    body += _TS(8, ts.seconds, 4, ts.nanos)
    body += b"".join(_U32(len(p)) + p for p in tail)
    return hashlib.sha256(domain + body).digest()


def envelope_digest(header: pb.EnvelopeHeader) -> bytes:
    parts = (
        header.message_id.encode(),
        _enum_name(pb.MessageKind, header.kind),
        header.sender_node.encode(),
        header.recipient_node.encode(),
    )
    tail = (header.payload_sha256, header.signer_key_id.encode())
    return _digest(ENVELOPE_DOMAIN, parts, header.created_at, tail)


def content_digest(header: pb.EnvelopeHeader) -> bytes:
    """The envelope digest without the signer: equal for one message signed by two keys of its
    sender (re-signed after ``cusdep identity rotate``), different for anything else."""
    unsigned = pb.EnvelopeHeader()
    unsigned.CopyFrom(header)
    unsigned.signer_key_id = ""
    return envelope_digest(unsigned)


def receipt_digest(receipt: pb.Receipt) -> bytes:
    parts = (
        receipt.message_id.encode(),
        receipt.envelope_digest,
        receipt.receiver_node.encode(),
        receipt.sender_node.encode(),
    )
    tail = (_enum_name(pb.Disposition, receipt.disposition), receipt.signer_key_id.encode())
    return _digest(RECEIPT_DOMAIN, parts, receipt.accepted_at, tail)


def timestamp(at: dt.datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at.astimezone(dt.UTC))
    return ts


def envelope_header(
    key: SigningKey,
    *,
    kind: int,
    sender: str,
    recipient: str,
    payload: bytes,
    created_at: dt.datetime,
    message_id: str | None = None,
) -> pb.EnvelopeHeader:
    return pb.EnvelopeHeader(
        message_id=message_id or str(uuid.uuid4()),
        kind=kind,  # type: ignore[arg-type]
        sender_node=sender,
        recipient_node=recipient,
        created_at=timestamp(created_at),
        payload_sha256=hashlib.sha256(payload).digest(),
        signer_key_id=key_id(bytes(key.verify_key)),
    )


def seal_envelope(key: SigningKey, *, payload: bytes, **header: Any) -> pb.SignedEnvelope:
    """Build and sign an envelope around ``payload`` (arguments as ``envelope_header``)."""
    return sign_header(key, envelope_header(key, payload=payload, **header), payload)[0]


def sign_header(
    key: SigningKey, header: pb.EnvelopeHeader, payload: bytes
) -> tuple[pb.SignedEnvelope, bytes]:
    """Sign a complete header; returns the envelope and its digest."""
    digest = envelope_digest(header)
    signature = key.sign(digest).signature
    return pb.SignedEnvelope(header=header, payload=payload, signature=signature), digest


def verify_envelope(envelope: pb.SignedEnvelope, verify_key: VerifyKey) -> bytes:
    """Check the signature over the header digest; return the digest."""
    digest = envelope_digest(envelope.header)
    _verify(verify_key, digest, envelope.signature, "envelope")
    return digest


def sign_receipt(
    key: SigningKey,
    *,
    message_id: str,
    digest: bytes,
    receiver: str,
    sender: str,
    accepted_at: dt.datetime,
) -> pb.Receipt:
    receipt = pb.Receipt(
        message_id=message_id,
        envelope_digest=digest,
        receiver_node=receiver,
        sender_node=sender,
        accepted_at=timestamp(accepted_at),
        disposition=pb.DISPOSITION_ACCEPTED,
        signer_key_id=key_id(bytes(key.verify_key)),
    )
    receipt.signature = key.sign(receipt_digest(receipt)).signature
    return receipt


def verify_receipt(receipt: pb.Receipt, verify_key: VerifyKey, *, expected_digest: bytes) -> None:
    """A receipt is valid when the partner's key signed it and it names our envelope digest."""
    if receipt.envelope_digest != expected_digest:
        raise BadSignature(f"receipt for {receipt.message_id} names another envelope digest")
    _verify(verify_key, receipt_digest(receipt), receipt.signature, "receipt")


def _verify(verify_key: VerifyKey, digest: bytes, signature: bytes, what: str) -> None:
    try:
        verify_key.verify(digest, signature)
    except (BadSignatureError, ValueError, TypeError) as err:
        raise BadSignature(f"{what} signature does not verify") from err
