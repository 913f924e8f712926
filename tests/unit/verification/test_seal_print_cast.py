"""Black print with the scan's colour cast is no stamp ink (``seal._without_print``): held-out
seed 565 c00117, a genuine CL-SERNAPESCA rectangle whose corner crosses the officer's typed
name. JPEG turned the edge of a letter's stem beside the blue frame brown (41-73 bright,
channels 3-8 apart: saturated to ``colour_ink_mask``); 14 such pixels off the specimen, in a
corner cell holding 33 of ink, put it at 0.88: "its shape and ink differ"."""

import numpy as np

from tests.unit.verification.stamping import simulated_stamping
from verification.seal import _without_print, check_seal

PAPER, BLUE, DARK_BLUE = (226, 226, 218), (98, 108, 150), (40, 45, 90)
CAST_PRINT, OVER_PRINT = (44, 41, 36), (30, 30, 38)


def test_dark_pixels_of_near_grey_are_dropped_and_stamp_colours_stay() -> None:
    inks = [PAPER, BLUE, DARK_BLUE, CAST_PRINT, OVER_PRINT]
    rgb = np.array([inks], np.uint8)
    out = _without_print(rgb, np.full((1, len(inks)), 255, np.uint8))
    assert out.tolist() == [[255, 255, 255, 0, 0]]


def test_a_genuine_rectangle_over_typed_print_is_matched() -> None:
    truth, page, own = simulated_stamping(565, 117, "genuine")
    assert truth["seal"]["seal_id"] == "CL-SERNAPESCA-S1"
    res = check_seal(page, own)
    assert res.match and not res.uncertain, res.finding
