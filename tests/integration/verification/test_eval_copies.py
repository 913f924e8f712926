"""`cusdep eval --electronic-copies` end to end (real OCR on a rendered corpus): where the
issuing country sends copies, a counterfeit has none and goes to an officer, while the papers
the issuer did issue are compared with theirs."""

from __future__ import annotations

import json
from pathlib import Path

from node.cli import main
from simulator.corpus import generate_corpus
from verification.rules import DEFAULT_RULES

_MIX = {"genuine": 1.0, "forged_seal": 1.0, "field_altered": 1.0}


def test_eval_with_issuer_copies_sends_every_counterfeit_to_an_officer(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 6, 31, mix=_MIX, workers=1)
    rules = tmp_path / "rules.toml"
    text = DEFAULT_RULES.read_text()
    assert "electronic_copy_required = false" in text
    rules.write_text(
        text.replace("electronic_copy_required = false", "electronic_copy_required = true")
    )
    out = tmp_path / "eval"
    args = ["eval", str(corpus), "--out", str(out), "--rules", str(rules), "--electronic-copies"]
    assert main([*args, "--json"]) == 0
    cases = json.loads((out / "report.json").read_text())["cases"]
    kinds = {c["kind"] for c in cases}
    assert {"forged_seal", "genuine"} <= kinds, kinds
    for c in cases:
        copy_missing = any(r.startswith("copy.present") for r in c["reasons"])
        if c["kind"] == "forged_seal":
            assert c["verdict"] != "accept" and copy_missing, c
        else:
            assert not copy_missing, c  # the issuer's copy was at hand
        if c["kind"] == "field_altered":  # the value printed over the issued one differs
            assert c["verdict"] == "reject", c
            assert any(r.startswith("copy.fields") for r in c["reasons"]), c
