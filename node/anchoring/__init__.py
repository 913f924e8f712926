"""Batched anchoring of document hashes as Merkle roots on the DocumentAnchor contract."""
