"""OpenAttestation v2 / TradeTrust verifiable documents (proof recomputation + conversion)."""

from adapters.openattestation.adapter import OpenAttestationAdapter, verify
from adapters.openattestation.proof import ProofCheck, check_proof, keccak256

__all__ = ["OpenAttestationAdapter", "ProofCheck", "check_proof", "keccak256", "verify"]
