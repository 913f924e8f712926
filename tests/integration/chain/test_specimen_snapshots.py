"""The node's registry snapshot kept between reviews (``SpecimenSnapshots``) on a real anvil:
read once while nothing changes, and never used once the chain shows a change (a partner's
revocation, an officer's validity, a template registered, a chain reset or reorganised, a
write landing while the snapshot is read).

A partner (AU) writes on chain in its own name; its records reached this node's database by
registry sync, which a chain write does not wait for: the chain changes under unchanged rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import ChainClient, new_account
from node.chain.devchain import EmbeddedAnvil
from node.chain.registry import Web3TrustRegistry
from node.netports import free_port
from node.ports import BlockMark
from node.registry.specimens import RegistrySpecimens, SpecimenSnapshots
from node.storage.blobs import BlobStore
from node.storage.db import Database
from tests.integration.chain.conftest import Deployed, fixed
from tests.unit.registry.records import AU_TEMPLATE, png, synced_row

_HASH = {"seal": "image_sha256", "officer": "signature_sha256", "template": "template_sha256"}
TRUSTED = {"CN", "AU"}


def _ts(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())


@dataclass
class Partner:
    """AU's authority on the chain, and the rows its records are synced into here."""

    chain: Web3TrustRegistry
    db: Database
    blobs: BlobStore
    rows: bool = True  # False: on chain only (the rows are here already)

    async def record(
        self, kind: str, fields: dict[str, Any], data: bytes = b"", *, on_chain: bool = True
    ) -> None:
        sha = self.blobs.put(data) if data else ""
        fields = {**fields, _HASH[kind]: sha} if kind in _HASH else fields
        if on_chain:
            await self.chain.register(kind, "AU", fields)
        if self.rows:
            self.row(kind, fields, sha)

    def row(self, kind: str, fields: dict[str, Any], sha: str) -> None:
        agency = fields["id"] if kind == "agency" else fields["agency_id"]
        with self.db.session() as session:
            session.add(synced_row(kind, fields, sha, agency))
            session.commit()


@dataclass
class Reads:
    """The node's registry chain, its record reads counted; ``before``/``after`` run once
    around the next read (a write landing just then)."""

    chain: Web3TrustRegistry
    reads: int = 0
    before: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    after: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    checked: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)

    async def head(self) -> BlockMark:
        return await self.chain.head()

    async def unchanged_since(self, mark: BlockMark) -> BlockMark | None:
        out = await self.chain.unchanged_since(mark)
        await _run(self.checked)
        return out

    async def get_many(
        self, keys: Sequence[tuple[str, str, str]], *, at: BlockMark | None = None
    ) -> list[dict[str, Any] | None]:
        self.reads += 1
        await _run(self.before)
        out = await self.chain.get_many(keys, at=at)
        await _run(self.after)
        return out


async def _run(hooks: list[Callable[[], Awaitable[Any]]]) -> None:
    while hooks:
        await hooks.pop(0)()


def view(src: RegistrySpecimens) -> tuple[Any, ...]:
    """Everything a review takes from the snapshot, comparable."""
    officers = src.officers("AU-DAFF")
    return (
        sorted((s.id, s.image) for s in src.seals()),
        sorted((o.id, o.signatures, o.valid_from, o.valid_to) for o in officers),
        sorted(json.dumps(t, sort_keys=True) for t in src.templates()),
        src.agency("AU-DAFF"),
        src.unusable_seals("AU-DAFF"),
        [(r.specimen.id, r.revoked_on, r.reason) for r in src.revoked_seals("AU-DAFF")],
    )


async def _au_records(p: Partner) -> None:
    agency = {"id": "AU-DAFF", "country": "AU", "name": "Agriculture", "authoritative": True}
    await p.record("agency", agency)
    await p.record("seal", {"id": "S1", "agency_id": "AU-DAFF"}, png("red"))
    await p.record("seal", {"id": "S2", "agency_id": "AU-DAFF"}, png("blue"))
    officer = {"id": "O7", "agency_id": "AU-DAFF", "name": "Jane Citizen"}
    validity = {"valid_from": _ts("2024-01-01"), "valid_to": _ts("2028-12-31")}
    await p.record("officer", {**officer, **validity}, png("navy"))


@pytest.fixture
async def au(deployed: Deployed, node_db: Database, home: Path) -> Partner:
    client = await deployed.client(deployed.admin.rpc_url)
    await deployed.registry(deployed.admin).add_authority("AU", client.address)
    p = Partner(deployed.registry(client), node_db, BlobStore(home / "blobs"))
    await _au_records(p)
    return p


@pytest.fixture
def reads(deployed: Deployed) -> Reads:
    return Reads(deployed.registry(deployed.admin))


@pytest.fixture
def snapshots(au: Partner, reads: Reads) -> SpecimenSnapshots:
    return SpecimenSnapshots(au.db, au.blobs, reads)


async def test_a_review_with_nothing_changed_reads_no_record_again(
    snapshots: SpecimenSnapshots, reads: Reads, deployed: Deployed
) -> None:
    first = await snapshots.build(registrars=TRUSTED, is_used=lambda n: n == "A1")
    assert reads.reads == 1 and {s.id for s in first.seals()} == {"S1", "S2"}
    # blocks with no registry event: an empty one, another contract's (a document anchored)
    await deployed.admin.rpc("evm_mine", [])
    root = "0x" + hashlib.sha256(b"batch").hexdigest()
    await deployed.anchor(deployed.admin).anchor(root, 1, root)
    second = await snapshots.build(registrars=TRUSTED, is_used=lambda n: n == "B2")
    assert reads.reads == 1
    assert view(second) == view(first)
    # each review answers with its own is_used
    assert first.is_certificate_number_used("A1") and not first.is_certificate_number_used("B2")
    assert second.is_certificate_number_used("B2") and not second.is_certificate_number_used("A1")


async def test_a_seal_revoked_on_chain_is_not_used_by_the_next_review(
    snapshots: SpecimenSnapshots, reads: Reads, au: Partner
) -> None:
    await snapshots.build(registrars=TRUSTED)
    await au.chain.revoke("seal", "AU", "S1", "die stolen")
    src = await snapshots.build(registrars=TRUSTED)
    assert [s.id for s in src.seals()] == ["S2"]
    assert [r.specimen.id for r in src.revoked_seals("AU-DAFF")] == ["S1"]
    assert reads.reads == 2


async def test_an_officers_validity_changed_on_chain_is_the_next_reviews(
    snapshots: SpecimenSnapshots, au: Partner
) -> None:
    (before,) = (await snapshots.build(registrars=TRUSTED)).officers("AU-DAFF")
    assert str(before.valid_to) == "2028-12-31"
    await au.chain.set_officer_validity("AU", "O7", _ts("2024-01-01"), _ts("2025-06-30"))
    (after,) = (await snapshots.build(registrars=TRUSTED)).officers("AU-DAFF")
    assert str(after.valid_to) == "2025-06-30"


async def test_a_template_registered_on_chain_is_used_by_the_next_review(
    snapshots: SpecimenSnapshots, au: Partner
) -> None:
    template = {"id": "AU-PHYTO", "country": "AU", "authoritative": True, "agency_id": "AU-DAFF"}
    data = json.dumps(AU_TEMPLATE).encode()
    await au.record("template", template, data, on_chain=False)  # synced before it is mined
    assert (await snapshots.build(registrars=TRUSTED)).templates() == []
    await au.chain.register("template", "AU", {**template, "template_sha256": au.blobs.put(data)})
    src = await snapshots.build(registrars=TRUSTED)
    assert [t["id"] for t in src.templates()] == ["AU-PHYTO"]


async def test_a_row_confirmed_here_is_picked_up_with_the_chain_unchanged(
    snapshots: SpecimenSnapshots, au: Partner, reads: Reads
) -> None:
    seal = {"id": "S3", "agency_id": "AU-DAFF", "image_sha256": au.blobs.put(png("green"))}
    await au.chain.register("seal", "AU", seal)  # on chain before the first review; its row
    assert {s.id for s in (await snapshots.build(registrars=TRUSTED)).seals()} == {"S1", "S2"}
    au.row("seal", seal, seal["image_sha256"])  # arrives by sync afterwards
    src = await snapshots.build(registrars=TRUSTED)
    assert {s.id for s in src.seals()} == {"S1", "S2", "S3"} and reads.reads == 2


async def test_a_chain_that_went_back_and_on_is_read_again(
    snapshots: SpecimenSnapshots, au: Partner, deployed: Deployed, reads: Reads
) -> None:
    """A reorganisation: the block the snapshot was read at is replaced by one that revokes a
    seal, and blocks follow without a registry event. Only the block's hash tells."""
    admin = deployed.admin
    snapshot = await admin.rpc("evm_snapshot", [])
    await admin.rpc("evm_mine", [])
    read_at = await reads.head()
    assert {s.id for s in (await snapshots.build(registrars=TRUSTED)).seals()} == {"S1", "S2"}
    assert await admin.rpc("evm_revert", [snapshot]) is True
    await au.chain.revoke("seal", "AU", "S1", "die stolen")  # the new block of that number
    for _ in range(2):
        await admin.rpc("evm_mine", [])
    replaced = await admin.rpc("eth_getBlockByNumber", [hex(read_at.number), False])
    assert replaced["hash"] != read_at.hash
    src = await snapshots.build(registrars=TRUSTED)
    assert [s.id for s in src.seals()] == ["S2"] and reads.reads == 2


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_write_landing_while_the_records_are_read_is_seen_by_the_next_review(
    snapshots: SpecimenSnapshots, au: Partner, reads: Reads, when: str
) -> None:
    hooks = reads.before if when == "before" else reads.after
    hooks.append(lambda: au.chain.revoke("seal", "AU", "S1", "die stolen"))
    await snapshots.build(registrars=TRUSTED)  # read S1 live, or already revoked: either way
    src = await snapshots.build(registrars=TRUSTED)
    assert [s.id for s in src.seals()] == ["S2"] and reads.reads == 2


async def test_a_write_landing_after_the_chain_was_checked_is_seen_by_the_next_review(
    snapshots: SpecimenSnapshots, au: Partner, reads: Reads
) -> None:
    await snapshots.build(registrars=TRUSTED)
    reads.checked.append(lambda: au.chain.revoke("seal", "AU", "S1", "die stolen"))
    await snapshots.build(registrars=TRUSTED)  # checked unchanged: S1 still used by this one
    src = await snapshots.build(registrars=TRUSTED)
    assert [s.id for s in src.seals()] == ["S2"] and reads.reads == 2


async def test_a_reset_chain_is_read_again(tmp_path: Path, node_db: Database, home: Path) -> None:
    """The dev chain started afresh on the same port, the same deployer's contracts deployed
    again (at the same addresses) and AU's records registered again, S1 revoked this time:
    no registry event after the block the snapshot was read at, another block under it."""
    port, admin, authority = free_port(), new_account(), new_account()
    blobs = BlobStore(home / "blobs")
    clients: list[ChainClient] = []
    anvils = [EmbeddedAnvil(tmp_path / "first", port), EmbeddedAnvil(tmp_path / "second", port)]
    try:
        url = await asyncio.to_thread(anvils[0].ensure)
        address, au = await _consortium(url, admin, authority, clients)
        await _au_records(Partner(au, node_db, blobs))
        for _ in range(3):
            await au.client.rpc("evm_mine", [])
        reader = ChainClient(url, new_account())
        clients.append(reader)
        reads = Reads(Web3TrustRegistry(reader, fixed(address)))  # type: ignore[arg-type]
        snapshots = SpecimenSnapshots(node_db, blobs, reads)
        before = await snapshots.build(registrars=TRUSTED)
        assert {s.id for s in before.seals()} == {"S1", "S2"}
        read_at = await reads.head()
        await asyncio.to_thread(anvils[0].stop)

        assert await asyncio.to_thread(anvils[1].ensure) == url
        again, au = await _consortium(url, admin, authority, clients)
        assert again == address
        await _au_records(Partner(au, node_db, blobs, rows=False))  # the rows are here already
        await au.revoke("seal", "AU", "S1", "die stolen")
        assert (await reads.head()).number <= read_at.number
        while (await reads.head()).number <= read_at.number:
            await au.client.rpc("evm_mine", [])
        src = await snapshots.build(registrars=TRUSTED)
        assert [s.id for s in src.seals()] == ["S2"] and reads.reads == 2
    finally:
        for c in clients:
            await c.aclose()
        for anvil in anvils:
            await asyncio.to_thread(anvil.stop)


async def _consortium(
    url: str, admin: LocalAccount, authority: LocalAccount, clients: list[ChainClient]
) -> tuple[str, Web3TrustRegistry]:
    """The consortium's contracts deployed by ``admin`` on the chain at ``url``, ``authority``
    AU's authority: the TrustRegistry's address and AU's view of it."""
    deployer, au = ChainClient(url, admin), ChainClient(url, authority)
    for c in (deployer, au):
        clients.append(c)
        await c.start()
        await c.fund_self(10**21)
    await deployer.deploy("DocumentAnchor")
    address = await deployer.deploy("TrustRegistry")
    await Web3TrustRegistry(deployer, fixed(address)).add_authority("AU", au.address)  # type: ignore[arg-type]
    return address, Web3TrustRegistry(au, fixed(address))  # type: ignore[arg-type]


async def test_logs_the_chain_will_not_give_are_taken_for_a_change(
    snapshots: SpecimenSnapshots, reads: Reads, deployed: Deployed, monkeypatch
) -> None:
    """A provider that refuses the logs of a long range of blocks (a limit many set): the
    records are read again, not the review failed nor the snapshot kept blind."""
    from node.errors import ChainUnavailable

    await snapshots.build(registrars=TRUSTED)
    await deployed.admin.rpc("evm_mine", [])
    rpc = reads.chain.client.rpc

    async def limited(method: str, params: list[Any]) -> Any:
        if method == "eth_getLogs":
            raise ChainUnavailable("eth_getLogs: query exceeds max block range 0")
        return await rpc(method, params)

    monkeypatch.setattr(reads.chain.client, "rpc", limited)
    src = await snapshots.build(registrars=TRUSTED)
    assert reads.reads == 2 and {s.id for s in src.seals()} == {"S1", "S2"}
