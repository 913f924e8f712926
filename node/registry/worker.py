"""Background worker: writes pending registry operations to the chain, backing off while the
chain is unavailable."""

from __future__ import annotations

import logging

from node.errors import ChainError, Conflict
from node.loop import BackgroundLoop
from node.registry.service import RegistryService

logger = logging.getLogger(__name__)


class RegistryWorker(BackgroundLoop):
    def __init__(self, service: RegistryService, *, interval: float = 2.0) -> None:
        super().__init__("registry-worker", interval)
        self.service = service

    async def _run(self) -> None:
        await self._run_with_backoff(
            self.service.process_pending, "registry writes", (ChainError, Conflict)
        )
