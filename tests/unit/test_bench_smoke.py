"""The benchmark scripts that read the node's database still run against the schema at head
(bench/history.py inserted rows of the declaration index as it was before revision 0009, and
read the metrics at 0007, before the tables they count existed: both failed unnoticed). Tiny
scales: this is no measurement, only that the table comes out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(_ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=_ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_history_bench_prints_its_table() -> None:
    out = _run("history.py", "0.01")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "ms" not in line]
    assert [r.split(" | ")[0] for r in rows] == [
        "| /metrics (counts by state)",
        "| messages, first page of 1000",
        "| messages in, 1000 at offset 500",
        "| documents, newest 100",
        "| declaration of a scan's number",
    ]


def test_declaration_checks_bench_prints_its_table() -> None:
    out = _run("declaration_checks.py", "20")
    rows = [line[:48].strip() for line in out.splitlines()[-4:]]
    assert rows == [
        "each its own certificate",
        "one certificate",
        "one certificate, every earlier named (before)",
        "one certificate, partial use (its balance)",
    ], out


def test_declaration_lookup_bench_prints_its_table() -> None:
    out = _run("declaration_lookup.py", "400")
    rows = [line.split(" | ")[0] for line in out.splitlines() if line.startswith("| ")]
    assert rows[1:] == [
        "| declarations naming a certificate (1 of them)",
        "| declarations naming a certificate (20 of them)",
        "| reuse finding: the earlier ones, first 3 and a count",
        "| partial use: the balance the earlier ones left",
        "| later declarations queued again",
    ], out


def test_templates_bench_prints_its_table(tmp_path: Path) -> None:
    """Real OCR on one simulated page, read with the corpus's templates and with 30."""
    from simulator.corpus import generate_corpus

    generate_corpus(tmp_path / "corpus", 1, 7, mix={"genuine": 1.0}, workers=1)
    out = _run("templates.py", str(tmp_path / "corpus"), "--count", "1", "--catalogues", "30")
    rows = [line.split(" | ")[:3] for line in out.splitlines() if line[2:3].isdigit()]
    assert rows == [["| 14", "10", "1/1"], ["| 30", "26", "1/1"]], out


def test_soak_bench_prints_its_table(tmp_path: Path) -> None:
    """A real node (its own process, an anvil chain) reviews two simulated scans uploaded over
    its REST API, sampled before and after each; the table has a row per sample."""
    from simulator.corpus import generate_corpus

    generate_corpus(tmp_path / "corpus", 2, 7, mix={"genuine": 1.0}, workers=1)
    out = _run(
        "soak.py", "--count", "2", "--checkpoints", "2", "--corpus", str(tmp_path / "corpus")
    )
    rows = [line.split(" | ") for line in out.splitlines() if line[2:3].isdigit()]
    assert [int(r[0][2:]) for r in rows] == [0, 1, 2], out
    rss, fds, threads = (
        (float(r[1]) for r in rows),
        (int(r[2]) for r in rows),
        [int(r[3]) for r in rows],
    )
    assert all(x > 50 for x in rss) and all(f > 3 for f in fds) and min(threads) > 1, out
    assert all(float(r[9]) > 0 for r in rows[1:]), out  # each round's review seconds
    assert "per 100 reviews: RSS" in out.splitlines()[-1], out


def test_exchange_bench_reaches_a_partner_behind_a_delay_line() -> None:
    out = _run("exchange.py", "--stream", "40", "--unary", "3", "--latency", "20")
    assert "mTLS, 20 ms each way (delay line)" in out
    lines = [line for line in out.splitlines() if line[24:36].strip()]
    rows = {line[:24].strip(): line[24:].split() for line in lines}
    assert rows["streaming"][0] == "40" and rows["unary (one at a time)"][0] == "3"
    # a unary call waits at least the round trip (2 x 20 ms) for its receipt
    assert float(rows["unary (one at a time)"][3]) >= 40.0
