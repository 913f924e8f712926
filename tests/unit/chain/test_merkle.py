from __future__ import annotations

import hashlib

import pytest

from node.anchoring.merkle import MerkleTree, hash_pair, keccak, leaf_for, verify


def _leaves(n: int, salt: str = "") -> list[bytes]:
    return [leaf_for(hashlib.sha256(f"{salt}{i}".encode()).hexdigest()) for i in range(n)]


def test_leaf_is_keccak_of_abi_encoded_bytes32() -> None:
    sha = hashlib.sha256(b"doc").hexdigest()
    assert leaf_for(sha) == keccak(bytes.fromhex(sha))
    # known vector: keccak256(bytes32(0))
    assert leaf_for("00" * 32).hex() == (
        "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"
    )


def test_inner_nodes_hash_sorted_pairs() -> None:
    a, b = keccak(b"a"), keccak(b"b")
    assert hash_pair(a, b) == hash_pair(b, a) == keccak(min(a, b) + max(a, b))


@pytest.mark.parametrize("n", [1, 2, 3, 1000, 4097])
def test_every_proof_verifies_and_wrong_ones_fail(n: int) -> None:
    leaves = _leaves(n)
    tree = MerkleTree.build(leaves)
    proofs = tree.proofs()
    assert all(verify(tree.root, proofs[leaf], leaf) for leaf in leaves)
    assert proofs[leaves[0]] == tree.proof(leaves[0])
    stranger = _leaves(1, "x")[0]
    assert not verify(tree.root, proofs[leaves[0]], stranger)
    if n > 1:
        assert not verify(tree.root, proofs[leaves[0]][:-1], leaves[0])
        assert not verify(tree.root, proofs[leaves[1]], leaves[0])


def test_single_leaf_tree_is_its_own_root() -> None:
    leaf = _leaves(1)[0]
    tree = MerkleTree.build([leaf])
    assert tree.root == leaf and tree.proof(leaf) == []


def test_root_is_independent_of_order_and_duplicates() -> None:
    leaves = _leaves(7)
    assert MerkleTree.build(leaves).root == MerkleTree.build(reversed(leaves + leaves[:2])).root


def test_empty_tree_and_bad_digest_are_rejected() -> None:
    with pytest.raises(ValueError):
        MerkleTree.build([])
    with pytest.raises(ValueError):
        leaf_for("abcd")
