"""TrustRegistry over web3 (the real TrustRegistryChain)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from hexbytes import HexBytes

from node.chain.admin import AdminRole
from node.chain.reader import call_data, output
from node.chain.records import BATCH, GETTERS, country2, decode, sha32
from node.errors import ChainError, ChainUnavailable, InputError
from node.ports import BlockMark

logger = logging.getLogger(__name__)

_KIND_CODES = {"agency": 1, "seal": 2, "officer": 3, "template": 4}  # RecordRevoked's kind
_REGISTERED = {
    "agency": "AgencyRegistered",
    "seal": "SealRegistered",
    "officer": "OfficerRegistered",
    "template": "TemplateRegistered",
}
_REVOKERS = {
    "agency": "revokeAgency",
    "seal": "revokeSeal",
    "officer": "revokeOfficer",
    "template": "revokeTemplate",
}


class Web3TrustRegistry(AdminRole):
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

    async def set_officer_validity(
        self, registrar: str, record_id: str, valid_from: int, valid_to: int
    ) -> str:
        fn = (await self._c()).functions.setOfficerValidity(
            country2(registrar), record_id, int(valid_from), int(valid_to)
        )
        receipt = await self.client.transact(fn)
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def registration_tx(self, kind: str, registrar: str, record_id: str) -> str:
        """The transaction that registered the record (its ``*Registered`` event), "" if none."""
        contract = await self._c()
        event = getattr(contract.events, _REGISTERED[kind])()
        return await self._event_tx(
            event, [HexBytes(country2(registrar).ljust(32, b"\0"))], record_id
        )

    async def revocation_tx(self, kind: str, registrar: str, record_id: str) -> str:
        """The transaction that revoked the record (its ``RecordRevoked`` event), "" if none."""
        contract = await self._c()
        event = contract.events.RecordRevoked()
        topics = [
            HexBytes(_KIND_CODES[kind].to_bytes(32, "big")),
            HexBytes(country2(registrar).ljust(32, b"\0")),
        ]
        return await self._event_tx(event, topics, record_id)

    async def _event_tx(self, event: Any, topics: list[HexBytes], record_id: str) -> str:
        """The first transaction whose ``event`` (indexed ``topics``) names ``record_id``."""
        logs = await self.client.w3.eth.get_logs(
            {
                "address": event.address,
                "fromBlock": 0,
                "toBlock": "latest",
                "topics": [event.topic, *topics],
            }
        )
        for log in logs:
            if event.process_log(log)["args"]["id"] == record_id:
                return HexBytes(log["transactionHash"]).to_0x_hex()
        return ""

    async def get(self, kind: str, registrar: str, record_id: str) -> dict[str, Any] | None:
        fn = getattr((await self._c()).functions, GETTERS[kind])(country2(registrar), record_id)
        return decode(kind, tuple(await self.client.call(fn)))

    async def get_many(
        self, keys: Sequence[tuple[str, str, str]], *, at: BlockMark | None = None
    ) -> list[dict[str, Any] | None]:
        """One JSON-RPC batch per ``BATCH`` records (a registry of a hundred records read one
        call at a time cost a one-shot ``cusdep verify`` about a second); as of block number
        ``at.number`` if given (a chain reorganised meanwhile answers for its own block of
        that number: ``unchanged_since`` of ``at`` then says it changed)."""
        contract = await self._c()
        out: list[dict[str, Any] | None] = []
        for i in range(0, len(keys), BATCH):
            chunk = keys[i : i + BATCH]
            raws = await self.client.eth_calls(
                contract.address,
                [call_data(*key) for key in chunk],
                block=at.number if at else None,
            )
            out.extend(decode(k[0], output(k[0], r)) for k, r in zip(chunk, raws, strict=True))
        return out

    async def head(self) -> BlockMark:
        return _mark(await self.client.rpc("eth_getBlockByNumber", ["latest", False]))

    async def unchanged_since(self, mark: BlockMark) -> BlockMark | None:
        """Three round trips: the head, the contract's logs after ``mark`` up to it, and
        ``mark``'s hash again. The hash is looked at after the logs: a chain that lost ``mark``
        before the logs were read shows so there; one that changed later has another block at
        the head returned, which the next look finds changed."""
        contract = await self._c()
        head = await self.head()
        if head.number <= mark.number:
            return head if head == mark else None
        window = {
            "address": contract.address,
            "fromBlock": hex(mark.number + 1),
            "toBlock": hex(head.number),
        }
        try:
            logs = await self.client.rpc("eth_getLogs", [window])
        except ChainUnavailable as err:  # e.g. a provider's limit on a long range of blocks
            logger.info("registry logs since block %d not read (%s): read again", mark.number, err)
            return None
        if logs:
            return None
        block = await self.client.rpc("eth_getBlockByNumber", [hex(mark.number), False])
        return head if block and block.get("hash") == mark.hash else None

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


def _mark(block: dict[str, Any] | None) -> BlockMark:
    if not block:
        raise ChainError("the chain returned no latest block")
    return BlockMark(int(block["number"], 16), str(block["hash"]))
