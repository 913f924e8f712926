"""``forged_signature``: a registered officer's name signed by someone else, in two variants."""

from __future__ import annotations

import random
import statistics

import numpy as np
from PIL import Image, ImageFilter

from simulator.cases import build_case
from simulator.corpus import DEFAULT_MIX
from simulator.signature import COPYING_HAND, OWN_HAND, Hand, signature_mask
from simulator.world import build_world
from verification.evaluation import issuer_copy

_SEED = 88


def test_a_forged_signature_names_an_authorised_officer_under_a_genuine_seal() -> None:
    world = build_world(_SEED)
    cases = [build_case(world, _SEED, i, "forged_signature") for i in range(1, 7)]
    assert {c.truth["variant"] for c in cases} == {"stand_in", "imitation"}
    for case in cases:
        t = case.truth
        officer = world.officers[t["signature"]["officer_id"]]
        assert t["kind"] == "forged_signature" and t["expected_verdict"] == "reject"
        assert t["signature"]["registered"] and officer.agency == t["agency_id"]
        assert officer.valid_from <= t["fields"]["issue_date"] <= officer.valid_to
        assert t["seal"]["registered"] and t["seal"]["agency_id"] == t["agency_id"]
        hand = "another hand" if t["variant"] == "stand_in" else "copied freehand"
        assert hand in t["signature"]["forgery"]
        assert [d["code"] for d in t["defects"]] == ["signature.forged"]
        assert issuer_copy(t) is None  # a counterfeit: its issuer holds no copy
    genuine = build_case(world, _SEED, 1, "genuine").truth
    assert genuine["signature"]["forgery"] is None
    assert "forged_signature" not in DEFAULT_MIX  # default corpora stay as they were measured


def _overlap(mask: np.ndarray, specimen: np.ndarray) -> float:
    """Share of ink in common (each line thickened 2 px) with the specimen, at its size."""

    def thick(m: np.ndarray) -> np.ndarray:
        img = Image.fromarray((m * 255).astype(np.uint8)).resize(specimen.shape[::-1])
        return np.asarray(img.filter(ImageFilter.MaxFilter(5))) > 96

    a, b = thick(mask), thick(specimen)
    return float((a & b).sum() / (a | b).sum())


def _mean_overlap(style: int, hand: Hand) -> float:
    specimen = signature_mask(style, "Olivia Thompson", None, 150)
    draws = [
        signature_mask(style, "Olivia Thompson", random.Random(k), 150, hand=hand)
        for k in range(10)
    ]
    return statistics.fmean(_overlap(d, specimen) for d in draws)


def test_a_copy_strays_further_from_the_specimen_than_the_officer_own_hand() -> None:
    for style in (11, 2024, 90210):
        own, copied = _mean_overlap(style, OWN_HAND), _mean_overlap(style, COPYING_HAND)
        assert copied < own - 0.05, (style, own, copied)
