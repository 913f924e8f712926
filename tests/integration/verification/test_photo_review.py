"""A photographed certificate is reviewed like a scan: the simulator photographs two papers of
seed 610 with a phone (perspective, a darker table, uneven light, blur, JPEG), intake finds each
page's corners and makes it flat, and the real pipeline (real OCR, real seal comparison) reads
the genuine one's every field and matches its seal, and still catches the seal imitation
(another emblem) on the other. Two real reviews, scored as ``cusdep eval`` scores them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from simulator.corpus import generate_corpus
from verification.evaluation import CaseOutcome, evaluate_corpus
from verification.intake import load_pages

SEED = 610  # c00001 genuine (FR-VET-2024), c00002 a forged seal: a star instead of a shield


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("photos")
    mix = {"genuine": 0.5, "forged_seal": 0.5}
    generate_corpus(out, 2, SEED, mix=mix, workers=1, capture="photo")
    return out


@pytest.fixture(scope="module")
def outcomes(corpus: Path) -> dict[str, CaseOutcome]:
    return {o.kind: o for o in evaluate_corpus(corpus)}


def _truth(corpus: Path, case: str) -> dict:  # type: ignore[type-arg]
    return json.loads((corpus / "cases" / case / "truth.json").read_text(encoding="utf-8"))


def test_the_cases_are_photographs_whose_pages_intake_makes_flat(corpus: Path) -> None:
    for case in ("c00001", "c00002"):
        truth = _truth(corpus, case)
        assert truth["capture"] == "photo"
        (page,) = load_pages((corpus / "cases" / case / "scan.jpg").read_bytes())
        assert page.rectified is not None and page.rectified.paper == "A4"
        assert page.image.shape[:2] == (2339, 1654)  # A4 at 200 dpi
        corners = np.array(page.rectified.corners)
        assert np.abs(corners - np.array(truth["scan"]["page_corners"])).max() <= 3.0


def test_a_photographed_genuine_certificate_is_read_and_its_seal_matches(
    corpus: Path, outcomes: dict[str, CaseOutcome]
) -> None:
    genuine = outcomes["genuine"]
    assert genuine.error is None, genuine.error
    assert genuine.template_ok
    assert len(genuine.fields) >= 10 and all(genuine.fields.values()), genuine.field_errors
    assert genuine.seal_genuine and genuine.seal_match, genuine.seal_score
    assert genuine.signature_match
    assert genuine.verdict == "accept", genuine.reasons


def test_a_photographed_seal_imitation_is_still_caught(outcomes: dict[str, CaseOutcome]) -> None:
    forged = outcomes["forged_seal"]
    assert forged.error is None, forged.error
    assert forged.template_ok
    assert forged.seal_genuine is False and not forged.seal_match
    assert forged.verdict in ("reject", "review"), forged.reasons


def test_a_photo_whose_paper_is_not_found_goes_to_an_officer_not_rejected(
    tmp_path: Path,
) -> None:
    """Held-out photo 513 c00041: a genuine AU certificate on a light desk, its right edge as
    bright as the desk, so the page is not found and is used as it came, seen at an angle.
    Its seal cannot match its specimen so; it was rejected as a forgery, and is now left to
    an officer with the reason (a camera's frame, not made flat)."""
    from datetime import date

    from simulator.cases import build_case
    from simulator.registry_bundle import write_bundle
    from simulator.world import build_world
    from verification.bundle import BundleSpecimenSource
    from verification.pipeline import Pipeline

    world = build_world(513)
    case = build_case(world, 513, 41, "genuine", capture="photo")
    (page,) = load_pages(case.scan)
    assert page.rectified is None and page.unflattened_photo
    write_bundle(tmp_path / "registry", world)
    pipe = Pipeline(BundleSpecimenSource(tmp_path / "registry"))
    arrival = date.fromisoformat(case.truth["arrival_date"])
    pipe.today = lambda: arrival
    result = pipe.verify(case.scan, declaration=case.declaration, arrival_date=arrival)
    assert not result.seal.match and result.seal.uncertain
    assert result.photos_not_flat == [0] and result.to_json()["photos_not_flat"] == [0]
    assert result.verdict == "review", result.reasons
    assert any("a camera's frame" in r for r in result.reasons), result.reasons
