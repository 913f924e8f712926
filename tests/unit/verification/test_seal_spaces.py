"""A letter standing in a word space of a ring's text (``_seal_spaces``): a letter added."""

import numpy as np
import pytest

from verification._seal_glyphs import check_glyphs
from verification._seal_spaces import filled_space
from verification.testing import text_strip

SPEC = text_strip("AGRICOLA   Y   GANADERO", width=600)
WINDOWS = check_glyphs(SPEC, SPEC).windows
Y = 8  # the glyph before the space "Y GANADERO"


def _with_e(strip: np.ndarray, at: int) -> np.ndarray:
    """``strip`` with an E's glyph set in from column ``at`` (nothing else moved)."""
    e = text_strip("E", width=60)
    cols = np.flatnonzero(e.max(axis=0) > 0.1)
    glyph = e[:, cols[0] : cols[-1] + 1]
    out = strip.copy()
    out[:, at : at + glyph.shape[1]] = np.maximum(out[:, at : at + glyph.shape[1]], glyph)
    return out


def _noisy(strip: np.ndarray, level: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(level * strip + rng.normal(0.03, 0.02, strip.shape), 0, 1).astype(np.float32)


def test_the_specimen_leaves_wide_spaces_between_its_words():
    gaps = [WINDOWS[k + 1][0] - WINDOWS[k][1] for k in range(len(WINDOWS) - 1)]
    assert gaps[Y] > 20 and gaps[Y - 1] > 20  # "A  Y  G": room for a letter each side


@pytest.mark.parametrize(("level", "shift"), [(0.9, 0), (0.5, 0), (0.8, 2), (0.8, -2)])
def test_a_genuine_impression_fills_no_space(level: float, shift: int):
    imp = np.roll(_noisy(SPEC, level), shift, axis=1)
    assert filled_space(SPEC, imp, check_glyphs(SPEC, imp)) is None


def test_a_letter_added_in_a_space_is_found_after_the_glyph_before_it():
    imp = _noisy(_with_e(SPEC, WINDOWS[Y][1] + 3), 0.8)
    assert filled_space(SPEC, imp, check_glyphs(SPEC, imp)) == Y


def test_a_space_under_print_is_not_judged():
    imp = _noisy(_with_e(SPEC, WINDOWS[Y][1] + 3), 0.8)
    cover = np.zeros_like(SPEC)
    cover[:, WINDOWS[Y][1] : WINDOWS[Y + 1][0]] = 1.0
    assert filled_space(SPEC, imp, check_glyphs(SPEC, imp), cover) is None


def test_a_space_between_letters_lost_in_an_ink_gap_is_not_judged():
    """Where the letters around it are gone, ink in a space cannot be weighed against them:
    a faint trace there (a speck, the paper) is no letter."""
    imp = _noisy(_with_e(SPEC, WINDOWS[Y][1] + 3), 0.8)
    imp[:, : WINDOWS[-1][1] + 5] *= 0.05
    assert filled_space(SPEC, imp, check_glyphs(SPEC, imp)) is None


@pytest.mark.parametrize(("seed", "index"), [(499, 134), (497, 66)])
def test_held_out_ovals_with_a_letter_added_after_a_one_letter_word_are_rejected(seed, index):
    """Held-out CL-SAG ovals "YE GANADERO": half the ring faint, the letters after the E moved
    too little for the glyphs' places to show it; both matched and were accepted."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, "forged_seal")
    assert truth["seal"]["forgery"] == "ring text altered: YE"
    result = check_seal(page, own)
    assert not result.match
    assert "word space" in result.finding


@pytest.mark.parametrize(
    ("seed", "index", "kind"),
    [
        (486, 47, "genuine"),
        (445, 38, "genuine"),
        (431, 88, "expired"),
        (485, 1, "genuine"),
        (506, 96, "genuine"),
    ],
)
def test_held_out_genuine_rings_with_the_most_ink_in_a_space_match(seed, index, kind):
    """The genuine ring impressions of the calibration whose spaces held the most ink (0.31,
    0.42 before the local registration asked two glyphs, 0.28 of their neighbours'); 485
    c00001, whose space with no legible glyph near took a letter's edge (0.67); and 506
    c00096, whose space lay partly under an officer's typed name (0.67)."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, kind)
    assert truth["seal"]["registered"] and truth["seal"]["shape"] != "rect"
    assert check_seal(page, own).match
