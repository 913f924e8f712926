"""CN-SHA's node with in-memory chains (no anvil): the node the unit tests build most."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from node.bootstrap import build_node
from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.config import ChainSettings, NodeIdentity, Settings
from node.identity import create_identity
from node.runtime import Node


def cn_settings(home: Path, **sections: Any) -> Settings:
    """CN-SHA's settings on ``home`` (a chain URL nothing answers), ``sections`` replacing
    whole settings sections (``verification=VerificationSettings(...)``)."""
    return Settings(
        home=home,
        node=NodeIdentity(id="CN-SHA", country="CN", name="x"),
        chain=ChainSettings(rpc_url="http://127.0.0.1:9"),
        **sections,
    )


def memory_node(
    home: Path, registry_chain: InMemoryTrustRegistry | None = None, **sections: Any
) -> Node:
    """CN-SHA's node on ``home`` (its identity made) with in-memory chains; the registry's
    chain in ``extras["chain"]``."""
    create_identity(home, "CN-SHA")
    chain = registry_chain or InMemoryTrustRegistry("CN")
    node = build_node(
        cn_settings(home, **sections), chain_anchor=InMemoryChainAnchor(), registry_chain=chain
    )
    node.extras["chain"] = chain
    return node
