"""An authorised officer's name signed by someone else is not accepted: real OCR, the real
signature search and comparison on three cases of calibration draw 542 made again: a genuine
certificate, one signed in a colleague's own hand (scored 0.22 against the officer's
specimen), and one whose signature was copied freehand (0.78: accepted under the first
threshold, 0.70). A copy can come closer (11 of 58 on the calibration draws scored 0.86, the
accept score, or more), which is why it is measured (``signature_forged_rejected``) and not
promised. Each case's score is in the evaluation's report."""

from __future__ import annotations

from pathlib import Path

from tests.integration.verification.drawn_cases import drawn_corpus
from verification.evaluation import evaluate_corpus, summarise
from verification.signature import SignatureThresholds

CASES = [(1, "genuine"), (2, "forged_signature"), (10, "forged_signature")]


def test_a_signature_not_the_officers_goes_to_an_officer(tmp_path: Path) -> None:
    made = drawn_corpus(tmp_path, 542, CASES)
    assert [c.truth["variant"] for c in made.values()] == [None, "stand_in", "imitation"]

    outcomes = {o.case: o for o in evaluate_corpus(tmp_path)}
    genuine = outcomes["c00001"]
    assert genuine.signature_match and genuine.verdict == "accept", genuine.reasons
    accept = SignatureThresholds().accept
    assert genuine.signature_score >= accept
    for name in ("c00002", "c00010"):
        forged = outcomes[name]
        assert forged.error is None, forged.error
        assert forged.seal_match and forged.officer_registered  # only the hand is wrong
        assert not forged.signature_match and forged.verdict in ("review", "reject")
        assert 0 < forged.signature_score < accept
        officer = made[name].truth["signature"]["officer_id"]
        assert any(
            r.startswith(f"signature.match: signature differs from {officer}'s")
            for r in forged.reasons
        ), forged.reasons
    assert summarise(list(outcomes.values()))["signature_forged_rejected"] == 1.0
