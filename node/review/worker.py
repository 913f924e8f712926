"""Background worker: runs the machine review of pending scans (one at a time, off the loop)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from node.review.service import ReviewService

logger = logging.getLogger(__name__)


class ReviewWorker:
    def __init__(
        self, service: ReviewService, *, interval: float = 1.0, sweep_every: float = 60.0
    ) -> None:
        self.service = service
        self.interval = interval
        self.sweep_every = sweep_every
        self._swept = -sweep_every  # the first round sweeps: a restart recovers them
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def start(self) -> None:
        await asyncio.to_thread(self.service.requeue_unanchored)
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="review-worker")

    async def aclose(self) -> None:
        self._stop.set()
        self.service.wakeup.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stop.is_set():
            done = 0
            try:
                done = await self.round()
            except Exception:
                logger.exception("review worker step failed")
            if done == 0:
                await self._idle()

    async def round(self) -> int:
        """One round: the sweep when due, a page of pending reviews and declaration checks,
        and a page of the quantities backfill (``node.review.quantities``); how much was done."""
        await self._sweep()
        done = await self.service.process_pending()
        try:
            done += await asyncio.to_thread(self.service.quantities.step)
        except Exception:  # a failing backfill must not slow the reviews (next round: again)
            logger.exception("declared quantities backfill failed")
        return done

    async def _sweep(self) -> None:
        """Every ``sweep_every`` seconds, the declaration checks left waiting for a certificate
        accepted as they were checked (``MatchService.requeue_found``): one UPDATE over the
        waiting pairs, too much for every round."""
        if time.monotonic() - self._swept < self.sweep_every:
            return
        self._swept = time.monotonic()
        await asyncio.to_thread(self.service.matches.requeue_found)

    async def _idle(self) -> None:
        wakeup = self.service.wakeup
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), self.interval)
        wakeup.clear()
