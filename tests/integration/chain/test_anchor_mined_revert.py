"""Two processes of one home anchor the same batch on a chain with block times (anvil with
automine off): both transactions pass the pre-flight, both are mined in one block, and the
second reverts on chain with no error name. The process whose transaction reverted takes the
other's anchor as its receipt; it does not fail (the concurrency audit's finding: it exited 2
with "transaction ... reverted" though its documents were anchored)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from node.chain.client import ChainClient
from node.storage.db import Database
from tests.integration.chain.conftest import Deployed


async def _pending(client: ChainClient) -> int:
    status = await client.rpc("txpool_status", [])
    return int(status["pending"], 16)


async def test_the_process_whose_anchor_reverted_on_chain_adopts_the_other(
    home: Path, anvil_url: str, deployed: Deployed, node_db: Database
) -> None:
    db = node_db
    admin = deployed.admin
    lock = home / "chain" / "send.lock"
    services = []
    for _ in range(2):  # two processes: a client each, one account, the home's send lock
        client = ChainClient(anvil_url, admin.account, send_lock=lock)
        await client.start()
        deployed.clients.append(client)
        services.append(deployed.anchoring(db, client))
    first, second = services
    sha = hashlib.sha256(b"mined twice").hexdigest()
    first.enqueue([sha])
    op = first._cut_batch()
    assert op is not None

    await admin.rpc("evm_setAutomine", [False])
    try:
        sends = [asyncio.create_task(s._submit(op)) for s in services]
        for _ in range(500):  # until both transactions wait in the pool
            if await _pending(admin) == 2 or any(t.done() for t in sends):
                break
            await asyncio.sleep(0.01)  # polling the pool, not synchronisation
        assert await _pending(admin) == 2, [t.exception() for t in sends if t.done()]
        await admin.rpc("evm_mine", [])
        await asyncio.gather(*sends)
    finally:
        await admin.rpc("evm_setAutomine", [True])

    block = await admin.rpc("eth_getBlockByNumber", ["latest", False])
    statuses = [
        int((await admin.rpc("eth_getTransactionReceipt", [tx]))["status"], 16)
        for tx in block["transactions"]
    ]
    assert sorted(statuses) == [0, 1]  # one anchored, the other reverted on chain
    info = second.info(sha)
    assert info is not None and first.state(sha) == "anchored"
    assert info.tx_hash in block["transactions"]
    ok = [tx for tx, s in zip(block["transactions"], statuses, strict=True) if s == 1]
    assert info.tx_hash == ok[0]  # the receipt is the transaction that anchored it
