"""DocumentAnchor over web3 (the real ChainAnchor)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hexbytes import HexBytes
from web3.exceptions import BadFunctionCallOutput

from node.chain.admin import AdminRole, major
from node.chain.client import outdated
from node.errors import ChainReverted, ConfigError, NoContract
from node.ports import AnchorReceipt

logger = logging.getLogger(__name__)
BATCH = 256  # rootTimestamp calls per JSON-RPC batch
# DocumentAnchor 1.0.0, deployed by nodes before revocations were kept per root: its revoke took
# only the leaf (any writer), and it has no revokedIn. Its roots stay valid attestations.
LEAF_WIDE_VERSION = "1.0.0"
_LEAF_WIDE_REVOKE = [
    {
        "type": "function",
        "name": "revoke",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "leaf", "type": "bytes32"}, {"name": "reason", "type": "string"}],
        "outputs": [],
    }
]
# DocumentAnchor 3.0.0 keeps revocations per writer (revokedBy) and leaf-wide only the admin's
# (revoked): before it, revoked(leaf) was true once any writer revoked the leaf under a root of
# its own, so one writer could make another's genuine document read as revoked.
PER_WRITER_MAJOR = 3


def _b32(value: str) -> bytes:
    raw = bytes(HexBytes(value))
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)}: {value}")
    return raw


class Web3ChainAnchor(AdminRole):
    """The DocumentAnchor contract; its address is resolved on first use."""

    contract_name = "DocumentAnchor"
    _version: str | None = None

    async def version(self) -> str:
        """The deployed contract's ``version()`` (asked once)."""
        if self._version is None:
            self._version = await super().version()
        return self._version

    async def _leaf_wide(self) -> bool:
        return await self.version() == LEAF_WIDE_VERSION

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

    async def root_timestamps(self, roots: Sequence[str]) -> list[int]:
        contract = await self._c()
        out: list[int] = []
        for i in range(0, len(roots), BATCH):
            calls = [contract.functions.rootTimestamp(_b32(r)) for r in roots[i : i + BATCH]]
            try:
                out.extend(int(ts) for ts in await self.client.call_batch(calls))
            except BadFunctionCallOutput as err:  # the call came back empty: no code there
                raise NoContract(
                    f"no DocumentAnchor contract answers at {contract.address} on the chain at "
                    f"{self.client.rpc_url} (a chain that was reset, or another chain)"
                ) from err
        return out

    async def block_number(self) -> int:
        return await self.client.block_number()

    async def verify_leaf(self, root: str, proof: list[str], leaf: str) -> bool:
        fn = (await self._c()).functions.verifyLeaf(
            _b32(root), [_b32(p) for p in proof], _b32(leaf)
        )
        return bool(await self.client.call(fn))

    async def revoke(self, root: str, proof: list[str], leaf: str, reason: str) -> str:
        contract = await self._c()
        if await self._leaf_wide():
            if not await self.verify_leaf(root, proof, leaf):
                raise ChainReverted(f"leaf {leaf} is not in anchored root {root}")
            legacy = self.client.w3.eth.contract(address=contract.address, abi=_LEAF_WIDE_REVOKE)
            fn = legacy.functions.revoke(_b32(leaf), reason)
        else:
            fn = contract.functions.revoke(_b32(root), [_b32(p) for p in proof], _b32(leaf), reason)
        receipt = await self.client.transact(fn)
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def is_revoked_in(self, root: str, leaf: str) -> bool:
        """Per root since DocumentAnchor 1.1.0; on 1.0.0, which keeps revocations per leaf only,
        whether the leaf was revoked at all."""
        if await self._leaf_wide():
            return await self.is_revoked(leaf)
        fn = (await self._c()).functions.revokedIn(_b32(root), _b32(leaf))
        return bool(await self.client.call(fn))

    async def is_revoked(self, leaf: str) -> bool:
        """``revoked(leaf)``: revoked by the admin on 3.x; before it, by anyone under any root."""
        return bool(await self.client.call((await self._c()).functions.revoked(_b32(leaf))))

    async def is_revoked_by(self, writer: str, leaf: str) -> bool:
        """Whether ``leaf`` was revoked under a root ``writer`` anchored (``revokedBy``, 3.x;
        an earlier contract has no such view: ``ConfigError``); not part of the port."""
        version = await self.version()
        if major(version) < PER_WRITER_MAJOR:
            lacks = "no per-writer revocation view (revokedBy)"
            address = (await self._c()).address
            raise ConfigError(outdated(self.contract_name, address, version, lacks))
        checksum = self.client.w3.to_checksum_address(writer)
        fn = (await self._c()).functions.revokedBy(checksum, _b32(leaf))
        return bool(await self.client.call(fn))

    async def root_writer(self, root: str) -> str | None:
        """The account that anchored ``root`` (None: not anchored); not part of the port."""
        fn = (await self._c()).functions.rootWriter(_b32(root))
        writer = str(await self.client.call(fn))
        return None if int(writer, 16) == 0 else writer

    # consortium administration (not part of the port)
    async def authorise(self, writer: str) -> str:
        receipt = await self.client.transact(
            (await self._c()).functions.authorise(self.client.w3.to_checksum_address(writer))
        )
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def deauthorise(self, writer: str) -> str:
        receipt = await self.client.transact(
            (await self._c()).functions.deauthorise(self.client.w3.to_checksum_address(writer))
        )
        return HexBytes(receipt["transactionHash"]).to_0x_hex()

    async def is_writer(self, account: str) -> bool:
        fn = (await self._c()).functions.isWriter(self.client.w3.to_checksum_address(account))
        return bool(await self.client.call(fn))
