"""Positive confirmation of a seal's text (``_seal_letters``) on rendered text strips: a glyph
is confirmed only where the impression shows it better than a neighbour swapped into its place;
a swap position is open where neither glyph nor the pair nor the OCR reading saw it."""

import numpy as np

from verification._seal_glyphs import check_glyphs
from verification._seal_letters import (
    Confirmation,
    LetterThresholds,
    confirmation,
    open_positions,
    split_wide,
    word_map,
    words,
    words_read,
)
from verification._seal_visible import PairVisibility
from verification.testing import text_strip as _strip


def _confirm(spec: np.ndarray, imp: np.ndarray):
    check = check_glyphs(spec, imp)
    return confirmation(spec, imp, check.windows, check.checked, check.confirmed_at)


SPEC = _strip("MINISTRY FOR PRIMARY INDUSTRIES")


def test_words_follow_the_gaps_between_glyphs():
    check = check_glyphs(SPEC, SPEC)
    groups = words(check.windows, SPEC, LetterThresholds())
    assert [len(g) for g in groups] == [8, 3, 7, 10]


def test_a_clean_impression_leaves_no_swap_position_open():
    conf = _confirm(SPEC, SPEC)
    assert conf.open() == (0, 0, 0, 0)
    assert len(conf.glyphs) >= 24  # nearly every glyph confirmed on its own


def test_an_ink_gap_over_letters_leaves_their_swap_positions_open():
    gap = SPEC.copy()
    check = check_glyphs(SPEC, SPEC)
    c0, c1 = check.windows[20][0], check.windows[23][1]  # D, U, S, T of INDUSTRIES
    gap[:, c0:c1] = 0.0
    conf = _confirm(SPEC, gap)
    assert conf.open()[:3] == (0, 0, 0) and conf.open()[3] == 3
    assert conf.open(frozenset({3})) == (0, 0, 0, 0)  # unless the recogniser read the word


def test_swapped_letters_are_never_confirmed():
    conf = _confirm(SPEC, _strip("MINISTRY FOR PRIMARY IDNUSTRIES"))
    assert conf.open()[3] >= 1
    assert 19 not in conf.glyphs and 20 not in conf.glyphs  # N and D of INDUSTRIES


def test_open_positions_count_what_nothing_saw():
    groups = [[0, 1, 2, 3], [4, 5]]
    assert open_positions(groups, set(), set(), set()) == (3, 1)
    assert open_positions(groups, {1}, set(), set()) == (1, 1)  # rules out (0,1) and (1,2)
    assert open_positions(groups, set(), {2}, {0}) == (1, 1)
    assert open_positions(groups, set(), set(), set(), frozenset({1})) == (3, 0)


def test_words_read_whole_by_the_recogniser_and_mapped_to_glyph_words():
    wanted, found = words_read(
        "★MINISTRY FOR PRIMARY INDUSTRIES★", "MINISTRY FQR PRIMARYINDUSTREIS"
    )
    assert wanted == ("MINISTRY", "FOR", "PRIMARY", "INDUSTRIES")
    assert found == (True, False, True, False)
    groups = [[0], [1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11], [12] * 7, [13] * 10, [14]]
    assert word_map(groups, wanted) == {1: 0, 2: 1, 3: 2, 4: 3}  # stars at the ends left out
    assert word_map(groups[:3], wanted) == {}  # words do not pair up: no mapping


def test_a_glyph_wide_enough_for_two_letters_is_split_for_the_letter_test():
    windows = [(0, 12), (14, 26), (28, 52), (54, 66), (68, 80)]  # the middle one: two letters
    spec = np.zeros((20, 80), np.float32)
    for c0, c1 in windows:
        spec[4:16, c0:c1] = 1.0
    spec[4:16, 39:41] = 0.2  # where the two letters touch
    parts, last = split_wide(spec, windows, LetterThresholds())
    assert parts == [(0, 12), (14, 26), (28, 39), (39, 52), (54, 66), (68, 80)]
    assert last == [0, 1, 3, 4, 5]  # each window's last part: pairs are mapped by it


def test_swap_of_alike_letters_is_no_contradiction():
    """Two alike letters (the 'TT' of MATTILSYNET): their swap alters nothing, however the
    visible ink of the pair fits it (seed 357 c00091, a genuine ring: a few pixels of kerning
    fitted the swap, share -0.73, snr -8.9)."""
    visible = PairVisibility(share=(0.5, -0.73, 0.5), snr=(40.0, -8.9, 30.0), inked=(1.0, 1.3, 1.0))
    seen = Confirmation(((0, 1, 2, 3),), frozenset(), frozenset(), frozenset(), visible)
    assert seen.contradicted() == frozenset({1})  # two letters that differ: a swap
    alike = Confirmation(((0, 1, 2, 3),), frozenset(), frozenset(), frozenset({1}), visible)
    assert alike.contradicted() == frozenset()


def test_a_run_of_swapped_looking_pairs_in_one_word_is_a_contradiction_whatever_the_ink():
    """Three neighbouring pairs of one word fitting the swap far above the noise within the
    model's shares: its letters stand off their places (held-out 365 c00023, an imitation
    BR-MAPA ring with a letter added, its glyphs too faint for the layout test). Two such
    pairs, or three across a word space, are not."""
    share = (0.5, -1.3, -0.54, -1.2, 0.5, 0.5)
    snr = (40.0, -15.6, -18.4, -43.3, 30.0, 30.0)
    faint = (1.0, 0.01, 0.47, 0.42, 1.0)
    visible = PairVisibility(share, snr, faint, (1.0, 0.47, 0.6, 0.6, 1.0))
    run = Confirmation(((0, 1, 2, 3, 4, 5),), frozenset(), frozenset(), frozenset(), visible)
    assert run.contradicted() == frozenset({1, 2, 3})
    two = PairVisibility((0.5, -1.3, -0.54, 0.5, 0.5, 0.5), snr, faint, visible.stronger)
    shorter = Confirmation(((0, 1, 2, 3, 4, 5),), frozenset(), frozenset(), frozenset(), two)
    assert shorter.contradicted() == frozenset()
    split = Confirmation(((0, 1, 2), (3, 4, 5)), frozenset(), frozenset(), frozenset(), visible)
    assert split.contradicted() == frozenset()


def test_held_out_ring_with_a_letter_added_in_its_faint_part_is_rejected():
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(365, 23, "forged_seal")
    assert truth["seal"]["forgery"] == "ring text altered: EE"
    assert not check_seal(page, own).match
