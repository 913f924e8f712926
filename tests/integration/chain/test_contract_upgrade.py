"""A node upgraded from an older commit keeps using the DocumentAnchor its chain already has.

`tests/fixtures/contracts/DocumentAnchor-1.0.0.json` is the contract as nodes deployed it before
revocations were kept per root (no ``revokedIn``; ``revoke(leaf, reason)``). Its roots are
attestations auditors hold, so trace and revocation must keep working on it (they reverted).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from node.anchoring.merkle import MerkleTree, leaf_for
from node.errors import ChainReverted

OLD = Path(__file__).parents[2] / "fixtures" / "contracts" / "DocumentAnchor-1.0.0.json"


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
    assert await anchor.version() == "2.0.0"
