"""Trust registry: issuing agencies, seal and signature specimens, templates (hashes on chain)."""
