"""Synthetic certificates, forgeries, and multi-node traffic."""
