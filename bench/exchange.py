"""Exchange throughput: streaming outbox delivery versus one unary call at a time.

Two nodes as separate processes on loopback over mutual TLS: the receiver is a node built with
build_node running its exchange components (gRPC server, blob materializer), or with
``--full-node`` a real `cusdep node run` (then its review/anchoring of every received document
runs too); the sender is a second process that builds its node with build_node and
(1) queues N signed 2 KB documents in the durable outbox while the OutboxWorker streams them
(BENCH_SEQUENTIAL=1: queue everything first, then stream),
(2) sends M documents one at a time with the unary Send call, each waiting for its receipt.
End to end each message is signed, persisted in the sender's outbox, sent over mTLS, verified,
durably persisted by the receiver (SQLite WAL, synchronous=FULL), acknowledged with a signed
receipt, and the verified receipt stored by the sender.

    .venv/bin/python bench/exchange.py [--stream N] [--unary M] [--payload BYTES] [--full-node]
        [--latency MS]

``--latency MS`` puts the receiver MS milliseconds away, each way: the sender dials it through
a loopback delay line (``simulator.faultproxy``), as a partner on another continent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from node.bootstrap import build_node  # noqa: E402
from node.config import load_settings  # noqa: E402
from node.exchange.outbox import OutboxWorker  # noqa: E402
from node.exchange.partners import add_partner, export_card  # noqa: E402
from node.identity import load_identity  # noqa: E402
from node.netports import free_port  # noqa: E402
from node.setup import initialise_node  # noqa: E402
from node.storage.db import Database  # noqa: E402

NO_CHAIN = "http://127.0.0.1:9"


def _doc(i: int, size: int, tag: str) -> bytes:
    head = f'{{"certificate_number": "BENCH-{tag}-{i:08d}", "pad": "'.encode()
    tail = b'"}'
    pad = os.urandom((size - len(head) - len(tail)) // 2).hex().encode()
    return head + pad[: size - len(head) - len(tail)] + tail


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


async def _stream(home: Path, n: int, size: int) -> dict[str, Any]:
    node = build_node(load_settings(home))
    service = node.exchange
    assert service is not None
    worker = OutboxWorker(service)
    docs = [(_doc(i, size, "S"), "") for i in range(n)]
    t0, cpu0 = time.perf_counter(), _cpu()
    if not os.environ.get("BENCH_SEQUENTIAL"):
        await worker.start()
    chunk = 1000
    for start in range(0, n, chunk):
        await asyncio.to_thread(service.send_many, docs[start : start + chunk], "CN-BEN")
    t_queued = time.perf_counter()
    if os.environ.get("BENCH_SEQUENTIAL"):
        await worker.start()
    while True:
        states = await asyncio.to_thread(_states, node.db)
        if states.get("delivered", 0) >= n:
            break
        await asyncio.sleep(0.05)
    elapsed, cpu = time.perf_counter() - t0, _cpu() - cpu0
    lat = list(worker.latencies)
    await worker.aclose()
    node.db.dispose()
    return {
        "mode": "streaming",
        "n": n,
        "seconds": elapsed,
        "rate": n / elapsed,
        "queue_seconds": t_queued - t0,
        "sender_cpu": cpu,
        "deliver_seconds": elapsed - (t_queued - t0),
        "p50_ms": _pct(lat, 0.5),
        "p99_ms": _pct(lat, 0.99),
    }


async def _receiver(home: Path) -> None:
    """The receiving node with only its exchange components running (gRPC server, blob
    materializer): the node's review/anchoring follow-up on received documents is measured by
    their own benches. ``--full-node`` runs `cusdep node run` instead."""
    import signal

    from node.exchange.blobs import BlobMaterializer
    from node.exchange.grpc_server import GrpcExchangeServer

    node = build_node(load_settings(home))
    parts = [w for w in node.workers if isinstance(w, GrpcExchangeServer | BlobMaterializer)]
    for part in parts:
        await part.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(json.dumps({"event": "ready"}), flush=True)
    await stop.wait()
    for part in reversed(parts):
        await part.aclose()


async def _unary(home: Path, n: int, size: int) -> dict[str, Any]:
    node = build_node(load_settings(home))
    service = node.exchange
    assert service is not None
    lat = []
    t0, cpu0 = time.perf_counter(), _cpu()
    for i in range(n):
        t = time.perf_counter()
        await service.send_now(_doc(i, size, "U"), "CN-BEN")
        lat.append(time.perf_counter() - t)
    elapsed, cpu = time.perf_counter() - t0, _cpu() - cpu0
    await service.client.aclose()
    node.db.dispose()
    return {
        "mode": "unary (one at a time)",
        "n": n,
        "seconds": elapsed,
        "rate": n / elapsed,
        "queue_seconds": 0.0,
        "sender_cpu": cpu,
        "p50_ms": _pct(lat, 0.5),
        "p99_ms": _pct(lat, 0.99),
    }


def _cpu(pid: int | None = None) -> float:
    """CPU seconds (user + system, all threads) of this process or of ``pid``."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_idle(pid: int, limit: float = 120.0) -> None:
    """Until the receiver uses under 5% of a core over half a second (or ``limit`` passes)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = _cpu(pid)
        time.sleep(0.5)
        if _cpu(pid) - before < 0.025:
            return


def _states(db: Database) -> dict[str, int]:
    from sqlalchemy import text

    with db.session() as session:
        rows = session.connection().execute(
            text("SELECT state, count(*) FROM exchange_outbox GROUP BY state")
        )
        return {r[0]: r[1] for r in rows}


def _setup(root: Path, latency: float = 0.0) -> tuple[Path, Path, Any]:
    """The two homes, each pinning the other; with ``latency`` (seconds, one way) the sender's
    pin of the receiver names a delay line in front of it. Returns the homes and the hub that
    runs the delay line (None without one)."""
    homes = {}
    for node_id in ("AU-BEN", "CN-BEN"):
        home = root / node_id.lower()
        initialise_node(
            home,
            country=node_id[:2],
            name=node_id,
            node_id=node_id,
            rpc_url=NO_CHAIN,
            grpc_port=free_port(),
            api_port=free_port(),
        )
        homes[node_id] = home
    hub = _delay_line(homes["CN-BEN"], latency) if latency else None
    for me, other in (("AU-BEN", "CN-BEN"), ("CN-BEN", "AU-BEN")):
        settings = load_settings(homes[me])
        card = export_card(load_settings(homes[other]), load_identity(homes[other], other))
        db = Database(settings.database_url)
        add_partner(db, card, own_id=me)
        db.dispose()
    return homes["AU-BEN"], homes["CN-BEN"], hub


def _delay_line(home: Path, latency: float) -> Any:
    """A delay line in front of the node at ``home``, which its card then advertises."""
    from node.config import write_settings
    from simulator.faultproxy import ProxyHub

    settings = load_settings(home)
    hub = ProxyHub()
    proxy = hub.add(settings.node.id, settings.exchange.grpc_port)
    proxy.delay(latency)
    advertise = f"127.0.0.1:{proxy.port}"
    settings.exchange = settings.exchange.model_copy(update={"advertise": advertise})
    write_settings(settings)
    return hub


def _run_sender(home: Path, mode: str, n: int, size: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--role",
            mode,
            "--home",
            str(home),
            "--n",
            str(n),
            "--payload",
            str(size),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream", type=int, default=20000)
    parser.add_argument("--unary", type=int, default=1000)
    parser.add_argument("--payload", type=int, default=2048)
    parser.add_argument("--dir", default="~/.cache/cusdep-bench", help="where the homes go")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="ms each way between the nodes (default 0)"
    )
    parser.add_argument(
        "--full-node", action="store_true", help="receiver runs all of `cusdep node run`"
    )
    parser.add_argument("--role", choices=("stream", "unary", "receiver"), help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "receiver":
        asyncio.run(_receiver(Path(args.home)))
        return 0
    if args.role:
        runner = _stream if args.role == "stream" else _unary
        print(json.dumps(asyncio.run(runner(Path(args.home), args.n, args.payload))))
        return 0
    # Not under /tmp: on this machine creating a file there costs ~0.7 ms against ~0.05 ms in
    # the home directory, which would measure the sandbox rather than the node.
    base = Path(args.dir).expanduser()
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cusdep-bench-", dir=base) as tmp:
        sender, receiver, hub = _setup(Path(tmp), args.latency / 1000)
        command = (
            ["-m", "node", "--home", str(receiver), "node", "run"]
            if args.full_node
            else [__file__, "--role", "receiver", "--home", str(receiver)]
        )
        proc = subprocess.Popen(
            [sys.executable, *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
        )
        try:
            assert proc.stdout is not None
            ready = json.loads(proc.stdout.readline())
            assert ready.get("event") == "ready", ready
            results: list[dict[str, Any]] = []
            # unary first: the receiver node's own follow-up work on 20,000 streamed documents
            # (review routing, anchoring) would otherwise run during, and slow, the baseline
            for mode, n in (("unary", args.unary), ("stream", args.stream)):
                _wait_idle(proc.pid)
                before = _cpu(proc.pid)
                result = _run_sender(sender, mode, n, args.payload)
                result["receiver_cpu"] = _cpu(proc.pid) - before
                results.insert(0, result)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            if hub is not None:
                hub.close()
    receiver_kind = "cusdep node run" if args.full_node else "exchange only"
    _table(results, args.payload, receiver_kind, args.latency)
    return 0


def _table(results: list[dict[str, Any]], size: int, receiver: str, latency_ms: float) -> None:
    link = f"{latency_ms:g} ms each way (delay line)" if latency_ms else "loopback"
    print(
        f"\nexchange bench: {size}-byte documents, 2 processes, mTLS, {link}, "
        f"{os.cpu_count()} cores, receiver: {receiver}\n"
    )
    head = ("mode", "messages", "seconds", "msg/s", "p50 ms", "p99 ms", "CPU us/msg")
    print(f"{head[0]:<24}" + "".join(f"{h:>12}" for h in head[1:]))
    for r in results:
        cpu = (r["sender_cpu"] + r["receiver_cpu"]) / r["n"] * 1e6
        print(
            f"{r['mode']:<24}{r['n']:>12}{r['seconds']:>12.2f}{r['rate']:>12.0f}"
            f"{r['p50_ms']:>12.2f}{r['p99_ms']:>12.2f}{cpu:>12.0f}"
        )
    ratio = results[0]["rate"] / results[1]["rate"]
    for r in results:
        print(
            f"  {r['mode']}: sender {r['sender_cpu'] / r['n'] * 1e6:.0f} us/msg, "
            f"receiver {r['receiver_cpu'] / r['n'] * 1e6:.0f} us/msg"
        )
    print(
        f"\nstreaming / unary: {ratio:.1f}x. Streaming p50/p99: a frame written to its acks "
        f"received; signing and queueing took {results[0]['queue_seconds']:.2f}s of it."
        " CPU us/msg: sender + receiver CPU time per message, all threads (1-min load average"
        f" at the end: {os.getloadavg()[0]:.1f}; other processes share the cores)."
    )


if __name__ == "__main__":
    raise SystemExit(main())
