"""The composition root: the only place that chooses implementations.

``build_node(settings, **overrides)`` wires storage, chain, registry, anchoring, exchange and
verification. The CLI, the API lifespan, the gRPC server, the simulator and tests all call it;
tests pass fakes through ``overrides`` (e.g. ``chain=InMemoryChain()``).
"""

from __future__ import annotations

import logging
from typing import Any

from node.config import Settings
from node.runtime import Node
from node.storage.db import Database

logger = logging.getLogger(__name__)


def build_node(settings: Settings, **overrides: Any) -> Node:
    db: Database = overrides.pop("db", None) or Database(settings.database_url)
    db.create_all()
    node = Node(settings=settings, db=db)
    for name, value in overrides.items():
        setattr(node, name, value)
    return node
