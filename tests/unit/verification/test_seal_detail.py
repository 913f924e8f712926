"""Another agency's seal of the same geometry shares the specimen's frame (its rings) and
differs in the detail (ring text, emblem, number); a faint impression whose detail did not
reach the ink lies on the specimen's rings everywhere. Enough of the detail must be seen for
a match (``SealThresholds.min_detail``); a genuine impression shows it."""

import numpy as np
from PIL import Image

from verification.ports import SealSpecimen
from verification.seal import SealThresholds, check_seal
from verification.testing import draw_seal, paste, png_bytes, render_page

RING = "DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTRY"
SPEC = SealSpecimen("AU-DAFF-S1", "AU-DAFF", png_bytes(draw_seal(RING)))


def _page_with(stamp: Image.Image) -> np.ndarray:
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])])
    paste(page, stamp, (900, 1500))
    return page.rgb()


def _rings_only(stamp: Image.Image) -> Image.Image:
    """The stamp with everything but its two ring lines made transparent."""
    rgba = np.asarray(stamp).copy()
    side = rgba.shape[0]
    yy, xx = np.mgrid[:side, :side]
    r = np.hypot(xx - side / 2, yy - side / 2) / (side / 2)
    ring = (r > 0.93) | ((r > 0.68) & (r < 0.76))  # outer ring; inner ring at 0.72
    rgba[~ring, 3] = 0
    return Image.fromarray(rgba, "RGBA")


def test_rings_without_their_detail_are_not_matched(monkeypatch):
    page = _page_with(_rings_only(draw_seal(RING, rotation=15)))
    res = check_seal(page, [SPEC])
    assert res.found and not res.match and res.uncertain
    assert res.score > 0.9  # every ink pixel lies on the specimen: the detail decides
    # without the detail rule the rings alone would have matched, but for what the recogniser
    # makes of the empty band ('IHEIMAAA...': another stamp's text, ``_reads_other_text``)
    monkeypatch.setattr("verification._seal_confirm._reads_other_text", lambda ring: False)
    lax = check_seal(page, [SPEC], SealThresholds(min_detail=0.0))
    assert lax.match


def test_genuine_impression_shows_its_detail():
    res = check_seal(_page_with(draw_seal(RING, rotation=15)), [SPEC])
    assert res.found and res.match
