"""Registering an issuing agency's whole bundle: one `cusdep registry import` against one
`cusdep registry add-*` / `templates add` command per record (the bundle's `commands.sh`).

Both on fresh homes (`cusdep init`, embedded anvil) in the same run, on the simulator's
registry bundle (13 agencies, 16 seals, 52 officers, 14 templates); every record is then
listed and must be confirmed on chain in both. The per-record baseline runs `--sample`
commands of each kind and scales each kind's mean by its count (all 95 take minutes).

    .venv/bin/python bench/registry_import.py [--sample 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulator.corpus import generate_corpus


def _cusdep(home: Path, *args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "CUSDEP_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "node", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"cusdep {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def _home(root: Path, name: str) -> Path:
    home = root / name
    _cusdep(home, "init", "--country", "CN", "--name", "Shanghai Customs")
    return home


def _confirmed(home: Path) -> int:
    listed = json.loads(_cusdep(home, "registry", "list", "--json"))
    return sum(r["state"] == "confirmed" for r in listed)


def _per_record(home: Path, registry: Path, sample: int) -> tuple[float, int, int]:
    """(seconds scaled to every record, records, commands run): `sample` commands of each
    kind (agencies first, as they must be), each kind's mean time its count."""
    lines = [ln for ln in (registry / "commands.sh").read_text().splitlines() if "$CUSDEP" in ln]
    by_kind: dict[str, list[list[str]]] = {}
    for line in lines:
        words = shlex.split(line.replace("$CUSDEP ", ""))
        by_kind.setdefault(" ".join(words[:2]), []).append(words)
    total, run = 0.0, 0
    for kind, commands in by_kind.items():
        chosen = commands if kind == "registry add-agency" else commands[:sample]
        start = time.perf_counter()
        for words in chosen:
            _cusdep(home, *words, cwd=registry)
        spent = time.perf_counter() - start
        total += spent / len(chosen) * len(commands)
        run += len(chosen)
    return total, len(lines), run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=5, help="baseline commands per kind (5)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(
        prefix="cusdep-bench-registry-", ignore_cleanup_errors=True
    ) as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        generate_corpus(corpus, 1, 7, workers=1)
        registry = corpus / "registry"

        one = _home(root, "import")
        start = time.perf_counter()
        out = json.loads(_cusdep(one, "registry", "import", str(registry), "--json"))
        imported = time.perf_counter() - start
        records = out["registered"]

        each = _home(root, "per-record")
        scaled, total, run = _per_record(each, registry, args.sample)

        print("| mode | records | seconds | records/s | confirmed on chain |")
        print("|---|---|---|---|---|")
        print(
            f"| one command per record (baseline; {run} run, scaled to {total}) | {total} "
            f"| {scaled:.1f} | {total / scaled:.1f} | {_confirmed(each)} of {run} run |"
        )
        print(
            f"| `registry import` | {records} | {imported:.1f} | {records / imported:.1f} "
            f"| {_confirmed(one)} of {records} |"
        )
        print(f"\n`registry import`: **{scaled / imported:.0f}x** the per-record commands.")


if __name__ == "__main__":
    main()
