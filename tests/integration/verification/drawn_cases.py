"""Single cases of a simulator draw, made again and written as a corpus ``cusdep eval`` reads:
a held-out draw's finding kept as a test without generating the whole draw."""

from __future__ import annotations

import json
from pathlib import Path

from simulator.cases import CaseFiles, build_case
from simulator.registry_bundle import write_bundle
from simulator.world import build_world


def drawn_corpus(root: Path, seed: int, cases: list[tuple[int, str]]) -> dict[str, CaseFiles]:
    """Cases ``(index, kind)`` of draw ``seed`` under ``root``, with the draw's registry."""
    world = build_world(seed)
    write_bundle(root / "registry", world)
    made = {}
    for index, kind in cases:
        case = build_case(world, seed, index, kind)
        where = root / "cases" / case.case_id
        where.mkdir(parents=True)
        (where / f"scan.{case.scan_fmt}").write_bytes(case.scan)
        (where / "truth.json").write_text(json.dumps(case.truth), encoding="utf-8")
        (where / "declaration.json").write_text(json.dumps(case.declaration), encoding="utf-8")
        made[case.case_id] = case
    return made
