"""One background task with a lifecycle: the shape every polling worker of the node shares.

``BackgroundLoop(name, interval)`` gives ``start()``/``aclose()`` (the ``Component`` protocol of
``node.runtime``), ``_pause(seconds)`` that returns early when the node stops, and
``_run_with_backoff(step, what, transient)`` for workers that call an outside system: each
failure doubles the pause (up to ``MAX_BACKOFF``), a success resets it. Subclasses implement
``_run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from node.errors import CusdepError

logger = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


class BackgroundLoop:
    def __init__(self, name: str, interval: float) -> None:
        self.interval = interval
        self._name = name
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def aclose(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def _run(self) -> None:
        raise NotImplementedError

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def _run_with_backoff(
        self,
        step: Callable[[], Awaitable[object]],
        what: str,
        transient: tuple[type[CusdepError], ...],
    ) -> None:
        delay = self.interval
        while not self.stopping:
            try:
                await step()
                delay = self.interval
            except transient as err:
                logger.warning("%s paused: %s", what, err.roll_up())
                delay = min(delay * 2, MAX_BACKOFF)
            except Exception:
                logger.exception("%s failed", what)
                delay = min(delay * 2, MAX_BACKOFF)
            await self._pause(delay)
