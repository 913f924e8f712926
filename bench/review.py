"""Review pipeline timings, CPU and memory per stage on a simulator corpus, against a baseline.

    .venv/bin/python bench/review.py CORPUS_DIR [--count N] [--pdf] [--baseline legacy|none]

Loads the OCR models once (not timed), then reviews N documents with the current configuration
(``--det-max-side`` compares detector input sizes) and, interleaved document by document in
alternating order (so machine load hits both alike), with the baseline: ``legacy`` is the OCR
configuration before the speed work (RapidOCR's own pipeline: whole page scaled to 2000 px for
detection *and* recognition, the angle classifier on every line, onnxruntime's default spinning
threads). Prints, per stage, seconds per page
p50/p95 and the peak Python-traced memory (numpy buffers included; the onnxruntime arena is
not traced, see the max RSS line; traced in a separate untimed pass, as tracing slows Python),
then wall and CPU seconds (process_time, less sensitive to other load) per page and field
exact-match for each configuration. A fixed pure-Python workload is timed before and after the
run (``machine reference``): this machine's speed has varied about threefold between days, so
compare timings from different days only together with it.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from verification import BundleSpecimenSource, Pipeline
from verification import evaluation as ev
from verification.ocr import DEFAULT_DET_MAX_SIDE, RapidOcrEngine, _line
from verification.ports import OcrLine

STAGES = ("intake", "ocr", "template", "fields", "seal", "signature", "rules")


class LegacyOcr:
    """The OCR configuration before the speed work, kept here as the bench's baseline."""

    name = "rapidocr-legacy"

    def __init__(self) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self._engine = RapidOCR(max_side_len=2000)

    def recognise(self, image: np.ndarray) -> list[OcrLine]:
        result, _elapsed = self._engine(image, return_word_box=True)
        return [_line(item) for item in result or [] if str(item[1]).strip()]


@dataclass
class Series:
    name: str
    pipe: Pipeline
    stage: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})
    peak_kb: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STAGES})
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    fields: list[bool] = field(default_factory=list)
    _cpu: float = 0.0
    _wall: float = 0.0

    def review(self, case: Path, data: bytes, truth: dict[str, Any]) -> None:
        res = self._verify(case, data, truth)
        if tracemalloc.is_tracing():  # the untimed memory pass
            for stage in STAGES:
                self.peak_kb[stage] = max(self.peak_kb[stage], res.stage_peak_kb.get(stage, 0))
            return
        pages = max(1, res.pages)
        self.cpu.append(self._cpu / pages)
        self.wall.append(self._wall / pages)
        for stage in STAGES:
            self.stage[stage].append(res.stage_ms.get(stage, 0) / 1000 / pages)
        out = ev.CaseOutcome(case.name, str(truth.get("kind")), [], "", 0.0)
        ev._score(out, res, truth)
        self.fields.extend(out.fields.values())

    def _verify(self, case: Path, data: bytes, truth: dict[str, Any]) -> Any:
        arrival = date.fromisoformat(truth["arrival_date"])
        self.pipe.today = lambda: arrival
        decl = json.loads((case / "declaration.json").read_text())
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        res = self.pipe.verify(data, declaration=decl, arrival_date=arrival)
        self._cpu, self._wall = time.process_time() - cpu0, time.perf_counter() - wall0
        return res


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else 0.0


def _row(label: str, series: list[Series], values: Any, peak: Any = None) -> str:
    cells = []
    for s in series:
        v = values(s)
        cells.append(f"{_pct(v, 0.5):>7.3f} {_pct(v, 0.95):>7.3f}")
        if peak is not None:
            cells.append(f"{peak(s) / 1024:>8.1f}")
        elif len(series) > 0:
            cells.append(f"{'':>8}")
    return f"| {label:<14} | " + " | ".join(cells) + " |"


def machine_reference() -> float:
    """Seconds for 10^7 Python integer additions: the machine's speed at the moment."""
    t0 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t0


def report(series: list[Series], args: argparse.Namespace, load_s: float) -> None:
    print(
        f"documents: {len(series[0].wall)}  input: {'pdf' if args.pdf else 'scan'}  "
        f"corpus: {args.corpus}  model load: {load_s:.2f} s (once per process)"
    )
    head = " | ".join(f"{s.name + ' p50   p95':>15} | {'peak MiB':>8}" for s in series)
    print(f"| {'s/page':<14} | {head} |")
    print("|" + "---|" * (1 + 2 * len(series)))
    for stage in STAGES:
        print(
            _row(stage, series, lambda s, st=stage: s.stage[st], lambda s, st=stage: s.peak_kb[st])
        )
    print(_row("total wall", series, lambda s: s.wall, lambda s: max(s.peak_kb.values())))
    print(_row("total CPU", series, lambda s: s.cpu))
    for s in series:
        match = sum(s.fields) / len(s.fields) if s.fields else 0.0
        print(f"{s.name}: field exact-match {match:.4f} ({sum(s.fields)}/{len(s.fields)})")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS {rss:.0f} MiB (all configurations loaded)")


def _inputs(case: Path, pdf: bool) -> tuple[bytes, dict[str, Any]]:
    truth = json.loads((case / "truth.json").read_text())
    name = "certificate.pdf" if pdf else truth["files"]["scan"]
    return (case / name).read_bytes(), truth


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="a corpus from `cusdep simulate corpus`")
    ap.add_argument("--count", type=int, default=20, help="documents to review (default 20)")
    ap.add_argument("--pdf", action="store_true", help="review certificate.pdf instead of scans")
    ap.add_argument(
        "--baseline",
        choices=("legacy", "none"),
        default="legacy",
        help="legacy: also the OCR configuration before the speed work (default); none: only now",
    )
    ap.add_argument(
        "--det-max-side",
        type=int,
        nargs="+",
        default=[DEFAULT_DET_MAX_SIDE],
        help="detector input sizes to compare (one 'current' series each)",
    )
    ap.add_argument("--memory-docs", type=int, default=2, help="documents in the memory pass")
    args = ap.parse_args()
    before = machine_reference()
    source = BundleSpecimenSource(args.corpus)
    t0 = time.perf_counter()
    RapidOcrEngine().warm_up()
    load_s = time.perf_counter() - t0
    series = [
        Series(f"det{side}", Pipeline(source, ocr=RapidOcrEngine(det_max_side=side)))
        for side in args.det_max_side
    ]
    if args.baseline == "legacy":
        series.append(Series("legacy", Pipeline(source, ocr=LegacyOcr())))
    cases = ev.case_dirs(args.corpus)[: args.count]
    tracemalloc.start()  # memory: an untimed pass over the first documents (tracing slows)
    for case in cases[: args.memory_docs]:
        for s in series:
            s.review(case, *_inputs(case, args.pdf))
    tracemalloc.stop()
    for i, case in enumerate(cases):
        for s in series if i % 2 == 0 else reversed(series):
            s.review(case, *_inputs(case, args.pdf))
        sys.stderr.write(f"{case.name} " + " ".join(f"{s.wall[-1]:.2f}s" for s in series) + "\n")
    report(series, args, load_s)
    print(
        f"machine reference: 10^7 Python additions {before:.2f} s before, "
        f"{machine_reference():.2f} s after"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
