"""Review pipeline timings and memory per stage on a simulator corpus.

    .venv/bin/python bench/review.py CORPUS_DIR [--count N] [--pdf]

Loads the OCR models once (not timed), then reviews N documents and prints, per stage,
seconds per page p50/p95 and the peak Python-traced memory (numpy buffers included; the
onnxruntime arena is not traced, see the process max RSS line).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

from verification import BundleSpecimenSource, Pipeline
from verification.evaluation import case_dirs
from verification.ocr import RapidOcrEngine

STAGES = ("intake", "ocr", "template", "fields", "seal", "signature", "rules")


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--pdf", action="store_true", help="review certificate.pdf instead of scans")
    args = ap.parse_args()
    ocr = RapidOcrEngine()
    t0 = time.perf_counter()
    ocr.warm_up()
    load_s = time.perf_counter() - t0
    pipe = Pipeline(BundleSpecimenSource(args.corpus), ocr=ocr)
    per_stage: dict[str, list[float]] = {s: [] for s in STAGES}
    peaks: dict[str, int] = {s: 0 for s in STAGES}
    totals: list[float] = []
    tracemalloc.start()
    for case in case_dirs(args.corpus)[: args.count]:
        truth = json.loads((case / "truth.json").read_text())
        arrival = date.fromisoformat(truth["arrival_date"])
        pipe.today = lambda a=arrival: a
        name = (
            "certificate.pdf"
            if args.pdf
            else next(p.name for p in case.iterdir() if p.name.startswith("scan."))
        )
        decl = json.loads((case / "declaration.json").read_text())
        tracemalloc.reset_peak()
        res = pipe.verify((case / name).read_bytes(), declaration=decl, arrival_date=arrival)
        totals.append(res.elapsed_ms / 1000 / max(1, res.pages))
        for stage in STAGES:
            per_stage[stage].append(res.stage_ms.get(stage, 0) / 1000 / max(1, res.pages))
            peaks[stage] = max(peaks[stage], res.stage_peak_kb.get(stage, 0))
        sys.stderr.write(f"\r{case.name} {totals[-1]:.2f}s")
    tracemalloc.stop()
    sys.stderr.write("\n")
    print(
        f"documents: {len(totals)}  input: {'pdf' if args.pdf else 'scan'}  "
        f"model load: {load_s:.2f} s (once per process)"
    )
    print(f"{'stage':<10} {'p50 s/page':>11} {'p95 s/page':>11} {'peak MiB':>9}")
    for stage in STAGES:
        v = per_stage[stage]
        print(
            f"{stage:<10} {_pct(v, 0.5):>11.3f} {_pct(v, 0.95):>11.3f} {peaks[stage] / 1024:>9.1f}"
        )
    print(
        f"{'total':<10} {_pct(totals, 0.5):>11.3f} {_pct(totals, 0.95):>11.3f} "
        f"{max(peaks.values()) / 1024:>9.1f}"
    )
    print(
        f"mean {statistics.fmean(totals):.3f} s/page; process max RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
