"""``cusdep registry import`` and ``export`` end to end on an embedded anvil: the simulator's
whole registry bundle (13 agencies, 16 seals, 52 officers, 14 templates) registered by one
command, each record confirmed on chain, the same again changing nothing, exported again file
for file, a paper then reviewed against what it registered; and a bad bundle refused with exit
2 and one line, nothing written."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from simulator.corpus import generate_corpus
from tests.integration.chain.homes import cusdep


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, 1, 7, mix={"genuine": 1.0}, workers=1)
    return out


def test_a_whole_bundle_is_registered_by_one_command_and_exported_again(
    node_home: Path, corpus: Path, tmp_path: Path
) -> None:
    bundle = json.loads((corpus / "registry" / "bundle.json").read_text())
    total = sum(len(bundle[k]) for k in ("agencies", "seals", "officers", "templates"))
    out = json.loads(cusdep(node_home, "registry", "import", str(corpus), "--json").stdout)
    assert (out["registered"], out["unchanged"]) == (total, 0)
    assert out["by_kind"]["seal"]["registered"] == len(bundle["seals"])
    listed = json.loads(cusdep(node_home, "registry", "list", "--json").stdout)
    assert len(listed) == total and {r["state"] for r in listed} == {"confirmed"}
    assert all(r["tx_hash"] for r in listed)

    again = json.loads(cusdep(node_home, "registry", "import", str(corpus / "registry")).stdout)
    assert (again["registered"], again["unchanged"]) == (0, total)

    out = tmp_path / "export"
    exported = json.loads(cusdep(node_home, "registry", "export", str(out), "--json").stdout)
    assert sum(exported["exported"].values()) == total and exported["left_out"] == []
    index = json.loads((out / "bundle.json").read_text())
    for seal in bundle["seals"]:  # each file as registered, its SHA-256 the chain's
        mine = next(s for s in index["seals"] if s["id"] == seal["id"])
        data = (out / mine["image"]).read_bytes()
        assert data == (corpus / "registry" / seal["image"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == mine["sha256"] and mine["tx_hash"]

    case = corpus / "cases" / "c00001"
    review = cusdep(
        node_home,
        "verify",
        str(case / "scan.jpg"),
        "--declaration",
        str(case / "declaration.json"),
        "--json",
        check=False,
    )
    result = json.loads(review.stdout)
    assert result["seal"]["match"] is True, result["seal"]
    assert result["verdict"] == "accept", result["reasons"]


def test_a_bad_bundle_is_refused_in_one_line_and_nothing_is_written(
    node_home: Path, corpus: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bundle"
    bad.mkdir()
    index = json.loads((corpus / "registry" / "bundle.json").read_text())
    index["seals"][-1]["image"] = "seals/missing.png"
    (bad / "bundle.json").write_text(json.dumps(index))
    for folder in ("seals", "signatures", "templates"):
        shutil.copytree(corpus / "registry" / folder, bad / folder)
    proc = cusdep(node_home, "registry", "import", str(bad), check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "seals/missing.png" in proc.stderr, proc.stderr
    assert json.loads(cusdep(node_home, "registry", "list", "--json").stdout) == []
