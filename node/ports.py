"""Narrow interfaces to external systems. Each has a real and a fake implementation that pass
the same conformance tests (tests/contract/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class AnchorReceipt:
    root: str  # 0x-hex bytes32
    tx_hash: str
    block_number: int
    timestamp: int
    gas_used: int = 0


class ChainAnchor(Protocol):
    """The DocumentAnchor contract as the node uses it."""

    contract_address: str

    async def anchor(self, root: str, leaf_count: int, batch_id: str) -> AnchorReceipt: ...

    async def find_anchor(self, root: str) -> AnchorReceipt | None: ...

    async def root_timestamps(self, roots: Sequence[str]) -> list[int]:
        """The contract's ``rootTimestamp`` of each root, in order (0: not anchored), in as
        few round trips as the chain allows; ``ChainUnavailable`` when no contract answers at
        ``contract_address`` (a chain that was reset, or another chain)."""
        ...

    async def block_number(self) -> int:
        """The chain's head: the number of its latest block."""
        ...

    async def verify_leaf(self, root: str, proof: list[str], leaf: str) -> bool: ...

    async def revoke(self, root: str, proof: list[str], leaf: str, reason: str) -> str:
        """Revoke ``leaf`` under ``root``: ``root`` must be anchored (``NotAnchored``), by this
        account unless it is the admin (``NotRootWriter``), and ``proof`` must link ``leaf`` to
        it (``NotInRoot``); once per (root, leaf) (``AlreadyRevoked``)."""
        ...

    async def is_revoked_in(self, root: str, leaf: str) -> bool:
        """Whether ``leaf`` was revoked under ``root`` (by that root's writer or the admin): the
        check for a document verified against ``root``."""
        ...

    async def is_revoked(self, leaf: str) -> bool:
        """Whether the consortium admin revoked ``leaf`` (under any root), which no writer can
        make so (DocumentAnchor 3.x; on an earlier one: revoked under any root, by anyone, since
        any writer can anchor a root of its own over any leaf). ``is_revoked_in`` says whether
        the attestation one checks was revoked."""
        ...


RecordKind = str  # "agency" | "seal" | "officer" | "template"


@dataclass(frozen=True)
class BlockMark:
    """One block of the chain: its number and hash (a chain that was reset or reorganised has
    another block, another hash, at that number)."""

    number: int
    hash: str


class RegistryRecords(Protocol):
    """Reading TrustRegistry records: all a review needs to check its specimens."""

    async def get_many(
        self, keys: Sequence[tuple[RecordKind, str, str]]
    ) -> list[dict[str, Any] | None]:
        """``get`` of each (kind, registrar, record_id), in order, in as few round trips as
        the chain allows."""
        ...


class RegistryHistory(Protocol):
    """TrustRegistry records as of a block, and whether any changed since: what lets a
    long-running node keep the records it read while the chain shows no change."""

    async def head(self) -> BlockMark:
        """The chain's latest block."""
        ...

    async def unchanged_since(self, mark: BlockMark) -> BlockMark | None:
        """The chain's latest block if every record reads as it did at ``mark``: ``mark`` is
        still on the chain (same hash at its number) and the contract emitted no event since
        (the TrustRegistry emits one on every change of its state); ``None`` otherwise."""
        ...

    async def get_many(
        self, keys: Sequence[tuple[RecordKind, str, str]], *, at: BlockMark | None = None
    ) -> list[dict[str, Any] | None]:
        """``get`` of each (kind, registrar, record_id) as of block ``at`` (the latest if
        ``None``), in order."""
        ...


class TrustRegistryChain(Protocol):
    """The TrustRegistry contract: writes in our own registrar's name, reads of anyone's."""

    contract_address: str

    async def register(self, kind: RecordKind, registrar: str, fields: dict[str, Any]) -> str: ...

    async def revoke(
        self, kind: RecordKind, registrar: str, record_id: str, reason: str
    ) -> str: ...

    async def set_officer_validity(
        self, registrar: str, record_id: str, valid_from: int, valid_to: int
    ) -> str:
        """An officer's validity changed (unix seconds, 0 open); the transaction."""
        ...

    async def registration_tx(self, kind: RecordKind, registrar: str, record_id: str) -> str:
        """The transaction that registered the record, "" when the chain shows none."""
        ...

    async def revocation_tx(self, kind: RecordKind, registrar: str, record_id: str) -> str:
        """The transaction that revoked the record, "" when the chain shows none."""
        ...

    async def get(
        self, kind: RecordKind, registrar: str, record_id: str
    ) -> dict[str, Any] | None: ...

    async def get_many(
        self, keys: Sequence[tuple[RecordKind, str, str]], *, at: BlockMark | None = None
    ) -> list[dict[str, Any] | None]:
        """``get`` of each (kind, registrar, record_id) as of block ``at`` (the latest if
        ``None``), in order, in as few round trips as the chain allows."""
        ...

    async def head(self) -> BlockMark:
        """The chain's latest block (``RegistryHistory``)."""
        ...

    async def unchanged_since(self, mark: BlockMark) -> BlockMark | None:
        """See ``RegistryHistory.unchanged_since``."""
        ...


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)
