"""Generate real corpora and check them: determinism, truth vs PDF text layer, scans, bundle."""

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from adapters.canonical import Certificate, Declaration
from node.cli import main
from simulator.corpus import DEFAULT_MIX, generate_corpus
from simulator.iso6346 import is_valid

ALL_KINDS = {k: 1.0 for k in DEFAULT_MIX}  # every kind of the default corpora


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("corpora")
    out = {}
    for name, seed, workers in (("a", 11, 1), ("b", 11, 2), ("c", 12, 1)):
        out[name] = base / name
        generate_corpus(out[name], 8, seed, mix=ALL_KINDS, workers=workers)
    return out


def _cases(root: Path) -> list[tuple[Path, dict]]:
    return [
        (d, json.loads((d / "truth.json").read_text())) for d in sorted((root / "cases").iterdir())
    ]


def test_same_seed_gives_identical_files_whatever_the_workers(corpora) -> None:
    a, b = _digest(corpora["a"]), _digest(corpora["b"])
    assert len(a) > 8 * 4
    assert a == b


def test_different_seeds_differ(corpora) -> None:
    a, c = _digest(corpora["a"]), _digest(corpora["c"])
    scans = [k for k in a if k.endswith("scan.jpg")]
    assert all(a[k] != c.get(k) for k in scans)
    assert a["registry/bundle.json"] != c["registry/bundle.json"]


def _pdf_text(path: Path) -> str:
    doc = pdfium.PdfDocument(path.read_bytes())
    try:
        page = doc[0]
        text = page.get_textpage().get_text_range()
    finally:
        doc.close()
    return re.sub(r"\s+", " ", text)


def test_truth_agrees_with_the_pdf_text_layer(corpora) -> None:
    cases = _cases(corpora["a"])
    assert {t["kind"] for _, t in cases} == set(DEFAULT_MIX)
    for d, truth in cases:
        text = _pdf_text(d / "certificate.pdf")
        for field, lines in truth["printed"].items():
            for line in lines:
                assert re.sub(r"\s+", " ", line) in text, (d.name, field, line)
        assert truth["fields"]["officer_name"] in text
        for number in truth["fields"]["container_numbers"].split(", "):
            assert is_valid(number) and number in text.replace(" ", "")


def test_declaration_matches_truth_except_for_mismatch_cases(corpora) -> None:
    for d, truth in _cases(corpora["a"]):
        decl = json.loads((d / "declaration.json").read_text())
        f = truth["fields"]
        model = Declaration.model_validate(decl)  # the adapters' canonical model accepts it
        assert model.net_weight_kg == decl["net_weight_kg"]
        assert model.origin_country == decl["origin_country"]
        cert = Certificate.model_validate(f)  # truth is already in canonical form
        assert cert.hs_code == f["hs_code"] and cert.container_numbers == f["container_numbers"]
        assert decl["certificate_numbers"] == [f["certificate_number"]]
        differs = {
            "net_weight_kg": decl["net_weight_kg"] != f["net_weight_kg"],
            "packages": decl["packages"] != f["packages"],
            "hs_code": not decl["hs_code"].startswith(f["hs_code"]),
            "container_numbers": decl["container_numbers"] != f["container_numbers"],
            "origin_country": decl["origin_country"] != f["origin_country"],
            "consignee_name": decl["consignee_name"].casefold() != f["consignee_name"].casefold(),
        }
        if truth["kind"] == "declaration_mismatch":
            assert sum(differs.values()) == 1
            assert truth["defects"][0]["code"].startswith("declaration.")
        else:
            assert not any(differs.values()), (truth["kind"], differs)
        assert (truth["expected_verdict"] == "accept") == (truth["kind"] == "genuine")


def _ink_share(scan: np.ndarray, box: list[int]) -> float:
    """Share of pixels in ``box`` clearly more saturated than the (tinted) paper."""
    spread_all = scan.max(axis=2).astype(np.int16) - scan.min(axis=2)
    paper = float(np.median(spread_all))
    x0, y0, x1, y1 = box
    spread = spread_all[max(0, y0) : y1, max(0, x0) : x1]
    return float((spread > paper + 25).mean())


def test_seal_and_signature_are_coloured_ink_in_the_scan(corpora) -> None:
    for d, truth in _cases(corpora["a"]):
        scan = np.asarray(Image.open(d / "scan.jpg").convert("RGB"))
        assert scan.shape[:2] == tuple(reversed(truth["scan"]["size"]))
        assert _ink_share(scan, truth["signature"]["bbox_scan"]) > 0.01, d.name
        if truth["kind"] == "no_seal":
            assert truth["seal"]["present"] is False
            continue
        assert _ink_share(scan, truth["seal"]["bbox_scan"]) > 0.015, d.name
        x0, y0, x1, y1 = truth["seal"]["bbox_scan"]
        assert _ink_share(scan, [x0, 300, x1, 300 + y1 - y0]) < 0.005  # printed-only area
        registered = truth["kind"] != "forged_seal"
        assert truth["seal"]["registered"] is registered
        own = truth["seal"]["agency_id"] == truth["agency_id"]
        assert own is (truth["kind"] != "foreign_seal")


def test_registry_bundle_has_specimens_but_no_forgeries(corpora) -> None:
    root = corpora["a"] / "registry"
    bundle = json.loads((root / "bundle.json").read_text())
    assert len({a["country"] for a in bundle["agencies"]}) >= 8
    seal_ids = {s["id"] for s in bundle["seals"]}
    officer_ids = {o["id"] for o in bundle["officers"]}
    for s in bundle["seals"]:
        assert Image.open(root / s["image"]).format == "PNG"
    for o in bundle["officers"]:
        assert Image.open(root / o["signature"]).format == "PNG"
        assert o["valid_from"] < o["valid_to"]
    for t in bundle["templates"]:
        assert json.loads((root / t).read_text())["agency"] in {a["id"] for a in bundle["agencies"]}
    for _, truth in _cases(corpora["a"]):
        assert (truth["seal"]["seal_id"] in seal_ids) == (
            truth["seal"]["present"] and truth["kind"] != "forged_seal"
        )
        registered = truth["signature"]["officer_id"] in officer_ids
        assert registered is (truth["kind"] != "unregistered_officer")
    script = (root / "commands.sh").read_text()
    expected = (
        len(bundle["agencies"])
        + len(bundle["seals"])
        + len(bundle["officers"])
        + len(bundle["templates"])
    )
    assert script.count("$CUSDEP ") == expected
    assert "FORGED" not in script


def test_cli_writes_a_corpus_and_rejects_bad_input(tmp_path, capsys) -> None:
    assert (
        main(
            [
                "simulate",
                "corpus",
                "--out",
                str(tmp_path / "x"),
                "--count",
                "2",
                "--seed",
                "4",
                "--workers",
                "1",
                "--json",
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["count"] == 2
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())
    assert [c["case_id"] for c in manifest["cases"]] == ["c00001", "c00002"]
    assert main(["simulate", "corpus", "--out", str(tmp_path / "y"), "--count", "0"]) == 2
    assert main(["simulate", "corpus", "--out", str(tmp_path / "y"), "--mix", "bogus=1"]) == 2
    assert "unknown case kind" in capsys.readouterr().err


def _old_corpus(out: Path) -> None:
    """What an earlier run left: three cases, its manifest, and a file of the user's."""
    for case in ("c00001", "c00002", "c00003"):
        (out / "cases" / case).mkdir(parents=True)
        (out / "cases" / case / "truth.json").write_text("{}")
    (out / "registry").mkdir()
    (out / "registry" / "bundle.json").write_text("{}")
    (out / "manifest.json").write_text('{"count": 3}')
    (out / "strict.toml").write_text("# the user's\n")


def test_cli_refuses_a_directory_that_is_not_empty(tmp_path, capsys) -> None:
    out = tmp_path / "old"
    _old_corpus(out)
    argv = ["simulate", "corpus", "--out", str(out), "--count", "2", "--workers", "1", "--json"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not empty" in err[0] and "--force" in err[0]
    assert json.loads((out / "manifest.json").read_text()) == {"count": 3}  # nothing written
    assert sorted(p.name for p in (out / "cases").iterdir()) == ["c00001", "c00002", "c00003"]


def test_cli_force_replaces_the_old_corpus_and_keeps_other_files(tmp_path, capsys) -> None:
    out = tmp_path / "old"
    _old_corpus(out)
    argv = ["simulate", "corpus", "--out", str(out), "--count", "2", "--workers", "1"]
    assert main([*argv, "--force", "--json"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["count"] == 2
    assert sorted(p.name for p in (out / "cases").iterdir()) == ["c00001", "c00002"]
    assert (out / "strict.toml").read_text() == "# the user's\n"
    assert json.loads((out / "registry" / "bundle.json").read_text())["agencies"]
