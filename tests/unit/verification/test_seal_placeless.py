"""Glyphs without a place: where an oval's ring line enters the unwrapped band at the strip's
ends, the glyph test's windows hold pieces of a line, which fit anywhere along it. Their
"offsets" are wherever the impression's ink happens to end, not a letter added or dropped."""

import cv2
import numpy as np
import pytest

from verification._seal_glyphs import (
    _LOCAL_ROWS,
    _SLIDE,
    _placeless,
    check_glyphs,
    glyph_windows,
)


def _strip() -> np.ndarray:
    """A strip printing 'MAPA' with a ring line's piece along its top at the right end."""
    strip = np.zeros((22, 200), np.uint8)
    cv2.putText(strip, "MAPA", (8, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.65, 255, 2)
    strip[0:4, 130:200] = 255
    return strip.astype(np.float32) / 255.0


def _own(spec: np.ndarray, win: tuple[int, int]) -> np.ndarray:
    padded = np.pad(spec, ((_LOCAL_ROWS, _LOCAL_ROWS), (_SLIDE, _SLIDE)))  # as ``_placement``
    return padded[:, win[0] : win[1] + 2 * _SLIDE]


def test_pieces_of_a_line_have_no_place_and_letters_have():
    """(A narrow 'I' beside another letter's stem has none either: it fits that stem as well.)"""
    spec = _strip()
    wins = glyph_windows(spec)
    letters = [w for w in wins if w[1] <= 120]
    line = [w for w in wins if w[0] >= 130]
    assert len(letters) >= 4 and line
    assert not any(_placeless(_own(spec, w), spec[:, w[0] : w[1]]) for w in letters)
    assert all(_placeless(_own(spec, w), spec[:, w[0] : w[1]]) for w in line)


def test_a_line_whose_ink_ends_elsewhere_does_not_move_the_text():
    spec = _strip()
    imp = spec.copy()
    imp[0:4, 130:200] = 0.0
    imp[0:4, 121:185] = 1.0  # the line's ink ends 9 columns earlier: an ink gap, a pose error
    check = check_glyphs(spec, imp)
    assert check.offsets and all(abs(o) <= 1 for o in check.offsets)
    assert all(c < 120 for c in check.centres)


@pytest.mark.parametrize(
    ("seed", "index", "kind"),
    [(321, 37, "genuine"), (322, 44, "declaration_mismatch"), (322, 81, "unregistered_officer")],
)
def test_genuine_ovals_whose_ring_line_ends_sat_off_match(seed, index, kind):
    """Held-out seeds 321 c00037, 322 c00044 and c00081: genuine BR-MAPA ovals, the pieces of
    their ring line at the strip's ends found 9 columns off, read as their text closed up."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, kind)
    assert truth["seal"]["seal_id"] == "BR-MAPA-S1"
    assert check_seal(page, own).match
