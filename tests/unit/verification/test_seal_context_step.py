"""A ring pair re-registered on its context (``_seal_text._misregistered``) counts as a scale
error only where the context's legible glyphs sit at the context's shift: a letter added in the
context leaves the glyphs before it moved one way and those after it the other (seed 225
c00072, an imitation "NEWE ZEALAND", accepted before), where a ring's fitted scale moves
neighbouring glyphs alike (seed 115 c00020, a genuine NZ-MPI ring)."""

from verification._seal_glyphs import GlyphCheck
from verification._seal_text import _context_stepped

WINDOWS = tuple((10 + 15 * i, 22 + 15 * i) for i in range(12))  # glyphs 12 columns wide
CENTRES = tuple((a + b) / 2 for a, b in WINDOWS)
SPAN = (WINDOWS[1][0], WINDOWS[10][1])  # pair 5 with four glyphs each side


def _check(offsets: tuple[int, ...]) -> GlyphCheck:
    return GlyphCheck(
        pairs=11, confirmed=8, windows=WINDOWS, offsets=offsets, centres=CENTRES, legible=12
    )


def test_a_context_moved_alike_is_a_scale_error():
    # seed 115 c00020: the context's glyphs 5 and 4 columns off, the context at -4
    assert not _context_stepped(
        _check((-4, -5, -5, -4, -4, -4, -4, -4, -5, -4, -4, -3)), 5, SPAN, -4
    )


def test_a_context_whose_glyphs_step_is_no_scale_error():
    # seed 225 c00072: -7 before the added letter, +6 to +3 after it, the context at +4
    offsets = (-3, -3, -7, -7, 6, 6, 5, 5, 3, 3, 0, 0)
    assert _context_stepped(_check(offsets), 5, SPAN, 4)


def test_too_few_legible_glyphs_around_the_pair_decide_nothing():
    check = GlyphCheck(
        pairs=11,
        confirmed=8,
        windows=WINDOWS,
        offsets=(-7, 6),
        centres=(CENTRES[0], CENTRES[4]),  # one outside the context, one inside
        legible=2,
    )
    assert not _context_stepped(check, 5, SPAN, 4)
