"""Seal detection and comparison on drawn stamps: genuine rotated impressions match; imitations
(another ring-text word, another number, smaller geometry) and another agency's seal do not.
Known limits, measured by `cusdep eval`: two adjacent ring letters swapped, or a changed
inner number, are not detected by the cell-precision score."""

import pytest

from verification.ports import SealSpecimen
from verification.seal import check_seal, find_candidates
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


def test_no_seal_on_a_black_and_white_page():
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])])
    assert find_candidates(page.rgb()) == []
    assert not check_seal(page.rgb(), [SPEC]).found
