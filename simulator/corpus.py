"""``cusdep simulate corpus``: write a labelled corpus and its registry bundle.

Layout of ``DIR`` (see simulator/README.md)::

    manifest.json                      seed, count, mix, one entry per case
    registry/bundle.json               agencies, seals, officers, templates (machine-readable;
                                       ``cusdep registry import DIR/registry`` registers it)
    registry/commands.sh               the same as one cusdep command per record
    registry/seals/<seal id>.png       seal specimens
    registry/signatures/<officer>.png  signature specimens
    registry/templates/<id>.json       templates in the contract format
    cases/<case id>/certificate.pdf    vector PDF with text layer, seal and signature
    cases/<case id>/scan.jpg           degraded colour scan of the same page (200 dpi)
    cases/<case id>/declaration.json   the importer's declaration (contract format)
    cases/<case id>/truth.json         ground truth: kind, template, fields, seal, officer, verdict

Every case is a pure function of (seed, index, kind), so the output is identical for the same
seed whatever the number of worker processes.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import random
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.cases import KINDS, CaseFiles, build_case, capture_of
from simulator.registry_bundle import write_bundle
from simulator.world import World, build_world

logger = logging.getLogger(__name__)

# a seal copied from another certificate (``cloned_seal``) and a forged signature only where a
# mix asks for them: the default corpora stay as they were measured
_NAMED_ONLY = ("cloned_seal", "forged_signature")
DEFAULT_MIX: dict[str, float] = {
    "genuine": 0.6,
    **{k: 0.4 / 7 for k in KINDS[1:] if k not in _NAMED_ONLY},
}


@dataclass(frozen=True)
class CorpusSummary:
    out: Path
    count: int
    kinds: dict[str, int]
    seconds: float


def plan_kinds(count: int, seed: int, mix: Mapping[str, float]) -> list[str]:
    """Exact quotas per kind (largest remainder), shuffled with the seed."""
    unknown = set(mix) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown case kind(s): {', '.join(sorted(unknown))}")
    total = sum(mix.values())
    if total <= 0:
        raise ValueError("the mix must give some kind a positive share")
    share = {k: count * mix.get(k, 0.0) / total for k in KINDS}
    quota = {k: int(v) for k, v in share.items()}
    left = count - sum(quota.values())
    for k in sorted(KINDS, key=lambda k: (quota[k] - share[k], KINDS.index(k)))[:left]:
        quota[k] += 1
    kinds = [k for k in KINDS for _ in range(quota[k])]
    random.Random(f"plan-{seed}").shuffle(kinds)
    return kinds


def parse_mix(text: str) -> dict[str, float]:
    """``genuine=0.5,forged_seal=0.2,...``; kinds not named get nothing."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, val = part.partition("=")
        try:
            share = float(val)
        except ValueError as err:
            raise ValueError(f"--mix: {part!r} is not KIND=SHARE") from err
        if not 0 <= share < math.inf:  # also refuses nan
            # a negative share took cases from the others' quotas: --count 4 wrote 8
            raise ValueError(f"--mix: the share of {name.strip()} must be a number >= 0")
        mix[name.strip()] = share
    return mix


def generate_corpus(
    out: Path,
    count: int,
    seed: int,
    *,
    mix: Mapping[str, float] | None = None,
    workers: int = 2,
    scan_fmt: str = "jpg",
    capture: str = "scan",
    progress: Callable[[int, int], None] | None = None,
) -> CorpusSummary:
    import time

    start = time.perf_counter()
    capture_of(seed, 1, capture)  # an unknown capture is refused before anything is written
    kinds = plan_kinds(count, seed, mix or DEFAULT_MIX)
    world = build_world(seed)
    out.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    bundle: dict[str, Any] = {}
    cases = _cases(world, seed, kinds, workers, scan_fmt, capture)
    for done, files in enumerate(cases, start=1):
        if not bundle:  # written while the workers render the first cases
            bundle = write_bundle(out / "registry", world)
        entries.append(_write_case(out / "cases", files))
        if progress:
            progress(done, count)
    manifest = {
        "generator": "cusdep simulate corpus",
        "format_version": 1,
        "seed": seed,
        "count": count,
        "mix": dict(mix or DEFAULT_MIX),
        "scan_format": scan_fmt,
        "capture": capture,
        "registry": "registry/bundle.json",
        "templates": bundle["templates"],
        "cases": entries,
    }
    _dump(out / "manifest.json", manifest)
    counts = {k: kinds.count(k) for k in KINDS if kinds.count(k)}
    return CorpusSummary(out, count, counts, time.perf_counter() - start)


def _cases(
    world: World, seed: int, kinds: list[str], workers: int, scan_fmt: str, capture: str
) -> Iterator[CaseFiles]:
    jobs = [(seed, i, k, scan_fmt, capture) for i, k in enumerate(kinds, start=1)]
    if workers <= 1 or len(jobs) < 4:
        for job in jobs:
            yield build_case(world, *job)
        return
    # spawn: forking a parent whose OpenCV/BLAS thread pools are running can deadlock
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(seed,)
    ) as pool:
        yield from pool.map(_worker_case, jobs, chunksize=4)


_WORLD: World | None = None


def _init_worker(seed: int) -> None:
    import cv2

    global _WORLD
    cv2.setNumThreads(1)
    _WORLD = build_world(seed)


def _worker_case(job: tuple[int, int, str, str, str]) -> CaseFiles:
    assert _WORLD is not None
    return build_case(_WORLD, *job)


def _write_case(root: Path, files: CaseFiles) -> dict[str, Any]:
    d = root / files.case_id
    d.mkdir(parents=True, exist_ok=True)
    (d / "certificate.pdf").write_bytes(files.pdf)
    (d / f"scan.{files.scan_fmt}").write_bytes(files.scan)
    if files.earlier is not None:
        (d / f"earlier.{files.scan_fmt}").write_bytes(files.earlier)
    _dump(d / "declaration.json", files.declaration)
    _dump(d / "truth.json", files.truth)
    t = files.truth
    return {
        "case_id": files.case_id,
        "dir": f"cases/{files.case_id}",
        "kind": t["kind"],
        "template_id": t["template_id"],
        "expected_verdict": t["expected_verdict"],
        "capture": t["capture"],
    }


def _dump(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
