"""A node upgraded from an older commit keeps using the DocumentAnchor its chain already has.

`tests/fixtures/contracts/DocumentAnchor-1.0.0.json` is the contract as nodes deployed it before
revocations were kept per root (no ``revokedIn``; ``revoke(leaf, reason)``). Its roots are
attestations auditors hold, so trace and revocation must keep working on it (they reverted).
1.1.0 and 2.0.0 (`earlier-bytecode.json`) keep them per root but have no ``revokedBy``, and
their ``revoked(leaf)`` is true once any writer revoked the leaf under a root of its own.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from node.anchoring.merkle import MerkleTree, leaf_for
from node.chain.artifacts import artifact
from node.errors import ChainReverted, ConfigError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "contracts"
OLD = FIXTURES / "DocumentAnchor-1.0.0.json"
EARLIER = json.loads((FIXTURES / "earlier-bytecode.json").read_text())["DocumentAnchor"]


@pytest.fixture
async def old_anchor(deployed, anvil_url):
    address = await deployed.admin.deploy("DocumentAnchor", json.loads(OLD.read_text()))
    deployed.anchor_address = address
    return deployed.anchor(deployed.admin)


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


async def _anchored(anchor, tag: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """A root of two leaves anchored through ``anchor``: the root and each leaf with its proof."""
    leaves = [leaf_for(hashlib.sha256(f"{tag}{i}".encode()).hexdigest()) for i in range(2)]
    tree = MerkleTree.build(leaves)
    root = _hex(tree.root)
    await anchor.anchor(root, len(leaves), root)
    return root, [(_hex(leaf), [_hex(p) for p in tree.proof(leaf)]) for leaf in leaves]


async def test_a_leaf_wide_contract_answers_per_root_checks_by_its_leaf(old_anchor):
    assert await old_anchor.version() == "1.0.0"
    root, [(a, proof), (b, _)] = await _anchored(old_anchor, "first")
    assert await old_anchor.verify_leaf(root, proof, a)
    assert await old_anchor.is_revoked_in(root, a) is False

    tx = await old_anchor.revoke(root, proof, a, "seal die lost")

    assert tx.startswith("0x")
    assert await old_anchor.is_revoked_in(root, a) is True
    assert await old_anchor.is_revoked(a) is True
    assert await old_anchor.is_revoked_in(root, b) is False


async def test_a_leaf_wide_contract_revokes_only_a_leaf_of_the_anchored_root(old_anchor):
    root, [(a, proof), _] = await _anchored(old_anchor, "second")
    stranger = _hex(leaf_for(hashlib.sha256(b"not in the root").hexdigest()))

    with pytest.raises(ChainReverted, match="not in anchored root"):
        await old_anchor.revoke(root, proof, stranger, "no")

    assert await old_anchor.is_revoked(stranger) is False
    assert await old_anchor.is_revoked(a) is False


async def test_the_current_contract_is_not_taken_for_the_old_one(deployed):
    anchor = deployed.anchor(deployed.admin)
    assert await anchor.version() == "3.0.0"


@pytest.fixture(params=["1.1.0", "2.0.0"])
async def per_root(request, deployed, anvil_url):
    """A DocumentAnchor 1.1.0 or 2.0.0 (deployed by the admin) and two writers it authorised."""
    art = {"abi": artifact("DocumentAnchor")["abi"], "bytecode": EARLIER[request.param]}
    deployed.anchor_address = await deployed.admin.deploy("DocumentAnchor", art)
    admin = deployed.anchor(deployed.admin)
    assert await admin.version() == request.param
    cn = deployed.anchor(await deployed.client(anvil_url))
    au = deployed.anchor(await deployed.client(anvil_url))
    await admin.authorise(cn.client.address)
    await admin.authorise(au.client.address)
    return cn, au


async def test_a_per_root_contract_before_3_revokes_and_answers_per_root(per_root):
    cn, au = per_root
    root, [(a, proof), (b, _)] = await _anchored(cn, "per root")
    await cn.revoke(root, proof, a, "issued in error")
    assert await cn.is_revoked_in(root, a) and not await cn.is_revoked_in(root, b)
    # AU's root of its own over CN's leaf: CN's root still reads unrevoked, as the node checks
    own = MerkleTree.build([bytes.fromhex(b[2:]), leaf_for(hashlib.sha256(b"x").hexdigest())])
    own_root = _hex(own.root)
    await au.anchor(own_root, 2, own_root)
    await au.revoke(own_root, [_hex(p) for p in own.proof(bytes.fromhex(b[2:]))], b, "griefing")
    assert not await cn.is_revoked_in(root, b)
    # ... but its leaf-wide view was AU's to set: why 3.0.0, and why to redeploy
    assert await cn.is_revoked(b)
    with pytest.raises(ConfigError, match=r"version \d\.\d\.0, deployed by an earlier cusdep"):
        await cn.is_revoked_by(cn.client.address, b)
