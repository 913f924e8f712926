"""Soak: a real node under sustained review load, sampled for leaks and slow-downs.

    .venv/bin/python bench/soak.py [--count N] [--checkpoints K] [--corpus DIR] [--keep]

Starts an anvil chain and one node (``cusdep node run``, a separate process, as an operator
runs it), imports a simulator corpus's registry, then uploads the corpus's paper scans with
their declarations through the REST API an officer or agency uses
(``POST /api/v1/documents/scans``, ``/declarations``), in K equal rounds. After each round
has drained (no review pending) it samples the node process: resident memory, open file
descriptors, threads, child processes, the SQLite database and its WAL, files left in the
node's own ``TMPDIR``, the log's bytes, and the REST latency of what the officers' queue page
(``/ui/``) reads (``/api/v1/review/queue?state=open``, ``/api/v1/declaration-checks``) and of
one trace, each the median of 5 requests. Per-review seconds are the worker's own: from
``reviewed_at`` of one review to the next's (it reviews one at a time), or from its queueing
where it had to wait. The table compares the start with every round's end; the last line
names the growth per 100 reviews of memory, descriptors and the database.

Timings are noisy on a shared machine; memory, descriptor, thread and file counts are not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator.cluster import Cluster, NodeProcess, NodeSpec  # noqa: E402
from simulator.corpus import generate_corpus  # noqa: E402

NODE = NodeSpec("CN-SHA", "CN", "Shanghai Customs")


@dataclass
class Sample:
    reviews: int
    rss_mb: float
    fds: int
    threads: int
    children: int
    db_mb: float
    wal_mb: float
    tmp_files: int
    log_kb: float
    review_p50: float
    review_p95: float
    drain_per_min: float
    queue_ms: float
    checks_ms: float
    trace_ms: float


def _status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def _children(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += len((task / "children").read_text().split())
        except OSError:
            continue
    return total


def _files(path: Path) -> int:
    return sum(len(files) + len(dirs) for _, dirs, files in os.walk(path))


def _size(path: Path) -> float:
    return path.stat().st_size / 2**20 if path.exists() else 0.0


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else 0.0


def _ms(client: httpx.Client, path: str) -> float:
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"GET {path}: {r.status_code} {r.text[:300]}")
    return statistics.median(times)


def _sql(db: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def _when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _review_seconds(db: Path, shas: list[str]) -> list[float]:
    """The worker's seconds for each of ``shas``: from the previous review's end (or this
    one's queueing, whichever is later) to this one's end."""
    rows = _sql(
        db,
        "SELECT queued_at, reviewed_at FROM reviews WHERE reviewed_at IS NOT NULL "
        "ORDER BY reviewed_at",
    )
    wanted = {
        r[0]
        for r in _sql(
            db,
            f"SELECT reviewed_at FROM reviews WHERE sha256 IN ({','.join('?' * len(shas))})",
            *shas,
        )
    }
    out, previous = [], None
    for queued, reviewed in rows:
        start = _when(queued) if previous is None else max(_when(queued), previous)
        if reviewed in wanted:
            out.append((_when(reviewed) - start).total_seconds())
        previous = _when(reviewed)
    return out


class Soak:
    def __init__(self, root: Path, corpus: Path, token: str, proc: NodeProcess) -> None:
        self.root, self.corpus, self.proc = root, corpus, proc
        self.db = proc.home / "cusdep.db"
        assert proc.proc is not None
        self.pid = proc.proc.pid
        url = f"http://127.0.0.1:{proc.ready['api_port']}"
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )
        self.samples: list[Sample] = []
        self.last_sha = ""

    def upload(self, case: Path) -> str:
        scan = next(case.glob("scan.*"))
        kind = "image/png" if scan.suffix == ".png" else "image/jpeg"
        decl = self.client.post(
            "/api/v1/documents/declarations",
            content=(case / "declaration.json").read_bytes(),
            headers={"Content-Type": "application/json"},
        )
        if decl.status_code >= 300:
            raise RuntimeError(f"declaration {case.name}: {decl.status_code} {decl.text[:300]}")
        r = self.client.post(
            "/api/v1/documents/scans", content=scan.read_bytes(), headers={"Content-Type": kind}
        )
        if r.status_code != 202:
            raise RuntimeError(f"scan {case.name}: {r.status_code} {r.text[:300]}")
        return str(r.json()["sha256"])

    def drain(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while _sql(self.db, "SELECT count(*) FROM reviews WHERE state = 'pending'")[0][0]:
            if self.proc.proc is not None and self.proc.proc.poll() is not None:
                raise RuntimeError(f"the node exited: see {self.proc.home}/node.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"reviews still pending after {timeout:.0f} s")
            time.sleep(0.5)  # polling interval; the count decides

    def round(self, cases: list[Path]) -> None:
        t0 = time.monotonic()
        shas = [self.upload(case) for case in cases]
        self.drain(timeout=120 + 60 * len(cases))
        minutes = (time.monotonic() - t0) / 60
        self.last_sha = shas[-1]
        seconds = _review_seconds(self.db, shas)
        self.sample(len(cases) / minutes, seconds)

    def sample(self, drain: float = 0.0, seconds: list[float] | None = None) -> None:
        status = _status(self.pid)
        reviews = _sql(self.db, "SELECT count(*) FROM reviews WHERE state != 'pending'")[0][0]
        trace = _ms(self.client, f"/api/v1/trace/{self.last_sha}") if self.last_sha else 0.0
        self.samples.append(
            Sample(
                reviews=reviews,
                rss_mb=int(status["VmRSS"].split()[0]) / 1024,
                fds=len(os.listdir(f"/proc/{self.pid}/fd")),
                threads=int(status["Threads"]),
                children=_children(self.pid),
                db_mb=_size(self.db),
                wal_mb=_size(self.db.with_name("cusdep.db-wal")),
                tmp_files=_files(self.root / "tmp"),
                log_kb=_size(self.proc.home / "node.log") * 1024,
                review_p50=_pct(seconds or [], 0.5),
                review_p95=_pct(seconds or [], 0.95),
                drain_per_min=drain,
                queue_ms=_ms(self.client, "/api/v1/review/queue?state=open&limit=51"),
                checks_ms=_ms(self.client, "/api/v1/declaration-checks?state=open&limit=11"),
                trace_ms=trace,
            )
        )
        if len(self.samples) == 1:
            print("| " + " | ".join(name for name, _, _ in COLUMNS) + " |")
            print("|" + "---|" * len(COLUMNS))
        print(_row(self.samples[-1]), flush=True)  # as it comes: a long run shows its trend


COLUMNS = (
    ("reviews", "reviews", "{:d}"),
    ("RSS MB", "rss_mb", "{:.0f}"),
    ("fds", "fds", "{:d}"),
    ("threads", "threads", "{:d}"),
    ("children", "children", "{:d}"),
    ("DB MB", "db_mb", "{:.2f}"),
    ("WAL MB", "wal_mb", "{:.2f}"),
    ("tmp files", "tmp_files", "{:d}"),
    ("log KB", "log_kb", "{:.0f}"),
    ("review p50 s", "review_p50", "{:.2f}"),
    ("review p95 s", "review_p95", "{:.2f}"),
    ("drained /min", "drain_per_min", "{:.1f}"),
    ("queue ms", "queue_ms", "{:.1f}"),
    ("checks ms", "checks_ms", "{:.1f}"),
    ("trace ms", "trace_ms", "{:.1f}"),
)


def _row(s: Sample) -> str:
    return "| " + " | ".join(fmt.format(getattr(s, attr)) for _, attr, fmt in COLUMNS) + " |"


def report(samples: list[Sample]) -> None:
    """The growth from the first round's end (models loaded, caches warm) to the last."""
    first, second, last = samples[0], samples[min(1, len(samples) - 1)], samples[-1]
    span = max(last.reviews - second.reviews, 1)
    print(
        f"from the first round's end to the last ({span} reviews), per 100 reviews: "
        f"RSS {100 * (last.rss_mb - second.rss_mb) / span:+.1f} MB, "
        f"fds {100 * (last.fds - second.fds) / span:+.1f}, "
        f"threads {100 * (last.threads - second.threads) / span:+.1f}, "
        f"DB+WAL {100 * (last.db_mb + last.wal_mb - second.db_mb - second.wal_mb) / span:+.2f} MB, "
        f"log {100 * (last.log_kb - second.log_kb) / span:+.1f} KB; "
        f"start to end: RSS {last.rss_mb - first.rss_mb:+.0f} MB, fds {last.fds - first.fds:+d}"
    )


def run(args: argparse.Namespace, root: Path) -> list[Sample]:
    corpus = args.corpus or root / "corpus"
    if args.corpus is None:
        generate_corpus(corpus, args.count, args.seed, workers=2)
    cases = sorted((corpus / "cases").iterdir())[: args.count]
    if len(cases) < args.count:
        raise SystemExit(f"the corpus has {len(cases)} cases, fewer than --count {args.count}")
    (root / "tmp").mkdir()
    os.environ["TMPDIR"] = str(root / "tmp")  # the node's temporary files, counted apart
    cluster = Cluster(root, [NODE])
    try:
        cluster.start_chain()
        cluster.init_nodes()
        node = cluster[NODE.node_id]
        node.cli("registry", "import", str(corpus / "registry"))
        issued = node.cli("token", "issue", "--role", "officer", "--subject", "soak", "--json")
        node.start()
        soak = Soak(root, corpus, json.loads(issued.stdout)["token"], node)
        soak.sample()
        size = -(-args.count // args.checkpoints)
        for i in range(0, args.count, size):
            soak.round(cases[i : i + size])
        return soak.samples
    finally:
        cluster.stop_all()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=300, help="scans to review (default 300)")
    ap.add_argument("--checkpoints", type=int, default=3, help="rounds sampled (default 3)")
    ap.add_argument("--seed", type=int, default=7, help="the corpus's seed (default 7)")
    ap.add_argument("--corpus", type=Path, help="reuse a `cusdep simulate corpus` directory")
    ap.add_argument("--keep", action="store_true", help="keep the node's home for a look")
    args = ap.parse_args()
    if args.count < 1 or args.checkpoints < 1 or args.checkpoints > args.count:
        ap.error("--count must be at least 1, --checkpoints between 1 and --count")
    root = Path(tempfile.mkdtemp(prefix="cusdep-soak-"))
    try:
        samples = run(args, root)
    finally:
        if args.keep:
            sys.stderr.write(f"kept {root}\n")
        else:
            shutil.rmtree(root, ignore_errors=True)
    report(samples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
