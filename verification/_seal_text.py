"""The printed text of an impression, glyph by glyph against the specimen (``_seal_glyphs``).

Round and oval stamps: the text band between the outer and the inner ring, unwrapped (the
impression's ring re-fitted first, as ``_ring_text`` does), the rings themselves cut off.
Rectangular stamps: each line of text inside the inner border (found on the specimen's row
profile), with the stars at the ends of the middle line.

The impression is taken in the specimen's frame (the pose from ``seal``) and registered to the
specimen to within a few pixels as a whole, never line by line or word by word: an added letter
moves the rest of its line, and that must stay visible.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from verification._ring_text import (
    Band,
    band_of,
    canvas_crop,
    contradiction_ops,
    fit_ring,
    ink_channel,
    ink_darkness,
    letters,
    print_mask,
    read_raw,
    short_swaps,
    unwrap,
    word_starts,
)
from verification._ring_text import cached_text as specimen_text_of
from verification._seal_glyphs import (
    GlyphCheck,
    GlyphThresholds,
    check_glyphs,
    normalise,
    register_offset,
    together,
)
from verification._seal_glyphs import register as register_strip
from verification._seal_letters import (
    Confirmation,
    LetterThresholds,
    confirmation,
    faintest_middle,
    words,
    words_read,
)
from verification._seal_spaces import filled_space
from verification._seal_visible import (
    PairVisibility,
    VisibleThresholds,
    above_paper,
    glyph_ink,
    pair_visibility,
)
from verification.imaging import colour_ink_mask, convex_outline, stamp_coloured

logger = logging.getLogger(__name__)

_RING_ROWS = 48
_RING_SHIFT = (8, 3)  # columns, rows the unwrapped band may be registered by
_RECT_SHIFT = 6
_RING_ROW = 0.5  # a row inked across this share of the band is a ring line, not text
_EMPTY_ROW = 0.02
_EDGE_ROWS = 4
_SOLID = 7  # pixels: an opening this wide removes strokes, keeps stars and filled emblems
_SOLID_SEEN = 0.2  # share of a mark inked for it to be shown
# ... or, where less is inked, a trace of it: this share inked (``_TRACE_SHARE``) and the
# patch around it fitting the mark's shape (NCC, within +-``_TRACE_SHIFT`` pixels) this well
# (``_TRACE_FIT``). Held-out seeds 260-283 (2,400 documents): 11 genuine rectangles had both
# stars under ink gaps by the share alone; 5 of them show one star's trace at 0.10-0.18 inked,
# fitting its shape at 0.31-0.42. The 84 imitations without their stars of all the corpora at
# hand (seeds 110-115, 150-155, 224-283, 900-905): per star at most 0.069 inked (fit 0.04:
# a border line's edge) or at most 0.28 fitting (0.01 inked: paper grain).
_TRACE_SHARE = 0.08
_TRACE_FIT = 0.3
# A trace inked in place (``_TRACE_SHARE`` of the star at its own spot) and spread over
# ``_TRACE_SPREAD`` of its height and width needs only this fit: genuine 460 c00061 (a
# ZA-SACCI rectangle, both stars in ink gaps) showed one 0.12 inked in place over 0.69 x 0.79
# of it, fitting at 0.28, and was reviewed. The 141 imitations without their stars of seeds
# 9001, 9002 and 414-465 inked a star at most 0.048 in place. A line's edge across a removed
# star's spot is a band: genuine 424 c00067's faint star (0.14 inked, fit 0.299) was such a
# band too (0.25 of its height) and stays unseen.
_TRACE_FIT_IN_PLACE = 0.2
_TRACE_SPREAD = 0.5
_TRACE_SHIFT = 3
_TRACE_MARGIN = 4  # pixels of paper around the mark in the shape it must fit
# ... or its points: this share of the mark's own ink outside its opened core inked
# (``_tips_shown``). An ink gap is deepest at its middle, so a star in one loses its solid core
# before its points. Seeds 9101, 9102, 9105, 9106 and 552-563 (about 2,500 seals): the 99
# imitations without their stars showed at most 0.052 of those points inked (9106 c00092);
# the genuine rectangles whose stars both went unseen, 0.16-0.58 of one star's (552 c00109,
# 556 c00070, 557 c00133, 561 c00047, 562 c00089 and c00152, 563 c00020), but for 556 c00063
# and 563 c00102 (0 and 0.011: wholly in the gap).
_TIPS_SEEN = 0.1
# ... where the paper beside the inked points (``_BESIDE`` pixels) is under ``_TIPS_BESIDE``
# inked (``_beside_inked``): a line's edge across a removed star's spot inks both (0.43 where a
# band 4 rows high crossed a star's top point); beside the genuine stars' points, 0.09 at most.
_BESIDE = 3
_TIPS_BESIDE = 0.2
# Marks not shown are no evidence where the stamp left no ink around them either: the
# specimen's other ink within _GAP_REACH times a mark's size of it (at least _GAP_MIN pixels)
# shown under _GAP_AROUND for every mark missing (``_around_shown``, ``solids_missing``).
# Seal stage, seeds 9001, 9002, held-out 290-305: genuine impressions whose marks all went
# unseen showed at most 0.39-0.52 around the round ones' stars (four), 0.65 and 0.79 around
# rectangles' (two, still missed); the 60 rectangle imitations without their stars, 0.70 or
# more (round imitations never matched their cells). Rings have their own bar
# (``_GAP_AROUND_RING``), so this one is a rectangle's: held-out 572 c00134, an AU-DAFF
# rectangle without its stars, 0.54 around them shown, was accepted at 0.6. Over the 1,405
# rectangle seals of held-out 552-573 whose marks all went unseen (35) the genuine ones showed
# 0.699 and more; 562 c00152 at 0.52 showed its stars' points (``_tips_shown``).
_GAP_REACH = 2
_GAP_MIN = 30
_GAP_AROUND = 0.5
# A ring's marks (its stars, at the foot between its rings, where a stamping fades first) need
# as much of the ink around them shown as any imitation lacking its marks has left: 0.70 (9001's
# 60 rectangles without their stars: 0.696-0.994; no round imitation with its stars altered
# matched its cells, its emblem differs). Held-out genuine FR-DGAL rings 362 c00076 and 363
# c00042 lost both stars in the faint foot of the ring, 0.63 and 0.64 around them shown.
_GAP_AROUND_RING = 0.7
# A mark is solid when the opening keeps this share of the ink piece it lies in. Specimens of
# seeds 80-82: stars and filled emblems keep 0.75-0.99 of theirs; what an outline's junction
# (a shield's cross and tip) or a ring's letters leave is 0.02-0.13 of theirs, and a gappy
# genuine impression missing those read as "stars missing" (seeds 80, 85).
_SOLID_SHARE = 0.5
_ALIKE = 0.8  # area ratio of two pieces drawn alike (``_marks``) ...
_ALIKE_PX = 2  # ... and their widths' and heights' difference, in pixels
# Inked: this share of the way from the impression's paper to its ink. Calibrated on seeds
# 51-55 (59 genuine impressions with marks, 40 rectangles without their stars): at 0.1, no star
# of an imitation is inked over more than 0.08 of its area, a faint genuine one over 0.24.
_SOLID_INK = 0.1
# Solid ink inside the specimen's outline (its convex hull less _FOREIGN_REACH pixels) and
# farther than _FOREIGN_REACH pixels from any of its ink, inked _FOREIGN_INK of the way from
# paper to ink, surviving the opening that keeps solid marks (``_SOLID``): a mark the die
# has not (``foreign_ink``). Seal stage of seeds 9001, 9002 and 414-465 (3,738 genuine
# seals matched): none showed any; a faint star where an FR-DGAL ring has its shield outline
# (462 c00095) 176 pixels, a shield's outline and cross where a BR-MAPA oval has its wheat
# (457 c00007) 168, both accepted: the cells count ink off the specimen's footprint only where
# the stamp's colour mask took it in, and this faint ink it did not.
_FOREIGN_REACH = 15
_FOREIGN_INK = 0.25
_FOREIGN_MIN = 40  # pixels: more than one opening's footprint (a 7-pixel disc, 37)
_AROUND = 25  # pixels: the window around a solid mark its paper is measured in ...
_AROUND_MIN = 50  # ... from at least this many pixels clear of the specimen's ink
_SETTLED = 0.65  # share of confirmed pairs for a strip's contradictions to count
_INK_NONE = 0.02  # of a strip's usual glyph ink: a glyph this faint shows nothing
_MIN_LINE = 8  # rows: a thinner line strip is not read
_RECT_INSET = 0.17  # of the stamp's height: inside the inner border
_LEAN_SHARE = 0.0  # visible ink leaning printed (``_ink_leans_printed``)
_HELD = 0.5  # margin of a neighbouring pair holding a letter in its order (``_held_by_neighbours``)
_UNDER_PRINT = 0.2  # share of a pair's specimen ink under print (``_under_print``) ...
_UNDER_PRINT_SHARE = 0.3  # ... unless its visible ink fits the swap by this share
_FAINT = 0.25  # of a strip's usual glyph ink: a fainter glyph carries no contradiction alone
# A faint pair (``_faint_and_unseen``) stands only where its visible ink fits the swap by this
# many noise units: the noise model scales with the ink level, so a glyph at a tenth of the
# usual ink scores large on little. Seal stage of 9001 and held-out 290-337 (4,900
# impressions): in strips otherwise confirmed, genuine lines' pairs contradicted under _FAINT
# ink -8.7 to -25.5 (six, each reviewed: 331 c00001, c00033, 335 c00086, 314 c00055, 294
# c00070, 337 c00070); imitations' -31.5 and -38.9 (9001 c00213; 306 c00093, whose difference
# from its die is 0 pixels). Rings asked -8 (``contradict_snr``) until held-out 405 c00079, a
# genuine FR-DGAL ring with the U, B of REPUBLIQUE in a gap (0.16 of the usual ink, -13.9):
# over the 231 text imitations of 9001 and held-out 354-405 the rings' faint contradicted
# pairs fit the swap by -42.5 and -54.5, and none was accepted at this bound that was not before.
_FAINT_SNR = 28.0
_CONTEXT = 4  # glyphs each side a contradicted pair is re-registered on (``_misregistered``)
_REREGISTER = 8  # columns
_LOCAL_PAIR = 3  # columns a pair may shift on its own in the glyph test (``_seal_glyphs._LOCAL``)
_MARK = 0.5  # of a word's median glyph width: a narrower last glyph is a mark (``_letters_only``)
# A contradicted pair counts in an unsettled strip too when its visible ink shows the swap this
# plainly (``_plain``): PLAIN_SNR noise units, both glyphs inked PLAIN_INK of the strip's usual.
_PLAIN_SNR = 15.0
_PLAIN_INK = 0.5
# A rectangle's line is read straight, with no unwrapping seam or ring fit to upset its pairs:
# seal stage over seeds 9001 (400 imitations), 9002 and held-out 290-295 (834 genuine
# impressions), genuine lines' contradicted pairs inked 0.5 or more in unsettled strips at
# most -5.7 noise units; 9001 c00293, an imitation AU-DAFF "AGRICUTLURE" with 1,082 pixels of
# difference, -13.5 (matched); rings' genuine -7.4 and -17.9 keep theirs at _PLAIN_SNR.
_PLAIN_LINE_SNR = 10.0
# Noise units by which a line's pair fits its printed order for the recogniser's preference of
# its swap on its own not to count (``line_pair_shows_print``): far beyond any imitation's.
_PRINT_SHOWN_SNR = 30.0
# The fainter glyph's ink (of the line's usual glyph) a pair whose glyph-test margin contradicts
# the print needs to count as leaning to a swap the recogniser prefers
# (``line_pair_leans_swapped``): a trace of a glyph can fit any shape.
_MARGIN_INK = 0.3
# Noise units by which an inked pair's visible ink must fit the swap better to lean to it
# (``_leans``), as a pair's printed order must win by ``confirm_snr`` (3) to be confirmed:
# within that either order fits. Calibration draw 9104 c00062, a genuine CL-SERNAPESCA
# rectangle whose "SERVICIO" the recogniser found likelier as 'SERVICOI' by 3.9 nats, its I, O
# fitting the swap by 0.43 units (inked 0.70), and held-out 549 c00188, a genuine ZA-SACCI
# rectangle's 'FOFICIAL' (3.1 nats, 2.2 units, on a line whose pairs all fit within 2.2 either
# way), were refused; the line imitations the recogniser and the leaning caught together (9102
# c00070 "ACIUCULTURA", c00113 "CMOMERCE") fitted the swap by 7.5 and 6.9.
_LEAN_SNR = 3.0
# A rectangle's line whose glyphs show under this share of the ink its best-inked line's glyphs
# show (the median glyph's, above the paper: ``faint_lines``) lies almost wholly in an ink gap:
# the recogniser's likelihoods there weigh letters against paper grain, and its pairs' ink,
# measured against that line's own faint glyphs, reads as well inked. Held-out 578 c00034, a
# genuine NZ-MPI rectangle whose "OFFICIAL STAMP" showed 0.04 of "MINISTRY FOR PRIMARY
# INDUSTRIES": 'FOFICIAL' preferred by 4.07 nats, its O, F (1.55 of that line's usual glyph)
# fitting the swap by 16 units. The rectangle seals of 552-573 (1,405) and the calibration
# imitations (211) where a line's swap was preferred: its line at 0.35 or more.
_FAINT_LINE = 0.1
# The fainter glyph's ink (of the strip's usual glyph ink) at which a ring's pair the recogniser
# prefers swapped may lean to the swap (``pixels_lean_ring_swap``): not an ink gap. Seeds 9101,
# 9102, 9105, 9106 and held-out 552-561 (2,541 seals; the ring swaps the recogniser preferred
# by 4.5 nats or more): the genuine pairs that fitted a swap better had their fainter glyph at
# 0.04 or less; the imitations 9105 c00117 "BARSIL" and c00125 "INDSUTRIES", accepted, 0.19 and
# 0.21 (23.7 and 19.2 noise units to the swap). Held-out 562-571 (1,821 seals): 16 genuine ring
# swaps preferred so, none leaning; the nearest, 568 c00152, fitted a swap by 3.1 units at 0.33
# ink where the swap changed nothing visible (share -2.78, weight 0.00).
_RING_LEAN_INK = 0.15
# A rectangle's line whose glyphs' places drift this many columns from end to end (a straight
# line fitted to them) has its pairs judged on the line re-registered along it (``_undrifted``).
_UNDRIFT = 4.0
_FIT_MIN = 8  # legible glyphs needed to fit the drift
_FIT_OUT = 3  # columns: glyphs further off the first fit are left out of the second
_ONE_PLACE = 2  # pairs: how far apart the contradictions of one swap can lie (``_seal_visible``)
# An extra letter read with a short flank counts where the glyphs' places step apart there
# (``pixels_show_insert``): up to _INSERT_RUN glyphs each side, each side together
# (``_seal_glyphs.together``), the side after _INSERT_STEP columns or more further on.
_INSERT_RUN = 4
_INSERT_STEP = 5
# ... and an extra letter read inside a word of a rectangle's first inner line is the
# recogniser's misread where the glyphs each side of it sit at their places
# (``_line_places_hold``): of up to _INSERT_RUN glyphs each side, at least two legible, each
# side together, both sides within _HOLD_OFF columns of their places and of each other, and
# the pair across the point seen in its printed order. The line is centred on the die: a
# letter added moves the glyphs after it on by its width from those before it (5-10 columns on
# the first line's strip; an imitation's halves stepped 4, ``GlyphCheck.line_stepped``).
_HOLD_OFF = 1
# ... or, wherever the extra letter was read, where the whole line holds its places
# (``_line_holds``): _LINE_LEGIBLE of its glyphs legible (and at least _LINE_MIN),
# _LINE_HOLDS of those within _HOLD_OFF columns of their median, which is within _HOLD_OFF of 0.
_LINE_LEGIBLE = 0.75
_LINE_MIN = 12
_LINE_HOLDS = 0.9
# A word space of the specimen's text shows on its strip as a gap this share of the strip's
# height wider than the letter gaps around it (the median of ``_SPACE_NEAR`` each side):
# ``_word_spaces``.
_WORD_SPACE = 0.14
_SPACE_NEAR = 4


@dataclass(frozen=True)
class TextEvidence:
    kind: str  # "ring" or "lines"
    checks: tuple[GlyphCheck, ...]
    solids: int = 0  # solid marks of the specimen (stars, a filled emblem)
    solids_seen: int = 0  # of those, how many the impression shows
    strips: tuple[tuple[np.ndarray, np.ndarray], ...] = ()  # (specimen, impression) per line
    confirmation: Confirmation | None = None  # of the text that could carry a swap
    overruled: tuple[frozenset[int], ...] = ()  # per check: contradicted pairs the ink denies
    plain: tuple[frozenset[int], ...] = ()  # per check: contradicted pairs the ink shows plainly
    solids_around: float = 1.0  # the most of the ink around a mark not shown that is shown
    foreign: int = 0  # pixels of solid ink where the specimen has none (``foreign_ink``)
    space_filled: int | None = None  # a ring's glyph whose word space after it holds a letter

    @property
    def foreign_mark(self) -> bool:
        """The impression shows a solid mark where the specimen has no ink near
        (``_FOREIGN_MIN`` pixels or more): another emblem, a star added."""
        return self.foreign >= _FOREIGN_MIN

    @property
    def solids_missing(self) -> bool:
        """The specimen has two or more solid marks and none of them is there, though the
        stamp left ink around one of them (``solids_around``: under ``_GAP_AROUND``, they all
        lie in an ink gap, which is no evidence either way). Held-out seeds 297 c00091, 300
        c00054, 305 c00044: genuine round stamps whose stars lay in the faint part of the ring
        (0.39-0.52 of the ink around them shown) were taken for imitations. A ring's
        marks need more (``_GAP_AROUND_RING``)."""
        around = _GAP_AROUND_RING if self.kind == "ring" else _GAP_AROUND
        return self.solids >= 2 and self.solids_seen == 0 and self.solids_around >= around

    @property
    def pairs(self) -> int:
        return sum(c.pairs for c in self.checks)

    @property
    def confirmed(self) -> int:
        return sum(c.confirmed for c in self.checks)

    @property
    def contradicted(self) -> int:
        """Contradicted pairs in strips that are otherwise mostly confirmed (a strip cut in
        the wrong place, or another design, contradicts at random: the pixel test judges it),
        and in the other strips those whose visible ink shows the swap plainly (``_plain``)."""
        return sum(len(pairs) for pairs in self.contradicted_pairs)

    @property
    def contradicted_pairs(self) -> tuple[frozenset[int], ...]:
        """Per check, the pairs ``contradicted`` counts (index of the first glyph)."""
        none: tuple[frozenset[int], ...] = tuple(frozenset() for _ in self.checks)
        return tuple(
            frozenset()
            if not c.pairs
            else frozenset(set(c.contradicted) - o)
            if c.confirmed >= _SETTLED * c.pairs
            else frozenset(p - o)
            for c, o, p in zip(self.checks, self.overruled or none, self.plain or none, strict=True)
        )

    @property
    def layout_moved(self) -> bool:
        """A ring's glyphs off their places (``GlyphCheck.layout_moved``); a rectangle's lines
        only where they step between two runs of glyphs (``GlyphCheck.line_stepped``): their
        long straight lines keep a few pixels of scan shear that a whole-stamp registration
        leaves, which moved genuine glyphs (seed 22)."""
        if self.kind == "ring":
            return any(c.layout_moved for c in self.checks)
        return any(c.line_stepped for c in self.checks)

    @property
    def unclear(self) -> int:
        return sum(len(c.unclear) for c in self.checks)


def text_evidence(
    page: np.ndarray,
    origin: tuple[int, int],
    angle: float,
    spec_mask: np.ndarray,
    spec_rgb: np.ndarray,
    th: GlyphThresholds | None = None,
    ring_text: Callable[[], str | None] | None = None,
) -> TextEvidence | None:
    """Glyph evidence of the impression at the pose (``origin``: the specimen canvas's top-left
    on ``page``; ``angle``: its rotation); None if cut by the page edge or the specimen has no
    text that can be told apart. ``ring_text``: the specimen's ring text as read (raw), asked
    for only where a pair of the ring is contradicted (``_word_spaces``)."""
    crop = canvas_crop(page, origin, spec_mask.shape[0])
    if crop is None:
        return None
    channel = ink_channel(spec_rgb, spec_mask)
    spec_dark = ink_darkness(spec_rgb, channel)
    dark = _rotate(ink_darkness(crop, channel), -angle)
    spec_n, imp_n = normalise(spec_dark), normalise(dark)
    solids, seen, around = marks_shown(spec_n, imp_n)
    foreign = foreign_ink(spec_n, imp_n, _rotate(stamp_coloured(crop), -angle) > 127)
    band = band_of(spec_mask)
    if band is not None:
        ink = _rotate(colour_ink_mask(crop), -angle)
        under = _rotate(print_mask(crop, ink_darkness(crop, channel)), -angle)
        strips, under_strips = _ring_strips(spec_dark, dark, ink, band, under)
        covers: list[np.ndarray | None] = list(under_strips)
        kind = "ring"
        checks = tuple(check_glyphs(s, i, th) for s, i in strips)
        filled = filled_space(*strips[0], checks[0], under_strips[0]) if strips else None
    else:
        strips, checks = _registered_lines(line_strips(spec_dark, dark), th)
        kind, covers, filled = "lines", [None] * len(strips), None
    if sum(c.pairs for c in checks) == 0 and solids == 0 and foreign < _FOREIGN_MIN:
        return None
    conf = None
    if checks:  # the ring, or a rectangle's first inner line: where an imitation's swap is
        first = checks[0]
        conf = confirmation(
            *strips[0],
            first.windows,
            first.checked,
            first.confirmed_at,
            contradicted_pairs=first.contradicted,
            cover=covers[0],
        )
    lines = tuple(strips) if kind == "lines" else ()
    overruled = tuple(
        _overruled(*strip, c, kind == "ring", ring_text if kind == "ring" else None, cover)
        | _under_print(*strip, cover, c)
        for strip, c, cover in zip(strips, checks, covers, strict=True)
    )
    plain_snr = _PLAIN_SNR if kind == "ring" else _PLAIN_LINE_SNR
    plain = tuple(
        _plain(*strip, c, o, plain_snr, cover)
        for strip, c, o, cover in zip(strips, checks, overruled, covers, strict=True)
    )
    return TextEvidence(
        kind, checks, solids, seen, lines, conf, overruled, plain, around, foreign, filled
    )


def _registered_lines(
    strips: list[tuple[np.ndarray, np.ndarray]], th: GlyphThresholds | None
) -> tuple[list[tuple[np.ndarray, np.ndarray]], tuple[GlyphCheck, ...]]:
    """Each line's glyph evidence; where the line drifts along its length, its pairs judged on
    the line re-registered (``_undrifted``), its glyphs' places (``line_stepped``) still on the
    line as found: a letter added to a centred line moves its halves apart, which a straight
    line fitted through the places would take for drift."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    checks: list[GlyphCheck] = []
    for spec, imp in strips:
        check = check_glyphs(spec, imp, th)
        flat = _undrifted(imp, check)
        if flat is not None:
            pairs = check_glyphs(spec, flat, th)
            check = replace(
                pairs,
                legible=check.legible,
                moved=check.moved,
                offsets=check.offsets,
                centres=check.centres,
            )
            imp = flat
        out.append((spec, imp))
        checks.append(check)
    return out, tuple(checks)


def _undrifted(imp: np.ndarray, check: GlyphCheck) -> np.ndarray | None:
    """``imp`` resampled along the line so that its glyphs sit on the specimen's places, when
    a straight line fitted to their offsets (``check``) drifts ``_UNDRIFT`` columns or more
    from end to end (None otherwise): a long rectangle line scaled a little against the
    specimen leaves its glyphs some columns off at both ends, more than a pair may shift in
    the glyph test, and most pairs then come out unclear (seed 370 c00059, an AU-DAFF
    rectangle: +5 to -4 over its first line; 9 of 40 pairs confirmed, its swapped pair among
    the unclear)."""
    if len(check.offsets) < _FIT_MIN:
        return None
    x = np.array(check.centres)
    d = np.array(check.offsets, dtype=np.float64)
    slope, icpt = np.polyfit(x, d, 1)
    near = np.abs(d - (icpt + slope * x)) < _FIT_OUT
    if near.sum() < _FIT_MIN:
        return None
    slope, icpt = np.polyfit(x[near], d[near], 1)
    if abs(slope) * float(x[near].max() - x[near].min()) < _UNDRIFT:
        return None
    h, w = imp.shape
    cols = np.arange(w, dtype=np.float32)
    map_x = np.tile(cols + np.float32(icpt) + np.float32(slope) * cols, (h, 1))
    map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], w, axis=1)
    flat = cv2.remap(imp.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0.0)
    return flat.astype(imp.dtype)


def _plain(
    spec: np.ndarray,
    imp: np.ndarray,
    check: GlyphCheck,
    overruled: frozenset[int],
    snr: float = _PLAIN_SNR,
    cover: np.ndarray | None = None,
) -> frozenset[int]:
    """Contradicted pairs of a strip that is not mostly confirmed whose visible ink fits the
    swap by ``snr`` noise units (``_PLAIN_SNR`` for a ring, ``_PLAIN_LINE_SNR`` for a
    rectangle's line), both glyphs inked ``_PLAIN_INK`` of the strip's usual
    glyph, where the strip's contradictions (less the ``overruled``) lie at one place: a swap
    upsets the pairs around it (``_ONE_PLACE``), while a strip misregistered against the
    specimen, or another design, contradicts here and there (two synthetic genuine rectangles
    of ``test_seal_stars``: strong contradictions at pairs 0-4 and 36-38). An impression whose
    ink gaps leave most pairs unclear settles no strip, and the swap it shows plainly was not
    counted (seed 205 c00072, "FROESTRY" on an AU-DAFF ring: 27 of 44 pairs confirmed, the
    swapped pair at snr -72, inked 1.1). Seeds 350-358, 370-374 and 205 (1520 impressions, 760
    genuine): in unsettled strips, genuine contradicted pairs inked 0.5 or more had snr -6.5
    and -17.4 (the latter a CL-SAG ring rejected already for its layout); imitations' -16.6 to
    -107."""
    left = set(check.contradicted) - overruled
    if not left or check.confirmed >= _SETTLED * check.pairs:
        return frozenset()
    if max(left) - min(left) > _ONE_PLACE:
        return frozenset()
    vis = pair_visibility(spec, imp, check.windows, cover)
    return frozenset(k for k in left if vis.snr[k] <= -snr and vis.inked[k] >= _PLAIN_INK)


def _overruled(
    spec: np.ndarray,
    imp: np.ndarray,
    check: GlyphCheck,
    ring: bool = False,
    text: Callable[[], str | None] | None = None,
    cover: np.ndarray | None = None,
) -> frozenset[int]:
    """The pairs the glyph test contradicted that the visible ink (``_seal_visible``) denies:
    it fits the printed order clearly better, or the fainter glyph shows next to no ink (an
    NCC on a blank glyph is noise). Seeds 90-93: the two genuine impressions contradicted by
    one pair each were both of these; no text imitation's contradicted pair was. Seeds
    110-115 (seal8): also when the ink leans printed, both letters are held by their other
    neighbours, the fainter glyph fades into a gap, or (``ring``) the pair fits once the
    text around it is re-registered; no swapped pair of an imitation was overruled. Seeds
    150-153 (seal9): also when the ink does not fit the swap by ``doubt_snr`` (``_swap_unseen``).
    Seal17: also a pair across a word space of the specimen's ``text`` (``_word_spaces``)."""
    if not check.contradicted:
        return frozenset()
    vis = pair_visibility(spec, imp, check.windows, cover)
    confirmed = vis.confirmed(VisibleThresholds())
    found = frozenset(
        k
        for k in check.contradicted
        if k in confirmed
        or vis.inked[k] < _INK_NONE
        or _ink_leans_printed(vis, k)
        or _held_by_neighbours(check, k)
        or _faint_and_unseen(vis, k)
        or _swap_unseen(vis, k)
        or _past_the_model(vis, k)
        or (ring and _misregistered(spec, imp, check, k))
    )
    left = set(check.contradicted) - found
    raw = text() if left and text is not None else None
    spaced = left & _word_spaces(spec, check.windows, raw) if raw else set()
    if spaced:
        logger.info("ring pair(s) %s across a word space of the specimen's text", sorted(spaced))
    marks = left & _beside_marks(spec, check.windows, raw) if raw else set()
    if marks:
        logger.info(
            "ring pair(s) %s hold a mark (a star) the text has no letter for", sorted(marks)
        )
    return found | spaced | marks


def _under_print(
    spec: np.ndarray, imp: np.ndarray, cover: np.ndarray | None, check: GlyphCheck
) -> frozenset[int]:
    """The contradicted pairs whose specimen ink lies ``_UNDER_PRINT`` or more under black or
    grey print (``cover``: the impression's strip, 1 where print lies over it) and whose
    visible ink does not fit the swap (``_seal_visible``) by ``_UNDER_PRINT_SHARE`` of the
    visible difference: type over a stamp hides its ink (``ink_darkness`` takes it out) and
    leaves its anti-aliased edges, which the glyph test's correlation can fit swapped, while
    the ink still shown decides a swap that is there. Held-out 491 c00083, a genuine
    US-APHIS ring under an officer's typed name: N, T of DEPARTMENT contradicted at the glyph
    test, the visible ink fitting the swap by 0.14 of the difference (16 noise units); 483
    c00032, an imitation "PECAURIA" under print, by 0.49 (54 units)."""
    if cover is None or not check.contradicted:
        return frozenset()
    w = check.windows
    covered = set()
    for k in check.contradicted:
        a0, b1 = w[k][0], w[k + 1][1]
        ink = spec[:, a0:b1]
        total = float(ink.sum())
        if total > 1e-6 and float((ink * (cover[:, a0:b1] > 0.5)).sum()) >= _UNDER_PRINT * total:
            covered.add(k)
    if not covered:
        return frozenset()
    vis = pair_visibility(spec, imp, w, cover)
    out = frozenset(
        k
        for k in covered
        if vis.share[k] > -_UNDER_PRINT_SHARE or vis.snr[k] > -VisibleThresholds().contradict_snr
    )
    if out:
        logger.info("ring pair(s) %s lie under print", sorted(out))
    return out


def _beside_marks(
    spec: np.ndarray, windows: tuple[tuple[int, int], ...], text: str
) -> frozenset[int]:
    """The pairs (index of the first glyph) that hold a lone glyph at either end of the ring's
    text for which the specimen's ``text`` (raw, as read) has no letter: a star or an
    ornament, which an imitation has no reason to swap (missing or added marks are the solid
    marks' test, ``marks_shown``), and whose pair with its neighbour fits either order where
    one of the two fades. Only where the text's letters pair up with the glyphs left
    (``_lone_ends_dropped``). Held-out 491 c00050, a genuine US-APHIS ring with the first of
    its stars faded: the two stars before UNITED fitted a swap."""
    paired = _letters_paired(spec, windows, text)
    if paired is None:
        return frozenset()
    _wanted, flat = paired
    marks = set(range(len(windows))) - set(flat)
    return frozenset(k for k in range(len(windows) - 1) if k in marks or k + 1 in marks)


def _letters_paired(
    spec: np.ndarray, windows: tuple[tuple[int, int], ...], text: str
) -> tuple[tuple[str, ...], list[int]] | None:
    """The words of ``text`` (raw, as read) and the glyphs that print their letters, in order
    (the glyph words less lone glyphs at the ends, ``_lone_ends_dropped``); None where the
    glyphs left are not one per letter."""
    wanted, _ = words_read(text, "")
    if not wanted:
        return None
    groups = tuple(tuple(g) for g in words(windows, spec, LetterThresholds()))
    flat = [g for group in _lone_ends_dropped(groups, wanted) for g in group]
    return (wanted, flat) if len(flat) == sum(len(w) for w in wanted) else None


def _word_spaces(
    spec: np.ndarray, windows: tuple[tuple[int, int], ...], text: str
) -> frozenset[int]:
    """The pairs of glyphs (index of the first) that stand on either side of a word space of
    the specimen's ``text`` (raw, as read), where its strip shows that space: an imitation
    swaps two letters of one word, never a word's last letter with the next word's first,
    and the pair test there compares two letters across the space, where a fading gap's edge
    can fit either order (seed 221 c00010, a genuine NO-MATTILSYNET ring: N of NORWEGIAN, F of
    FOOD, contradicted at 0.18 of the usual ink).

    The glyphs (``windows``, less lone ones at the ends: stars) are paired with the text's
    letters in order, only when they are as many; and a space counts only where the strip's gap
    there is ``_WORD_SPACE`` of its height wider than the median letter gap around it. The
    gaps alone do not split a ring's words: an oval's ends stretch its unwrapped letters apart
    (seed 214 c00038, "AGRICLOA" on a CL-SAG oval: its O, L as far apart as A, Y), and the
    text alone can be misread or paired off by one. 308 ring specimens (seeds 350-358,
    370-374, 400-405, 440-444, 770-773): where the glyphs pair up with the simulator's text
    (115, CN-GACC's full stops left out), its 544 word spaces stood 0.148-0.58 of the height
    wider than the gaps around them, its 3944 pairs inside a word at most 0.13; where they pair
    up with the text as read (122 specimens), no pair inside a word was taken for a space (the
    recogniser read spaces into BRASIL's ring, 'AGRICu Ltu Ra', where the strip shows none; a
    star read as a letter, 'CHILE Y', pairs with its glyph: its gap is a space too)."""
    paired = _letters_paired(spec, windows, text)
    if paired is None or len(paired[1]) < 2:
        return frozenset()
    wanted, flat = paired
    ends, n = set(), 0
    for word in wanted[:-1]:
        n += len(word)
        ends.add(n - 1)  # place in ``flat`` of the word's last letter
    gaps = [windows[flat[i + 1]][0] - windows[flat[i]][1] for i in range(len(flat) - 1)]
    wide = _WORD_SPACE * spec.shape[0]
    out = set()
    for i in ends:
        near = [
            gaps[j]
            for j in range(max(0, i - _SPACE_NEAR), min(len(gaps), i + _SPACE_NEAR + 1))
            if j not in ends
        ]
        if near and gaps[i] - float(np.median(near)) >= wide:
            out.add(flat[i])
    return frozenset(out)


def _misregistered(spec: np.ndarray, imp: np.ndarray, check: GlyphCheck, k: int) -> bool:
    """The pair is no longer contradicted once the impression is registered on the glyphs
    around it (``_CONTEXT`` on each side, up to ``_REREGISTER`` columns): a ring's fitted
    scale leaves the text a few columns off at one end of the strip, more than a pair may
    shift on its own, and a narrow letter next to a wide one then fits swapped (seed 115
    c00020, a genuine NZ-MPI ring: I, N of MINISTRY 4 columns off). A swap moves two glyphs
    of the context, not all of it: the context still registers where it was printed. Ring
    text only: a letter added moves the rest of a line too, and a rectangle's lines are tested
    for that only where the glyphs step between two tight runs (``layout_moved``)."""
    w = check.windows
    c0, c1 = w[max(0, k - _CONTEXT)][0], w[min(len(w) - 1, k + 1 + _CONTEXT)][1]
    d = _REREGISTER
    pad = np.pad(imp[:, c0:c1].astype(np.float32), ((0, 0), (d, d)))
    res = cv2.matchTemplate(pad, spec[:, c0:c1].astype(np.float32), cv2.TM_CCOEFF_NORMED)
    dx = int(np.argmax(res[0])) - d
    if abs(dx) <= _LOCAL_PAIR or _context_stepped(check, k, (c0, c1), dx):
        return False
    moved = np.zeros_like(imp)
    if dx > 0:
        moved[:, :-dx] = imp[:, dx:]
    else:
        moved[:, -dx:] = imp[:, :dx]
    return k not in check_glyphs(spec, moved).contradicted


def _context_stepped(check: GlyphCheck, k: int, span: tuple[int, int], dx: int) -> bool:
    """Whether legible glyphs of the context around pair ``k`` (``span``: its columns on the
    specimen; the pair itself left out) sit further than ``_LOCAL_PAIR`` columns from the
    context's shift ``dx``: the glyphs step within it, as a letter added there leaves them
    (those before it moved one way, those after it the other), not a scale error, which moves
    neighbouring glyphs alike. Seed 225 c00072, an imitation "NEWE ZEALAND": offsets -7 then
    +6 to +3 around the pair, the context at +4; seed 115 c00020 (genuine): -5 to -4, at -4."""
    context = [
        g
        for g, (c0, c1) in enumerate(check.windows)
        if span[0] <= c0 and c1 <= span[1] and g not in (k, k + 1)
    ]
    near = _legible_offsets(check, context)
    return len(near) >= 2 and any(abs(off - dx) > _LOCAL_PAIR for off in near)


def _faint_and_unseen(vis: PairVisibility, k: int) -> bool:
    """The fainter glyph of the pair shows little ink (under ``_FAINT`` of the strip's usual
    glyph) and the visible ink does not show the swap clearly (``_FAINT_SNR`` noise units):
    the glyph test's normalised correlation on a fading gap's edge is noise. Seeds 110-114:
    genuine impressions contradicted so had 0.14-0.17 of the usual ink (seed 114 c00001, an
    AU-DAFF ring at score 1.00, snr -3.4); imitations' swapped pairs 0.30 and more."""
    return vis.inked[k] < _FAINT and vis.snr[k] > -_FAINT_SNR


def _past_the_model(vis: PairVisibility, k: int) -> bool:
    """The fainter glyph of the pair shows little ink (under ``_FAINT`` of the strip's usual
    glyph) and its visible ink fits the swap by more than a swap can explain
    (``contradict_model`` times the visible difference): a fading gap's edge runs through the
    pair, which no swap models, as the visible test itself judges it (``PairVisibility
    .contradicted``). Held-out 570 c00175, a genuine ZA-SACCI rectangle: the glyph test
    contradicted a pair whose fainter glyph showed 0.04 of the usual ink, fitting the swap by
    2.55 times the visible difference (32 noise units, past ``_FAINT_SNR``). Of the 276 text
    imitations of the calibration draws 9101-9111 and held-out 552-571 none had a
    contradicted pair so."""
    return vis.inked[k] < _FAINT and vis.share[k] < -VisibleThresholds().contradict_model


def _swap_unseen(vis: PairVisibility, k: int) -> bool:
    """The visible ink does not fit the pair swapped better by ``doubt_snr`` noise units (the
    level at which ``PairVisibility.doubted`` lets no other test call a swap seen): the glyph
    test's normalised correlation found a swap the ink model of the whole pair does not show
    (a glyph half in a gap, a blurred stroke). Seeds 150-153: the genuine impressions whose
    cells matched and whose text a pair contradicted had snr -3.5 to 2.7 there (seed 150
    c00074, a BR-MAPA oval: B, R of BRASIL half faded, 2.1 and 2.7; c00071, a ZA-SACCI
    rectangle, -3.5); every imitation's swapped pair the glyph test contradicted, -14 to -119."""
    return vis.snr[k] > -VisibleThresholds().doubt_snr


def _ink_leans_printed(vis: PairVisibility, k: int) -> bool:
    """The visible ink fits the pair as printed better than swapped, by more than the noise
    (``_seal_visible``: share > 0, snr at least the confirming one), though by less of the
    visible difference than confirms it. Seeds 110-114: every swapped pair of an imitation the
    glyph test contradicted had the ink fit the swap (share -0.04 to -0.63); the one genuine
    rectangle contradicted by one pair of 48 (a middle line) leaned printed (share 0.28, snr 26)."""
    return vis.share[k] > _LEAN_SHARE and vis.snr[k] >= VisibleThresholds().confirm_snr


def _held_by_neighbours(check: GlyphCheck, k: int) -> bool:
    """Both letters of the pair confirmed in their order by their other neighbour: pairs
    ``k-1`` and ``k+1`` each fit the printed order by ``_HELD`` or more. Two swapped letters
    put each of them next to the wrong neighbour, so one of those pairs fails as well (seeds
    110-114, imitations: the weaker neighbour -0.18 to 0.23; the genuine rectangle: 0.62, 0.87)."""
    margin = dict(zip(check.checked, check.margins, strict=True))
    return margin.get(k - 1, -1.0) >= _HELD and margin.get(k + 1, -1.0) >= _HELD


def line_reads(ev: TextEvidence, key: str) -> tuple[tuple[str, str], ...]:
    """Each inner line of a rectangle read by the OCR recogniser: (specimen, impression) raw
    text per line ("" for both where the line is too thin or its text too short to read)."""
    from verification.ocr import side_by_side

    def read(line: tuple[int, tuple[np.ndarray, np.ndarray]]) -> tuple[str, str]:
        n, (_spec, imp) = line
        expected = line_text(ev, key, n)
        return (expected, read_raw(_for_ocr(imp))) if expected else ("", "")

    # the lines are read side by side on the recogniser threads (each line on its own)
    return tuple(side_by_side(read, list(enumerate(ev.strips))))


def line_text(ev: TextEvidence, key: str, n: int) -> str:
    """The specimen's text of inner line ``n`` as the recogniser reads it (raw; read once per
    specimen ``key``); "" where the line is too thin or its text too short to read."""
    spec = ev.strips[n][0]
    if spec.shape[0] < _MIN_LINE:
        return ""
    expected = specimen_text_of(f"{key}:line{n}", _for_ocr(spec))
    return expected if len(letters(expected)) >= 6 else ""


def letter_of_pair(ev: TextEvidence, n: int, expected: str, k: int) -> int | None:
    """The letter ``at`` (of the letters of ``expected``, strip ``n``'s text) whose pair
    ``at, at+1`` within a word glyph pair ``k`` (of the pair test's windows) prints; None
    where the glyphs do not pair up with the letters so (a ring's glyphs one per letter,
    ``_glyphs_in_order``; a line's words letter for letter, ``glyph_of_letter``).

    A ring's letters pair up with the confirmation's glyphs, where a wide window of the pair
    test is cut in two (``Confirmation.glyph_pair``): held-out 493 c00062, an imitation
    BR-MAPA ring "PECAURIA", a window cut before its swapped pair, had that pair placed a
    letter early (C, U), and the recogniser, asked about that swap instead, overruled it."""
    if ev.kind == "ring":
        conf = ev.confirmation
        wanted, _ = words_read(expected, "")
        flat = _glyphs_in_order(conf.groups, wanted) if conf is not None else None
        if conf is None or flat is None:
            return None
        k = conf.glyph_pair(k)
        if k not in flat:
            return None
        at = flat.index(k)
        pair = at + 1 < len(flat) and flat[at + 1] == k + 1
        return at if pair and _word_at(wanted, at) is not None else None
    if n >= min(len(ev.strips), len(ev.checks)):
        return None
    spec, check = ev.strips[n][0], ev.checks[n]
    return next(
        (
            at
            for at in range(len(letters(expected)) - 1)
            if glyph_of_letter(check.windows, spec, expected, at) == k
        ),
        None,
    )


def misread_lines(
    reads: tuple[tuple[str, str], ...], ev: TextEvidence | None = None
) -> tuple[str, ...]:
    """The legible contradictions in the lines' readings (``line_reads``;
    ``_ring_text.contradictions``: swapped or added letters). With the lines' glyph evidence
    ``ev``, a swap read where the pixels see those two letters in their printed order is the
    recogniser's misread, not a contradiction (``_pixels_deny_swap``). A swap read across a
    word space of the specimen's line (a word's last letter with the next word's first) is
    not counted: an imitation swaps two letters of one word (as a ring's ``_word_spaces``),
    and a garbled reading runs words together (held-out 435 c00041, a genuine NO-FDIR
    rectangle, DIRECTORATE OF FISHERIES read 'DIRRATOEFISHERIES': 'EO' read as 'OE')."""
    found: list[str] = []
    for n, (expected, read) in enumerate(reads):
        if not expected:
            continue
        for op, at, text in contradiction_ops(
            letters(read), letters(expected), word_starts(expected), ends=True
        ):
            if op == "end-swap" and not (ev is not None and _pixels_show_swap(ev, n, expected, at)):
                continue
            if op == "swap" and at + 1 in word_starts(expected):
                logger.info("line %d: %s across a word space, not counted", n, text)
                continue
            if op == "swap" and ev is not None and _pixels_deny_swap(ev, n, expected, at):
                logger.info("line %d: %s overruled, its glyphs show the printed order", n, text)
                continue
            if op == "insert" and n == 0 and ev is not None:
                if pixels_deny_insert(ev.confirmation, expected, at):
                    logger.info("line %d: %s overruled, its glyphs sit side by side", n, text)
                    continue
                if _line_places_hold(ev, expected, at):
                    logger.info("line %d: %s overruled, its glyphs sit at their places", n, text)
                    continue
                if _line_holds(ev.checks[0] if ev.checks else None):
                    logger.info("line %d: %s overruled, the whole line holds its places", n, text)
                    continue
            found.append(text)
        if ev is not None:
            found += [
                f"{letters(expected)[at : at + 2]!r} read swapped beside a misread letter"
                for at in short_swaps(letters(read), letters(expected))
                if _short_swap_stands(ev, n, expected, at)
            ]
    return tuple(found)


def _short_swap_stands(ev: TextEvidence, line: int, expected: str, at: int) -> bool:
    """Whether a swap read with correctly read letters on one side only (``short_swaps``: a
    letter misread right beside it) of letters ``at, at+1`` of ``line`` stands: the pair is
    inked (its fainter glyph ``contradict_ink`` of the strip's usual glyph ink or more, so the
    recogniser read ink, not a gap's edge) and the pixels do not see it in its printed order
    (``_pixels_deny_swap``). A rectangle's line, unlike a ring, is read straight: seed 9001
    c00300, an imitation AU-DAFF rectangle printing "AGRICULUTRE" (1,018 pixels of difference)
    read 'AGRICULUTME', its pair inked 0.92 but its visible ink undecided (1.6 noise units for
    the print), was matched; no genuine rectangle of seed 9002 or held-out seeds 290-295 had
    a line read with such a swap."""
    pair = _glyph_pair(ev, line, expected, at)
    if pair is None:
        return False
    k, _check, vis = pair
    inked = k < len(vis.inked) and vis.inked[k] >= VisibleThresholds().contradict_ink
    return inked and not _pixels_deny_swap(ev, line, expected, at)


def _line_places_hold(ev: TextEvidence, expected: str, at: int) -> bool:
    """Whether the glyphs of a rectangle's first inner line sit at their places each side of
    where the recogniser read an extra letter (before letter ``at`` of the letters of
    ``expected``, the line as read on the specimen, inside a word), and the pair across that
    point is seen in its printed order (``_pixels_deny_swap``). Held-out seed 290 c00069: a
    genuine AU-DAFF rectangle read 'DEPARTMAENT', the glyphs of DEPARTMENT all at offset 0 but
    one, its M cut in two by the letter split (so ``pixels_deny_insert`` could not pair the
    letters with the glyphs)."""
    if not ev.checks or not ev.strips or at < 1:
        return False
    check, (spec, _imp) = ev.checks[0], ev.strips[0]
    k = glyph_of_letter(check.windows, spec, expected, at - 1)
    if k is None or not _pixels_deny_swap(ev, 0, expected, at - 1):
        return False
    sides = (range(max(0, k - _INSERT_RUN + 1), k + 1), range(k + 1, k + 1 + _INSERT_RUN))
    found = [_legible_offsets(check, [g for g in side if g < len(check.windows)]) for side in sides]
    if not all(len(offs) >= 2 and together(offs) for offs in found):
        return False
    before, after = (float(np.median(offs)) for offs in found)
    return max(abs(before), abs(after), abs(after - before)) <= _HOLD_OFF


def _line_holds(check: GlyphCheck | None) -> bool:
    """Whether a rectangle's first inner line holds its places as a whole: most of its glyphs
    legible (``_LINE_LEGIBLE``), nearly all of those (``_LINE_HOLDS``) within ``_HOLD_OFF``
    columns of one offset, itself within ``_HOLD_OFF`` of the specimen's places. The line is
    centred on the die, so a letter added anywhere in it moves the glyphs before it and those
    after it apart; an extra letter read in a line that holds is a letter the recogniser made
    of a broken one. Held-out seed 417 c00082, a genuine ZA-SACCI rectangle read 'COMIMERCE'
    (an M cut by an ink gap; 33 of 34 legible glyphs at -1, but the pair across the point too
    faint to be seen in order, ``_line_places_hold``), 417 c00089 (NZ-MPI 'PRIMARY
    JINDUSTKIES', all 23 at 0) and 423 c00079 (an extra 'S' after 'SOU', 30 of 32 at 0) were
    taken for imitations. The "COMMERCES" imitations of seeds 414, 418 and 9001 held 0.36-0.58
    of their glyphs together; no imitation among 1,400 impressions was caught by an extra letter
    in a rectangle's line."""
    if check is None or check.legible < max(_LINE_MIN, _LINE_LEGIBLE * len(check.windows)):
        return False
    offsets = np.asarray(check.offsets, dtype=float)
    level = float(np.median(offsets))
    held = float(np.mean(np.abs(offsets - level) <= _HOLD_OFF))
    return abs(level) <= _HOLD_OFF and held >= _LINE_HOLDS


def _pixels_deny_swap(ev: TextEvidence, line: int, expected: str, at: int) -> bool:
    """Whether the glyph pair that prints letters ``at, at+1`` of ``line`` (of the letters of
    ``expected``, its text as read on the specimen) is seen in its printed order: the pair
    confirmed by the glyph test or by the visible ink (``_seal_visible``). Seed 83 c00025
    (seal6): a genuine ZA-SACCI rectangle's inner line read 'FA' for 'AF'."""
    pair = _glyph_pair(ev, line, expected, at)
    if pair is None:
        return False
    k, check, vis = pair
    return k in check.confirmed_at or k in vis.confirmed(VisibleThresholds())


def _pixels_show_swap(ev: TextEvidence, line: int, expected: str, at: int) -> bool:
    """Whether the glyph pair that prints letters ``at, at+1`` of ``line`` is inked (its
    fainter glyph at least ``contradict_ink`` of the strip's usual glyph ink: not an ink gap)
    and its visible ink fits the two letters swapped better than printed (``_leans``). A swap
    read at an end of the reading counts only so (``_ring_text._at_reading_end``): seed 222
    c00019's imitation pair inked 1.03, fitting the swap by 12 noise units; seed 217 c00007's
    genuine pair, read so across a gap, inked 0.004."""
    pair = _glyph_pair(ev, line, expected, at)
    if pair is None:
        return False
    k, _check, vis = pair
    return _leans(k, vis)


def pixels_show_swap(ev: TextEvidence, expected: str, at: int) -> bool:
    """Whether a ring's glyph pair that prints letters ``at, at+1`` of ``expected`` (the
    ring's text as read on the specimen) is inked (``contradict_ink``) and its visible ink fits
    the two letters swapped better than printed by ``doubt_snr`` noise units or more: too
    little for a contradiction alone (the officer's printed name over the pair, seed 268
    c00017: -9.3 at a share of -0.29), enough where the recogniser read that swap
    (``_ring_text.short_swaps``). Where the ring's glyphs are not one per letter (a wide
    letter cut in two: 44 glyphs for the 43 letters of that ring), the pairs within
    as many glyphs of the letter's proportional place as there are glyphs more or fewer than
    letters, up to ``_SWAP_SPAN_MAX``, are looked at: held-out 396 c00082, an
    imitation CN-CCPIT ring "CUONCIL" read 'LHIUONCIL' (its C lost in a gap), 53 glyphs for
    47 letters, its swapped pair (-22.2 units, inked 0.67) a glyph past the proportional
    place. Over 2,404 ring impressions (held-out 354-391, seed 9001's imitations) the
    recogniser read a one-flanked swap on 2 genuine rings with glyphs and letters unequal;
    neither has such a pair within ``_SWAP_SPAN_MAX``."""
    return _near_pair(
        ev,
        expected,
        at,
        lambda conf, vis, th, k: (
            k < len(vis.inked) and vis.inked[k] >= th.contradict_ink and vis.snr[k] <= -th.doubt_snr
        ),
    )


def pixels_lean_ring_swap(ev: TextEvidence, expected: str, at: int) -> bool:
    """Whether a ring's glyph pair that prints letters ``at, at+1`` of ``expected`` (placed as
    ``pixels_show_swap`` places them) shows ink, its fainter glyph at ``_RING_LEAN_INK`` of the
    strip's usual glyph ink, and its visible ink fits the swap better by ``_LEAN_SNR`` noise
    units within the model (share down to ``contradict_model``), where the swap changes what
    the pair shows (``spread_weight`` of the usual pair's visible difference): a line's pair
    leans so (``_leans``), where a ring's needed ``doubt_snr`` and the glyph inked
    ``contradict_ink``. Asked only where the recogniser prefers the swap by a ring's
    threshold (``_seal_spelling._RING_LLR``). Held-out 569 c00044, an imitation CN-CCPIT ring
    "INTERNATIONAL TARDE", legible on its strip: the recogniser preferred the swap by 5.63
    nats, its R, A pair (both glyphs inked above the usual) fitted it by 3.4 noise units only,
    the letters slanted across their windows where the oval's text band is unwrapped."""
    return _near_pair(
        ev,
        expected,
        at,
        lambda conf, vis, th, k: (
            k < len(vis.inked)
            and vis.inked[k] >= _RING_LEAN_INK
            and vis.snr[k] <= -_LEAN_SNR
            and vis.share[k] >= -th.contradict_model
            and (k >= len(vis.weight) or vis.weight[k] >= th.spread_weight)
        ),
    )


def glyphs_show_swap(ev: TextEvidence, expected: str, at: int) -> bool:
    """Whether a ring's glyph pair that prints letters ``at, at+1`` of ``expected`` (placed as
    ``pixels_show_swap`` places them) was contradicted by the glyph pair test and its visible
    ink fits the swap by ``doubt_snr`` noise units within the shares a swap explains
    (``contradict_share`` to ``contradict_model``), however faint its glyphs: two tests of the
    pixels seeing the swap at one place, where ``pixels_show_swap`` needs its glyphs inked.
    Held-out 494 c00060, an imitation TH-DOF ring "THALIAND" (the I, L pair contradicted, its
    visible ink fitting the swap at -1.04 of the difference and 27 noise units, the fainter
    glyph inked 0.32), was accepted; the recogniser preferred the swap by 4.7 nats."""
    return _near_pair(
        ev,
        expected,
        at,
        lambda conf, vis, th, k: (
            k in conf.glyph_contradicted
            and -th.contradict_model <= vis.share[k] <= -th.contradict_share
            and vis.snr[k] <= -th.doubt_snr
        ),
    )


def _near_pair(
    ev: TextEvidence,
    expected: str,
    at: int,
    shows: Callable[[Confirmation, PairVisibility, VisibleThresholds, int], bool],
) -> bool:
    """Whether ``shows`` holds for a ring glyph pair where letters ``at, at+1`` of ``expected``
    can print (``_ring_pairs_at``), given the confirmation and its visible-ink measures."""
    near = _ring_pairs_at(ev, expected, at)
    conf = ev.confirmation
    if not near or conf is None:
        return False
    vis, th = conf.visible, VisibleThresholds()
    return any(k < len(vis.snr) and shows(conf, vis, th, k) for k in near)


def pixels_deny_ring_swap(ev: TextEvidence, expected: str, at: int) -> bool:
    """Whether the ring's glyphs show letters ``at, at+1`` of ``expected`` in their printed
    order, so that a swap the recogniser read there is its misread: every glyph pair where
    those letters can print (as ``pixels_show_swap`` places them) is inked (``contradict_ink``)
    and its visible ink sees the printed order (``PairVisibility.seen``). Held-out 472 c00058,
    a genuine CN-CCPIT oval read 'COUICL' for COUNCIL ("'CI' read as 'IC' beside an ink gap"),
    its seven pairs there inked 0.54-0.94 and seen at 14-65 noise units, was taken for an
    imitation. An imitation's swapped pair fits the swap, so it is never seen."""
    return _seen_printed(ev, _ring_pairs_at(ev, expected, at), VisibleThresholds().contradict_ink)


def pixels_place_ring_print(ev: TextEvidence, expected: str, at: int) -> bool:
    """Whether the glyph pair that prints letters ``at, at+1`` is known (``_ring_pair_placed``)
    and shows them in their printed order, inked ``deny_ink`` or more (``_seen_printed``).
    Where glyphs and letters do not pair up, the pairs near the letters' proportional place
    are not known to hold those letters: a wide window straddling two letters is seen in its
    printed order while the swapped letters lie across it. Calibration seed 963 c00040, an
    imitation CN-CCPIT ring "INTERNTAIONAL" (the recogniser preferring the swap by 7.59
    nats), had the five pairs near its swap seen at 20-88 noise units."""
    placed = _ring_pair_placed(ev, expected, at)
    ink = VisibleThresholds().deny_ink
    return placed is not None and _seen_printed(ev, [placed], ink)


def _seen_printed(ev: TextEvidence, pairs: Sequence[int], ink: float) -> bool:
    """Whether there are ``pairs`` and each is inked ``ink`` or more (its fainter glyph, of
    the strip's usual glyph ink) and seen in its printed order (``PairVisibility.seen``)."""
    conf = ev.confirmation
    if not pairs or conf is None:
        return False
    vis = conf.visible
    seen = vis.seen(VisibleThresholds())
    return all(k < len(vis.inked) and vis.inked[k] >= ink and k in seen for k in pairs)


def _ring_pair_placed(ev: TextEvidence, expected: str, at: int) -> int | None:
    """The one glyph pair that prints letters ``at, at+1``: where the glyph words pair up
    letter for letter with the text's words up to theirs (``_pair_in_word``), or the whole
    ring's glyphs with its letters (``_ring_pairs_at``); None where it is not known."""
    conf = ev.confirmation
    if conf is None:
        return None
    wanted, _ = words_read(expected, "")
    in_word = _pair_in_word(conf.groups, wanted, at)
    if in_word is not None:
        return in_word
    near = _ring_pairs_at(ev, expected, at)
    return near[0] if len(near) == 1 else None


def _ring_pairs_at(ev: TextEvidence, expected: str, at: int) -> list[int]:
    """The ring's glyph pairs (first glyph's index) where letters ``at, at+1`` of
    ``expected`` can print: the one pair where glyphs and letters pair up one to one, else
    those within as many glyphs of the letter's proportional place as there are glyphs more or
    fewer than letters, up to ``_SWAP_SPAN_MAX`` ([] where none can be told)."""
    conf = ev.confirmation
    if conf is None:
        return []
    wanted, _ = words_read(expected, "")
    flat = _all_glyphs(conf.groups, wanted)
    letters = sum(len(x) for x in wanted)
    extra = abs(len(flat) - letters)
    if not flat or extra > _SWAP_EXTRA_MAX or not 0 <= at < letters - 1:
        return []
    if not extra:
        return [flat[at]] if flat[at + 1] == flat[at] + 1 else []
    mid = round(at * len(flat) / letters)
    span = min(extra, _SWAP_SPAN_MAX)
    return [flat[i] for i in range(mid - span, mid + span + 1) if 0 <= i < len(flat)]


def _pair_in_word(
    groups: tuple[tuple[int, ...], ...], wanted: tuple[str, ...], at: int
) -> int | None:
    """The glyph pair (first glyph's index) of letters ``at, at+1`` where the glyph words pair
    up letter for letter with the text's words from the ring's start, or from its end, up to
    the letters' word (``_group_of_word``); None where they do not. Held-out 552 c00138, a
    genuine NZ-MPI ring: a speck beside a star and a split letter in NEW left 39 glyphs for 38
    letters, so the pair M, I of MINISTRY, the ring's first word read letter for letter and
    seen in its printed order (15 noise units), was one of two pairs its letters could print
    at, and the recogniser's 'IMNISTRY' (7.8 nats) counted as though no pixel showed the
    print."""
    place = _word_at(wanted, at)
    if place is None:
        return None
    w, i = place
    group = _group_of_word(groups, wanted, w)
    if group is None or group[i + 1] != group[i] + 1:
        return None
    return group[i]


_SWAP_SPAN_MAX = 3  # glyphs
_SWAP_EXTRA_MAX = 8  # glyphs more or fewer than letters: beyond, the glyphs are not the text's


def _glyph_pair(
    ev: TextEvidence, line: int, expected: str, at: int
) -> tuple[int, GlyphCheck, PairVisibility] | None:
    """The glyph ``k`` that prints letter ``at`` of ``line`` (``glyph_of_letter``), the line's
    glyph check and its pairs' visibility; None where the line or the glyph is not known."""
    if line >= min(len(ev.checks), len(ev.strips)):
        return None
    spec, imp = ev.strips[line]
    check = ev.checks[line]
    k = glyph_of_letter(check.windows, spec, expected, at)
    if k is None:
        return None
    return k, check, pair_visibility(spec, imp, check.windows)


def pixels_deny_insert(conf: Confirmation | None, expected: str, at: int) -> bool:
    """Whether the pixels show the two letters that the recogniser read an extra letter between
    (letters ``at - 1`` and ``at`` of the letters of ``expected``, the text as read on the
    specimen; one word) where the specimen prints them, side by side: the second glyph
    confirmed on its own (``_seal_letters``: shown legibly at its place, clearly better than a
    neighbour would fit there), the pair confirmed by the glyph test, and the first glyph
    confirmed on its own or the pair by the visible ink too. A letter added between them
    would stand where the second one is seen, and move it. ``conf`` covers the ring, or a
    rectangle's first inner line. Seeds 712 c00025 (a genuine US-APHIS ring read
    'AGRICUALTURE') and c00036 (a genuine CL-SERNAPESCA line read 'SEREVICIO'); seed 221
    c00075 (a genuine CN-CCPIT ring read 'CORUNC' for "COUNC": its C faint, the pair's visible
    ink at snr 40)."""
    if conf is None or at < 1:
        return False
    wanted, _ = words_read(expected, "")
    place = _word_at(wanted, at - 1)
    if place is None:
        return False
    w, i = place
    group = _group_of_word(conf.groups, wanted, w)
    if group is not None:
        k, after = group[i], group[i + 1]
    else:
        flat = _glyphs_in_order(conf.groups, wanted)
        if flat is None:
            return False
        k, after = flat[at - 1], flat[at]
    first = k in conf.glyphs or k in conf.visible.confirmed(VisibleThresholds())
    return after in conf.glyphs and k in conf.pairs and first


def pixels_hold_across(ev: TextEvidence, expected: str, at: int) -> bool:
    """Whether the glyphs each side of a ring's word space where the recogniser read an extra
    letter (before letter ``at`` of the letters of ``expected``, the ring's text as read on
    the specimen, a word's first letter) sit at their places alike: of up to ``_INSERT_RUN``
    glyphs each side, at least two legible (``GlyphCheck.offsets``), each side together, the
    two sides within ``_HOLD_OFF`` columns of each other. A letter added to a word's end
    re-lays a ring's text: the letters after it stand a letter's pitch (11-14 columns) off
    their places, beyond the glyph test's reach. Held-out 337 c00073 (a genuine FR-DGAL ring
    read with an 'H' between FRANCAISE and SERVICES: 2, 2, 2, 2 | 2, 1) and 345 c00034 (a
    US-APHIS ring, an 'S' between DEPARTMENT and OF): the recogniser read the space."""
    conf = ev.confirmation
    if conf is None or not conf.parts or at not in word_starts(expected):
        return False
    sides = _insert_sides(ev, conf.parts, expected, at, (_INSERT_RUN, _INSERT_RUN))
    return sides is not None and abs(sides[1] - sides[0]) <= _HOLD_OFF


def _insert_sides(
    ev: TextEvidence,
    spans: tuple[tuple[int, int], ...],
    expected: str,
    at: int,
    run: tuple[int, int],
    lenient: bool = False,
) -> tuple[float, float] | None:
    """The median offsets of the legible glyphs of up to ``run[0]`` letters before letter
    ``at`` of the letters of ``expected`` and of up to ``run[1]`` from it (the confirmation's
    glyphs, one per letter, at columns ``spans``), where each side has two or more, together;
    None otherwise. ``lenient`` (``pixels_show_insert``): the place is also found where a wide
    letter is cut in two glyphs (``_place_of_letter``; each run then takes as many more glyphs
    as there are extra), and each side may have one glyph found off the others
    (``_together_but_one``)."""
    conf = ev.confirmation
    if conf is None or not ev.checks:
        return None
    wanted, _ = words_read(expected, "")
    if lenient:
        placed = _place_of_letter(conf.groups, wanted, at)
    else:
        flat = _glyphs_in_order(conf.groups, wanted)
        placed = (flat, at) if flat is not None else None
    if placed is None or not 0 < placed[1] < len(placed[0]):
        return None
    flat, pos = placed
    if lenient:  # a letter cut in two glyphs takes two of a side's run
        extra = len(flat) - sum(len(x) for x in wanted)
        run = (run[0] + extra, run[1] + extra)
    check = ev.checks[0]
    b = _offsets_in(check, [spans[g] for g in flat[max(0, pos - run[0]) : pos]])
    a = _offsets_in(check, [spans[g] for g in flat[pos : pos + run[1]]])
    if lenient:
        b, a = _together_but_one(b), _together_but_one(a)
    if min(len(b), len(a)) < 2 or not (together(b) and together(a)):
        return None
    return float(np.median(b)), float(np.median(a))


def _place_of_letter(
    groups: tuple[tuple[int, ...], ...], wanted: tuple[str, ...], at: int
) -> tuple[list[int], int] | None:
    """All the glyphs in order (``_all_glyphs``) and the place among them of letter ``at`` of
    the letters of ``wanted``: the letter's own place where the glyphs are one per letter;
    otherwise (a wide letter cut in two glyphs elsewhere: NZ-MPI's W) found from its word, or
    for a word's first letter from the word before, where that word's glyphs pair up letter
    for letter (``_group_of_word``); None where neither does."""
    in_order = _glyphs_in_order(groups, wanted)
    if in_order is not None:
        return in_order, at
    flat = _all_glyphs(groups, wanted)
    start, w = 0, 0
    while w < len(wanted) and start + len(wanted[w]) <= at:
        start, w = start + len(wanted[w]), w + 1
    if w == len(wanted):
        return None
    group = _group_of_word(groups, wanted, w)
    if group is not None:
        return flat, flat.index(group[0]) + at - start
    before = _group_of_word(groups, wanted, w - 1) if at == start and w > 0 else None
    return (flat, flat.index(before[-1]) + 1) if before is not None else None


def _together_but_one(offsets: list[int]) -> list[int]:
    """``offsets`` less the one furthest from their median where three or more are not
    together but the rest are: a letter pushed on by an added one can land on a neighbour of
    like shape (an E's bars on a Z: 9001 c00147, "NEWE ZEALAND", Z, E, A of ZEALAND at +9, -2,
    +9)."""
    if len(offsets) < 3 or together(offsets):
        return offsets
    mid = float(np.median(offsets))
    far = max(range(len(offsets)), key=lambda i: abs(offsets[i] - mid))
    rest = offsets[:far] + offsets[far + 1 :]
    return rest if together(rest) else offsets


def _offsets_in(check: GlyphCheck, spans: list[tuple[int, int]]) -> list[int]:
    """The offsets (``GlyphCheck.offsets``) of the legible glyphs centred in ``spans``."""
    return [
        off
        for centre, off in zip(check.centres, check.offsets, strict=True)
        if any(c0 <= centre < c1 for c0, c1 in spans)
    ]


def pixels_show_insert(ev: TextEvidence, expected: str, at: int, before: int, after: int) -> bool:
    """Whether the glyphs' places step apart where the recogniser read an extra letter with a
    short flank (``_ring_text.short_inserts``: before letter ``at`` of the letters of
    ``expected``, the ring's text as read on the specimen, ``before`` letters read right
    before it and ``after`` right after): of the glyphs of those letters (up to ``_INSERT_RUN``
    each side), at least two each side legible (``GlyphCheck.offsets``), each side together
    (``_seal_glyphs.together``), and the side after sitting ``_INSERT_STEP`` columns or more
    further along the strip than the side before. A letter added to a die pushes the letters
    after it on by its width (seed 240 c00018, "OFE THAILAND": O, F at -9, T, H, A, I at +4
    to +2; the ring's letters are 11-14 columns wide), which a misread letter does not."""
    conf = ev.confirmation
    if conf is None or not conf.parts:
        return False
    run = (min(before, _INSERT_RUN), min(after, _INSERT_RUN))
    sides = _insert_sides(ev, conf.parts, expected, at, run, lenient=True)
    return sides is not None and sides[1] - sides[0] >= _INSERT_STEP


def _legible_offsets(check: GlyphCheck, glyphs: list[int]) -> list[int]:
    """The columns off their places of those of ``glyphs`` that the glyph test found legible
    (``GlyphCheck.offsets``, each at its glyph's centre on the specimen), in order."""
    return _offsets_in(check, [check.windows[g] for g in glyphs])


def _glyphs_in_order(
    groups: tuple[tuple[int, ...], ...], wanted: tuple[str, ...]
) -> list[int] | None:
    """All the glyphs in order, less lone ones at the ends (stars), one per letter of
    ``wanted`` when they are as many: a ring's tight word spaces can run words together (seed
    221 c00075, CN-CCPIT: CHINA COUNCIL FOR THE in one run of 25 glyphs)."""
    flat = _all_glyphs(groups, wanted)
    return flat if len(flat) == sum(len(x) for x in wanted) else None


def _all_glyphs(groups: tuple[tuple[int, ...], ...], wanted: tuple[str, ...]) -> list[int]:
    """The glyphs in order, less lone ones at the ends (stars: ``_lone_ends_dropped``)."""
    return [g for group in _lone_ends_dropped(groups, wanted) for g in group]


def _lone_ends_dropped(
    groups: tuple[tuple[int, ...], ...], wanted: tuple[str, ...]
) -> list[tuple[int, ...]]:
    """The glyph words less lone glyphs at either end (stars), unless the text's word there
    is one letter."""
    kept = list(groups)
    while kept and len(kept[0]) == 1 and len(wanted[0]) != 1:
        kept.pop(0)
    while kept and len(kept[-1]) == 1 and len(wanted[-1]) != 1:
        kept.pop()
    return kept


def _group_of_word(
    groups: tuple[tuple[int, ...], ...], wanted: tuple[str, ...], w: int
) -> tuple[int, ...] | None:
    """The glyphs of word ``w`` of ``wanted``: the glyph words (lone glyphs at the ends, e.g.
    stars, left out) paired with the text's words in order from the start up to it, or from
    the end back to it, every one letter for letter; None where neither pairs up so (words the
    recogniser ran together elsewhere in the text do not matter)."""
    kept = _lone_ends_dropped(groups, wanted)
    sizes, lengths = [len(g) for g in kept], [len(x) for x in wanted]
    if len(kept) > w and sizes[: w + 1] == lengths[: w + 1]:
        return kept[w]
    tail = len(wanted) - w
    if len(kept) >= tail and sizes[len(kept) - tail :] == lengths[w:]:
        return kept[len(kept) - tail]
    return None


def glyph_of_letter(
    windows: tuple[tuple[int, int], ...], spec: np.ndarray, expected: str, at: int
) -> int | None:
    """The glyph (index into ``windows``) that prints letter ``at`` of the letters of
    ``expected`` when the next letter is in the same word: the glyphs' words paired up with
    the text's in order (lone glyphs, stars, left out unless the text has one-letter words),
    that word letter for letter (its glyphs may end in a narrow mark, a comma); None where
    they do not pair up so."""
    wanted, kept = _glyph_words(windows, spec, expected)
    place = _word_at(wanted, at)
    if place is None:
        return None
    w, i = place
    if len(kept) != len(wanted) or len(kept[w]) != len(wanted[w]):
        return None
    return kept[w][i]


def _glyph_words(
    windows: tuple[tuple[int, int], ...], spec: np.ndarray, expected: str
) -> tuple[tuple[str, ...], list[list[int]]]:
    """The words of ``expected`` (letters only) and the glyphs' words (indices into
    ``windows``), lone glyphs left out unless the text has one-letter words, a trailing mark
    off each (``_letters_only``)."""
    wanted, _ = words_read(expected, "")
    groups = [_letters_only(g, windows) for g in words(windows, spec, LetterThresholds())]
    return wanted, [g for g in groups if len(g) > 1 or any(len(x) == 1 for x in wanted)]


def _word_at(wanted: tuple[str, ...], at: int) -> tuple[int, int] | None:
    """(word, letter in it) of letter ``at`` of the words run together, when the next letter
    is in the same word."""
    start = 0
    for w, word in enumerate(wanted):
        if start <= at < start + len(word) - 1:
            return w, at - start
        start += len(word)
    return None


def _letters_only(group: list[int], windows: tuple[tuple[int, int], ...]) -> list[int]:
    """A word's glyphs without a trailing mark much narrower than its letters (a comma)."""
    if len(group) < 3:
        return group
    widths = [windows[k][1] - windows[k][0] for k in group]
    if widths[-1] < _MARK * float(np.median(widths[:-1])):
        return group[:-1]
    return group


def line_images(ev: TextEvidence) -> list[np.ndarray]:
    """The impression's lines (``TextEvidence.strips``) as the recogniser reads them."""
    return [_for_ocr(imp) for _spec, imp in ev.strips]


def faint_lines(ev: TextEvidence) -> frozenset[int]:
    """A rectangle's lines whose median glyph shows under ``_FAINT_LINE`` of the ink its
    best-inked line's shows (each glyph's ink above the paper over the specimen's)."""
    usual = [
        _line_ink(spec, imp, check)
        for (spec, imp), check in zip(ev.strips, ev.checks, strict=False)
    ]
    best = max(usual, default=0.0)
    return frozenset(n for n, u in enumerate(usual) if u < _FAINT_LINE * best)


def _line_ink(spec: np.ndarray, imp: np.ndarray, check: GlyphCheck) -> float:
    """The median glyph's ink of a line: its impression's ink above the paper over the
    specimen's, per glyph window."""
    own = glyph_ink(spec, above_paper(spec, imp), check.windows)
    return float(np.median(own)) if own else 0.0


def line_pair_leans_swapped(ev: TextEvidence, line: int, expected: str, at: int) -> bool:
    """Whether the glyph pair of ``line`` that prints letters ``at, at+1`` is inked and leans
    to the swap: its visible ink fits the swap better (``_leans``), or the glyph
    test's relative margin contradicts the print (``GlyphThresholds.contradict``) where the
    visible ink model, which holds one ink level for the pair, is undecided, the pair inked
    ``_MARGIN_INK`` at least. On 817 genuine seals (seeds 9001, 9002, 424-427, 429-432) 34
    line pairs had such a margin, none inked ``contradict_ink``, three 0.32-0.43 (the
    recogniser preferring their swaps by 0.18 nats at most); 449 c00150, an imitation
    "CMOMERCE" (55 px), had -0.21, inked 0.68, its visible ink 1.0 noise units to the print;
    held-out 457 c00134, an imitation "COMMECRE" (44 px), -0.53 inked 0.40 (the recogniser
    preferring the swap by 7.3 nats, 1,500 to 1), was accepted."""
    pair = _glyph_pair(ev, line, expected, at)
    if pair is None:
        split = _split_pair(ev, line, expected, at)
        return split is not None and _leans(*split)
    k, check, vis = pair
    margin = dict(zip(check.checked, check.margins, strict=True)).get(k)
    contradicts = margin is not None and margin <= -GlyphThresholds().contradict
    if contradicts and vis.inked[k] >= _MARGIN_INK:
        return True
    return _leans(k, vis)


def line_pair_shows_print(ev: TextEvidence, line: int, expected: str, at: int) -> bool:
    """Whether the glyph pair of ``line`` that prints letters ``at, at+1`` shows them plainly
    in their printed order: both inked ``contradict_ink``, the visible ink fitting the print
    by ``confirm_share`` of the difference and ``_PRINT_SHOWN_SNR`` noise units, and the glyph
    test's margin not against it. Held-out 498 c00003, a genuine ZA-SACCI rectangle whose
    "OFFICIAL" the recogniser found likelier as 'FOFICIAL' by 8.2 nats on a line of its own
    (``_seal_spelling._ALONE_LINE_LLR``): its O, F fitted the print by 0.61 of the visible
    difference, 108 noise units, inked 1.17. An imitation's swapped pair fits the swap."""
    pair = _glyph_pair(ev, line, expected, at)
    if pair is None:
        return False
    k, check, vis = pair
    th = VisibleThresholds()
    margin = dict(zip(check.checked, check.margins, strict=True)).get(k, 0.0)
    return (
        vis.inked[k] >= th.contradict_ink
        and vis.share[k] >= th.confirm_share
        and vis.snr[k] >= _PRINT_SHOWN_SNR
        and margin >= 0.0
    )


def _split_pair(
    ev: TextEvidence, line: int, expected: str, at: int
) -> tuple[int, PairVisibility] | None:
    """Where the glyphs of ``line`` do not pair up with its letters because touching letters
    made one glyph (``_split_to_letters``): the part that prints letter ``at`` and the parts'
    visibility; None where they still do not pair up. Held-out 449 c00007, an imitation
    CL-SERNAPESCA rectangle printing "ACUICUTLURA" (571 pixels of difference), its 35 letters
    on 31 glyphs: the recogniser preferred the swap by 5.1 nats and no pixels could be asked."""
    if line >= min(len(ev.checks), len(ev.strips)):
        return None
    spec, imp = ev.strips[line]
    parts = _split_to_letters(spec, ev.checks[line].windows, expected)
    k = None if parts is None else glyph_of_letter(parts, spec, expected, at)
    return None if parts is None or k is None else (k, pair_visibility(spec, imp, parts))


def _split_to_letters(
    spec: np.ndarray, windows: tuple[tuple[int, int], ...], expected: str
) -> tuple[tuple[int, int], ...] | None:
    """``windows`` with, in each word of fewer glyphs than its letters, the widest glyphs cut
    at their faintest middle column until the counts agree (a word has as many letters as the
    text says: the glyphs short of them are letters that touch); None where the words
    themselves do not pair up or a word has more glyphs than letters."""
    wanted, kept = _glyph_words(windows, spec, expected)
    if len(kept) != len(wanted) or any(len(g) > len(w) for g, w in zip(kept, wanted, strict=True)):
        return None
    cut: dict[int, int] = {}
    for group, word in zip(kept, wanted, strict=True):
        widest = sorted(group, key=lambda k: windows[k][0] - windows[k][1])
        for k in widest[: len(word) - len(group)]:
            cut[k] = faintest_middle(spec, *windows[k])
    if not cut:
        return None
    out: list[tuple[int, int]] = []
    for k, (c0, c1) in enumerate(windows):
        out.extend([(c0, cut[k]), (cut[k], c1)] if k in cut else [(c0, c1)])
    return tuple(out)


def _leans(k: int, vis: PairVisibility) -> bool:
    """Pair ``k`` inked ``contradict_ink`` and its visible ink fitting the swap better by
    ``_LEAN_SNR`` noise units."""
    return vis.inked[k] >= VisibleThresholds().contradict_ink and vis.snr[k] <= -_LEAN_SNR


def _for_ocr(strip: np.ndarray) -> np.ndarray:
    """A 0..1 ink strip as black on white BGR, doubled (rectangle lines are small)."""
    grey = (255 - np.clip(strip, 0.0, 1.0) * 255).astype(np.uint8)
    grey = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    grey = cv2.copyMakeBorder(grey, 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def marks_shown(spec: np.ndarray, imp: np.ndarray) -> tuple[int, int, float]:
    """(solid marks of the specimen, marks the impression shows, how much of the specimen's
    ink around the marks not shown the impression shows: ``_around_shown``, the most of any,
    1 where none is missing): the biggest compact pieces
    that survive an opening wider than strokes of text (at least half the biggest one's area, or
    drawn alike with one of those: ``_marks``;
    what is left of a thick border line is long and thin, not compact) and are most of the ink
    piece they lie in (``_solid``); a mark is shown when a fifth of it is inked, or a trace of
    it (``_traced``) or of its points (``_tips_shown``).

    Inked is measured above the impression's own paper: a scan's grey paper tint reached 0.35
    of the normalised darkness, more than the 0.3 that was taken for ink, so a rectangle
    without its stars showed them (seeds 51-53). ``_paper_and_ink`` gives the paper level
    (where the specimen has no ink) and the ink level (where it has); a pixel is inked
    ``_SOLID_INK`` of the way up from the paper right around its mark (``_local_paper``)."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_SOLID, _SOLID))
    inked = (spec > 0.5).astype(np.uint8)
    core = cv2.morphologyEx(inked, cv2.MORPH_OPEN, k)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    _, pieces, piece_stats, _ = cv2.connectedComponentsWithStats(inked, connectivity=8)
    imp = register_strip(spec, imp, _RECT_SHIFT, _RECT_SHIFT)
    paper, ink = _paper_and_ink(spec, imp)
    near = cv2.dilate(inked, np.ones((9, 9), np.uint8)) > 0
    compact = [
        i
        for i in range(1, n)
        if _compact(stats[i]) and _solid(labels == i, stats[i], pieces, piece_stats)
    ]
    marks = seen = 0
    around: list[float] = []
    for i in _marks(compact, stats):
        marks += 1
        inside = labels == i
        local = _local_paper(imp, inside, near, paper)
        level = local + _SOLID_INK * max(ink - local, 0.05)
        share = float(np.mean(imp[inside] > level))
        shown = (
            share >= _SOLID_SEEN
            or _traced(spec, imp, stats[i], inside, level, share)
            or _tips_shown(imp, inside, pieces, level)
        )
        seen += int(shown)
        if not shown:
            size = int(max(stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]))
            around.append(_around_shown(spec, imp, inside, level, _GAP_REACH * size))
    return marks, seen, max(around, default=1.0)


def _marks(compact: list[int], stats: np.ndarray) -> list[int]:
    """Of the compact solid pieces, the marks: the biggest (at least half the biggest one's
    area, and no smaller than the opening, ``_SOLID`` squared), and the pieces drawn alike
    with one of them (``_ALIKE``): a die's row of stars counts whole. Its stars, one design,
    come out of the opening 45 to 50 pixels each at a small scale, and the floor took two of
    an NZ-MPI ring's four: held-out 545 c00003, a genuine impression showing one of the other
    two, was refused as "none of its 2 solid marks is there"."""
    areas = [float(stats[i, cv2.CC_STAT_AREA]) for i in compact]
    big = max(float(_SOLID * _SOLID), 0.5 * max(areas, default=0.0))
    chosen = [i for i in compact if stats[i, cv2.CC_STAT_AREA] >= big]
    return [i for i in compact if i in chosen or any(_alike(stats[i], stats[j]) for j in chosen)]


def _alike(a: np.ndarray, b: np.ndarray) -> bool:
    """Two pieces of about one size and shape (area within ``_ALIKE``, width and height
    within ``_ALIKE_PX``)."""
    area_a, area_b = float(a[cv2.CC_STAT_AREA]), float(b[cv2.CC_STAT_AREA])
    return (
        min(area_a, area_b) >= _ALIKE * max(area_a, area_b)
        and abs(int(a[cv2.CC_STAT_WIDTH]) - int(b[cv2.CC_STAT_WIDTH])) <= _ALIKE_PX
        and abs(int(a[cv2.CC_STAT_HEIGHT]) - int(b[cv2.CC_STAT_HEIGHT])) <= _ALIKE_PX
    )


def foreign_ink(spec: np.ndarray, imp: np.ndarray, coloured: np.ndarray | None = None) -> int:
    """Pixels of solid ink the impression shows inside the specimen's outline where the
    specimen has none within ``_FOREIGN_REACH`` pixels (normalised darkness, as
    ``marks_shown``): inked ``_FOREIGN_INK`` of the way from the impression's paper to its
    ink and surviving an opening wider than strokes (``_SOLID``), so a pen's or the printed
    form's strokes crossing the stamp are not counted; where ``coloured`` is given (the
    stamp's colour, ``imaging.stamp_coloured``), only ink within ``_RECT_SHIFT`` pixels of it,
    so black print under the stamp (a code, a logo) is not either."""
    inked = (spec > 0.5).astype(np.uint8)
    outline = convex_outline(inked)
    if outline is None:
        return 0
    imp = register_strip(spec, imp, _RECT_SHIFT, _RECT_SHIFT)
    paper, ink = _paper_and_ink(spec, imp)
    reach = np.ones((_FOREIGN_REACH, _FOREIGN_REACH), np.uint8)
    inside = cv2.erode(outline.astype(np.uint8), reach) > 0
    near = cv2.dilate(inked, reach) > 0
    level = paper + _FOREIGN_INK * max(ink - paper, 0.05)
    found = (imp > level) & inside & ~near
    if coloured is not None:
        shift = np.ones((2 * _RECT_SHIFT + 1, 2 * _RECT_SHIFT + 1), np.uint8)
        found &= cv2.dilate(coloured.astype(np.uint8), shift) > 0  # ``imp`` was registered
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_SOLID, _SOLID))
    return int(np.count_nonzero(cv2.morphologyEx(found.astype(np.uint8), cv2.MORPH_OPEN, k)))


def _traced(
    spec: np.ndarray,
    imp: np.ndarray,
    stat: np.ndarray,
    mark: np.ndarray,
    level: float,
    share: float,
) -> bool:
    """Whether a mark inked under ``_SOLID_SEEN`` shows by its trace: its shape fitting the
    impression (``_mark_fit``, ``_TRACE_FIT``) and ``_TRACE_SHARE`` of it inked, in place
    (``share``) or where the shape fits best (``_shifted_share``); at a looser fit
    (``_TRACE_FIT_IN_PLACE``) only inked in place and spread over the mark (``_spread``)."""
    fit, (dy, dx) = _mark_fit(spec, imp, stat)
    if fit >= _TRACE_FIT:
        return share >= _TRACE_SHARE or _shifted_share(imp, mark, level, dy, dx) >= _TRACE_SHARE
    return fit >= _TRACE_FIT_IN_PLACE and share >= _TRACE_SHARE and _spread(mark, imp > level)


def _tips_shown(imp: np.ndarray, mark: np.ndarray, pieces: np.ndarray, level: float) -> bool:
    """Whether ``_TIPS_SEEN`` of a mark's own ink outside its opened core (a star's points, an
    emblem's edge: the rest of the ink piece it lies in) is inked above ``level`` while the
    paper just beside the inked points is not (``_beside_inked``). An ink gap is deepest at its
    middle: a star lying in one loses its solid core first and keeps some of its points, while
    an imitation without its stars has bare paper there; ink running on past the points is
    another mark's (a line's edge across the spot), not the star's shape."""
    piece = pieces == _piece_of(mark, pieces)
    tips = piece & ~mark
    if not tips.any():
        return False
    inked = tips & (imp > level)
    share = float(inked.sum() / tips.sum())
    return share >= _TIPS_SEEN and _beside_inked(imp, piece, pieces, inked, level) < _TIPS_BESIDE


def _beside_inked(
    imp: np.ndarray, piece: np.ndarray, pieces: np.ndarray, inked: np.ndarray, level: float
) -> float:
    """The share of the paper beside a piece's inked pixels (within ``_BESIDE`` pixels of them,
    a pixel clear of the piece and ``_BESIDE`` clear of the specimen's other ink) inked above
    ``level``."""
    k = np.ones((2 * _BESIDE + 1, 2 * _BESIDE + 1), np.uint8)
    beside = (cv2.dilate(inked.astype(np.uint8), k) > 0) & ~(
        cv2.dilate(piece.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    )
    beside &= ~(cv2.dilate(((pieces > 0) & ~piece).astype(np.uint8), k) > 0)
    if not beside.any():
        return 0.0
    return float(np.mean(imp[beside] > level))


def _spread(mark: np.ndarray, inked: np.ndarray) -> bool:
    """Whether a mark's inked pixels span ``_TRACE_SPREAD`` of its height and of its width: a
    star's faint trace, not a line's edge across its spot (a band a few rows high)."""
    ys, xs = np.nonzero(mark & inked)
    my, mx = np.nonzero(mark)
    if ys.size == 0:
        return False
    tall = (int(ys.max()) - int(ys.min()) + 1) / (int(my.max()) - int(my.min()) + 1)
    wide = (int(xs.max()) - int(xs.min()) + 1) / (int(mx.max()) - int(mx.min()) + 1)
    return min(tall, wide) >= _TRACE_SPREAD


def _around_shown(
    spec: np.ndarray, imp: np.ndarray, mark: np.ndarray, level: float, reach: int
) -> float:
    """The share of the specimen's other ink within ``reach`` pixels of a mark (clear of the
    mark itself) that the impression shows, inked above ``level`` within two pixels; 1 where
    there is too little of it to tell (``_GAP_MIN`` pixels): a mark with nothing around is
    judged as missing."""
    m = mark.astype(np.uint8)
    zone = cv2.dilate(m, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)) > 0
    zone &= ~(cv2.dilate(m, np.ones((7, 7), np.uint8)) > 0)
    other = zone & (spec > 0.5)
    if int(other.sum()) < _GAP_MIN:
        return 1.0
    shown = cv2.dilate((imp > level).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return float(shown[other].mean())


def _mark_fit(spec: np.ndarray, imp: np.ndarray, stat: np.ndarray) -> tuple[float, tuple[int, int]]:
    """How well the impression's ink around a solid mark fits the mark's shape, and where:
    the best NCC of the specimen's patch (the mark's box, ``_TRACE_MARGIN`` pixels more each
    side) within ``_TRACE_SHIFT`` pixels of its place, and that shift (rows, columns). A star
    half in an ink gap keeps its shape where it is faintly inked; a border line's edge or
    paper grain on a removed star's spot does not."""
    x, y = int(stat[cv2.CC_STAT_LEFT]), int(stat[cv2.CC_STAT_TOP])
    w, h = int(stat[cv2.CC_STAT_WIDTH]), int(stat[cv2.CC_STAT_HEIGHT])
    m, s = _TRACE_MARGIN, _TRACE_SHIFT
    y0, x0 = max(0, y - m), max(0, x - m)
    y1, x1 = min(spec.shape[0], y + h + m), min(spec.shape[1], x + w + m)
    mark = spec[y0:y1, x0:x1].astype(np.float32)
    wy, wx = max(0, y0 - s), max(0, x0 - s)
    win = imp[wy : y1 + s, wx : x1 + s].astype(np.float32)
    if win.shape[0] < mark.shape[0] or win.shape[1] < mark.shape[1] or float(win.std()) < 1e-6:
        return 0.0, (0, 0)
    _, best, _, (bx, by) = cv2.minMaxLoc(cv2.matchTemplate(win, mark, cv2.TM_CCOEFF_NORMED))
    return float(best), (wy + by - y0, wx + bx - x0)


def _shifted_share(imp: np.ndarray, mark: np.ndarray, level: float, dy: int, dx: int) -> float:
    """The share of a mark inked above ``level`` where its shape fits best (shifted by
    ``dy``, ``dx``): a stamp registered a few pixels off at a small faint star (held-out seed
    309 c00066, a genuine FR-DGAL ring: both stars printed faintly, none inked at their places,
    their shape found 3 pixels away at NCC 0.37 and 0.40, one of them 0.14 inked there)."""
    shifted = np.roll(mark, (dy, dx), axis=(0, 1))
    return float(np.mean(imp[shifted] > level)) if shifted.any() else 0.0


def _local_paper(imp: np.ndarray, mark: np.ndarray, near: np.ndarray, paper: float) -> float:
    """The paper's darkness right around a mark (``_AROUND`` pixels of it, away from the
    specimen's ink), where there is enough of it; else the impression's (``paper``). A scan's
    lighting shades the paper unevenly: the spot of a removed star sat 0.05 darker than the
    median paper, and a fifth of it read as ink, so an imitation without its stars passed
    (seed 150 c00023)."""
    k = np.ones((_AROUND, _AROUND), np.uint8)
    ring = (cv2.dilate(mark.astype(np.uint8), k) > 0) & ~near
    return float(np.median(imp[ring])) if int(ring.sum()) >= _AROUND_MIN else paper


def _solid(core: np.ndarray, stat: np.ndarray, pieces: np.ndarray, piece_stats: np.ndarray) -> bool:
    """Whether a piece of the opened ink (``core``) is most of the ink piece it lies in (a star,
    a filled emblem), not what an opening leaves of a thin outline's junction (``_SOLID_SHARE``)."""
    piece = _piece_of(core, pieces)
    return bool(stat[cv2.CC_STAT_AREA] >= _SOLID_SHARE * piece_stats[piece, cv2.CC_STAT_AREA])


def _piece_of(core: np.ndarray, pieces: np.ndarray) -> int:
    """The label of the specimen's ink piece (``pieces``) an opened core lies in."""
    return int(np.bincount(pieces[core]).argmax())


def _paper_and_ink(spec: np.ndarray, imp: np.ndarray) -> tuple[float, float]:
    """(paper, ink) darkness of the impression: the median where the specimen is blank (well
    away from its ink, inside its box) and the 90th percentile where it is inked."""
    inked = spec > 0.5
    ys, xs = np.nonzero(inked)
    if len(xs) == 0:
        return 0.0, 1.0
    near = cv2.dilate(inked.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    box = np.zeros_like(inked)
    box[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] = True
    blank = imp[box & ~near]
    paper = float(np.median(blank)) if blank.size else 0.0
    return paper, float(np.percentile(imp[inked], 90))


def _compact(stat: np.ndarray) -> bool:
    w, h, area = stat[cv2.CC_STAT_WIDTH], stat[cv2.CC_STAT_HEIGHT], stat[cv2.CC_STAT_AREA]
    return max(w, h) <= 2.5 * min(w, h) and area >= 0.3 * w * h


def _ring_strips(
    spec_dark: np.ndarray, dark: np.ndarray, ink: np.ndarray, band: Band, cover: np.ndarray
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[np.ndarray]]:
    """The text band of specimen and impression as registered 0..1 strips (rings cut off),
    and ``cover`` (an image of the impression's canvas: 1 where print lies over it) cut and
    registered as the impression is."""
    side = spec_dark.shape[0]
    cx, cy, scale = fit_ring(ink, (side / 2, side / 2), band)
    s_range = (band.s_out + 0.03, band.s_in - 0.03)
    width = max(16, int(np.pi * (band.a + band.b) * (s_range[0] + s_range[1]) / 2))
    spec = normalise(unwrap(spec_dark, (side / 2, side / 2), band, s_range, _RING_ROWS, width))
    fitted = Band(band.a * scale, band.b * scale, band.s_out, band.s_in)
    imp = normalise(unwrap(dark, (cx, cy), fitted, s_range, _RING_ROWS, width))
    dx, dy = _RING_SHIFT
    x, y = register_offset(spec, imp, dx, dy)
    imp = _shifted(imp, x - dx, y - dy)
    r0, r1 = _text_rows(spec)
    if r1 - r0 < 6:
        return [], []
    under = unwrap(cover.astype(np.float32), (cx, cy), fitted, s_range, _RING_ROWS, width)
    return [(spec[r0:r1], imp[r0:r1])], [_shifted(under, x - dx, y - dy)[r0:r1]]


def _shifted(img: np.ndarray, x: int, y: int) -> np.ndarray:
    """``img`` moved so that its pixel (``x``, ``y``) comes to the origin (zeros brought in),
    as ``_seal_glyphs.register`` moves a strip."""
    h, w = img.shape
    pad = cv2.copyMakeBorder(
        img, max(0, -y), max(0, y), max(0, -x), max(0, x), cv2.BORDER_CONSTANT, value=0
    )
    y0, x0 = max(0, y), max(0, x)
    return pad[y0 : y0 + h, x0 : x0 + w]


def _text_rows(strip: np.ndarray) -> tuple[int, int]:
    """The longest run of rows between the ring lines (rows inked across much of the band),
    without the rings' blurred edges (inked rows before the first empty one)."""
    coverage = (strip > 0.5).mean(axis=1)
    best, start = (0, 0), None
    for r, ring in enumerate(np.append(coverage >= _RING_ROW, True)):
        if not ring and start is None:
            start = r
        elif ring and start is not None:
            if r - start > best[1] - best[0]:
                best = (start, r)
            start = None
    r0, r1 = best
    for _ in range(_EDGE_ROWS):
        if r0 < r1 and coverage[r0] > _EMPTY_ROW:
            r0 += 1
        if r1 > r0 and coverage[r1 - 1] > _EMPTY_ROW:
            r1 -= 1
    return r0, r1


def line_strips(spec_dark: np.ndarray, dark: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each text line inside a rectangle's inner border, specimen and impression (0..1)."""
    spec = normalise(spec_dark)
    imp = register_strip(spec, normalise(dark), _RECT_SHIFT, _RECT_SHIFT)
    ys, xs = np.nonzero(spec > 0.5)
    if len(xs) < 50:
        return []
    h = int(ys.max() - ys.min())
    inset = int(_RECT_INSET * h)
    r0, r1 = int(ys.min()) + inset, int(ys.max()) - inset
    c0, c1 = int(xs.min()) + inset, int(xs.max()) - inset
    if r1 - r0 < 8 or c1 - c0 < 8:
        return []
    rows = (spec[r0:r1, c0:c1] > 0.5).sum(axis=1) > 0
    out = []
    for a, b in _runs(rows):
        if b - a >= 5:
            lo, hi = r0 + a - 2, r0 + b + 2
            out.append((spec[lo:hi, c0:c1], imp[lo:hi, c0:c1]))
    return out


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, on in enumerate(np.append(flags, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _rotate(img: np.ndarray, angle: float) -> np.ndarray:
    side = img.shape[0]
    m = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (side, side), flags=cv2.INTER_LINEAR)
