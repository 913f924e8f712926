"""The running node: holds the services and owns their lifecycle (start in order, stop in reverse)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from node.config import Settings
from node.storage.db import Database

logger = logging.getLogger(__name__)


class Component(Protocol):
    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class Node:
    settings: Settings
    db: Database
    components: list[Component] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    async def start(self) -> None:
        started: list[Component] = []
        try:
            for component in self.components:
                await component.start()
                started.append(component)
        except BaseException:
            for component in reversed(started):
                await component.aclose()
            raise

    async def aclose(self) -> None:
        for component in reversed(self.components):
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
