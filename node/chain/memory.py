"""In-memory fakes of the chain ports, with the contracts' rules, for fast unit tests.

They pass the same conformance suite as the web3 implementations (tests/contract/).
"""

from __future__ import annotations

import copy
import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from node.anchoring.merkle import process_proof
from node.errors import ChainReverted, ChainUnavailable, NoContract
from node.ports import AnchorReceipt, BlockMark


def _tx(*parts: object) -> str:
    return "0x" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _revert(name: str, **args: Any) -> ChainReverted:
    pretty = ", ".join(f"{k}={v}" for k, v in args.items())
    return ChainReverted(f"reverted with {name}({pretty})", error=name, args=args)


@dataclass
class _AnchorContract:
    """One DocumentAnchor's state, shared by every account's view of it (``as_writer``)."""

    admin: str
    writers: set[str]
    roots: dict[str, AnchorReceipt] = field(default_factory=dict)
    root_writers: dict[str, str] = field(default_factory=dict)
    revoked: set[tuple[str, str]] = field(default_factory=set)  # (root, leaf)
    by_admin: set[tuple[str, str]] = field(default_factory=set)  # (root, leaf) the admin revoked
    head: int = 0  # the latest block; each anchor is mined in a block of its own


class InMemoryChainAnchor:
    """The DocumentAnchor as account ``writer`` sees it; the first account is the deployer
    (admin and writer), ``as_writer`` gives another account's view of the same contract."""

    def __init__(
        self,
        writer: str = "0xwriter",
        *,
        authorised: bool = True,
        _contract: _AnchorContract | None = None,
    ) -> None:
        self.contract_address = "0x" + "a" * 40
        self.writer = writer
        self.contract = _contract or (  # deployed by ``writer``, or by an admin of its own
            _AnchorContract(admin=writer, writers={writer})
            if authorised
            else _AnchorContract(admin="0xadmin", writers={"0xadmin"})
        )
        self.available = True
        self.deployed = True  # False: no contract at ``contract_address`` (a reset chain)

    def as_writer(self, writer: str, *, authorised: bool = True) -> InMemoryChainAnchor:
        """The same contract seen by account ``writer`` (authorised as a writer unless told)."""
        if authorised:
            self.contract.writers.add(writer)
        return InMemoryChainAnchor(writer, _contract=self.contract)

    @property
    def writers(self) -> set[str]:
        return self.contract.writers

    @property
    def roots(self) -> dict[str, AnchorReceipt]:
        return self.contract.roots

    @property
    def head(self) -> int:
        return self.contract.head

    def _check(self) -> None:
        if not self.available:
            raise ChainUnavailable("in-memory chain is down")
        if self.writer not in self.contract.writers:
            raise _revert("NotWriter", caller=self.writer)

    async def anchor(self, root: str, leaf_count: int, batch_id: str) -> AnchorReceipt:
        self._check()
        if int(root, 16) == 0:
            raise _revert("ZeroRoot")
        if leaf_count == 0:
            raise _revert("EmptyBatch")
        c = self.contract
        if root in c.roots:
            raise _revert("AlreadyAnchored", root=root)
        c.head += 1
        receipt = AnchorReceipt(root, _tx(root, c.head), c.head, int(time.time()))
        c.roots[root] = receipt
        c.root_writers[root] = self.writer
        return receipt

    def rewind(self, block: int) -> None:
        """Lose every block after ``block``, as an anvil restarted from an older state dump."""
        c = self.contract
        c.head = min(c.head, block)
        lost = [r for r, a in c.roots.items() if a.block_number > block]
        for r in lost:
            del c.roots[r]
            c.root_writers.pop(r, None)
        c.revoked = {(r, leaf) for r, leaf in c.revoked if r in c.roots}
        c.by_admin = {(r, leaf) for r, leaf in c.by_admin if r in c.roots}

    async def find_anchor(self, root: str) -> AnchorReceipt | None:
        return self.contract.roots.get(root)

    async def root_timestamps(self, roots: Sequence[str]) -> list[int]:
        if not self.available:
            raise ChainUnavailable("in-memory chain is down")
        if not self.deployed:
            raise NoContract(f"no DocumentAnchor contract answers at {self.contract_address}")
        return [a.timestamp if (a := self.contract.roots.get(r)) else 0 for r in roots]

    async def block_number(self) -> int:
        if not self.available:
            raise ChainUnavailable("in-memory chain is down")
        return self.contract.head

    async def root_writer(self, root: str) -> str | None:
        return self.contract.root_writers.get(root)

    async def verify_leaf(self, root: str, proof: list[str], leaf: str) -> bool:
        if root not in self.contract.roots:
            return False
        return _computed_root(proof, leaf) == root

    async def revoke(self, root: str, proof: list[str], leaf: str, reason: str) -> str:
        if not self.available:
            raise ChainUnavailable("in-memory chain is down")
        c = self.contract
        is_admin = self.writer == c.admin
        if not is_admin and self.writer not in c.writers:
            raise _revert("NotWriter", caller=self.writer)
        if root not in c.roots:
            raise _revert("NotAnchored", root=root)
        if not is_admin and c.root_writers.get(root) != self.writer:
            raise _revert("NotRootWriter", caller=self.writer, root=root)
        if _computed_root(proof, leaf) != root:
            raise _revert("NotInRoot", root=root, leaf=leaf)
        if (root, leaf) in c.revoked:
            raise _revert("AlreadyRevoked", root=root, leaf=leaf)
        c.revoked.add((root, leaf))
        if is_admin:
            c.by_admin.add((root, leaf))
        return _tx(root, leaf, reason)

    async def is_revoked_in(self, root: str, leaf: str) -> bool:
        return (root, leaf) in self.contract.revoked

    async def is_revoked(self, leaf: str) -> bool:
        """Revoked by the admin, as DocumentAnchor 3.x answers ``revoked(leaf)``."""
        return any(revoked == leaf for _root, revoked in self.contract.by_admin)

    async def is_revoked_by(self, writer: str, leaf: str) -> bool:
        c = self.contract
        return any(lf == leaf and c.root_writers.get(r) == writer for r, lf in c.revoked)


def _computed_root(proof: list[str], leaf: str) -> str:
    computed = process_proof(bytes.fromhex(leaf[2:]), (bytes.fromhex(p[2:]) for p in proof))
    return "0x" + computed.hex()


@dataclass
class _RegistryBlocks:
    """The blocks of the in-memory TrustRegistry's chain: each write is mined in a block of its
    own, with an event (``mine`` adds one without), and the records as that block left them."""

    salt: str = field(default_factory=lambda: os.urandom(8).hex())  # another chain, other hashes
    head: int = 0
    changed: dict[int, dict[tuple[str, str, str], dict[str, Any]]] = field(default_factory=dict)

    def hash(self, number: int) -> str:
        return _tx("block", self.salt, number)

    def mark(self) -> BlockMark:
        return BlockMark(self.head, self.hash(self.head))


class InMemoryTrustRegistry:
    """Records keyed by (kind, registrar, id); the caller acts as the authority of ``country``."""

    def __init__(
        self,
        country: str | None,
        records: dict[tuple[str, str, str], dict[str, Any]] | None = None,
        _blocks: _RegistryBlocks | None = None,
    ) -> None:
        self.contract_address = "0x" + "b" * 40
        self.country = country
        self.records = records if records is not None else {}  # share to model one contract
        self.blocks = _blocks or _RegistryBlocks()

    def as_authority(self, country: str | None) -> InMemoryTrustRegistry:
        """The same registry seen by another authority's account."""
        return InMemoryTrustRegistry(country, self.records, self.blocks)

    def mine(self) -> None:
        """A block without a registry event (another contract's transaction)."""
        self.blocks.head += 1

    def _mined(self) -> None:
        """A write's block, its event, and the records as it left them."""
        self.blocks.head += 1
        self.blocks.changed[self.blocks.head] = copy.deepcopy(self.records)

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
        tx = _tx(key)
        self.records[("register_tx", registrar, f"{kind}/{fields['id']}")] = {"tx": tx}
        self._mined()
        return tx

    async def set_officer_validity(
        self, registrar: str, record_id: str, valid_from: int, valid_to: int
    ) -> str:
        self._as(registrar)
        if valid_to and valid_to < valid_from:
            raise _revert("InvalidValidity", validFrom=valid_from, validTo=valid_to)
        record = self.records.get(("officer", registrar, record_id))
        if record is None:
            raise _revert("UnknownRecord", registrar=registrar, id=record_id)
        if record["revoked_at"]:
            raise _revert("AlreadyRevoked", registrar=registrar, id=record_id)
        record.update(valid_from=int(valid_from), valid_to=int(valid_to))
        self._mined()
        return _tx("validity", registrar, record_id, valid_from, valid_to)

    async def registration_tx(self, kind: str, registrar: str, record_id: str) -> str:
        found = self.records.get(("register_tx", registrar, f"{kind}/{record_id}")) or {}
        return str(found.get("tx", ""))

    async def revoke(self, kind: str, registrar: str, record_id: str, reason: str) -> str:
        self._as(registrar)
        record = self.records.get((kind, registrar, record_id))
        if record is None:
            raise _revert("UnknownRecord", registrar=registrar, id=record_id)
        if record["revoked_at"]:
            raise _revert("AlreadyRevoked", registrar=registrar, id=record_id)
        record["revoked_at"] = int(time.time())
        tx = _tx(kind, registrar, record_id, reason)
        self.records[("revoke_tx", registrar, f"{kind}/{record_id}")] = {"tx": tx}
        self._mined()
        return tx

    async def revocation_tx(self, kind: str, registrar: str, record_id: str) -> str:
        found = self.records.get(("revoke_tx", registrar, f"{kind}/{record_id}")) or {}
        return str(found.get("tx", ""))

    async def get(self, kind: str, registrar: str, record_id: str) -> dict[str, Any] | None:
        record = self.records.get((kind, registrar, record_id))
        return dict(record) if record else None

    async def get_many(
        self, keys: Sequence[tuple[str, str, str]], *, at: BlockMark | None = None
    ) -> list[dict[str, Any] | None]:
        if at is None or at.number >= self.blocks.head:
            return [await self.get(*key) for key in keys]
        written = [n for n in self.blocks.changed if n <= at.number]
        then = self.blocks.changed[max(written)] if written else {}
        return [dict(r) if (r := then.get(key)) else None for key in keys]

    async def head(self) -> BlockMark:
        return self.blocks.mark()

    async def unchanged_since(self, mark: BlockMark) -> BlockMark | None:
        b = self.blocks
        if mark.number > b.head or b.hash(mark.number) != mark.hash:
            return None
        return None if any(n > mark.number for n in b.changed) else b.mark()
