"""Glyph pairs that are no evidence of an imitation's swap: a pair holding a star or ornament
at the end of a ring's text, which the text has no letter for (``_seal_text._beside_marks``),
and a pair whose ink lies under black or grey print (``_under_print``). Held-out 491 c00050
and c00083, genuine US-APHIS rings, were sent to review for such pairs."""

import numpy as np
import pytest

from tests.unit.verification.test_seal_word_space import _strip, _with_swap
from verification._seal_glyphs import check_glyphs, glyph_windows, register, register_offset
from verification._seal_text import _beside_marks, _overruled, _shifted, _under_print

TEXT = "NORWEGIAN FOOD SAFETY"


def test_pairs_holding_the_lone_marks_at_the_ends_are_found():
    spec = _strip("* * " + TEXT + " *")
    wins = tuple(glyph_windows(spec))
    n = len(wins)
    assert n == len(TEXT.replace(" ", "")) + 3
    assert _beside_marks(spec, wins, "* * " + TEXT + " *") == {0, 1, n - 2}
    assert _beside_marks(spec, wins, TEXT) == {0, 1, n - 2}  # the stars not read at all


def test_no_marks_where_the_text_does_not_pair_up_with_the_glyphs():
    spec = _strip("* " + TEXT)
    wins = tuple(glyph_windows(spec))
    assert _beside_marks(spec, wins, "NORWEGIAN FOOD") == frozenset()  # a word not read
    assert _beside_marks(spec, wins, "") == frozenset()


def test_a_contradicted_pair_beside_a_mark_is_overruled_one_inside_a_word_is_not():
    spec = _strip("* " + TEXT)
    imp = _with_swap(spec, 0)  # the star and N
    check = check_glyphs(spec, imp)
    assert 0 in check.contradicted
    assert 0 not in _overruled(spec, imp, check, ring=True)  # no text: the pair stands
    assert 0 in _overruled(spec, imp, check, ring=True, text=lambda: "* " + TEXT)
    k = len("*NORWE")  # G | I of NORWEGIAN
    imp = _with_swap(spec, k)
    check = check_glyphs(spec, imp)
    assert k in check.contradicted
    assert k not in _overruled(spec, imp, check, ring=True, text=lambda: "* " + TEXT)


def test_a_pair_under_print_is_no_evidence():
    spec = _strip(TEXT)
    k = len("NORWE")
    imp = _with_swap(spec, k)
    check = check_glyphs(spec, imp)
    assert k in check.contradicted
    (a0, _), (_, b1) = check.windows[k], check.windows[k + 1]
    # under print the glyph test's pair, its visible ink no swap (as type's edges leave it)
    shown = imp.copy()
    shown[:, a0:b1] = spec[:, a0:b1] * 0.5
    cover = np.zeros_like(spec)
    assert _under_print(spec, shown, cover, check) == frozenset()
    cover[:, a0 : a0 + 2] = 1.0  # a sliver of print
    assert k not in _under_print(spec, shown, cover, check)
    cover[:, a0:b1] = 1.0
    assert k in _under_print(spec, shown, cover, check)
    assert _under_print(spec, shown, None, check) == frozenset()


def test_a_swap_the_visible_ink_shows_under_print_still_stands():
    """Held-out 483 c00032, an imitation "PECAURIA" whose swapped pair lay partly under print,
    its visible ink fitting the swap by 0.49 of the difference: type over the upper part of
    the pair hides the ink there, and the ink left below still shows the swap."""
    spec = _strip(TEXT)
    k = len("NORWE")
    imp = _with_swap(spec, k)
    check = check_glyphs(spec, imp)
    (a0, _), (_, b1) = check.windows[k], check.windows[k + 1]
    cover = np.zeros_like(spec)
    cover[: spec.shape[0] * 2 // 5, a0:b1] = 1.0
    assert float((spec * cover).sum()) >= 0.2 * float(spec[:, a0:b1].sum())  # ``_UNDER_PRINT``
    shown = np.where(cover > 0, 0.0, imp).astype(np.float32)
    assert k not in _under_print(spec, shown, cover, check)


def test_shifting_by_the_registration_offset_is_registering():
    rng = np.random.default_rng(3)
    spec = rng.random((20, 60)).astype(np.float32)
    for dx, dy in ((0, 0), (3, -2), (-4, 1)):
        imp = np.roll(spec, (dy, dx), axis=(0, 1))
        x, y = register_offset(spec, imp, 6, 3)
        assert np.array_equal(_shifted(imp, x - 6, y - 3), register(spec, imp, 6, 3))


@pytest.mark.parametrize("index", [50, 83])
def test_held_out_genuine_rings_with_a_faded_star_or_print_over_them_match(index):
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(491, index, "genuine")
    assert truth["seal"]["registered"]
    assert check_seal(page, own).match


def test_held_out_imitation_with_its_swap_under_print_is_rejected():
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(483, 32, "forged_seal")
    assert "PECAURIA" in truth["seal"]["forgery"]
    assert not check_seal(page, own).match
