"""A rectangle's stars (its emblem) on simulator-drawn impressions (pressure gradient, gaps,
grain) over a scan's grey paper: the specimen's stars must be seen for a match, and stars where
the specimen has none fail the cells."""

from dataclasses import replace

import numpy as np
import pytest

from simulator.seal import colourise, impression, specimen_png
from simulator.world import INKS, build_world
from verification.intake import WORK_DPI
from verification.ports import SealSpecimen
from verification.seal import check_seal
from verification.testing import render_page

WORLD = build_world(51)
RECTS = sorted((s for s in WORLD.seals.values() if s.shape == "rect"), key=lambda s: s.id)
PAPER = 0.8  # a scan's grey paper: white comes out at 204


def _page_with(spec, seed: int, angle: float, erase_stars: bool = False) -> np.ndarray:
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])]).rgb().copy()
    mask = impression(spec, WORK_DPI, np.random.default_rng(seed), 0.0).copy()
    if erase_stars:  # an ink gap over both ends of the middle line, where the stars are
        h, w = mask.shape
        mask[h // 3 : 2 * h // 3, : w // 6] = 0
        mask[h // 3 : 2 * h // 3, -w // 6 :] = 0
    ink = np.asarray(
        colourise(mask, INKS[spec.ink]).rotate(angle, expand=True, fillcolor=(255,) * 3)
    )
    y, x = 1300, 600
    h, w = ink.shape[:2]
    region = page[y : y + h, x : x + w].astype(np.float32)
    page[y : y + h, x : x + w] = (region * ink.astype(np.float32) / 255.0).astype(np.uint8)
    return (page.astype(np.float32) * PAPER).astype(np.uint8)


def _specimen(spec) -> SealSpecimen:
    return SealSpecimen(spec.id, spec.agency, specimen_png(spec))


@pytest.mark.parametrize(("n", "seed", "angle"), [(0, 11, 14.0), (1, 12, -25.0), (2, 13, 160.0)])
def test_genuine_rectangle_on_grey_paper_matches(n, seed, angle):
    spec = RECTS[n % len(RECTS)]
    assert spec.emblem  # its stars
    res = check_seal(_page_with(spec, seed, angle), [_specimen(spec)])
    assert res.found and res.match and res.seal_id == spec.id


@pytest.mark.parametrize(("n", "seed", "angle"), [(0, 21, 8.0), (1, 22, -33.0), (3, 23, 95.0)])
def test_rectangle_without_its_stars_on_grey_paper_is_not_matched(n, seed, angle):
    spec = RECTS[n % len(RECTS)]
    forged = replace(spec, emblem="")
    res = check_seal(_page_with(forged, seed, angle), [_specimen(spec)])
    assert res.found and not res.match
    assert res.score > 0.9  # the cells alone would have matched: the stars decide


@pytest.mark.parametrize(("n", "seed", "angle"), [(0, 31, 5.0), (2, 32, -70.0), (4, 33, 120.0)])
def test_stars_added_where_the_specimen_has_none_are_not_matched(n, seed, angle):
    bare = replace(RECTS[n % len(RECTS)], emblem="")
    forged = replace(bare, emblem="star")
    res = check_seal(_page_with(forged, seed, angle), [_specimen(bare)])
    assert res.found and not res.match
    genuine = check_seal(_page_with(bare, seed, angle), [_specimen(bare)])
    assert genuine.match  # the same impression without the stars is the specimen's


def test_an_ink_gap_over_the_stars_is_left_for_review():
    spec = RECTS[0]
    res = check_seal(_page_with(spec, 41, 20.0, erase_stars=True), [_specimen(spec)])
    assert res.found and not res.match and res.uncertain
