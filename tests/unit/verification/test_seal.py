"""Seal detection and comparison on drawn stamps: genuine rotated impressions match; imitations
(another ring-text word, two ring letters swapped, smaller geometry) and another agency's seal
do not. Swapped letters are caught by reading the ring text (the PP-OCR recogniser runs here),
not by the cell-precision score. Known limit: a changed inner number is not detected."""

import pytest

from verification.ports import SealSpecimen
from verification.seal import check_seal, find_candidates, page_ink
from verification.testing import draw_seal, paste, png_bytes, render_page

RING = "DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTRY"
SPEC = SealSpecimen("AU-DAFF-S1", "AU-DAFF", png_bytes(draw_seal(RING)))


def _page_with(stamp):
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])])
    paste(page, stamp, (900, 1500))
    return page.rgb()


@pytest.mark.parametrize("rotation", [0, 33, -12, 170])
def test_genuine_impression_matches_at_any_rotation(rotation):
    res = check_seal(_page_with(draw_seal(RING, rotation=rotation)), [SPEC])
    assert res.found and res.match and res.seal_id == "AU-DAFF-S1"
    assert res.score > 0.9


@pytest.mark.parametrize(
    "stamp",
    [
        draw_seal("DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTS", rotation=20),
        draw_seal(RING, diameter_mm=34, inner_ratio=0.6),
        draw_seal("MINISTRY FOR PRIMARY INDUSTRIES NEW ZEALAND", colour=(28, 58, 160)),
    ],
    ids=["ring-text-word", "smaller", "other-agency"],
)
def test_imitations_and_other_seals_do_not_match(stamp):
    res = check_seal(_page_with(stamp), [SPEC])
    assert res.found and not res.match


@pytest.mark.parametrize(
    ("ring", "rotation"),
    [
        ("DEPARTMENT OF AGRICULTURE FISHERIES AND FORETSRY", 25),
        ("DEPARTMENT OF AGIRCULTURE FISHERIES AND FORESTRY", -40),
    ],
)
def test_swapped_ring_letters_are_not_matched_but_left_for_review(ring, rotation):
    res = check_seal(_page_with(draw_seal(ring, rotation=rotation)), [SPEC])
    assert res.found and not res.match and res.uncertain
    assert res.score > 0.9  # the pixels alone would have matched


@pytest.mark.parametrize(
    "stamp",
    [draw_seal(RING, rotation=33), draw_seal("DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTS")],
    ids=["genuine", "imitation"],
)
def test_seal_judged_alike_on_page_ink_made_beforehand(stamp):
    """The pipeline has the page's ink and candidate blobs made while the page is read
    (``page_ink``) and hands them to ``check_seal``: the same judgement as finding them there."""
    page = _page_with(stamp)
    ink, cands = page_ink(page)
    assert cands == find_candidates(page)
    assert check_seal(page, [SPEC], located=(ink, cands)) == check_seal(page, [SPEC])


def test_no_seal_on_a_black_and_white_page():
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])])
    assert find_candidates(page.rgb()) == []
    assert not check_seal(page.rgb(), [SPEC]).found


def test_candidate_blobs_keep_stamp_sized_ink_only():
    """Among thousands of specks, the one stamp-sized blob is offered; a thin tint along the
    page edge, a skewed scan's dark wedge along it, a blob too small and one too big are not
    (the size tests run on all components at once)."""
    import numpy as np

    from verification import seal as S

    ink = np.zeros((2000, 1500), np.uint8)
    rng = np.random.default_rng(5)
    ys, xs = rng.integers(0, 2000, 3000), rng.integers(0, 1500, 3000)
    ink[ys, xs] = 255  # specks, each its own component
    ink[790:1110, 590:910] = 0
    ink[800:1100, 600:900] = 255  # a stamp (300 px: ~38 mm at 200 dpi)
    ink[0:2000, 0:10] = 255  # edge tint, 10 px (~1.3 mm) wide
    ink[0:26, 900:1500] = 255  # a dark scanner border along the top, 26 px (3.3 mm) thick
    ink[385:849, 1470:1500] = 255  # and a wedge of it down the side, 30 x 464 px
    ink[100:120, 1000:1020] = 255  # 20 px: smaller than a stamp
    ink[1300:2000, 200:1000] = 255  # 800 px: ~100 mm, bigger than a stamp
    found = S._blobs(ink, ink)
    assert [c.box for _, c in found] == [(600.0, 800.0, 900.0, 1100.0)]
    assert found[0][0] == 300 * 300


def test_a_specimen_that_cannot_be_decoded_is_left_out_not_fatal():
    # a truncated image registered as another specimen of the agency (or of another)
    broken = SealSpecimen("AU-DAFF-S9", "AU-DAFF", SPEC.image[: len(SPEC.image) // 3])
    res = check_seal(_page_with(draw_seal(RING, rotation=10)), [broken, SPEC])
    assert res.found and res.match and res.seal_id == "AU-DAFF-S1"
