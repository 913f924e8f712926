"""Three real node processes exchange documents under every fault kind; nothing is lost or
duplicated (checked by the driver and again through ``cusdep messages --json``)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.traffic import FAULTS, run_traffic

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_three_nodes_with_all_faults_deliver_exactly_once(tmp_path: Path) -> None:
    report = run_traffic(
        tmp_path, nodes=3, rate=1.5, duration=24, faults=FAULTS, seed=3, scans=2, drain_timeout=240
    )
    data = report.to_json()
    assert {f["kind"] for f in data["faults"]} == set(FAULTS)
    assert data["sent"] >= 20
    assert data["lost"] == data["duplicated"] == data["corrupted"] == data["unexpected"] == 0
    assert data["delivered_exactly_once"] == data["sent"]
    prov = data["provenance"]
    assert prov["accepted"] >= 5  # the canonical declarations are accepted on receipt
    assert prov["anchored"] == prov["verified_on_chain"] == prov["accepted"]
    assert report.ok
    inbound = 0
    for home in sorted((tmp_path / "nodes").iterdir()):
        if not (home / "config.toml").exists():
            continue
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "node",
                "--home",
                str(home),
                "messages",
                "--direction",
                "in",
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=True,
        )
        rows = json.loads(out.stdout)
        assert len({r["message_id"] for r in rows}) == len(rows)
        # besides the documents sent, the receivers' review outcomes come back to the senders
        assert {r["kind"] for r in rows} <= {"certificate", "declaration", "review_outcome"}
        inbound += sum(1 for r in rows if r["kind"] != "review_outcome")
    assert inbound == data["sent"]
