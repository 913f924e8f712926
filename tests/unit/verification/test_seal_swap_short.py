"""A swap read with a flank on one side only (``_ring_text.short_swaps``) counts where the
swapped pair's ink leans to the swap (``pixels_show_swap``): simulator seed 268 c00017, an
imitation "DEPARTMNET" whose "T OF" lay under the officer's printed name, was read
'DEPARTMNE' then 'RO', and accepted. A genuine ring read so (seed 231 c00050: 'EF' for 'FE'
before a misread letter) shows no such ink."""

import logging

import pytest

from simulator.cases import build_case
from simulator.seal import specimen_png
from simulator.world import build_world
from verification._ring_text import contradiction_ops, letters, short_swaps
from verification._seal_letters import Confirmation
from verification._seal_text import TextEvidence, pixels_lean_ring_swap, pixels_show_swap
from verification._seal_visible import PairVisibility
from verification.intake import load_pages
from verification.pipeline import PipelineConfig
from verification.ports import SealSpecimen
from verification.seal import check_seal

TEXT = "UNITED STATES DEPARTMENT OF AGRICULTURE APHIS PPQ"
READ = "UNITEOSTADEPARTMNEROAGRICULTEEAPHISPPO"  # seed 268 c00017


def test_a_swap_read_with_a_flank_on_one_side_only_is_left_to_the_pixels():
    expected = letters(TEXT)
    assert contradiction_ops(READ, expected) == ()  # "R" misread right after it
    assert short_swaps(READ, expected) == (expected.index("ENT"),)
    # flanked on both sides: contradiction_ops decides, not the pixels
    flanked = READ.replace("MNERO", "MNETO")
    assert short_swaps(flanked, expected) == () and contradiction_ops(flanked, expected)
    # too short a flank on the other side too
    assert short_swaps("UNITEOSTADEPAQRNERO", expected) == ()


def _evidence(
    snr: dict[int, float], inked: float = 0.9, glyphs: int = 0, weight: float | None = None
) -> TextEvidence:
    """The ring of TEXT between a lone star each side, one glyph per letter (``glyphs`` more
    in the middle word: a wide letter cut in two); ``snr`` per pair, 8 (printed) elsewhere."""
    sizes = [1, *(len(w) for w in TEXT.split()), 1]
    sizes[3] += glyphs
    groups, k = [], 0
    for size in sizes:
        groups.append(tuple(range(k, k + size)))
        k += size
    vis = PairVisibility(
        share=tuple(-0.3 if p in snr else 0.8 for p in range(k - 1)),
        snr=tuple(snr.get(p, 8.0) for p in range(k - 1)),
        inked=tuple(inked for _ in range(k - 1)),
        stronger=() if weight is None else tuple(inked for _ in range(k - 1)),
        weight=() if weight is None else tuple(weight for _ in range(k - 1)),
    )
    conf = Confirmation(tuple(groups), frozenset(), frozenset(), frozenset(), vis)
    return TextEvidence("ring", (), confirmation=conf)


def test_the_pair_s_ink_decides():
    at = letters(TEXT).index("ENT")
    k = at + 1  # its first glyph, after the lone star
    assert pixels_show_swap(_evidence({k: -9.3}), TEXT, at)  # as seed 268 c00017's pair
    assert not pixels_show_swap(_evidence({k: -3.0}), TEXT, at)  # leaning, within the noise
    assert not pixels_show_swap(_evidence({k: -9.3}, inked=0.2), TEXT, at)  # an ink gap
    assert not pixels_show_swap(_evidence({k + 3: -9.3}), TEXT, at)  # another pair
    # one glyph more than letters: the pairs beside the letter's place are looked at
    assert pixels_show_swap(_evidence({k + 1: -9.3}, glyphs=1), TEXT, at)
    assert not pixels_show_swap(_evidence({k + 2: -9.3}, glyphs=1), TEXT, at)
    # six more (held-out 396 c00082: 53 glyphs for 47 letters): up to three glyphs each side
    assert pixels_show_swap(_evidence({k + 3: -22.2}, glyphs=6), TEXT, at)
    assert not pixels_show_swap(_evidence({k + 8: -22.2}, glyphs=6), TEXT, at)
    assert not pixels_show_swap(_evidence({k + 1: -22.2}, glyphs=9), TEXT, at)  # not the text's


def test_a_ring_pair_leans_to_a_swap_the_recogniser_prefers_as_a_line_s_pair_does():
    """Where the recogniser prefers a ring's swap (``_seal_spelling``), its pair need only lean
    to it by a line's noise units with some ink on its fainter glyph (held-out 569 c00044
    "TARDE": -3.4 units, inked 1.27; 9105 c00125 "INDSUTRIES": -19.2, 0.21); a genuine pair
    in an ink gap (554 c00119: -4.7, 0.04) does not lean."""
    at = letters(TEXT).index("ENT")
    k = at + 1
    assert pixels_lean_ring_swap(_evidence({k: -3.4}, inked=1.27), TEXT, at)
    assert not pixels_show_swap(_evidence({k: -3.4}, inked=1.27), TEXT, at)
    assert not pixels_lean_ring_swap(_evidence({k: -2.9}, inked=1.27), TEXT, at)  # the noise
    assert pixels_lean_ring_swap(_evidence({k: -19.2}, inked=0.21), TEXT, at)
    assert not pixels_lean_ring_swap(_evidence({k: -4.7}, inked=0.04), TEXT, at)  # a gap
    # a swap that changes nothing visible (568 c00152: 0.33 inked, -3.1 units, weight 0.00)
    assert not pixels_lean_ring_swap(_evidence({k: -3.1}, inked=0.33, weight=0.0), TEXT, at)
    assert pixels_lean_ring_swap(_evidence({k: -3.1}, inked=0.33, weight=0.03), TEXT, at)
    assert not pixels_lean_ring_swap(_evidence({k + 3: -9.3}), TEXT, at)  # another pair


@pytest.mark.parametrize(
    ("seed", "number", "kind", "die", "forgery"),
    [
        (268, 17, "forged_seal", "US-APHIS-S1", "ring text altered: DEPARTMNET"),
        (396, 82, "forged_seal", "CN-CCPIT-S1", "ring text altered: CUONCIL"),
        (231, 50, "genuine", "NO-MATTILSYNET-S1", None),
    ],
)
def test_the_simulator_s_cases_end_to_end(caplog, seed, number, kind, die, forgery):
    match = forgery is None
    world = build_world(seed)
    case = build_case(world, seed, number, kind)
    assert case.truth["seal"]["forgery"] == forgery
    page = load_pages(case.scan, PipelineConfig().limits)[0].image
    spec = world.seals[die]
    with caplog.at_level(logging.INFO, logger="verification._seal_confirm"):
        res = check_seal(page, [SealSpecimen(spec.id, spec.agency, specimen_png(spec))])
    assert res.match is match
    # the swap is named: beside the misread letter, or (268 c00017, since each pair is fitted
    # where its context sits) by the pair's own ink, before the recogniser is asked
    swap = ("swapped beside a misread letter", "letter pairs of its ring text fit a swap")
    assert any(s in caplog.text for s in swap) is not match
