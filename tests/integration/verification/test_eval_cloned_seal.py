"""`cusdep eval` end to end (real OCR on a rendered corpus) with seals copied from another
certificate: each copy is told by its stamping (``seal.unique``) from the certificate it was
copied from, reviewed first, while genuine certificates stamped with the same dies pass."""

from __future__ import annotations

import json
from pathlib import Path

from node.cli import main
from simulator.corpus import DEFAULT_MIX, generate_corpus


def test_eval_rejects_every_seal_copied_from_another_certificate(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 6, 77, mix={"genuine": 1.0, "cloned_seal": 1.0}, workers=1)
    assert "cloned_seal" not in DEFAULT_MIX  # default corpora stay as they were measured
    out = tmp_path / "eval"
    assert main(["eval", str(corpus), "--out", str(out), "--json"]) == 0
    report = json.loads((out / "report.json").read_text())
    cases = report["cases"]
    assert report["summary"]["seal_copies_told"] == 1.0
    assert report["summary"]["seal_copies_claimed_elsewhere"] == 0
    assert {c["kind"] for c in cases} == {"genuine", "cloned_seal"}
    for c in cases:
        truth = json.loads((corpus / "cases" / c["case"] / "truth.json").read_text())
        copied = [r for r in c["reasons"] if r.startswith("seal.unique")]
        if c["kind"] == "cloned_seal":
            assert c["verdict"] == "reject" and c["seal_match"], c
            assert truth["earlier_certificate_number"] in copied[0], c
        else:
            assert c["verdict"] == "accept" and not copied, c
