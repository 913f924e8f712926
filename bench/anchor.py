"""Anchoring throughput and gas: batched Merkle roots versus one transaction per document.

Both on one fresh embedded anvil in the same run, through the node's real AnchorService
(SQLite rows, Merkle proofs, web3 transactions, receipts). Every batched proof is then checked
on chain with DocumentAnchor.verifyLeaf.

    .venv/bin/python bench/anchor.py [--docs 10000] [--baseline-docs 300] [--batch-max 4096]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from node.anchoring.service import AnchorService
from node.bootstrap import build_node
from node.config import AnchoringSettings, load_settings
from node.setup import initialise_node
from node.storage.core import OperationRow


def _shas(n: int, tag: str) -> list[str]:
    return [hashlib.sha256(f"{tag}:{i}".encode()).hexdigest() for i in range(n)]


def _gas(service: AnchorService) -> int:
    with service.db.session() as session:
        ops = session.exec(select(OperationRow).where(OperationRow.state == "confirmed"))
        return sum(int(op.result.get("gas_used", 0)) for op in ops)


async def _run(service: AnchorService, shas: list[str]) -> tuple[float, int]:
    gas_before = await asyncio.to_thread(_gas, service)
    start = time.perf_counter()
    await service.anchor_now(shas)
    elapsed = time.perf_counter() - start
    return elapsed, await asyncio.to_thread(_gas, service) - gas_before


async def _verify_all(service: AnchorService, shas: list[str]) -> int:
    infos = await asyncio.to_thread(service.infos, shas)
    ok = 0
    for i in range(0, len(shas), 200):
        chunk = [infos[s] for s in shas[i : i + 200]]
        results = await asyncio.gather(
            *(service.chain.verify_leaf(x.root, x.proof, x.leaf) for x in chunk)
        )
        ok += sum(results)
    return ok


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="cusdep-bench-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp) / "home"
        await asyncio.to_thread(initialise_node, home, country="CN", name="Bench Customs")
        settings = load_settings(home)
        async with build_node(settings) as node:
            batched = node.anchoring
            assert batched is not None
            batched.settings = AnchoringSettings(batch_max=args.batch_max, batch_wait_seconds=0)
            single = AnchorService(
                batched.db,
                batched.chain,
                actor="bench",
                settings=AnchoringSettings(batch_max=1, batch_wait_seconds=0),
            )

            docs = _shas(args.docs, "batched")
            b_time, b_gas = await _run(batched, docs)
            verified = await _verify_all(batched, docs)

            base_docs = _shas(args.baseline_docs, "single")
            latencies = []
            s_gas = 0
            for sha in base_docs:
                t, g = await _run(single, [sha])
                latencies.append(t)
                s_gas += g
            s_time = sum(latencies)

        b_rate, s_rate = args.docs / b_time, args.baseline_docs / s_time
        b_gpd, s_gpd = b_gas / args.docs, s_gas / args.baseline_docs
        rows = [
            ("mode", "documents", "seconds", "docs/s", "gas/doc", "txs"),
            (
                "one tx per document (baseline)",
                args.baseline_docs,
                f"{s_time:.2f}",
                f"{s_rate:,.0f}",
                f"{s_gpd:,.0f}",
                args.baseline_docs,
            ),
            (
                f"batched Merkle roots (max {args.batch_max})",
                args.docs,
                f"{b_time:.2f}",
                f"{b_rate:,.0f}",
                f"{b_gpd:,.1f}",
                -(-args.docs // args.batch_max),
            ),
        ]
        widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
        print(
            f"\nbatched vs baseline: {b_rate / s_rate:,.0f}x throughput, "
            f"{s_gpd / b_gpd:,.0f}x less gas per document"
        )
        print(f"proofs verified on chain with verifyLeaf: {verified}/{args.docs}")
        print(f"baseline per-document latency p50 {statistics.median(latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--baseline-docs", type=int, default=300)
    parser.add_argument("--batch-max", type=int, default=4096)
    asyncio.run(main(parser.parse_args()))
