"""Background worker: writes pending registry operations to the chain, backing off while the
chain is unavailable."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from node.errors import ChainError, Conflict
from node.registry.service import RegistryService

logger = logging.getLogger(__name__)


class RegistryWorker:
    def __init__(self, service: RegistryService, *, interval: float = 2.0) -> None:
        self.service = service
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="registry-worker")

    async def aclose(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        delay = self.interval
        while not self._stop.is_set():
            try:
                await self.service.process_pending()
                delay = self.interval
            except (ChainError, Conflict) as err:
                logger.warning("registry writes paused: %s", err.roll_up())
                delay = min(delay * 2, 30.0)
            except Exception:
                logger.exception("registry worker step failed")
                delay = min(delay * 2, 30.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=delay)
