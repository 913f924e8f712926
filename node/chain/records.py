"""TrustRegistry records as the getters return them: kinds, field names, argument checks and
decoding, shared by the web3 adapter and the plain JSON-RPC reader (no web3 import here)."""

from __future__ import annotations

from typing import Any

from node.errors import InputError

BATCH = 200  # records per JSON-RPC batch

KINDS = ("agency", "seal", "officer", "template")
GETTERS = {
    "agency": "getAgency",
    "seal": "getSeal",
    "officer": "getOfficer",
    "template": "getTemplate",
}
FIELDS = {
    "agency": (
        "id",
        "country",
        "name",
        "registrar",
        "registered_by",
        "authoritative",
        "registered_at",
        "revoked_at",
    ),
    "seal": (
        "id",
        "agency_id",
        "image_sha256",
        "registrar",
        "registered_by",
        "authoritative",
        "registered_at",
        "revoked_at",
    ),
    "officer": (
        "id",
        "agency_id",
        "signature_sha256",
        "valid_from",
        "valid_to",
        "registrar",
        "registered_by",
        "authoritative",
        "registered_at",
        "revoked_at",
    ),
    "template": (
        "id",
        "country",
        "template_sha256",
        "registrar",
        "registered_by",
        "authoritative",
        "registered_at",
        "revoked_at",
    ),
}


def country2(code: str) -> bytes:
    raw = code.upper().encode("ascii")
    if len(raw) != 2:
        raise InputError(f"not a 2-letter country code: {code!r}")
    return raw


def sha32(hex_digest: str) -> bytes:
    from hexbytes import HexBytes  # not on the read path (``cusdep verify`` only reads)

    raw = bytes(HexBytes(hex_digest))
    if len(raw) != 32:
        raise InputError(f"not a SHA-256 digest: {hex_digest!r}")
    return raw


def decode(kind: str, values: tuple[Any, ...]) -> dict[str, Any] | None:
    record = dict(zip(FIELDS[kind], values, strict=True))
    if record["registered_at"] == 0:
        return None
    for key, value in record.items():
        if isinstance(value, bytes):
            record[key] = value.decode("ascii") if len(value) == 2 else value.hex()
    return record
