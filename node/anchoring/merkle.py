"""OpenZeppelin-compatible Merkle trees over document hashes.

leaf       = keccak256(abi.encode(bytes32 sha256(document)))
inner node = keccak256(min(a, b) ++ max(a, b))     (MerkleProof.verify / processProof)

Leaves are sorted and de-duplicated, so a set of documents always gives the same root. An odd
node at the end of a level is carried up unchanged. A one-leaf tree's root is the leaf and its
proof is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from Crypto.Hash import keccak as _keccak


def keccak(data: bytes) -> bytes:
    return _keccak.new(digest_bits=256, data=data).digest()


def leaf_for(sha256_hex: str) -> bytes:
    digest = bytes.fromhex(sha256_hex.removeprefix("0x"))
    if len(digest) != 32:
        raise ValueError(f"not a SHA-256 digest: {sha256_hex!r}")
    return keccak(digest)  # abi.encode(bytes32) is the 32 bytes themselves


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    computed = leaf
    for sibling in proof:
        computed = hash_pair(computed, sibling)
    return computed


def verify(root: bytes, proof: Iterable[bytes], leaf: bytes) -> bool:
    return process_proof(leaf, proof) == root


@dataclass(frozen=True)
class MerkleTree:
    levels: tuple[tuple[bytes, ...], ...]  # levels[0] = sorted leaves, levels[-1] = (root,)

    @classmethod
    def build(cls, leaves: Iterable[bytes]) -> MerkleTree:
        level = tuple(sorted(set(leaves)))
        if not level:
            raise ValueError("a Merkle tree needs at least one leaf")
        levels = [level]
        while len(level) > 1:
            nxt = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            level = tuple(nxt)
            levels.append(level)
        return cls(tuple(levels))

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    @property
    def leaves(self) -> Sequence[bytes]:
        return self.levels[0]

    def proofs(self) -> dict[bytes, list[bytes]]:
        """Every leaf's proof, computed in one pass over the levels."""
        index = {leaf: i for i, leaf in enumerate(self.levels[0])}
        out: dict[bytes, list[bytes]] = {leaf: [] for leaf in self.levels[0]}
        for leaf, i in index.items():
            proof = out[leaf]
            for level in self.levels[:-1]:
                sibling = i ^ 1
                if sibling < len(level):
                    proof.append(level[sibling])
                i //= 2
        return out

    def proof(self, leaf: bytes) -> list[bytes]:
        i = self.levels[0].index(leaf)
        proof: list[bytes] = []
        for level in self.levels[:-1]:
            sibling = i ^ 1
            if sibling < len(level):
                proof.append(level[sibling])
            i //= 2
        return proof
