"""Background worker: writes pending registry operations to the chain, backing off while the
chain is unavailable. On its first step, and every ``reconcile_every`` seconds after, it first
puts up again the writes the chain has lost (reconcile.py)."""

from __future__ import annotations

import asyncio
import logging

from node.errors import ChainError, Conflict
from node.loop import BackgroundLoop
from node.registry.reconcile import RegistryReconciler
from node.registry.service import RegistryService

logger = logging.getLogger(__name__)


RECONCILE_SECONDS = 30.0


class RegistryWorker(BackgroundLoop):
    def __init__(
        self,
        service: RegistryService,
        *,
        interval: float = 2.0,
        reconcile_every: float = RECONCILE_SECONDS,
    ) -> None:
        super().__init__("registry-worker", interval)
        self.service = service
        self.reconciler = RegistryReconciler(service.db, service.chain)
        self.reconcile_every = reconcile_every
        self._reconcile_at = 0.0  # loop time of the next check; 0: at the first step

    async def _run(self) -> None:
        await self._run_with_backoff(self._step, "registry writes", (ChainError, Conflict))

    async def _step(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() >= self._reconcile_at:
            await self.reconciler.run()  # a chain that cannot be read: the step backs off
            self._reconcile_at = loop.time() + self.reconcile_every
        await self.service.process_pending()
