"""One behaviour suite for the chain ports, run on the in-memory fakes and on real anvil."""

from __future__ import annotations

import hashlib

import pytest

from node.anchoring.merkle import MerkleTree, leaf_for
from node.chain import registry as chain_registry
from node.chain.anchor import Web3ChainAnchor
from node.chain.client import ChainClient, new_account
from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.chain.registry import Web3TrustRegistry
from node.errors import ChainReverted, ChainUnavailable
from node.ports import BlockMark


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


async def _const(v: str) -> str:
    return v


@pytest.fixture(params=["memory", "anvil"])
async def ports(request, anvil_url):
    if request.param == "memory":
        cn = InMemoryTrustRegistry("CN")
        yield InMemoryChainAnchor(), cn, cn.as_authority("AU")
        return
    admin = ChainClient(anvil_url, new_account())
    await admin.start()
    await admin.fund_self(10**21)
    anchor_addr = await admin.deploy("DocumentAnchor")
    reg_addr = await admin.deploy("TrustRegistry")
    au = ChainClient(anvil_url, new_account())
    await au.start()
    await au.fund_self(10**21)
    admin_reg = Web3TrustRegistry(admin, lambda: _const(reg_addr))
    await admin_reg.add_authority("CN", admin.address)
    await admin_reg.add_authority("AU", au.address)
    yield (
        Web3ChainAnchor(admin, lambda: _const(anchor_addr)),
        admin_reg,
        Web3TrustRegistry(au, lambda: _const(reg_addr)),
    )
    await admin.aclose()
    await au.aclose()


async def test_anchor_find_verify_revoke(ports) -> None:
    anchor, _, _ = ports
    leaves = [leaf_for(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(5)]
    tree = MerkleTree.build(leaves)
    root = _hex(tree.root)
    assert await anchor.find_anchor(root) is None
    receipt = await anchor.anchor(root, 5, root)
    found = await anchor.find_anchor(root)
    assert found is not None and found.tx_hash == receipt.tx_hash and found.timestamp > 0
    proof = [_hex(p) for p in tree.proof(leaves[2])]
    assert await anchor.verify_leaf(root, proof, _hex(leaves[2]))
    assert not await anchor.verify_leaf(root, proof, _hex(leaves[3]))
    with pytest.raises(ChainReverted) as err:
        await anchor.anchor(root, 5, root)
    assert err.value.detail["error"] == "AlreadyAnchored"
    assert not await anchor.is_revoked_in(root, _hex(leaves[2]))
    await anchor.revoke(root, proof, _hex(leaves[2]), "withdrawn")
    assert await anchor.is_revoked_in(root, _hex(leaves[2]))
    assert await anchor.is_revoked(_hex(leaves[2]))  # the deployer: the admin
    assert not await anchor.is_revoked_in(root, _hex(leaves[3]))
    assert not await anchor.is_revoked(_hex(leaves[3]))


@pytest.fixture(params=["memory", "anvil"])
async def writers(request, anvil_url):
    """One DocumentAnchor seen by its admin (the deployer), two writers CN and AU it
    authorised, and an account it never authorised."""
    if request.param == "memory":
        admin = InMemoryChainAnchor("0xadmin")
        yield (
            admin,
            admin.as_writer("0xcn"),
            admin.as_writer("0xau"),
            admin.as_writer("0xstranger", authorised=False),
        )
        return
    clients = []
    for _ in range(4):
        client = ChainClient(anvil_url, new_account())
        await client.start()
        await client.fund_self(10**21)
        clients.append(client)
    address = await clients[0].deploy("DocumentAnchor")
    admin, cn, au, stranger = (Web3ChainAnchor(c, lambda: _const(address)) for c in clients)
    await admin.authorise(cn.client.address)
    await admin.authorise(au.client.address)
    yield admin, cn, au, stranger
    for client in clients:
        await client.aclose()


async def _expect(error: str, coro) -> None:
    with pytest.raises(ChainReverted) as err:
        await coro
    assert err.value.detail["error"] == error, err.value.message


def _account(port) -> str:
    """The account a port acts as (the in-memory fake's name, or the web3 client's address)."""
    return port.writer if isinstance(port, InMemoryChainAnchor) else port.client.address


def _tree(tag: str, n: int = 4) -> tuple[MerkleTree, list[bytes]]:
    leaves = [leaf_for(hashlib.sha256(f"{tag}{i}".encode()).hexdigest()) for i in range(n)]
    return MerkleTree.build(leaves), leaves


async def test_only_the_roots_writer_or_the_admin_revokes(writers) -> None:
    admin, cn, au, stranger = writers
    cn_tree, cn_leaves = _tree("cn")
    au_tree, au_leaves = _tree("au")
    cn_root, au_root = _hex(cn_tree.root), _hex(au_tree.root)
    await cn.anchor(cn_root, 4, cn_root)
    await au.anchor(au_root, 4, au_root)
    leaf, proof = _hex(cn_leaves[1]), [_hex(p) for p in cn_tree.proof(cn_leaves[1])]

    await _expect("NotRootWriter", au.revoke(cn_root, proof, leaf, "mine now"))
    await _expect("NotWriter", stranger.revoke(cn_root, proof, leaf, "mine now"))
    never = _hex(leaf_for(hashlib.sha256(b"never anchored").hexdigest()))
    await _expect("NotAnchored", au.revoke(never, [], never, "pre-emptive"))
    await _expect("NotAnchored", cn.revoke(never, [], never, "pre-emptive"))
    # an anchored root, and a leaf its proof does not link to it
    await _expect("NotInRoot", cn.revoke(cn_root, proof, never, "not ours"))
    await _expect("NotInRoot", cn.revoke(cn_root, proof[1:], leaf, "short proof"))
    assert not await cn.is_revoked_in(cn_root, leaf) and not await cn.is_revoked(leaf)
    assert not await cn.is_revoked(never)

    await cn.revoke(cn_root, proof, leaf, "issued in error")
    assert await au.is_revoked_in(cn_root, leaf) and await au.is_revoked_by(_account(cn), leaf)
    assert not await au.is_revoked(leaf)  # a writer's own revocation is not the admin's
    await _expect("AlreadyRevoked", cn.revoke(cn_root, proof, leaf, "again"))
    # the admin may revoke under anyone's root: that writer's attestation, and consortium-wide
    au_leaf = _hex(au_leaves[3])
    assert not await cn.is_revoked_by(_account(au), au_leaf)
    await admin.revoke(au_root, [_hex(p) for p in au_tree.proof(au_leaves[3])], au_leaf, "court")
    assert await cn.is_revoked_in(au_root, au_leaf) and await cn.is_revoked(au_leaf)
    assert await cn.is_revoked_by(_account(au), au_leaf)
    assert not await cn.is_revoked_by(_account(admin), au_leaf)  # keyed by the root's writer
    assert not await cn.is_revoked_in(au_root, _hex(au_leaves[2]))


async def test_a_root_of_ones_own_over_anothers_leaf_changes_nothing_about_its_root(
    writers,
) -> None:
    _, cn, au, _ = writers
    cn_tree, cn_leaves = _tree("victim")
    cn_root = _hex(cn_tree.root)
    await cn.anchor(cn_root, 4, cn_root)
    # AU anchors a root of its own over CN's leaf and revokes it there: allowed (it withdraws
    # its own attestation), but nothing said of CN's attestation, nor leaf-wide, changes
    own = MerkleTree.build([cn_leaves[0], leaf_for(hashlib.sha256(b"filler").hexdigest())])
    own_root, leaf = _hex(own.root), _hex(cn_leaves[0])
    await au.anchor(own_root, 2, own_root)
    await au.revoke(own_root, [_hex(p) for p in own.proof(cn_leaves[0])], leaf, "griefing")
    assert await cn.is_revoked_in(own_root, leaf) and await cn.is_revoked_by(_account(au), leaf)
    assert not await cn.is_revoked_in(cn_root, leaf)
    assert not await cn.is_revoked_by(_account(cn), leaf)
    assert not await cn.is_revoked(leaf)  # was True: DocumentAnchor 2.0.0 and the fake before
    # CN's own revocation under its root still goes through
    await cn.revoke(cn_root, [_hex(p) for p in cn_tree.proof(cn_leaves[0])], leaf, "withdrawn")
    assert await cn.is_revoked_in(cn_root, leaf) and await cn.is_revoked_by(_account(cn), leaf)


async def test_root_timestamps_and_the_head(ports) -> None:
    anchor, _, _ = ports
    known, unknown = (_hex(hashlib.sha256(n).digest()) for n in (b"known", b"unknown"))
    head = await anchor.block_number()
    assert await anchor.root_timestamps([known, unknown]) == [0, 0]
    receipt = await anchor.anchor(known, 1, known)
    assert await anchor.block_number() >= receipt.block_number > head
    stamps = await anchor.root_timestamps([unknown, known, unknown])
    assert stamps == [0, receipt.timestamp, 0] and receipt.timestamp > 0
    assert await anchor.root_timestamps([]) == []


@pytest.fixture(params=["memory", "anvil"])
async def no_contract(request, anvil_url):
    """The anchor port aimed at an address where no contract is deployed (a reset chain)."""
    if request.param == "memory":
        anchor = InMemoryChainAnchor()
        anchor.deployed = False
        yield anchor
        return
    client = ChainClient(anvil_url, new_account())
    await client.start()
    yield Web3ChainAnchor(client, lambda: _const("0x" + "12" * 20))
    await client.aclose()


async def test_no_contract_at_the_address_is_unavailable(no_contract) -> None:
    with pytest.raises(ChainUnavailable, match="no DocumentAnchor contract"):
        await no_contract.root_timestamps(["0x" + "01" * 32])


async def test_registry_rules(ports) -> None:
    _, cn, au = ports
    sha = hashlib.sha256(b"seal").hexdigest()
    await au.register(
        "agency", "AU", {"id": "AU-D", "country": "AU", "name": "D", "authoritative": True}
    )
    assert await cn.registration_tx("seal", "AU", "S1") == ""
    registered = await au.register(
        "seal", "AU", {"id": "S1", "agency_id": "AU-D", "image_sha256": sha}
    )
    assert await cn.registration_tx("seal", "AU", "S1") == registered
    assert await cn.registration_tx("agency", "AU", "S1") == ""
    assert await cn.registration_tx("seal", "CN", "S1") == ""
    seal = await cn.get("seal", "AU", "S1")
    assert seal is not None and seal["image_sha256"] == sha and seal["authoritative"] is True
    for coro, name in [
        (
            au.register(
                "agency", "AU", {"id": "NZ-M", "country": "NZ", "name": "M", "authoritative": True}
            ),
            "NotAuthoritativeFor",
        ),
        (cn.revoke("seal", "AU", "S1", "x"), "NotRegistrar"),
        (
            au.register("seal", "AU", {"id": "S1", "agency_id": "AU-D", "image_sha256": sha}),
            "RecordExists",
        ),
        (
            au.register("seal", "AU", {"id": "S2", "agency_id": "NOPE", "image_sha256": sha}),
            "UnknownAgency",
        ),
    ]:
        with pytest.raises(ChainReverted) as err:
            await coro
        assert err.value.detail["error"] == name
    assert await cn.revocation_tx("seal", "AU", "S1") == ""
    tx = await au.revoke("seal", "AU", "S1", "lost")
    revoked = await cn.get("seal", "AU", "S1")
    assert revoked is not None and revoked["revoked_at"] > 0
    assert await cn.get("seal", "AU", "missing") is None
    # the transaction found again from the chain alone (a revocation a crash cut short)
    assert await cn.revocation_tx("seal", "AU", "S1") == tx
    assert await cn.revocation_tx("agency", "AU", "S1") == ""


async def test_an_officers_validity_is_changed_by_its_registrar_only(ports) -> None:
    _, cn, au = ports
    await au.register(
        "agency", "AU", {"id": "AU-V", "country": "AU", "name": "V", "authoritative": True}
    )
    sig = hashlib.sha256(b"signature").hexdigest()
    officer = {"id": "O1", "agency_id": "AU-V", "signature_sha256": sig}
    await au.register("officer", "AU", {**officer, "valid_from": 100, "valid_to": 200})
    tx = await au.set_officer_validity("AU", "O1", 100, 900)
    assert tx.startswith("0x")
    got = await cn.get("officer", "AU", "O1")
    assert got is not None and (got["valid_from"], got["valid_to"]) == (100, 900)
    for coro, name in [
        (cn.set_officer_validity("AU", "O1", 0, 0), "NotRegistrar"),
        (au.set_officer_validity("AU", "O1", 500, 400), "InvalidValidity"),
        (au.set_officer_validity("AU", "nobody", 0, 0), "UnknownRecord"),
    ]:
        with pytest.raises(ChainReverted) as err:
            await coro
        assert err.value.detail["error"] == name
    await au.revoke("officer", "AU", "O1", "left the service")
    with pytest.raises(ChainReverted) as err:
        await au.set_officer_validity("AU", "O1", 0, 0)
    assert err.value.detail["error"] == "AlreadyRevoked"


async def test_registry_get_many_matches_get_in_order(ports, monkeypatch) -> None:
    monkeypatch.setattr(chain_registry, "BATCH", 2)  # several batches on anvil
    _, cn, au = ports
    await au.register(
        "agency", "AU", {"id": "AU-M", "country": "AU", "name": "M", "authoritative": True}
    )
    for n in range(3):
        sha = hashlib.sha256(f"seal{n}".encode()).hexdigest()
        await au.register("seal", "AU", {"id": f"M{n}", "agency_id": "AU-M", "image_sha256": sha})
    await au.revoke("seal", "AU", "M1", "lost")
    keys = [
        ("seal", "AU", "M2"),
        ("agency", "AU", "AU-M"),
        ("seal", "AU", "nope"),
        ("seal", "AU", "M1"),
        ("seal", "AU", "M0"),
    ]
    many = await cn.get_many(keys)
    assert many == [await cn.get(*k) for k in keys]
    assert [m["id"] if m else None for m in many] == ["M2", "AU-M", None, "M1", "M0"]
    assert many[3] is not None and many[3]["revoked_at"] > 0
    assert await cn.get_many([]) == []


async def _mine(registry) -> None:
    """A block without a registry event (another contract's transaction, an empty block)."""
    if isinstance(registry, InMemoryTrustRegistry):
        registry.mine()
    else:
        await registry.client.rpc("evm_mine", [])


async def test_registry_history_sees_every_registry_write_and_only_those(ports) -> None:
    _, cn, au = ports
    mark = await cn.head()
    assert await cn.unchanged_since(mark) == mark
    await _mine(cn)
    later = await au.unchanged_since(mark)  # another block, no registry event: unchanged
    assert later is not None and later.number == mark.number + 1 and later == await cn.head()
    agency = {"id": "AU-H", "country": "AU", "name": "H", "authoritative": True}
    await au.register("agency", "AU", agency)
    assert await cn.unchanged_since(mark) is None and await cn.unchanged_since(later) is None
    sig = hashlib.sha256(b"signature").hexdigest()
    officer = {"id": "O1", "agency_id": "AU-H", "signature_sha256": sig}
    await au.register("officer", "AU", {**officer, "valid_from": 100, "valid_to": 200})
    before = await cn.head()
    for write in (
        au.set_officer_validity("AU", "O1", 100, 900),
        au.revoke("officer", "AU", "O1", "left"),
        au.register("seal", "AU", {"id": "S", "agency_id": "AU-H", "image_sha256": sig}),
    ):
        mark = await cn.head()
        await write
        assert await cn.unchanged_since(mark) is None
    # the records as that block left them, not as they are now
    key = [("officer", "AU", "O1"), ("seal", "AU", "S")]
    (then, none), (now, seal) = await cn.get_many(key, at=before), await cn.get_many(key)
    assert then is not None and (then["valid_to"], then["revoked_at"]) == (200, 0)
    assert none is None and seal is not None
    assert now is not None and now["valid_to"] == 900 and now["revoked_at"] > 0
    assert await cn.get_many(key, at=await cn.head()) == [now, seal]


async def test_registry_history_of_another_chain_is_changed(ports) -> None:
    """A block of that number with another hash (a reset or reorganised chain), or one the
    chain has not reached: changed."""
    _, cn, _ = ports
    head = await cn.head()
    assert await cn.unchanged_since(BlockMark(head.number, "0x" + "ab" * 32)) is None
    await _mine(cn)
    assert await cn.unchanged_since(BlockMark(head.number, "0x" + "ab" * 32)) is None
    assert await cn.unchanged_since(BlockMark(head.number + 5, head.hash)) is None
    assert await cn.unchanged_since(head) is not None
