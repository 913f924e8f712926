"""The outbox dispatcher backs off while its database cannot be read: it logged a traceback
every ``poll_seconds`` (five a second) for as long as a PostgreSQL outage lasted."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from node.config import Settings
from node.exchange.outbox import OutboxWorker
from node.loop import MAX_BACKOFF
from node.storage.db import Database


class _Service:
    """What the dispatcher uses of ``ExchangeService``; its database has no outbox table."""

    def __init__(self, home: Path, polls: int) -> None:
        self.settings = Settings(home=home)
        self.db = Database(f"sqlite:///{home / 'unmigrated.db'}")
        self.waits: list[float] = []
        self.polls = polls
        self.worker: OutboxWorker | None = None

    async def wait_for_work(self, timeout: float, stopping: asyncio.Event) -> None:
        self.waits.append(timeout)
        if len(self.waits) == self.polls and self.worker is not None:
            self.worker._stopping.set()

    def wake(self) -> None:
        pass


async def test_a_database_that_cannot_be_read_is_polled_ever_less_often(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    service = _Service(tmp_path, polls=10)
    worker = OutboxWorker(service)  # type: ignore[arg-type]
    service.worker = worker
    with caplog.at_level(logging.ERROR, logger="node.exchange.outbox"):
        await worker._dispatch()
    poll = service.settings.exchange.poll_seconds
    assert service.waits[:4] == [poll * 2, poll * 4, poll * 8, poll * 16]
    assert service.waits[-1] == MAX_BACKOFF
    failures = [r for r in caplog.records if "cannot read pending peers" in r.getMessage()]
    assert len(failures) == 10 and "no such table" in str(failures[0].exc_info[1])
    service.db.dispose()
