"""Two letters read swapped at an end of the reading (``_ring_text._at_reading_end``): the
recogniser stops where a stamp's ink fades, so an imitation's swap can be the last thing it
reads (seed 222 c00019: a rectangle's "INDUSTIRES" read 'INDUSTIR', its "E" and "S" faint, was
accepted). The alignment reads a swap so also where a fragment read across a wide gap fits two
letters swapped (seed 217 c00007: a genuine "PRIMARY" read 'MIARY', the 'MI' of "MINISTRY"),
so it counts only where the pixels show the pair inked and fitting the swap
(``_seal_text._pixels_show_swap``)."""

import logging
import math

from simulator.cases import build_case
from simulator.seal import specimen_png
from simulator.world import build_world
from verification import _seal_text
from verification._ring_text import contradiction_ops, letters, word_starts
from verification.intake import load_pages
from verification.pipeline import PipelineConfig
from verification.ports import SealSpecimen
from verification.seal import check_seal

LINE = "MINISTRY FOR PRIMARY INDUSTRIES"


def _ops(read: str, ends: bool = True) -> list[tuple[str, int]]:
    found = contradiction_ops(letters(read), letters(LINE), word_starts(LINE), ends=ends)
    return [(op, at) for op, at, _text in found]


def test_a_swap_that_ends_the_reading_is_a_candidate():
    assert _ops("MINISTRYFORPRIMARYINDUSTIR") == [("end-swap", 24)]
    assert _ops("MINISTRYFORPRIMARYINDUSTIR", ends=False) == []  # the ring text's callers


def test_a_swap_that_begins_the_reading_is_a_candidate():
    assert _ops("MIARYINESTRIES") == [("end-swap", 13)]


def test_an_end_swap_needs_letters_read_right_beside_it_inside_one_word():
    assert _ops("STIR") == []  # two letters read before it, not three
    assert _ops("INDUSTRIES") == []  # nothing swapped
    # 'YI' for "IY" would straddle "PRIMARY INDUSTRIES": an imitation swaps inside a word
    assert _ops("MINISTRYFORPRIMARIY") == []


def _scan(seed: int, index: int, kind: str):
    world = build_world(seed)
    case = build_case(world, seed, index, kind)
    die = world.seals[case.truth["seal"]["drawn_as"].removesuffix("-FORGED")]
    page = load_pages(case.scan, PipelineConfig().limits)[0].image
    return page, [SealSpecimen(die.id, die.agency, specimen_png(die))]


def test_an_imitation_read_swapped_up_to_a_faint_word_end_is_not_matched(caplog, monkeypatch):
    page, own = _scan(222, 19, "forged_seal")
    assert not check_seal(page, own).match  # its swapped pair's ink fits the swap plainly now
    # where the pair's ink is not counted plain alone, the reading that ends in the swap is
    # what rejects it
    monkeypatch.setattr(_seal_text, "_PLAIN_LINE_SNR", math.inf)
    with caplog.at_level(logging.INFO, logger="verification._seal_confirm"):
        res = check_seal(page, own)
    assert not res.match
    assert "'RI' read as 'IR' at the reading's end" in caplog.text


def test_a_genuine_fragment_read_across_a_gap_still_matches():
    page, own = _scan(217, 7, "genuine")
    res = check_seal(page, own)
    assert res.match and not res.uncertain
