"""The running node: holds the services and owns their lifecycle.

Two kinds of component, each with ``async start()`` / ``async aclose()``:
- ``resources`` (the chain connection, …) are opened by ``async with node`` — every use of the
  node, including one-shot CLI commands, needs them;
- ``workers`` (anchoring and registry workers, the outbox, the gRPC and HTTP servers) are started
  by ``await node.start_workers()`` — only ``cusdep node run`` and tests that need them.
Start in order, stop in reverse; a failure while starting closes what was started.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from node.config import Settings
from node.storage.blobs import BlobStore
from node.storage.db import Database

if TYPE_CHECKING:
    from node.anchoring.service import AnchorService
    from node.chain.wiring import Chain
    from node.exchange.service import ExchangeService
    from node.registry.service import RegistryService

logger = logging.getLogger(__name__)


class Component(Protocol):
    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class Node:
    settings: Settings
    db: Database
    blobs: BlobStore
    chain: Chain | None = None
    anchoring: AnchorService | None = None
    registry: RegistryService | None = None
    exchange: ExchangeService | None = None
    resources: list[Component] = field(default_factory=list)
    workers: list[Component] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    _started: list[Component] = field(default_factory=list, repr=False)

    @property
    def node_id(self) -> str:
        return self.settings.node.id

    async def start(self) -> None:
        await self._start_all(self.resources)

    async def start_workers(self) -> None:
        """The servers first (``listens``), so a port taken stops the node before any worker
        has sent, anchored or applied anything; then the workers, in their order."""
        listeners = [w for w in self.workers if getattr(w, "listens", False)]
        await self._start_all([*listeners, *(w for w in self.workers if w not in listeners)])

    async def _start_all(self, components: list[Component]) -> None:
        for component in components:
            if component in self._started:
                continue
            try:
                await component.start()
            except BaseException:
                await self.aclose()
                raise
            self._started.append(component)

    async def aclose(self) -> None:
        while self._started:
            component = self._started.pop()
            try:
                await component.aclose()
            except Exception:  # keep closing the rest
                logger.exception("error while stopping %s", type(component).__name__)
        self.db.dispose()

    async def __aenter__(self) -> Node:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
