"""Proofs built in Python verify on chain through DocumentAnchor.verifyLeaf."""

from __future__ import annotations

import hashlib
import random

import pytest

from node.anchoring.merkle import MerkleTree, leaf_for


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


@pytest.mark.parametrize("n", [1, 2, 3, 1000, 4097])
async def test_python_proofs_verify_on_chain(deployed, n: int) -> None:
    anchor = deployed.anchor(deployed.admin)
    leaves = [leaf_for(hashlib.sha256(f"{n}:{i}".encode()).hexdigest()) for i in range(n)]
    tree = MerkleTree.build(leaves)
    root = _hex(tree.root)
    proofs = tree.proofs()
    sample = random.Random(n).sample(leaves, min(n, 12))
    # not anchored yet: even a valid proof does not verify
    assert not await anchor.verify_leaf(root, [_hex(p) for p in proofs[sample[0]]], _hex(sample[0]))
    await anchor.anchor(root, n, root)
    for leaf in sample:
        assert await anchor.verify_leaf(root, [_hex(p) for p in proofs[leaf]], _hex(leaf))
    wrong_leaf = leaf_for(hashlib.sha256(b"not in the tree").hexdigest())
    assert not await anchor.verify_leaf(
        root, [_hex(p) for p in proofs[sample[0]]], _hex(wrong_leaf)
    )
    if n > 1:
        bad_proof = [_hex(p) for p in proofs[sample[0]]]
        bad_proof[0] = _hex(wrong_leaf)
        assert not await anchor.verify_leaf(root, bad_proof, _hex(sample[0]))


async def test_revocation_is_recorded(deployed) -> None:
    anchor = deployed.anchor(deployed.admin)
    leaves = [leaf_for(hashlib.sha256(f"revoke me {i}".encode()).hexdigest()) for i in range(3)]
    tree = MerkleTree.build(leaves)
    root, leaf = _hex(tree.root), _hex(leaves[1])
    await anchor.anchor(root, 3, root)
    assert not await anchor.is_revoked(leaf) and not await anchor.is_revoked_in(root, leaf)
    await anchor.revoke(root, [_hex(p) for p in tree.proof(leaves[1])], leaf, "withdrawn by issuer")
    assert await anchor.is_revoked(leaf) and await anchor.is_revoked_in(root, leaf)
