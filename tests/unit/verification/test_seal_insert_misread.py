"""An extra letter read by the recogniser between two letters that the pixels show side by side,
where the specimen prints them, is a misread, not a letter added (``pixels_deny_insert``): genuine
impressions of simulator seed 712 were sent to review for 'AGRICUALTURE' (a US-APHIS ring, case
25) and 'SEREVICIO' (a CL-SERNAPESCA rectangle, case 36). A letter really added inside a word
still contradicts."""

import logging
from dataclasses import replace

import numpy as np
import pytest

from simulator.cases import build_case
from simulator.seal import seal_mask, specimen_png
from simulator.world import build_world
from tests.unit.verification.stamping import stamp_onto
from verification._ring_text import contradiction_ops, letters
from verification._seal_glyphs import GlyphCheck
from verification._seal_letters import Confirmation
from verification._seal_text import TextEvidence, _line_places_hold, pixels_deny_insert
from verification._seal_visible import PairVisibility
from verification.intake import WORK_DPI, load_pages
from verification.pipeline import PipelineConfig
from verification.ports import SealSpecimen
from verification.seal import check_seal
from verification.testing import render_page

TEXT = "SERVICIO NACIONAL"  # two words of 8 glyphs, after a lone star
GROUPS = ((0,), tuple(range(1, 9)), tuple(range(9, 17)))


def _conf(glyphs: set[int], pairs: set[int]) -> Confirmation:
    return Confirmation(GROUPS, frozenset(glyphs), frozenset(pairs), frozenset())


def test_an_insert_read_between_two_letters_seen_side_by_side_is_denied():
    # 'SEREVICIO': an extra 'E' read before letter 3 ('V'); glyphs 3 ('R') and 4 ('V')
    (op, at, _text), *_ = contradiction_ops("SEREVICIONACIONAL", "SERVICIONACIONAL")
    assert (op, at) == ("insert", 3)
    assert pixels_deny_insert(_conf({3, 4}, {3}), TEXT, at)
    # either letter not confirmed on its own, or the pair not confirmed: it stands
    assert not pixels_deny_insert(_conf({3}, {3}), TEXT, at)
    assert not pixels_deny_insert(_conf({4}, {3}), TEXT, at)
    assert not pixels_deny_insert(_conf({3, 4}, set()), TEXT, at)
    assert not pixels_deny_insert(None, TEXT, at)


def test_an_insert_read_between_two_words_is_not_denied():
    # an added letter at the end of a word (an imitation's 'PPQE') sits where no glyph is
    assert not pixels_deny_insert(_conf(set(range(17)), set(range(16))), TEXT, 8)


def test_the_words_are_paired_from_the_end_when_the_start_does_not_pair_up():
    # the glyphs ran the first word together with the star: pair the words from the end
    groups = (tuple(range(0, 9)), tuple(range(9, 17)))
    conf = Confirmation(groups, frozenset({11, 12}), frozenset({11}), frozenset())
    assert pixels_deny_insert(conf, TEXT, 8 + 3)  # 'NAC|IONAL': glyphs 11, 12
    assert not pixels_deny_insert(conf, TEXT, 3)  # the first word's glyphs do not pair up


@pytest.mark.parametrize(("index", "seal_id"), [(25, "US-APHIS-S1"), (36, "CL-SERNAPESCA-S1")])
def test_genuine_seals_read_with_an_extra_letter_are_matched(index, seal_id):
    world = build_world(712)
    case = build_case(world, 712, index, "genuine")
    assert case.truth["seal"]["drawn_as"] == seal_id
    page = load_pages(case.scan, PipelineConfig().limits)[0].image
    die = world.seals[seal_id]
    res = check_seal(page, [SealSpecimen(die.id, die.agency, specimen_png(die))])
    assert res.match and not res.uncertain


def _stamped(spec, angle: float) -> np.ndarray:
    """A clean, evenly inked stamping of ``spec`` (every letter legible)."""
    page = render_page("CERTIFICATE OF ORIGIN", [("Certificate No.", ["CL-1"])]).rgb().copy()
    mask = np.pad(seal_mask(spec, WORK_DPI).astype(np.float32), 6) * 0.9
    return stamp_onto(page, mask, spec.ink, angle)


def test_a_letter_added_inside_a_word_still_contradicts(caplog):
    # the line re-centred with an 'A' added after 'SER': the letters around it are not where
    # the specimen prints them, so the recogniser's reading of the extra letter stands
    world = build_world(712)
    die = world.seals["CL-SERNAPESCA-S1"]
    first, *rest = die.inner_text
    assert first.startswith("SERVICIO ")
    forged = replace(die, inner_text=("SERAVICIO" + first[len("SERVICIO") :], *rest))
    own = [SealSpecimen(die.id, die.agency, specimen_png(die))]
    assert check_seal(_stamped(die, 7.0), own).match  # the genuine die, stamped so
    with caplog.at_level(logging.INFO, logger="verification._seal_confirm"):
        res = check_seal(_stamped(forged, 7.0), own)
    assert not res.match and res.uncertain
    assert "extra 'A' after 'SER'" in caplog.text


CCPIT = "* CHINA COUNCIL FOR THE PROMOTION OF INTERNATIONAL TRADE *"
CCPIT_WORDS = [5, 7, 3, 3, 9, 2, 13, 5]


def _ring_groups(sizes: list[int]) -> tuple[tuple[int, ...], ...]:
    """Glyph words of the given sizes between two lone stars."""
    out, k = [], 0
    for size in [1, *sizes, 1]:
        out.append(tuple(range(k, k + size)))
        k += size
    return tuple(out)


def _seen_by_ink(groups, glyphs: set[int], pairs: set[int]) -> Confirmation:
    n = sum(map(len, groups))
    share = tuple(0.4 if k in pairs else 0.0 for k in range(n))
    snr = tuple(20.0 if k in pairs else 0.0 for k in range(n))
    return Confirmation(
        groups, frozenset(glyphs), frozenset(pairs), frozenset(), PairVisibility(share, snr)
    )


def test_a_faint_first_letter_is_seen_by_the_pairs_visible_ink():
    # seed 221 c00075, a genuine CN-CCPIT ring read 'CORUNC': the 'O' (glyph 7) too faint to
    # be confirmed on its own, the 'U' (8) confirmed, the pair by the glyph test and its ink
    (op, at, _text), *_ = contradiction_ops("CHINACORUNCILFORTHE", letters(CCPIT))
    assert (op, at) == ("insert", 7)
    groups = _ring_groups(CCPIT_WORDS)
    assert pixels_deny_insert(_seen_by_ink(groups, {8}, {7}), CCPIT, at)
    no_ink = replace(_seen_by_ink(groups, {8}, {7}), visible=PairVisibility((), ()))
    assert not pixels_deny_insert(no_ink, CCPIT, at)
    assert not pixels_deny_insert(_seen_by_ink(groups, set(), {7}), CCPIT, at)  # 'U' unseen


def test_words_run_together_are_paired_with_the_letters_in_order_when_as_many():
    # the ring's tight word spaces left CHINA COUNCIL FOR THE in one run of 25 glyphs
    together = _ring_groups([25, 2, 17, 3])
    assert pixels_deny_insert(_seen_by_ink(together, {8}, {7}), CCPIT, 7)
    fewer = _ring_groups([24, 2, 17, 3])  # one glyph short of the letters: no pairing
    assert not pixels_deny_insert(_seen_by_ink(fewer, {8}, {7}), CCPIT, 7)


LINE = "SERVICIO NACIONAL"  # a rectangle's first inner line: 16 glyphs, a word space after 8


def _line_evidence(offsets: dict[int, int], contradicted: tuple[int, ...] = ()) -> TextEvidence:
    """The line's glyphs 7 columns wide, 9 apart (the word space 8 columns wider), on a strip
    14 rows high; ``offsets``: the legible glyphs and the columns each was found off its place;
    every pair judged, confirmed but the ``contradicted``."""
    starts = [2 + 9 * g + (8 if g >= 8 else 0) for g in range(16)]
    windows = tuple((c, c + 7) for c in starts)
    spec = np.zeros((14, starts[-1] + 12), np.float32)
    for c0, c1 in windows:
        spec[2:12, c0:c1] = 1.0
    legible = sorted(offsets)
    check = GlyphCheck(
        pairs=15,
        confirmed=15 - len(contradicted),
        contradicted=contradicted,
        checked=tuple(range(15)),
        margins=(1.0,) * 15,
        windows=windows,
        legible=len(legible),
        centres=tuple(windows[g][0] + 3.5 for g in legible),
        offsets=tuple(offsets[g] for g in legible),
    )
    return TextEvidence("lines", (check,), strips=((spec, spec.copy()),))


def test_a_line_read_with_an_extra_letter_whose_glyphs_sit_at_their_places_is_misread():
    # 'SERVAICIO': an 'A' read before letter 4 ('I'); the glyphs of SERV and ICIO at their places
    (op, at, _text), *_ = contradiction_ops("SERVAICIONACIONAL", letters(LINE), ends=True)
    assert (op, at) == ("insert", 4)
    at_place = {g: 0 for g in range(16)}
    assert _line_places_hold(_line_evidence(at_place), LINE, at)
    assert _line_places_hold(_line_evidence({**at_place, 2: 1, 5: -1}), LINE, at)
    # a letter added there: the line re-centred, SERV half a letter back, ICIO half on
    recentred = {g: (-3 if g < 4 else 3) for g in range(16)}
    assert not _line_places_hold(_line_evidence(recentred), LINE, at)
    # ... or the pose took up the first half: ICIO a letter on
    assert not _line_places_hold(
        _line_evidence({g: 0 if g < 4 else 6 for g in range(16)}), LINE, at
    )
    # the glyphs after it two columns on from those before, or a step within a side
    assert not _line_places_hold(
        _line_evidence({g: -1 if g < 4 else 1 for g in range(16)}), LINE, at
    )
    assert not _line_places_hold(_line_evidence({**at_place, 5: 4, 6: 4}), LINE, at)
    # one legible glyph before it is too little; the pair across it contradicted
    assert not _line_places_hold(_line_evidence({3: 0, 4: 0, 5: 0, 6: 0}), LINE, at)
    assert not _line_places_hold(_line_evidence(at_place, contradicted=(3,)), LINE, at)


def test_an_extra_letter_read_at_a_words_end_is_not_judged_by_the_places():
    # 'SERVICIOS': the letter after the last of a word; an imitation's 'COMMERCES' is read so
    at_place = {g: 0 for g in range(16)}
    assert not _line_places_hold(_line_evidence(at_place), LINE, 8)


def test_an_extra_letter_read_in_a_line_that_holds_its_places_as_a_whole_is_misread():
    """Held-out seed 417 c00082, a genuine ZA-SACCI rectangle read 'COMIMERCE' (an M cut by an
    ink gap): 33 of its 34 legible glyphs at -1, but the pair across the point too faint to be
    seen in order, so ``_line_places_hold`` could not overrule it. A letter added anywhere in a
    centred line moves its glyphs apart, or the line squeezed to its width drifts them."""
    from verification._seal_text import _line_holds, misread_lines

    at_place = {g: 0 for g in range(16)}
    pair_unseen = _line_evidence(at_place, contradicted=(3,))
    assert not _line_places_hold(pair_unseen, LINE, 4)
    assert _line_holds(pair_unseen.checks[0])
    assert misread_lines(((LINE, "SERVAICIO NACIONAL"),), pair_unseen) == ()
    assert misread_lines(((LINE, "SERVICIOS NACIONAL"),), pair_unseen) == ()
    assert _line_holds(_line_evidence({**at_place, 6: 9}).checks[0])  # one glyph found off
    assert _line_holds(_line_evidence({g: -1 for g in range(16)}).checks[0])
    # a letter added: the line re-centred, or squeezed, or moved on as a whole
    recentred = _line_evidence({g: (-3 if g < 8 else 3) for g in range(16)}, contradicted=(3,))
    assert not _line_holds(recentred.checks[0])
    assert misread_lines(((LINE, "SERVAICIO NACIONAL"),), recentred)
    assert not _line_holds(_line_evidence({g: 3 - g // 3 for g in range(16)}).checks[0])
    assert not _line_holds(_line_evidence({g: 2 for g in range(16)}).checks[0])
    # too few glyphs legible to say the line holds
    assert not _line_holds(_line_evidence({g: 0 for g in range(11)}).checks[0])


def test_the_genuine_rectangle_of_seed_290_case_69_read_departmaent_is_matched(caplog):
    from tests.unit.verification.stamping import simulated_stamping

    truth, page, own = simulated_stamping(290, 69, "genuine")
    assert truth["seal"]["drawn_as"] == "AU-DAFF-S2"
    with caplog.at_level(logging.INFO, logger="verification._seal_text"):
        res = check_seal(page, own)
    assert res.match
    assert "extra 'A' after 'RTM' overruled, its glyphs sit at their places" in caplog.text


def _ring_evidence(offsets: dict[int, int]) -> TextEvidence:
    """A ring strip printing TEXT: glyph ``g`` at columns 20g..20g+14, found legible at
    ``offsets[g]`` columns off its place (glyphs not in ``offsets`` not legible)."""
    parts = tuple((20 * g, 20 * g + 14) for g in range(17))
    legible = sorted(offsets)
    check = GlyphCheck(
        16,
        12,
        legible=len(legible),
        offsets=tuple(offsets[g] for g in legible),
        centres=tuple(20.0 * g + 7 for g in legible),
    )
    conf = replace(_conf(set(), set()), parts=parts)
    return TextEvidence("ring", (check,), confirmation=conf)


def test_an_extra_letter_read_in_a_ring_s_word_space_is_denied_where_the_glyphs_hold():
    """'SERVICIOX NACIONAL' read: the glyphs each side of the space sit at their places alike
    (held-out 337 c00073, 345 c00034: the recogniser read the space). A letter added at the
    word's end re-lays the ring: the glyphs after it stand a letter's pitch off, out of the
    glyph test's reach, or found apart from those before."""
    from verification._seal_text import pixels_hold_across

    (op, at, _text), *_ = contradiction_ops("SERVICIOXNACIONAL", "SERVICIONACIONAL", frozenset({8}))
    assert (op, at) == ("insert", 8)
    assert pixels_hold_across(_ring_evidence({g: 1 for g in range(5, 13)}), TEXT, 8)
    assert pixels_hold_across(_ring_evidence({6: 2, 7: 2, 9: 1, 10: 2}), TEXT, 8)
    stepped = {**{g: 0 for g in range(5, 9)}, **{g: 6 for g in range(9, 13)}}
    assert not pixels_hold_across(_ring_evidence(stepped), TEXT, 8)
    assert not pixels_hold_across(_ring_evidence({7: 0, 9: 0, 10: 0}), TEXT, 8)  # one before
    assert not pixels_hold_across(_ring_evidence({g: 0 for g in range(1, 17)}), TEXT, 3)


@pytest.mark.parametrize(
    ("seed", "index", "kind"), [(337, 73, "genuine"), (345, 34, "unregistered_officer")]
)
def test_genuine_rings_read_with_a_letter_in_a_word_space_are_matched(seed, index, kind):
    from tests.unit.verification.stamping import simulated_stamping

    truth, page, own = simulated_stamping(seed, index, kind)
    assert truth["seal"]["shape"] == "round" and truth["seal"]["registered"]
    assert check_seal(page, own).match
