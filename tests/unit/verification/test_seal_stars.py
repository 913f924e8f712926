"""A rectangle's stars (its emblem) on simulator-drawn impressions (pressure gradient, gaps,
grain) over a scan's grey paper: the specimen's stars must be seen for a match, and stars where
the specimen has none fail the cells."""

from dataclasses import replace

import numpy as np
import pytest

from simulator.seal import impression, specimen_png
from simulator.world import build_world
from tests.unit.verification.stamping import stamp_onto
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
    if erase_stars:  # an ink gap over both ends of the middle line, the stars wholly in it
        h, w = mask.shape
        mask[h // 3 : 2 * h // 3, : w // 5] = 0
        mask[h // 3 : 2 * h // 3, -w // 5 :] = 0
    page = stamp_onto(page, mask, spec.ink, angle)
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


def _faint_cell(spec) -> tuple[np.ndarray, np.ndarray, tuple[slice, slice]]:
    """The specimen's mask, and an impression of it whose ink is gone from one cell but for a
    few pixels of its strokes (a faint, gappy corner); that cell's slices."""
    from verification.seal import prepare_specimen

    prepared = prepare_specimen(_specimen(spec))
    assert prepared is not None
    mask = prepared.mask
    edges = np.linspace(0, mask.shape[0], 9).astype(int)
    sums = [
        (int(np.count_nonzero(mask[edges[i] : edges[i + 1], edges[j] : edges[j + 1]])), i, j)
        for i in range(8)
        for j in range(8)
    ]
    _, i, j = max(sums)
    cell = (slice(edges[i], edges[i + 1]), slice(edges[j], edges[j + 1]))
    imp = mask.copy()
    ys, xs = np.nonzero(mask[cell])
    keep = np.zeros_like(mask[cell])
    keep[ys[:30], xs[:30]] = 255
    imp[cell] = keep
    return mask, imp, cell


def test_scan_specks_by_a_faint_cell_are_not_ink_but_a_blot_is():
    import cv2

    from verification.seal import _cells

    mask, imp, cell = _faint_cell(RECTS[0])
    dist = cv2.distanceTransform((mask[cell] == 0).astype(np.uint8), cv2.DIST_L2, 5)
    off = np.argwhere((dist >= 5) & (dist <= 6))  # off the strokes, inside their footprint
    specked = imp.copy()
    for y, x in off[[0, len(off) // 2]]:  # two 2x2 specks, as a JPEG scan colours them
        specked[cell][y : y + 2, x : x + 2] = 255
    assert min(_cells(specked, mask)[0]) >= 0.93
    blotted = imp.copy()
    y, x = off[len(off) // 2]
    blotted[cell][y - 2 : y + 3, x - 2 : x + 3] = 255  # 25 pixels of ink the specimen lacks
    assert min(_cells(blotted, mask)[0]) < 0.93
