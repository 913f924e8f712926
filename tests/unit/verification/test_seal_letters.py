"""Positive confirmation of a seal's text (``_seal_letters``) on rendered text strips: a glyph
is confirmed only where the impression shows it better than a neighbour swapped into its place;
a swap position is open where neither glyph nor the pair nor the OCR reading saw it."""

import numpy as np

from verification._seal_glyphs import check_glyphs
from verification._seal_letters import (
    Confirmation,
    LetterThresholds,
    confirmation,
    joined_in_words,
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


# BR-MAPA's oval ring as the strip's gaps grouped it (held-out 556): two marks, MINISTERIO, DA,
# then AGRICULTURA stretched apart where the oval is flattest, E, PECUARIA, BRASIL, four stars.
_OVAL_GROUPS = [
    [0], [1], list(range(2, 12)), [12, 13], list(range(14, 19)), [19, 20, 21], [22], [23],
    [24], [25], list(range(26, 34)), list(range(34, 40)), [40, 41, 42, 43],
]  # fmt: skip


def test_glyph_words_split_inside_a_word_of_the_text_are_joined():
    """The specimen's text as the recogniser read it, a star read as a letter ('k') and the
    others as signs: the glyph words pair with its words, and the partings inside
    AGRICULTURA (after C, T, R and U) are pairs of one word."""
    text = "￥ # mINISTerIO da AGRIcuLtuRa e PeCuaRIa brasiL k ￥"
    assert joined_in_words(_OVAL_GROUPS, text) == frozenset({18, 21, 22, 23})
    plain = "MINISTERIO DA AGRICULTURA E PECUARIA BRASIL"
    assert joined_in_words(_OVAL_GROUPS, plain) == frozenset({18, 21, 22, 23})


def test_glyph_words_are_not_joined_where_the_text_does_not_pair_up():
    # a letter short (the recogniser left the 'E' out): no run holds as many glyphs
    assert joined_in_words(_OVAL_GROUPS, "MINISTERIO DA AGRICULTURA PECUARIA BRASIL") == set()
    # glyph words that meet under half of the text's spaces: no pairing is trusted
    shifted = [[0, 1, 2], list(range(3, 14)), list(range(14, 27)), list(range(27, 38))]
    assert joined_in_words(shifted, "MINISTERIO DA AGRICULTURA E PECUARIA BRASIL") == set()
    # words run together change nothing
    merged = [
        list(range(0, 12)),
        list(range(12, 23)),
        [23],
        list(range(24, 32)),
        list(range(32, 38)),
    ]
    assert joined_in_words(merged, "MINISTERIO DA AGRICULTURA E PECUARIA BRASIL") == set()


def test_a_swapped_looking_pair_parted_by_a_wide_gap_counts_once_joined():
    visible = PairVisibility(
        share=(0.5, 0.5, -1.1, 0.5), snr=(40.0, 40.0, -60.0, 30.0), inked=(1.0, 1.0, 0.9, 1.0)
    )
    parted = Confirmation(((0, 1, 2), (3, 4)), frozenset(), frozenset(), frozenset(), visible)
    assert parted.split_contradicted() == frozenset({2})
    assert parted.contradicted() == frozenset()
    assert parted.contradicted(joined=frozenset({2})) == frozenset({2})


def test_held_out_oval_with_letters_swapped_where_its_ring_is_stretched_is_rejected():
    """Held-out 556 c00194: "AGRICULTRUA" on a BR-MAPA oval, its U in an ink gap and the R
    beside it well inked (0.74) showing its neighbour's letter by 99 noise units; the glyph
    words parted AGRICULTURA after its C, T, R and U, so that pair stood in no word."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(556, 194, "forged_seal")
    assert truth["seal"]["forgery"] == "ring text altered: AGRICULTRUA"
    result = check_seal(page, own)
    assert not result.match
    assert "fits them swapped" in result.finding
