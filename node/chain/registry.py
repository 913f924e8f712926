"""TrustRegistry over web3 (the real TrustRegistryChain)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from hexbytes import HexBytes

from node.chain.client import LazyContract
from node.errors import InputError

logger = logging.getLogger(__name__)

_BATCH = 200  # records per JSON-RPC batch

KINDS = ("agency", "seal", "officer", "template")
_GETTERS = {
    "agency": "getAgency",
    "seal": "getSeal",
    "officer": "getOfficer",
    "template": "getTemplate",
}
_REVOKERS = {
    "agency": "revokeAgency",
    "seal": "revokeSeal",
    "officer": "revokeOfficer",
    "template": "revokeTemplate",
}
_FIELDS = {
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
    raw = bytes(HexBytes(hex_digest))
    if len(raw) != 32:
        raise InputError(f"not a SHA-256 digest: {hex_digest!r}")
    return raw


def _decode(kind: str, values: tuple[Any, ...]) -> dict[str, Any] | None:
    record = dict(zip(_FIELDS[kind], values, strict=True))
    if record["registered_at"] == 0:
        return None
    for key, value in record.items():
        if isinstance(value, bytes):
            record[key] = value.decode("ascii") if len(value) == 2 else value.hex()
    return record


class Web3TrustRegistry(LazyContract):
    """The TrustRegistry contract; its address is resolved on first use."""

    contract_name = "TrustRegistry"

    async def register(self, kind: str, registrar: str, fields: dict[str, Any]) -> str:
        f = (await self._c()).functions
        reg = country2(registrar)
        if kind == "agency":
            fn = f.registerAgency(
                reg,
                fields["id"],
                country2(fields["country"]),
                fields["name"],
                bool(fields["authoritative"]),
            )
        elif kind == "seal":
            fn = f.registerSeal(
                reg, fields["id"], fields["agency_id"], sha32(fields["image_sha256"])
            )
        elif kind == "officer":
            fn = f.registerOfficer(
                reg,
                fields["id"],
                fields["agency_id"],
                sha32(fields["signature_sha256"]),
                int(fields["valid_from"]),
                int(fields["valid_to"]),
            )
        elif kind == "template":
            fn = f.registerTemplate(
                reg,
                fields["id"],
                country2(fields["country"]),
                sha32(fields["template_sha256"]),
                bool(fields["authoritative"]),
            )
        else:
            raise InputError(f"unknown registry record kind {kind!r}")
        receipt = await self.client.transact(fn)
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def revoke(self, kind: str, registrar: str, record_id: str, reason: str) -> str:
        fn = getattr((await self._c()).functions, _REVOKERS[kind])(
            country2(registrar), record_id, reason
        )
        receipt = await self.client.transact(fn)
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def get(self, kind: str, registrar: str, record_id: str) -> dict[str, Any] | None:
        fn = getattr((await self._c()).functions, _GETTERS[kind])(country2(registrar), record_id)
        return _decode(kind, tuple(await self.client.call(fn)))

    async def get_many(self, keys: Sequence[tuple[str, str, str]]) -> list[dict[str, Any] | None]:
        """One JSON-RPC batch per ``_BATCH`` records (a registry of a hundred records read one
        call at a time cost a one-shot ``cusdep verify`` about a second)."""
        contract = await self._c()
        out: list[dict[str, Any] | None] = []
        for i in range(0, len(keys), _BATCH):
            chunk = keys[i : i + _BATCH]
            calls = [
                getattr(contract.functions, _GETTERS[kind])(country2(registrar), record_id)
                for kind, registrar, record_id in chunk
            ]
            values = await self.client.call_batch(calls)
            out.extend(_decode(k[0], tuple(v)) for k, v in zip(chunk, values, strict=True))
        return out

    # consortium administration (not part of the port)
    async def add_authority(self, country: str, account: str) -> str:
        fn = (await self._c()).functions.addAuthority(
            country2(country), self.client.w3.to_checksum_address(account)
        )
        receipt = await self.client.transact(fn)
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def authority_of(self, account: str) -> str:
        raw = await self.client.call(
            (await self._c()).functions.authorityOf(self.client.w3.to_checksum_address(account))
        )
        return "" if raw == b"\0\0" else bytes(raw).decode("ascii")
