"""In-memory fakes of the chain ports, with the contracts' rules, for fast unit tests.

They pass the same conformance suite as the web3 implementations (tests/contract/).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

from node.anchoring.merkle import process_proof
from node.errors import ChainReverted, ChainUnavailable
from node.ports import AnchorReceipt


def _tx(*parts: object) -> str:
    return "0x" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _revert(name: str, **args: Any) -> ChainReverted:
    pretty = ", ".join(f"{k}={v}" for k, v in args.items())
    return ChainReverted(f"reverted with {name}({pretty})", error=name, args=args)


class InMemoryChainAnchor:
    def __init__(self, writer: str = "0xwriter", *, authorised: bool = True) -> None:
        self.contract_address = "0x" + "a" * 40
        self.writer = writer
        self.writers = {writer} if authorised else set()
        self.roots: dict[str, AnchorReceipt] = {}
        self.revoked: set[str] = set()
        self.available = True
        self.deployed = True  # False: no contract at ``contract_address`` (a reset chain)
        self.head = 0  # the latest block; each anchor is mined in a block of its own

    def _check(self) -> None:
        if not self.available:
            raise ChainUnavailable("in-memory chain is down")
        if self.writer not in self.writers:
            raise _revert("NotWriter", caller=self.writer)

    async def anchor(self, root: str, leaf_count: int, batch_id: str) -> AnchorReceipt:
        self._check()
        if int(root, 16) == 0:
            raise _revert("ZeroRoot")
        if leaf_count == 0:
            raise _revert("EmptyBatch")
        if root in self.roots:
            raise _revert("AlreadyAnchored", root=root)
        self.head += 1
        receipt = AnchorReceipt(root, _tx(root, self.head), self.head, int(time.time()))
        self.roots[root] = receipt
        return receipt

    def rewind(self, block: int) -> None:
        """Lose every block after ``block``, as an anvil restarted from an older state dump."""
        self.head = min(self.head, block)
        self.roots = {r: a for r, a in self.roots.items() if a.block_number <= block}

    async def find_anchor(self, root: str) -> AnchorReceipt | None:
        return self.roots.get(root)

    async def root_timestamps(self, roots: Sequence[str]) -> list[int]:
        if not self.available:
            raise ChainUnavailable("in-memory chain is down")
        if not self.deployed:
            raise ChainUnavailable(f"no DocumentAnchor contract answers at {self.contract_address}")
        return [a.timestamp if (a := self.roots.get(r)) else 0 for r in roots]

    async def block_number(self) -> int:
        if not self.available:
            raise ChainUnavailable("in-memory chain is down")
        return self.head

    async def verify_leaf(self, root: str, proof: list[str], leaf: str) -> bool:
        if root not in self.roots:
            return False
        computed = process_proof(bytes.fromhex(leaf[2:]), (bytes.fromhex(p[2:]) for p in proof))
        return "0x" + computed.hex() == root

    async def revoke(self, leaf: str, reason: str) -> str:
        self._check()
        if leaf in self.revoked:
            raise _revert("AlreadyRevoked", leaf=leaf)
        self.revoked.add(leaf)
        return _tx(leaf, reason)

    async def is_revoked(self, leaf: str) -> bool:
        return leaf in self.revoked


class InMemoryTrustRegistry:
    """Records keyed by (kind, registrar, id); the caller acts as the authority of ``country``."""

    def __init__(
        self, country: str | None, records: dict[tuple[str, str, str], dict[str, Any]] | None = None
    ) -> None:
        self.contract_address = "0x" + "b" * 40
        self.country = country
        self.records = records if records is not None else {}  # share to model one contract

    def as_authority(self, country: str | None) -> InMemoryTrustRegistry:
        """The same registry seen by another authority's account."""
        return InMemoryTrustRegistry(country, self.records)

    def _as(self, registrar: str) -> None:
        if self.country is None:
            raise _revert("NotAuthority", caller="0xcaller")
        if registrar != self.country:
            raise _revert("NotRegistrar", caller="0xcaller", registrar=registrar)

    async def register(self, kind: str, registrar: str, fields: dict[str, Any]) -> str:
        self._as(registrar)
        key = (kind, registrar, fields["id"])
        if key in self.records:
            raise _revert("RecordExists", registrar=registrar, id=fields["id"])
        record = dict(fields)
        if kind in ("agency", "template"):
            if fields["authoritative"] and fields["country"] != registrar:
                raise _revert("NotAuthoritativeFor", registrar=registrar, country=fields["country"])
        else:
            agency = self.records.get(("agency", registrar, fields["agency_id"]))
            if agency is None or agency["revoked_at"]:
                raise _revert("UnknownAgency", registrar=registrar, agencyId=fields["agency_id"])
            record["authoritative"] = agency["authoritative"]
        record.update(registrar=registrar, registered_at=int(time.time()), revoked_at=0)
        self.records[key] = record
        return _tx(key)

    async def revoke(self, kind: str, registrar: str, record_id: str, reason: str) -> str:
        self._as(registrar)
        record = self.records.get((kind, registrar, record_id))
        if record is None:
            raise _revert("UnknownRecord", registrar=registrar, id=record_id)
        if record["revoked_at"]:
            raise _revert("AlreadyRevoked", registrar=registrar, id=record_id)
        record["revoked_at"] = int(time.time())
        return _tx(kind, registrar, record_id, reason)

    async def get(self, kind: str, registrar: str, record_id: str) -> dict[str, Any] | None:
        record = self.records.get((kind, registrar, record_id))
        return dict(record) if record else None

    async def get_many(self, keys: Sequence[tuple[str, str, str]]) -> list[dict[str, Any] | None]:
        return [await self.get(*key) for key in keys]
