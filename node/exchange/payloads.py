"""Payloads: build the ``Document`` for a file being sent, and parse payloads on receipt.

``send`` accepts any file; its bytes always travel unchanged. When the file is canonical JSON
(the CLI contract's field vocabulary, partial documents too) its fields are also carried as the
canonical Certificate/Declaration message. Judging content is the receiver's review.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError, Message

from node.errors import InputError
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import MalformedMessage

KINDS = {
    "certificate": pb.MESSAGE_KIND_CERTIFICATE,
    "declaration": pb.MESSAGE_KIND_DECLARATION,
    "registry_update": pb.MESSAGE_KIND_REGISTRY_UPDATE,
    "revocation": pb.MESSAGE_KIND_REVOCATION,
    "review_outcome": pb.MESSAGE_KIND_REVIEW_OUTCOME,
}
_PAYLOADS: dict[str, type[Message]] = {
    "certificate": docs.Document,
    "declaration": docs.Document,
    "registry_update": docs.RegistryUpdate,
    "revocation": docs.Revocation,
    "review_outcome": docs.ReviewOutcome,
}
VERDICTS = ("accept", "reject")
KIND_NAMES: dict[int, str] = {int(v): k for k, v in KINDS.items()}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


@dataclass(frozen=True)
class Payload:
    kind: str
    document_sha256: str
    message: Message


def sniff_media_type(data: bytes) -> str:
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "application/json"
    if head.startswith(b"<"):
        return "application/xml"
    return "application/octet-stream"


def build_document(data: bytes, kind: str, *, filename: str = "") -> docs.Document:
    if kind not in ("certificate", "declaration"):
        raise InputError(f"--kind must be certificate or declaration, got {kind!r}")
    if not data:
        raise InputError("refusing to send an empty file")
    media_type = sniff_media_type(data)
    doc = docs.Document(
        document_sha256=hashlib.sha256(data).hexdigest(),
        original=data,
        media_type=media_type,
        filename=filename,
    )
    fields = _json_fields(data) if media_type == "application/json" else None
    if fields is not None:
        doc.format_id = "cusdep-json"
        target = doc.certificate if kind == "certificate" else doc.declaration
        _fill(target, fields)
    elif media_type == "application/xml" and b"SPSCertificate" in data[:4096]:
        doc.format_id = "uncefact-sps"
    return doc


def _json_fields(data: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("fields"), dict):
        value = {
            k: (v.get("value") if isinstance(v, dict) else v) for k, v in value["fields"].items()
        }
    return value if isinstance(value, dict) else None


def _fill(target: Message, fields: dict[str, Any]) -> None:
    """Copy vocabulary fields that fit their proto type; anything else stays in the original."""
    target.SetInParent()
    by_name = target.DESCRIPTOR.fields_by_name
    for name, value in fields.items():
        field = by_name.get(name)
        if field is None or value is None:
            continue
        try:
            if field.is_repeated:
                getattr(target, field.name).extend(str(v) for v in value)
            elif field.type == field.TYPE_DOUBLE:
                setattr(target, field.name, float(value))
            elif field.type == field.TYPE_INT64:
                setattr(target, field.name, int(value))
            else:
                setattr(target, field.name, str(value))
        except (TypeError, ValueError):
            continue


def is_sha256(text: str) -> bool:
    """A document's name: its SHA-256 as 64 lower-case hex digits."""
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def parse_payload(kind: int, payload: bytes) -> Payload:
    """Decode and sanity-check a received payload; ``MalformedMessage`` when it does not fit."""
    name = KIND_NAMES.get(kind)
    if name is None:
        raise MalformedMessage(f"unknown message kind {kind}")
    message = _PAYLOADS[name]()
    try:
        message.ParseFromString(payload)
    except DecodeError as err:
        raise MalformedMessage(f"{name} payload does not decode") from err
    return Payload(name, _check(name, message), message)


def _check(kind: str, message: Message) -> str:
    if isinstance(message, docs.Document):
        if not message.original:
            raise MalformedMessage("document payload carries no original bytes")
        sha = hashlib.sha256(message.original).hexdigest()
        if message.document_sha256 != sha:
            raise MalformedMessage("document_sha256 does not match the original bytes")
        canonical = message.WhichOneof("canonical")
        if canonical is not None and canonical != kind:
            raise MalformedMessage(f"a {kind} message carries a canonical {canonical}")
        return sha
    if isinstance(message, docs.RegistryUpdate):
        if message.WhichOneof("record") is None:
            raise MalformedMessage("registry update names no record")
        return ""
    if isinstance(message, docs.Revocation):
        return _check_revocation(message)
    if isinstance(message, docs.ReviewOutcome):
        sha = message.document_sha256
        if not is_sha256(sha):
            raise MalformedMessage("review outcome names no document SHA-256 (64 lower-case hex)")
        if message.verdict not in VERDICTS or message.decided_by not in ("machine", "officer"):
            raise MalformedMessage("review outcome needs verdict accept|reject, machine|officer")
        return sha
    raise MalformedMessage("unsupported payload")


def _check_revocation(message: docs.Revocation) -> str:
    """The document a revocation names (its SHA-256), or "" for a registry record."""
    if message.target == docs.Revocation.TARGET_UNSPECIFIED or not message.subject_id:
        raise MalformedMessage("revocation names no target")
    if message.target != docs.Revocation.TARGET_DOCUMENT:
        return ""
    if not is_sha256(message.subject_id):
        raise MalformedMessage("document revocation names no document SHA-256 (64 lower-case hex)")
    return message.subject_id
