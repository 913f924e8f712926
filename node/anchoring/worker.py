"""Background worker: pages pending leaves and open batches from the database, anchors them,
and backs off while the chain is unavailable. Safe to kill at any point (see service.py).

On its first step, and every ``reconcile_every`` seconds after, it first checks the anchors it
recorded against the chain and anchors again the batches the chain has lost (reconcile.py): a
development chain restarted from an older state dump, a reorganisation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from node.anchoring.reconcile import AnchorReconciler
from node.anchoring.service import AnchorService
from node.errors import ChainError
from node.storage.core import utcnow

logger = logging.getLogger(__name__)
RECONCILE_SECONDS = 30.0


class AnchorWorker:
    def __init__(
        self,
        service: AnchorService,
        *,
        max_backoff: float = 10.0,
        reconcile_every: float = RECONCILE_SECONDS,
    ) -> None:
        self.service = service
        self.max_backoff = max_backoff
        self.reconciler = AnchorReconciler(service.db, service.chain)
        self.reconcile_every = reconcile_every
        self._reconcile_at = 0.0  # loop time of the next check; 0: at the first step
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.idle = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="anchor-worker")

    async def aclose(self) -> None:
        self._stopping.set()
        self.service.wakeup.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.1
        wait = max(self.service.settings.batch_wait_seconds, 0.05)
        while not self._stopping.is_set():
            try:
                await self._reconcile_when_due()
                await self.service.run_once()
                backoff = 0.1
                count, oldest = await asyncio.to_thread(self.service.pending_count)
                if count == 0:
                    self.idle.set()
                else:  # a partial batch: sleep until it is due, new arrivals don't matter
                    age = (utcnow() - oldest).total_seconds() if oldest else wait
                    await asyncio.sleep(max(wait - age, 0.01))
                    continue
            except ChainError as err:
                logger.warning("anchoring paused: %s (retry in %.1fs)", err.roll_up(), backoff)
                await self._sleep(backoff * (0.5 + random.random()))
                backoff = min(backoff * 2, self.max_backoff)
                continue
            except Exception:
                logger.exception("anchor worker step failed")
                await self._sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            await self._sleep(wait)

    async def _reconcile_when_due(self) -> None:
        """Check recorded anchors against the chain when due. A chain that cannot be read
        stops the step (anchoring could not proceed either) and the check is due again; any
        other failure is logged and does not hold up anchoring."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._reconcile_at:
            return
        try:
            await self.reconciler.run()
        except ChainError:
            raise
        except Exception:
            logger.exception("checking the recorded anchors against the chain failed")
        self._reconcile_at = loop.time() + self.reconcile_every

    async def _sleep(self, seconds: float) -> None:
        """Wait for new work, a stop request, or the batch timer — whichever comes first."""
        self.service.wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.service.wakeup.wait(), timeout=seconds)
        if not self._stopping.is_set():
            self.idle.clear()
