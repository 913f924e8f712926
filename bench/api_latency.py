"""REST latency over a real socket (uvicorn in-process, in-memory chain, fake verifier).

    .venv/bin/python bench/api_latency.py [N]     # N requests per endpoint (default 200)

Prints a table: endpoint, requests, median and p95 milliseconds, requests per second
(sequential, one client). The review pipeline itself is measured by `cusdep eval`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo's tests.unit.api.fakes

from node.api.server import ApiServer
from node.api.tokens import TokenService
from node.bootstrap import build_node
from tests.unit.api.fakes import FakeVerifier, fakes, labelled_scan, settings


async def _time(c: httpx.AsyncClient, n: int, method: str, path: str, **kw) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        started = time.perf_counter()
        r = await c.request(method, path.format(i=i), **kw)
        out.append((time.perf_counter() - started) * 1000)
        assert r.status_code < 300, r.text
    return out


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="cusdep-bench-api-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp) / "home"
        node = build_node(settings(home), verifier=FakeVerifier(), **fakes())
        server = ApiServer(node, port=0)
        async with node:
            await server.start()
            token = TokenService(node.db).issue("officer", "bench")["token"]
            h = {"Authorization": f"Bearer {token}"}
            review = node.extras["review"]
            sha = review.submit_scan(labelled_scan("forged"), actor="bench")["sha256"]
            await review.process_pending()
            scans = [labelled_scan(f"bench-{i}") for i in range(n)]
            async with httpx.AsyncClient(base_url=server.url, headers=h) as c:
                rows = {
                    "GET /health/live": await _time(c, n, "GET", "/health/live"),
                    "GET /health/ready": await _time(c, n, "GET", "/health/ready"),
                    "GET /api/v1/review/{sha}": await _time(c, n, "GET", f"/api/v1/review/{sha}"),
                    "GET /api/v1/trace/{sha}": await _time(c, n, "GET", f"/api/v1/trace/{sha}"),
                    "GET /api/v1/review/queue": await _time(c, n, "GET", "/api/v1/review/queue"),
                }
                post = []
                for data in scans:
                    started = time.perf_counter()
                    r = await c.post(
                        "/api/v1/documents/scans",
                        content=data,
                        headers={"Content-Type": "image/png"},
                    )
                    post.append((time.perf_counter() - started) * 1000)
                    assert r.status_code == 202
                rows["POST /api/v1/documents/scans (~25 KB)"] = post
            await server.aclose()
        sys.stdout.write(
            f"{'endpoint':<40} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}\n"
        )
        for name, ms in rows.items():
            p95 = sorted(ms)[int(len(ms) * 0.95) - 1]
            rps = 1000 / statistics.mean(ms)
            sys.stdout.write(
                f"{name:<40} {len(ms):>5} {statistics.median(ms):>10.1f} {p95:>8.1f} {rps:>7.0f}\n"
            )


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "n", nargs="?", type=int, default=200, help="requests per endpoint (default 200)"
    )
    args = ap.parse_args()
    if args.n < 1:
        ap.error("N must be at least 1")
    return args


if __name__ == "__main__":
    asyncio.run(main(_args().n))
