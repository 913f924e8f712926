"""An extra letter read with a short flank on one side (``_ring_text.short_inserts``) counts
where the glyphs' places step apart there by a letter (``pixels_show_insert``): simulator seed
240 c00018, an imitation "KINGDOM OFE THAILAND" whose KINGDOM lay under the officer's
signature, was read 'OFETHAI', two letters before the E, and accepted. A misread letter moves
no glyph."""

import logging

from simulator.cases import build_case
from simulator.seal import specimen_png
from simulator.world import build_world
from verification._ring_text import contradiction_ops, letters, short_inserts
from verification._seal_glyphs import GlyphCheck
from verification._seal_letters import Confirmation
from verification._seal_text import TextEvidence, pixels_show_insert
from verification.intake import load_pages
from verification.pipeline import PipelineConfig
from verification.ports import SealSpecimen
from verification.seal import check_seal

TEXT = "DEPARTMENT OF FISHERIES KINGDOM OF THAILAND"
READ = "DEPARTMENTOFFISHSCMCNSOFETHAI"  # seed 240 c00018
PITCH = 14


def test_an_extra_letter_read_with_a_short_flank_is_left_to_the_pixels():
    expected = letters(TEXT)
    assert contradiction_ops(READ, expected) == ()  # two letters before it: not enough alone
    at = expected.index("THAI")
    assert short_inserts(READ, expected) == ((at, 2, 4),)
    # three letters each side: contradiction_ops decides, not the pixels
    assert short_inserts("DEPARTMENTOFFISHERIESKINGDOMOFETHAI", expected) == ()
    assert contradiction_ops("DEPARTMENTOFFISHERIESKINGDOMOFETHAI", expected)
    # one letter on the short side is too little even for the pixels
    assert short_inserts("DEPARTMENTOFFISHSCMCNSFETHAI", expected) == ()


def _evidence(offsets: dict[int, int], split: int | None = None) -> TextEvidence:
    """The ring of TEXT between a lone star each side, one glyph per letter, PITCH columns
    apart (word ``split`` with one letter cut in two glyphs); ``offsets``: the legible glyphs
    and the columns each was found off its place."""
    sizes = [1, *(len(w) + (w_ == split) for w_, w in enumerate(TEXT.split())), 1]
    groups, k = [], 0
    for size in sizes:
        groups.append(tuple(range(k, k + size)))
        k += size
    windows = tuple((g * PITCH, g * PITCH + 12) for g in range(k))
    legible = sorted(offsets)
    check = GlyphCheck(
        pairs=k - 1,
        confirmed=0,
        windows=windows,
        legible=len(legible),
        centres=tuple(g * PITCH + 6.0 for g in legible),
        offsets=tuple(offsets[g] for g in legible),
    )
    conf = Confirmation(tuple(groups), frozenset(), frozenset(), frozenset(), parts=windows)
    return TextEvidence("ring", (check,), confirmation=conf)


def test_the_glyphs_after_a_letter_added_sit_a_letter_further_on():
    expected = letters(TEXT)
    at = expected.index("THAI")
    o, f = at - 2 + 1, at - 1 + 1  # glyphs of O and F (after the lone star)
    t = at + 1
    added = {o: -9, f: -9, t: 4, t + 1: 3, t + 2: 2, t + 3: 2}  # as seed 240 c00018 was found
    assert pixels_show_insert(_evidence(added), TEXT, at, 2, 4)
    misread = {o: 0, f: -1, t: 0, t + 1: 1, t + 2: 0, t + 3: 0}
    assert not pixels_show_insert(_evidence(misread), TEXT, at, 2, 4)
    dropped = {o: 4, f: 4, t: -9, t + 1: -9, t + 2: -8, t + 3: -9}  # further back, not on
    assert not pixels_show_insert(_evidence(dropped), TEXT, at, 2, 4)
    one_before = {f: -9, t: 4, t + 1: 3, t + 2: 2, t + 3: 2}  # O in a gap: one glyph is no run
    assert not pixels_show_insert(_evidence(one_before), TEXT, at, 2, 4)
    scattered = {o: -9, f: -3, t: 4, t + 1: 3, t + 2: 2, t + 3: 2}  # before-side not together
    assert not pixels_show_insert(_evidence(scattered), TEXT, at, 2, 4)


def test_the_imitation_of_seed_240_case_18_is_rejected(caplog):
    world = build_world(240)
    case = build_case(world, 240, 18, "forged_seal")
    assert case.truth["seal"]["forgery"] == "ring text altered: OFE"
    page = load_pages(case.scan, PipelineConfig().limits)[0].image
    die = world.seals["TH-DOF-S1"]
    with caplog.at_level(logging.INFO, logger="verification._seal_confirm"):
        res = check_seal(page, [SealSpecimen(die.id, die.agency, specimen_png(die))])
    assert not res.match
    assert "extra letter before 'THAI' where its glyphs step apart" in caplog.text


def test_a_letter_cut_in_two_glyphs_elsewhere_leaves_the_place_found_from_the_word():
    """KINGDOM's M cut in two glyphs (as NZ-MPI's W is): the glyphs are no longer one per
    letter, and the place of the extra letter is found from THAILAND, which pairs up from the
    end; the side before it takes one glyph more."""
    expected = letters(TEXT)
    at = expected.index("THAI")
    o, f, t = at - 2 + 2, at - 1 + 2, at + 2  # one glyph further on: the star, the cut M
    added = {o: -9, f: -9, t: 4, t + 1: 3, t + 2: 2, t + 3: 2}
    assert pixels_show_insert(_evidence(added, split=3), TEXT, at, 2, 4)
    misread = {o: 0, f: -1, t: 0, t + 1: 1, t + 2: 0, t + 3: 0}
    assert not pixels_show_insert(_evidence(misread, split=3), TEXT, at, 2, 4)
    # a letter cut in THAILAND itself: neither it nor the word before pairs up
    assert not pixels_show_insert(_evidence(added, split=5), TEXT, at, 2, 4)


def test_one_glyph_of_three_found_off_a_side_is_let_go_not_two():
    expected = letters(TEXT)
    at = expected.index("THAI")
    o, f, t = at - 2 + 1, at - 1 + 1, at + 1
    one_off = {o: -9, f: -9, t: 4, t + 1: -3, t + 2: 4}  # an E's bars found on a Z
    assert pixels_show_insert(_evidence(one_off), TEXT, at, 2, 4)
    two_off = {o: -9, f: -9, t: 4, t + 1: -3, t + 2: -6}
    assert not pixels_show_insert(_evidence(two_off), TEXT, at, 2, 4)


def test_the_imitation_of_seed_9001_case_147_is_rejected():
    """An imitation NZ-MPI ring printing "NEWE ZEALAND" (3,996 pixels of difference), read
    'INDUSTREWEZEA': its W cut in two glyphs and the E of ZEALAND found on the Z."""
    from tests.unit.verification.stamping import simulated_stamping

    truth, page, own = simulated_stamping(9001, 147, "forged_seal")
    assert truth["seal"]["forgery"] == "ring text altered: NEWE"
    assert not check_seal(page, own).match
