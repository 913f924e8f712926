"""``node run`` applies the retention policy every ``[retention] interval_seconds``; when the
policy is off it only completes disposals an interrupted apply left (their files)."""

from __future__ import annotations

import asyncio
import logging

from node.loop import BackgroundLoop
from node.retention.service import RetentionService

logger = logging.getLogger(__name__)


class RetentionWorker(BackgroundLoop):
    def __init__(self, service: RetentionService) -> None:
        super().__init__("retention", service.settings.interval_seconds)
        self.service = service

    async def _run(self) -> None:
        while not self.stopping:
            try:
                # never waits on a backup's lock: a stop is not held up for its length
                await asyncio.to_thread(self.service.apply, wait=False)
            except Exception:  # logged; tried again at the next interval
                logger.exception("retention: applying the policy failed")
            await self._pause(self.interval)
