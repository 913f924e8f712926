"""OpenAttestation v2 proof: salted-leaf hashes → targetHash → Merkle root (keccak256).

keccak256 is the original Keccak padding (pycryptodome ``Crypto.Hash.keccak``), NOT
``hashlib.sha3_256`` (FIPS 202 padding, different digests). JSON text is compact, UTF-8,
non-ASCII unescaped, as JavaScript's ``JSON.stringify`` writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from Crypto.Hash import keccak


def keccak256(data: bytes) -> bytes:
    h = keccak.new(digest_bits=256)
    h.update(data)
    return h.digest()


def _js_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``flatley`` semantics: dot-joined keys, array indices as ``.N``, empty {} / [] kept."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and value:
        for key, child in value.items():
            out.update(flatten(child, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and value:
        for i, child in enumerate(value):
            out.update(flatten(child, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix] = value
    return out


def leaf_hashes(data: Any) -> list[str]:
    return [keccak256(_js_json({k: v})).hex() for k, v in flatten(data).items()]


def target_hash(data: Any, obfuscated: list[str]) -> str:
    hashes = sorted(leaf_hashes(data) + [h.lower().removeprefix("0x") for h in obfuscated])
    return keccak256(_js_json(hashes)).hex()


def merkle_root(target: str, proof: list[str]) -> str:
    node = bytes.fromhex(target)
    for sibling in proof:
        other = bytes.fromhex(sibling.lower().removeprefix("0x"))
        a, b = sorted((node, other))
        node = keccak256(a + b)
    return node.hex()


@dataclass(frozen=True)
class ProofCheck:
    """What recomputing a wrapped document's proof gave."""

    target_hash: str
    computed_target_hash: str
    merkle_root: str
    computed_merkle_root: str
    obfuscated_fields: int

    @property
    def valid(self) -> bool:
        return (
            self.target_hash == self.computed_target_hash
            and self.merkle_root == self.computed_merkle_root
        )


def check_proof(document: dict[str, Any]) -> ProofCheck:
    """Recompute targetHash and merkleRoot of a wrapped v2 document (shape already checked)."""
    signature = document["signature"]
    obfuscated = [str(h) for h in (document.get("privacy") or {}).get("obfuscatedData", [])]
    computed = target_hash(document["data"], obfuscated)
    proof = [str(p) for p in signature.get("proof") or []]
    return ProofCheck(
        target_hash=str(signature["targetHash"]).lower().removeprefix("0x"),
        computed_target_hash=computed,
        merkle_root=str(signature["merkleRoot"]).lower().removeprefix("0x"),
        computed_merkle_root=merkle_root(computed, proof),
        obfuscated_fields=len(obfuscated),
    )


def unsalt(value: Any) -> Any:
    """``"<uuid>:<type>:<value>"`` leaves back to typed values."""
    if isinstance(value, dict):
        return {k: unsalt(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unsalt(v) for v in value]
    if not isinstance(value, str):
        return value
    parts = value.split(":", 2)
    if len(parts) != 3:
        return value
    kind, raw = parts[1], parts[2]
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and "." not in raw else number
    if kind == "boolean":
        return raw == "true"
    if kind in ("null", "undefined"):
        return None
    return raw
