"""Corpus generation throughput: ``python -m simulator.bench [--count N] [--workers W]``.

Prints a table: CPU seconds per certificate in one process (load-independent cost), and the
end-to-end rate of ``generate_corpus`` with the given workers (depends on what else runs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import cv2

    from simulator.cases import KINDS, build_case
    from simulator.corpus import generate_corpus
    from simulator.world import build_world

    ap = argparse.ArgumentParser(prog="python -m simulator.bench")
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    world = build_world(1)
    build_case(world, 1, 0, "genuine")  # warm caches (fonts, seal designs)
    rows = []
    for kind in KINDS:
        start = time.process_time()
        for i in range(3):
            build_case(world, 1, 1000 + i, kind)
        rows.append((kind, (time.process_time() - start) / 3))
    with tempfile.TemporaryDirectory() as tmp:
        wall = time.perf_counter()
        generate_corpus(Path(tmp), args.count, 1, workers=args.workers)
        wall = time.perf_counter() - wall
    out = sys.stdout.write
    out(f"{'case kind':<24}{'CPU s/cert':>12}{'certs/s/core':>14}\n")
    for kind, cpu in rows:
        out(f"{kind:<24}{cpu:>12.3f}{1 / cpu:>14.1f}\n")
    mean = sum(c for _, c in rows) / len(rows)
    out(f"{'mean':<24}{mean:>12.3f}{1 / mean:>14.1f}\n")
    out(
        f"generate_corpus: {args.count} certificates, {args.workers} workers: {wall:.1f} s "
        f"= {args.count / wall:.2f} certs/s (wall, incl. registry bundle and worker start)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
