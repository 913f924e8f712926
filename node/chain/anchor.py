"""DocumentAnchor over web3 (the real ChainAnchor)."""

from __future__ import annotations

import logging

from hexbytes import HexBytes

from node.chain.client import LazyContract
from node.ports import AnchorReceipt

logger = logging.getLogger(__name__)


def _b32(value: str) -> bytes:
    raw = bytes(HexBytes(value))
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}: {value}")
    return raw


class Web3ChainAnchor(LazyContract):
    """The DocumentAnchor contract; its address is resolved on first use."""

    contract_name = "DocumentAnchor"

    async def anchor(self, root: str, leaf_count: int, batch_id: str) -> AnchorReceipt:
        receipt = await self.client.transact(
            (await self._c()).functions.anchor(_b32(root), leaf_count, _b32(batch_id))
        )
        ts = await self.client.call((await self._c()).functions.rootTimestamp(_b32(root)))
        return AnchorReceipt(
            root=root,
            tx_hash=HexBytes(receipt["transactionHash"]).to_0x_hex(),
            block_number=int(receipt["blockNumber"]),
            timestamp=int(ts),
            gas_used=int(receipt["gasUsed"]),
        )

    async def find_anchor(self, root: str) -> AnchorReceipt | None:
        ts = int(await self.client.call((await self._c()).functions.rootTimestamp(_b32(root))))
        if ts == 0:
            return None
        logs = await self.client.w3.eth.get_logs(
            {
                "address": (await self._c()).address,
                "fromBlock": 0,
                "toBlock": "latest",
                "topics": [(await self._c()).events.RootAnchored().topic, HexBytes(_b32(root))],
            }
        )
        if not logs:
            return AnchorReceipt(root=root, tx_hash="", block_number=0, timestamp=ts)
        log = logs[0]
        return AnchorReceipt(
            root=root,
            tx_hash=HexBytes(log["transactionHash"]).to_0x_hex(),
            block_number=int(log["blockNumber"]),
            timestamp=ts,
        )

    async def verify_leaf(self, root: str, proof: list[str], leaf: str) -> bool:
        fn = (await self._c()).functions.verifyLeaf(
            _b32(root), [_b32(p) for p in proof], _b32(leaf)
        )
        return bool(await self.client.call(fn))

    async def revoke(self, leaf: str, reason: str) -> str:
        receipt = await self.client.transact((await self._c()).functions.revoke(_b32(leaf), reason))
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def is_revoked(self, leaf: str) -> bool:
        return bool(await self.client.call((await self._c()).functions.revoked(_b32(leaf))))

    # consortium administration (not part of the port)
    async def authorise(self, writer: str) -> str:
        receipt = await self.client.transact(
            (await self._c()).functions.authorise(self.client.w3.to_checksum_address(writer))
        )
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def is_writer(self, account: str) -> bool:
        fn = (await self._c()).functions.isWriter(self.client.w3.to_checksum_address(account))
        return bool(await self.client.call(fn))
