"""``BlobMaterializer``: copies exchanged documents from their envelope rows into the
content-addressed BlobStore, after the rows committed and off the acknowledgement path.

Rows carry ``stored = false`` until their blob is written, so a killed node resumes where it
stopped; ``ExchangeService.document`` serves a document from its row meanwhile. The document's
``documents`` row (what review and anchoring pick up) is added with its blob.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from node.exchange import store
from node.storage.blobs import BlobStore
from node.storage.db import Database

logger = logging.getLogger(__name__)

_MAX_DEFERRALS = 4  # at most ~2 s of deferral while messages stream in


class BlobMaterializer:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        *,
        interval: float = 0.5,
        busy: Callable[[], bool] = lambda: False,
        claim: store.Claim | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.interval = interval
        self.busy = busy  # while True (messages streaming in), wait: acks come first
        self.claim = claim  # a partner's delivery of a document held from another sender
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        restored = await asyncio.to_thread(self._restore)
        if restored:
            logger.warning("restored %d document blobs from their envelope rows", restored)
        self._task = asyncio.create_task(self._run(), name="blob-materializer")

    async def aclose(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    def once(self, limit: int = 512) -> int:
        return store.materialize_blobs(self.db, self.blobs, limit, self.claim)

    def _restore(self) -> int:
        with self.db.session() as session:
            return store.restore_blobs(session, self.blobs)

    async def _run(self) -> None:
        deferred = 0
        while not self._stop.is_set():
            if self.busy() and deferred < _MAX_DEFERRALS:  # acks first, but never starve
                deferred += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=self.interval)
                continue
            deferred = 0
            try:
                written = await asyncio.to_thread(self.once)
            except Exception:
                logger.exception("blob materializer step failed")
                written = 0
            if written:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval)
