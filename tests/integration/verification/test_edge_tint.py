"""A skewed scan's dark border is not a stamp: held-out draw 541 c00088, a genuine FR-DGAL
certificate scanned 1.3 degrees askew, showed the scanner's dark border along the page's left
and top edges as two slivers of "coloured ink" (30 x 464 and 532 x 26 px) that took two of
the three candidate blobs compared; the seal, faded on one side and so in two pieces, was
never compared and the paper was rejected, "no official seal impression found". Real OCR and
the real seal comparison on the very case the simulator makes again."""

from __future__ import annotations

from pathlib import Path

from tests.integration.verification.drawn_cases import drawn_corpus
from verification.evaluation import evaluate_corpus


def test_a_genuine_seal_beside_a_skewed_scans_dark_border_is_found_and_matched(
    tmp_path: Path,
) -> None:
    (case,) = drawn_corpus(tmp_path, 541, [(88, "genuine")]).values()
    assert case.truth["seal"]["agency_id"] == "FR-DGAL"  # the held-out draw's very case
    assert round(case.truth["scan"]["degradation"]["angle"], 2) == -1.33

    (outcome,) = evaluate_corpus(tmp_path)
    assert outcome.error is None, outcome.error
    assert outcome.seal_genuine and outcome.seal_match, outcome.reasons
    assert outcome.verdict == "accept", outcome.reasons
