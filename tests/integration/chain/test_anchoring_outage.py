"""A burst of documents with the chain going away in the middle: nothing is lost."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from node.bootstrap import build_node
from node.config import load_settings
from node.setup import initialise_node


async def _wait_until(predicate, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)  # polling the database for a condition


async def test_rpc_outage_in_the_middle_of_a_burst_loses_nothing(home: Path) -> None:
    await asyncio.to_thread(initialise_node, home, country="CN", name="Shanghai Customs")
    settings = load_settings(home)
    settings.anchoring.batch_max = 300
    settings.anchoring.batch_wait_seconds = 0.05
    node = build_node(settings)
    await node.start()
    await node.start_workers()
    anchoring = node.anchoring
    assert anchoring is not None and node.chain is not None
    shas = [hashlib.sha256(f"burst {i}".encode()).hexdigest() for i in range(3000)]
    try:
        await asyncio.to_thread(anchoring.enqueue, shas[:1000])
        await _wait_until(lambda: _anchored_at_least(anchoring, shas[:1000], 300))
        # the chain goes away mid-burst (clean stop: anvil dumps its state)
        anvil = node.chain.embedded
        assert anvil is not None
        await asyncio.to_thread(anvil.stop)
        assert anvil.running_pid() is None
        await asyncio.to_thread(anchoring.enqueue, shas[1000:])
        # while the chain is down the worker fails, backs off and keeps every row
        await _wait_until(lambda: _pending_at_least(anchoring, 1000))
        await asyncio.to_thread(anvil.ensure)
        await _wait_until(lambda: _anchored_at_least(anchoring, shas, len(shas)), timeout=120)
        infos = await asyncio.to_thread(anchoring.infos, shas)
        for sha in shas[::97] + [shas[-1]]:
            ok, revoked = await anchoring.verify_on_chain(infos[sha])
            assert ok and not revoked
    finally:
        await node.aclose()


async def _anchored_at_least(anchoring, shas, n: int) -> bool:
    return len(await asyncio.to_thread(anchoring.infos, shas)) >= n


async def _pending_at_least(anchoring, n: int) -> bool:
    count, _ = await asyncio.to_thread(anchoring.pending_count)
    return count >= n
