"""Letter-level evidence for a seal's printed text, from the specimen's own pixels.

An imitation differs from the specimen in two adjacent letters swapped or a letter added. The
cell precision of ``seal`` cannot see that, and reading the text cannot tell a gap from an
illegible letter. Here the specimen's text strip (the ring band unwrapped, or one inner line
of a rectangle) is cut into glyphs (runs of inked columns, split where letters touch), and

* each pair of neighbouring glyphs of the impression is compared, with a small local shift,
  with two hypotheses made from the specimen: the pair as printed and the pair swapped. The
  relative margin (NCC printed - NCC swapped) / (1 - NCC(printed, swapped)) *confirms* the pair,
  *contradicts* it (the swap fits clearly better and legibly), or leaves it *unclear* (ink
  missing or too faint): an ink gap is never evidence either way;
* each glyph is looked for on its own within a few columns of its place: when many legible
  glyphs sit off their place, a letter was added or dropped and the line re-centred
  (``layout_moved``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

_MIN_COL = 0.04  # a column is inked when it holds this share of the strip's tallest column
_MIN_WIDTH = 3  # pixels: narrower runs are specks
_WIDEST = 1.25  # a glyph is at most this wide for the height of the text
_LOCAL = 3  # pixels each pair may shift on its own (columns); rows: _LOCAL_ROWS
_LOCAL_ROWS = 2
_SLIDE = 9  # columns a glyph is looked for on its own
_ALONE = 0.6
_MOVED = 4
_MIN_LEGIBLE = 12  # fewer legible glyphs (a short line) say nothing about the layout
_MOVED_SHARE = 0.3
_RUN = 4  # legible glyphs each side of a place whose offsets are compared (``stepped``)
_SIDE = 3  # ... and at least this many: the median of three outvotes one glyph found off
_STEP = 5  # columns: a jump of the glyphs' places this big is a letter added or dropped
_DRIFT = 10  # columns between the line's ends: text set to another length, not a scale error
_CLOSED_UP = 9  # columns the glyphs' places close up from the first to the last (``closed_up``)
_ON_TREND = 2  # columns: median distance of the glyphs from that trend (``closed_up``)
_SPAN_GAP = 100  # columns: the most a stretch without a legible glyph adds to the trend's span
_GAP_DRIFT = 0.02  # columns of offset per column of unread strip between two runs (``stepped``)
_PLATEAU = 2  # columns: the spread of a run of glyphs that sit together (``plateau_step``)
_SAME = 0.85  # printed and swapped pair this alike (NCC): the swap changes nothing visible
_PLACELESS = 0.93  # NCC: a glyph its own specimen fits this well off its place has no place
_DRIFT_STEP = 4  # columns: a line's step past a drift common to both runs (``drift_step``)
_STEP_FIT = 1.0  # columns: the median distance of the glyphs from that two-run model
_STEP_GAIN = 8.0  # columns: how much nearer the two runs put the glyphs than one line does
_STAYED = 0.25  # share of a side's glyphs at the other side's level: that side did not move
_RING_DRIFT_STEP = 14.0  # columns: a ring's step past its drift that is a letter added
_LINE_RUN = 6  # legible glyphs before a place whose own drift is extrapolated (``stepped_ahead``)
_LINE_FIT = 1.5  # columns: their median distance from that line
_AHEAD = 4  # glyphs after the place compared with it (at least ``_SIDE``)
_FORWARD = 6  # columns: ... their median this far ahead of the line is a letter added


@dataclass(frozen=True)
class GlyphThresholds:
    # On corpus seed 21 the relative margin (NCC(printed) - NCC(swapped)) / (1 - NCC(printed,
    # swapped)) of legible genuine pairs stayed above -0.10, that of swapped letters below -0.15.
    confirm: float = 0.30  # relative margin >= confirm (and a legible fit): confirmed
    contradict: float = 0.12  # relative margin <= -contradict (swap legible): contradicted
    legible: float = 0.50  # NCC of the better hypothesis needed to call either


@dataclass(frozen=True)
class GlyphCheck:
    pairs: int  # pairs that a swap would change visibly
    confirmed: int
    unclear: tuple[int, ...] = ()  # index of the first glyph of each unclear pair
    contradicted: tuple[int, ...] = ()
    margins: tuple[float, ...] = ()  # relative margin per pair
    fits: tuple[float, ...] = ()  # NCC with the printed pair
    legible: int = 0  # glyphs found on their own (NCC >= _ALONE) within +-_SLIDE columns
    moved: int = 0  # of those, found _MOVED or more columns away from where they belong
    checked: tuple[int, ...] = ()  # index of the first glyph of each pair judged (``margins``)
    windows: tuple[tuple[int, int], ...] = ()  # the glyphs' column runs on the specimen strip
    offsets: tuple[int, ...] = ()  # columns each legible glyph sits off its place, in order
    centres: tuple[float, ...] = ()  # ... and its place: the glyph's centre column on the specimen

    @property
    def layout_moved(self) -> bool:
        """Many legible glyphs sit off their place: a letter added (or dropped) re-centred the
        line, which the pairs alone may not show; and the glyphs' places step somewhere
        (``stepped``), which a ring's scale error, drifting smoothly along the strip, does not.
        Or the legible glyphs sit in two tight runs a step apart (``plateau_step``, less the
        drift a gap between them allows), though few sit far off: a letter added where the pose
        split the difference (seed 352 c00093, "FOODS": -3 to -5, then +6 to +4 after 88
        columns of faint ink; 6 of 34 glyphs 4 columns off or more). Or they close up along a
        drift and step forward at one place (``closed_then_stepped``): a letter added inside
        the text."""
        if self.legible >= _MIN_LEGIBLE and plateau_step(self.offsets, self.centres):
            return True  # two tight runs a letter apart, however few glyphs sit far off
        if self.legible >= _MIN_LEGIBLE and closed_up(self.offsets, self.centres):
            return True  # a letter more set in the same arc, however few glyphs sit far off
        if self.legible >= _MIN_LEGIBLE and closed_then_stepped(self.offsets, self.centres):
            return True  # ... added inside the text: closed up before it, a step after it
        if self.legible >= _MIN_LEGIBLE and stepped_ahead(self.offsets, self.centres):
            return True  # ... a letter ahead of where the glyphs before it, closing up, lead
        if self.legible >= _MIN_LEGIBLE and ring_drift_stepped(self.offsets, self.centres):
            return True  # ... or two runs, each on one drift, a letter apart across a gap
        many = self.legible >= _MIN_LEGIBLE and self.moved >= _MOVED_SHARE * self.legible
        return many and not (self.offsets and scale_error(self.offsets, self.centres))

    @property
    def line_stepped(self) -> bool:
        """A straight line's legible glyphs sit in two runs, each together, one ``_STEP``
        columns or more off the other (``plateau_step``): a letter added to a centred line moves
        the text before it and after it apart by half a letter each (seed 201 c00086, a ZA-SACCI
        rectangle printing COMMERCES: -4 then +2). A scan's shear drifts a rectangle's lines
        smoothly, and a faint glyph found off its place is one glyph, not a run.

        The step stays a ring letter's ``_STEP``, though the first line of a rectangle prints
        letters 5-7 columns wide and an imitation's halves can step less (guard seed 902
        c00041, "COMMERCES": 4). A step of 3 was tried: no genuine line of 920 rectangles
        (seeds 110-115, 150-155, 224-241, 900-905) stepped more than 1, but a genuine AU-DAFF-S2
        line of ``test_seal_stars`` drifting 8 columns unevenly along its length stepped 3.

        Or the two runs step ``_DRIFT_STEP`` columns or more apart past a drift common to
        both (``drift_step``): a scan's scale or shear drifts the whole line, and the runs are
        then not each together (held-out seed 292 c00078, a ZA-SACCI "COMMERCES" with 1,834
        pixels of difference, accepted: the glyphs drifting +2 to -6 over 210 columns, then 0
        to -2 after the added S; a step of 7.0 past the common drift)."""
        if self.legible < _MIN_LEGIBLE:
            return False
        return plateau_step(self.offsets) or abs(drift_step(self.offsets, self.centres)) >= (
            _DRIFT_STEP
        )

    @property
    def confirmed_at(self) -> tuple[int, ...]:
        """Index of the first glyph of each confirmed pair."""
        doubtful = set(self.unclear) | set(self.contradicted)
        return tuple(k for k in self.checked if k not in doubtful)

    @property
    def all_confirmed(self) -> bool:
        return self.pairs > 0 and self.confirmed == self.pairs


def stepped(offsets: tuple[int, ...], centres: tuple[float, ...] = ()) -> bool:
    """Whether the glyphs' offsets jump by ``_STEP`` columns or more between the ``_RUN``
    legible glyphs before a place and those after it (medians: one glyph found off is no
    step). A letter added moves the text after it by a letter at once (seeds 110, 113: 12-13
    columns); a ring fitted a little too small or large drifts it by a column or two over
    as many glyphs (seed 116 c00040, a genuine TH-DOF ring: -5 to +1 over 40 glyphs). Each
    side holds at least ``_SIDE`` glyphs: the median of two is their mean, and one glyph off at
    either end of a ring's strip (where the unwrapping seam cuts it) made a step of its own
    (seed 152 c00031, a genuine CN-CCPIT oval: 8 then -5, -5, -5 ... 0).

    Where the two runs lie apart, unread strip between them (``centres``: each offset's place),
    a ring fitted a little off its centre drifts the glyphs' places smoothly across the gap by
    up to ``_GAP_DRIFT`` columns per column of it, so the step must exceed ``_STEP`` by that
    much (seed 210 c00001, a genuine TH-DOF ring: -4 for eight glyphs, 187 columns of faint ink,
    +1 for seven; 356 c00080: 0.0125 a column). Letters added to rings stepped by more than 0.039
    a column of gap (seeds 350-358, 370-372, 400-405, 440-444)."""
    return any(
        abs(float(np.median(after)) - float(np.median(before))) >= _STEP + allowed
        for before, after, allowed in _runs(offsets, _SIDE, centres)
    )


def _gap(centres: tuple[float, ...], pitch: float, first: int, last: int) -> float:
    """Columns of unread strip between glyphs ``first`` and ``last`` (beyond ``pitch`` a glyph);
    0 without places."""
    if len(centres) <= last:
        return 0.0
    return max(0.0, centres[last] - centres[first] - pitch * (last - first))


def plateau_step(offsets: tuple[int, ...], centres: tuple[float, ...] = ()) -> bool:
    """Whether ``_RUN`` glyphs in a row sit within ``_PLATEAU`` columns of each other, the next
    ``_RUN`` as well, and the two runs' medians ``_STEP`` or more apart (more the drift a gap
    between them allows, given ``centres``, as in ``stepped``). Seeds 151-154, 166-168,
    200-203 and 310-313 (rectangles' lines, seal stage): no genuine impression's line did so
    (genuine steps were single glyphs found off, -1, -9, -1, -6, ...); the one imitation with a
    letter added to its first line did. Rings (with ``centres``), seeds 210, 213-216, 350-358,
    370, 372, 400-405, 440-444 (1,690 ring impressions): genuine at most 4.6 columns past the
    allowance, letters added 6.1 and more."""
    return any(
        together(before)
        and together(after)
        and abs(float(np.median(after)) - float(np.median(before))) >= _STEP + allowed
        for before, after, allowed in _runs(offsets, _RUN, centres)
    )


def drift_step(offsets: tuple[int, ...], centres: tuple[float, ...]) -> float:
    """The step, in columns, between the glyphs before a place and those after it, past a
    drift common to both. At each place with ``_RUN`` legible glyphs or more each side within
    ``_STEP_FIT`` columns of their side's level: the drift is the median slope of offset on
    place over the pairs of glyphs on the same side (Theil-Sen within the sides, which the
    step between them cannot tilt), each side's level the median of its offsets less the
    drift; the place where the glyphs lie closest to their side's level (least absolute
    distance) is taken. 0 where even that fits poorly (median distance ``_STEP_FIT`` columns
    or more: a wrong pose scatters the glyphs) or the places are not known. Rectangles'
    lines with 12 legible glyphs or more (seal stage): 454 lines of 299 genuine rectangles
    (seed 9002 and held-out seeds 290-295) at most 1 column; the four "COMMERCES"
    imitations of seeds 9001 and 292, 6.3-7.2; swaps (which move no letter) at most 2.5.

    0 also where one side did not move: more than ``_STAYED`` of its glyphs lie at the other
    side's level (within ``_STEP_FIT``). A letter added moves every glyph on its side; glyphs
    found off alone in a faint stretch do not take their neighbours with them. Held-out 581
    c00090, a genuine AU-DAFF rectangle: the first six glyphs of its first line at 0, -8, 0,
    -6, -8, -8 and the 29 after them at 0 but for two found off, a step of 7.0 from a run of
    four (two of its six at the other side's level). Where a line of the 1,405 rectangles of
    held-out 552-573 or a ring or line of the calibration imitations 9101-9106 stepped 3 or
    more, 0.18 of a side at most (0.17 where a letter was added).

    0 also where the step explains little: the glyphs' distance from the two-run model under
    their distance from one drifting line (``_unstepped_distance``) by less than
    ``_STEP_GAIN`` columns. Held-out 461 c00031, a genuine ZA-SACCI rectangle, read 17 glyphs
    of its first line at 0 but for three found off alone (-8, +4, -9); a drift tilted by those
    and a step of 4.8 between them fitted 2.4 columns better than none, and it was reviewed as
    a letter added. The "COMMERCES" imitations of seeds 9001, 414, 425 and 457 (steps
    6.3-7.1): 23 to 35 columns better; no other line of the 1,815 rectangles of seeds 9001,
    9002 and 414-465 stepped."""
    fit = _drift_and_step(offsets, centres)
    if fit is None:
        return 0.0
    _drift, step, distance, stayed = fit
    if _unstepped_distance(offsets, centres) - distance < _STEP_GAIN or stayed > _STAYED:
        return 0.0
    return step


def ring_drift_stepped(offsets: tuple[int, ...], centres: tuple[float, ...]) -> bool:
    """Whether a ring's glyphs step forward by ``_RING_DRIFT_STEP`` columns or more past a
    drift common to both runs (``drift_step``), however much unread strip lies between: a
    letter added inside the text, its glyphs on each side closing up on one drift. The
    unread strip's allowance of ``stepped`` (``_GAP_DRIFT`` a column) hid such a step across
    a long gap: held-out 449 c00155, a US-APHIS ring printing "OFE" (2,172 pixels of
    difference, accepted), -1 to -3 over 106 columns, then +5 to 0 after 330 columns of
    faint ink: 16.7 past the drift. Ring impressions of seeds 9001, 9002 and 414-471 with 12
    legible glyphs or more (2,672 genuine): 11.0 at most among those matched (416 c00098);
    the letters added, 10.9-16.9 (all but 449 c00155 caught already)."""
    return drift_step(offsets, centres) >= _RING_DRIFT_STEP


def _unstepped_distance(offsets: tuple[int, ...], centres: tuple[float, ...]) -> float:
    """The glyphs' summed distance, in columns, from one line drifting through them all
    (``_slope``; its level the median)."""
    o, c = np.asarray(offsets, dtype=float), np.asarray(centres, dtype=float)
    r = o - _slope(o, c) * c
    return float(np.abs(r - np.median(r)).sum())


def closed_then_stepped(offsets: tuple[int, ...], centres: tuple[float, ...]) -> bool:
    """Whether a ring's glyphs close up along a common drift by ``_CLOSED_UP`` columns or more
    (``drift_step``'s drift, over the span ``closed_up`` measures) and step forward by
    ``_STEP`` or more past it, where their places also step (``stepped``: the gap's allowance,
    no drift): a letter added inside the text. The text fills a fixed arc, so the glyphs
    before the added letter close up towards it and those after it start a letter later,
    closing up on to the end. Held-out seed 368 c00007, an imitation printing "ANDE" for "AND":
    +2 to -7 over 36 glyphs, then +3 to +1 (drift -10.5, step 8.3); ``closed_up``'s falling
    thirds and ``stepped``'s share of glyphs off missed it. Held-out 282 c00023, a genuine
    CN-CCPIT oval fitted off its centre, fits a drift of -13 and a step of 12 across 268
    columns of faint ink, but its places step by 4.5 there, less than the gap allows: a wave.
    Ring impressions of seeds 9001, 9002 and held-out 354-369 (1,061 genuine): genuine drifts
    -7.8 at the lowest, -7.2 with a forward step of 5; every imitation with a letter added
    inside its text that fits one (19) drifts -9.2 or lower and steps 8.3 or more."""
    fit = _drift_and_step(offsets, centres)
    if fit is None or not stepped(offsets, centres):
        return False
    slope, step, _distance, _stayed = fit
    return step >= _STEP and slope * _trend_span(centres) <= -_CLOSED_UP


def stepped_ahead(offsets: tuple[int, ...], centres: tuple[float, ...]) -> bool:
    """Whether, after some place, the next ``_AHEAD`` glyphs sit ``_FORWARD`` columns or more
    ahead of where the ``_LINE_RUN`` or more glyphs before it put them, extrapolated along
    their own drift (Theil-Sen; they lie on it, median distance under ``_LINE_FIT``, and it
    does not open up), less what a ring fitted off its centre can drift across the unread
    strip between (``_GAP_DRIFT`` a column, as in ``stepped``): a letter added inside a ring's
    text, the glyphs before it closing up towards it and those after it a letter later.

    The line is carried on no further than the glyphs on it reach back, from the last of
    them: a few glyphs bunched together give a slope that means nothing far away (held-out seed
    282 c00023, a genuine CN-CCPIT oval fitted off its centre, whose four glyphs at -4 to -6
    over 47 columns, carried on 390 columns, put the rest 15 columns ahead).

    ``closed_then_stepped`` wants a common drift on both sides, each side's glyphs on their
    level; held-out seed 423 c00154 ("NEWE", 4,488 pixels of difference, accepted) closed up
    from +1 to -7 over 25 glyphs, then the four glyphs after the added letter read +5, +3, +2,
    +2 (one off its run's level): 8.5 columns ahead of the line; 423 c00143 ("FOODS", 5,042
    pixels, accepted): 8.5. Ring impressions of seeds 414-423, 9001 and 9002 with 12 legible
    glyphs or more (610 genuine): 3.0 at most; the 19 imitations with a letter added inside
    their text among them, 8.2 or more (the other 16 were caught already).
    """
    return ahead_of_line(offsets, centres) >= _FORWARD


def ahead_of_line(offsets: tuple[int, ...], centres: tuple[float, ...]) -> float:
    """``stepped_ahead``'s measure: the most columns the glyphs after a place sit ahead of the
    line of those before it, past the unread strip's allowance (-inf where none is measured)."""
    n = len(offsets)
    most = -np.inf
    if n < _LINE_RUN + _SIDE or len(centres) != n:
        return most
    o, c = np.asarray(offsets, dtype=float), np.asarray(centres, dtype=float)
    pitch = float(np.median(np.diff(c)))
    for i in range(_LINE_RUN, n - _SIDE + 1):
        slope = _slope(o[:i], c[:i])
        level = float(np.median(o[:i] - slope * c[:i]))
        off = np.abs(o[:i] - slope * c[:i] - level)
        if slope > 0 or float(np.median(off)) >= _LINE_FIT:
            continue
        on = np.nonzero(off < _LINE_FIT)[0]
        last = min(n, i + _AHEAD) - 1
        anchor = int(on[-1])  # the last glyph on the line: it is carried on from there
        if c[last] - c[anchor] > c[anchor] - c[on[0]]:
            continue  # carried on further than the glyphs on it reach
        ahead = float(np.median(o[i : last + 1] - slope * c[i : last + 1] - level))
        most = max(most, ahead - _GAP_DRIFT * _gap(centres, pitch, anchor, last))
    return float(most)


def _slope(o: np.ndarray, c: np.ndarray) -> float:
    """Theil-Sen: the median slope of offset ``o`` on place ``c`` over all pairs of glyphs."""
    i, j = np.triu_indices(len(o), 1)
    apart = c[j] != c[i]
    return float(np.median((o[j] - o[i])[apart] / (c[j] - c[i])[apart])) if apart.any() else 0.0


def _drift_and_step(
    offsets: tuple[int, ...], centres: tuple[float, ...]
) -> tuple[float, float, float, float] | None:
    """``drift_step``'s fit: (the common drift in columns of offset per column of place, the
    step, the glyphs' summed distance from it, the larger share of a side's glyphs at the other
    side's level), or None where there is none."""
    n = len(offsets)
    if n < 2 * _RUN or len(centres) != n:
        return None
    o, c = np.asarray(offsets, dtype=float), np.asarray(centres, dtype=float)
    best: tuple[float, float, float, float, float] | None = None  # distance, step, median,
    # slope, stayed
    for i in range(_RUN, n - _RUN + 1):
        slope = _within_slope(o, c, i)
        r = o - slope * c
        before, after = float(np.median(r[:i])), float(np.median(r[i:]))
        near = (np.abs(r[:i] - before) <= _STEP_FIT, np.abs(r[i:] - after) <= _STEP_FIT)
        if min(int(side.sum()) for side in near) < _RUN:
            continue  # a run is _RUN glyphs on its level: two found off are no run
        dist = np.abs(np.concatenate([r[:i] - before, r[i:] - after]))
        if best is None or float(dist.sum()) < best[0]:
            stayed = max(
                float(np.mean(np.abs(r[:i] - after) <= _STEP_FIT)),
                float(np.mean(np.abs(r[i:] - before) <= _STEP_FIT)),
            )
            best = (float(dist.sum()), after - before, float(np.median(dist)), slope, stayed)
    if best is None or best[2] >= _STEP_FIT:
        return None
    return best[3], best[1], best[0], best[4]


def _within_slope(o: np.ndarray, c: np.ndarray, split: int) -> float:
    """The median slope of offset ``o`` on place ``c`` over the pairs of glyphs that lie on
    the same side of ``split``."""
    slopes: list[np.ndarray] = []
    for side in (slice(0, split), slice(split, len(o))):
        so, sc = o[side], c[side]
        i, j = np.triu_indices(len(so), 1)
        apart = sc[j] != sc[i]
        slopes.append((so[j] - so[i])[apart] / (sc[j] - sc[i])[apart])
    pooled = np.concatenate(slopes)
    return float(np.median(pooled)) if pooled.size else 0.0


def together(offsets: list[int] | tuple[int, ...]) -> bool:
    """Whether glyphs found at these offsets sit together: within ``_PLATEAU`` columns."""
    return max(offsets) - min(offsets) <= _PLATEAU


def _runs(
    offsets: tuple[int, ...], side: int, centres: tuple[float, ...] = ()
) -> Iterator[tuple[tuple[int, ...], tuple[int, ...], float]]:
    """At each place with ``side`` glyphs or more on either side: up to ``_RUN`` glyphs before
    it, up to ``_RUN`` after it, and the columns of step a ring's drift across the unread
    strip between them can make (``_GAP_DRIFT`` a column of it; 0 without ``centres``)."""
    pitch = float(np.median(np.diff(centres))) if len(centres) > 1 else 0.0
    for i in range(side, len(offsets) - side + 1):
        first, last = max(0, i - _RUN), min(len(offsets), i + _RUN) - 1
        yield (
            offsets[first:i],
            offsets[i : last + 1],
            _GAP_DRIFT * _gap(centres, pitch, first, last),
        )


def scale_error(offsets: tuple[int, ...], centres: tuple[float, ...] = ()) -> bool:
    """Whether glyphs found off their places are explained by a ring fitted a little too small
    or large: centred (median under ``_STEP``), drifting smoothly (not ``stepped``) and not far
    (not ``drifted``). Anything else, a shift, a step or a long drift, is text set differently."""
    centred = abs(float(np.median(offsets))) < _STEP
    return centred and not stepped(offsets, centres) and not drifted(offsets)


def drifted(offsets: tuple[int, ...]) -> bool:
    """Whether the glyphs' places drift ``_DRIFT`` columns or more from one end of the line to
    the other (medians of ``_RUN`` glyphs each end). A ring set with a letter more or fewer
    spreads its letters evenly, so the places drift smoothly but far (a clean "FORESTS" for
    "FORESTRY": -8 to +5 over 30 glyphs); a ring fitted a little too small or large drifts
    a few columns (seed 116 c00040: -5 to +1 over 40 glyphs)."""
    if len(offsets) < 2 * _RUN:
        return False
    first, last = float(np.median(offsets[:_RUN])), float(np.median(offsets[-_RUN:]))
    return abs(last - first) >= _DRIFT


def closed_up(offsets: tuple[int, ...], centres: tuple[float, ...]) -> bool:
    """Whether the glyphs' places close up along the ring by ``_CLOSED_UP`` columns or more,
    lie on that trend (median distance under ``_ON_TREND``: a wrong pose scatters them) and
    fall all the way (the medians of the first, middle and last third of the glyphs each
    lower than the one before). The trend: Theil-Sen, the median slope of offset on place over
    all pairs of glyphs, which a few glyphs found off or a star placed apart from the text
    cannot tilt, times the span from the first legible glyph to the last, where a stretch
    without one counts ``_SPAN_GAP`` columns at most: the trend is seen where glyphs are.
    Held-out seed 340 c00030, a genuine AU-DAFF ring, drifted +3 to -1 over 300 columns of
    legible glyphs (a scale error); one glyph 393 columns before them made that a closing up of
    9.8. Imitations' stars and end letters lie 72-84 columns past the rest (9001 c00257
    "NEWE", 321 c00015 "PPQE").

    A ring's text fills a fixed arc, so a letter added closes every letter up towards the
    middle: the first ones move later, the last ones earlier, by about a letter's pitch
    between the ends, and nowhere a step; with only a quarter of the glyphs 4 columns off or
    more, ``drifted``'s end medians, caught on a star or one glyph found off, missed it
    (held-out seed 272 c00011, an imitation "APHIS PPQE": +4 to -7, trend -12.3, thirds 2,
    -1, -4). A ring fitted off its centre drifts its glyphs along a wave, not a line: held-out
    282 c00023, a genuine CN-CCPIT oval, trend -11 but thirds -4.5, -2, -4. Ring impressions
    of seeds 110-115, 150-155, 224-283 and 900-905 (3,508): genuine otherwise at most -7.3 (a
    scale error drifts either way, 12 at most); the imitations with a letter added at the end
    -10.3 to -12.3 (three "PPQE", a "DAE" all the way down). A letter dropped opens them up
    instead, which a scale error's drift does as far, so only closing up is read."""
    if len(offsets) < 3 or len(centres) != len(offsets):
        return False
    o, c = np.asarray(offsets, dtype=float), np.asarray(centres, dtype=float)
    if not (c != c[0]).any():
        return False
    slope = _slope(o, c)
    residual = o - slope * c
    on_trend = float(np.median(np.abs(residual - np.median(residual)))) < _ON_TREND
    n = len(o)
    first, middle, last = (
        float(np.median(part))
        for part in (o[: round(n / 3)], o[round(n / 3) : round(2 * n / 3)], o[round(2 * n / 3) :])
    )
    falling = first > middle > last
    return on_trend and falling and slope * _trend_span(centres) <= -_CLOSED_UP


def _trend_span(centres: tuple[float, ...]) -> float:
    """The columns from the first legible glyph to the last over which a trend is seen: a
    stretch without a glyph counts ``_SPAN_GAP`` columns at most."""
    gaps = np.diff(np.sort(np.asarray(centres, dtype=float)))
    return float(np.minimum(gaps, _SPAN_GAP).sum())


def normalise(strip: np.ndarray) -> np.ndarray:
    """Ink darkness (0 = paper) scaled to 0..1 by its 99th percentile of inked pixels."""
    f = strip.astype(np.float32)
    inked = f[f > 20]
    top = float(np.percentile(inked, 99)) if inked.size else 1.0
    return np.clip(f / max(top, 1.0), 0.0, 1.0)


def glyph_windows(spec: np.ndarray) -> list[tuple[int, int]]:
    """Column runs ``[c0, c1)`` of the specimen strip (0..1) that hold ink: its glyphs. Runs
    wider than a glyph can be (letters that touch) are split at their faintest column."""
    cols = spec.sum(axis=0)
    if cols.max() <= 0:
        return []
    rows = np.nonzero(spec.sum(axis=1) > _MIN_COL * spec.sum(axis=1).max())[0]
    widest = _WIDEST * max(4, int(rows[-1] - rows[0] + 1))
    inked = cols > _MIN_COL * cols.max()
    runs: list[tuple[int, int]] = []
    start = None
    for c, on in enumerate(np.append(inked, False)):
        if on and start is None:
            start = c
        elif not on and start is not None:
            if c - start >= _MIN_WIDTH:
                runs.extend(_split(cols, start, c, widest))
            start = None
    return runs


def _split(cols: np.ndarray, c0: int, c1: int, widest: float) -> list[tuple[int, int]]:
    if c1 - c0 <= widest:
        return [(c0, c1)]
    lo, hi = c0 + int(0.25 * (c1 - c0)), c1 - int(0.25 * (c1 - c0))
    cut = lo + int(np.argmin(cols[lo:hi]))
    return _split(cols, c0, cut, widest) + _split(cols, cut, c1, widest)


def register(spec: np.ndarray, imp: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """``imp`` shifted (whole pixels, up to ``dx``/``dy``) to fit ``spec`` best."""
    pad = cv2.copyMakeBorder(imp, dy, dy, dx, dx, cv2.BORDER_CONSTANT, value=0)
    x, y = _best_cut(spec, pad)
    return pad[y : y + spec.shape[0], x : x + spec.shape[1]]


def register_offset(spec: np.ndarray, imp: np.ndarray, dx: int, dy: int) -> tuple[int, int]:
    """Where ``spec`` fits best in ``imp`` padded by ``dx``/``dy`` (``register``'s cut)."""
    return _best_cut(spec, cv2.copyMakeBorder(imp, dy, dy, dx, dx, cv2.BORDER_CONSTANT, value=0))


def _best_cut(spec: np.ndarray, pad: np.ndarray) -> tuple[int, int]:
    res = cv2.matchTemplate(pad, spec, cv2.TM_CCORR_NORMED)
    _, _, _, (x, y) = cv2.minMaxLoc(res)
    return int(x), int(y)


def _swapped(spec: np.ndarray, a: tuple[int, int], b: tuple[int, int]) -> np.ndarray:
    """The strip between ``a[0]`` and ``b[1]`` with glyphs ``a`` and ``b`` in swapped order."""
    return np.hstack([spec[:, b[0] : b[1]], spec[:, a[1] : b[0]], spec[:, a[0] : a[1]]])


def _ncc(x: np.ndarray, y: np.ndarray) -> float:
    xm, ym = x - x.mean(), y - y.mean()
    den = float(np.sqrt((xm * xm).sum() * (ym * ym).sum()))
    return float((xm * ym).sum()) / den if den > 1e-6 else 0.0


def _best(imp_win: np.ndarray, hyp: np.ndarray) -> float:
    """The best NCC of ``hyp`` over the local shifts inside ``imp_win``."""
    res = cv2.matchTemplate(imp_win, hyp, cv2.TM_CCOEFF_NORMED)
    return float(res.max())


def check_glyphs(
    spec: np.ndarray, imp: np.ndarray, th: GlyphThresholds | None = None
) -> GlyphCheck:
    """Pairwise glyph evidence of ``imp`` against ``spec`` (same-shaped 0..1 strips, already
    registered to within a few pixels)."""
    th = th or GlyphThresholds()
    wins = glyph_windows(spec)
    padded = np.pad(imp.astype(np.float32), ((_LOCAL_ROWS, _LOCAL_ROWS), (_LOCAL, _LOCAL)))
    spec = spec.astype(np.float32)
    confirmed = 0
    unclear: list[int] = []
    contradicted: list[int] = []
    margins: list[float] = []
    fits: list[float] = []
    checked: list[int] = []
    for k in range(len(wins) - 1):
        a, b = wins[k], wins[k + 1]
        if a[0] == 0 or b[1] >= spec.shape[1]:
            continue  # a glyph cut by the strip's end (a ring's seam) is no letter to swap
        printed = spec[:, a[0] : b[1]]
        swapped = _swapped(spec, a, b)
        span = 1.0 - _ncc(printed, swapped)
        if span <= 1.0 - _SAME:
            continue
        window = padded[:, a[0] : b[1] + 2 * _LOCAL]
        g = _best(window, printed)
        q = _best(window, swapped)
        rel = (g - q) / span
        checked.append(k)
        margins.append(round(rel, 3))
        fits.append(round(g, 3))
        if rel >= th.confirm and g >= th.legible:
            confirmed += 1
        elif rel <= -th.contradict and q >= th.legible:
            contradicted.append(k)
        else:
            unclear.append(k)
    centres, offsets = _placement(spec, imp, wins)
    moved = sum(abs(off) >= _MOVED for off in offsets)
    return GlyphCheck(
        len(margins),
        confirmed,
        tuple(unclear),
        tuple(contradicted),
        tuple(margins),
        tuple(fits),
        len(offsets),
        moved,
        tuple(checked),
        tuple(wins),
        offsets,
        centres,
    )


def _placeless(own: np.ndarray, glyph: np.ndarray) -> bool:
    """Whether the specimen's own strip (``own``: the glyph's window, ``_SLIDE`` columns more
    each side) fits ``glyph`` ``_PLACELESS`` or better ``_MOVED`` columns or more off its place:
    a piece of a ring line the strip cuts at an oval's ends, a bar or rule, whose place along
    the strip no impression can tell (held-out seed 321 c00037, a genuine BR-MAPA oval: seven
    pieces of its ring line at the strip's ends, found +9 and -9 off, 0.99-1.0 off their
    places on the specimen itself, read as its text closed up; its letters fit at most 0.92)."""
    res = cv2.matchTemplate(own, glyph.astype(np.float32), cv2.TM_CCOEFF_NORMED).max(axis=0)
    far = np.abs(np.arange(res.size) - _SLIDE) >= _MOVED
    return bool(far.any() and float(res[far].max()) >= _PLACELESS)


def _placement(
    spec: np.ndarray, imp: np.ndarray, wins: list[tuple[int, int]]
) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """(centre column on the specimen, columns found off it) of each glyph the impression
    shows legibly (NCC ``_ALONE``) within ``_SLIDE`` columns of its place."""
    padded = np.pad(imp.astype(np.float32), ((_LOCAL_ROWS, _LOCAL_ROWS), (_SLIDE, _SLIDE)))
    own = np.pad(spec.astype(np.float32), ((_LOCAL_ROWS, _LOCAL_ROWS), (_SLIDE, _SLIDE)))
    centres: list[float] = []
    offsets: list[int] = []
    for c0, c1 in wins:
        glyph = spec[:, c0:c1]
        if c1 - c0 < _MIN_WIDTH + 2 or float(glyph.std()) < 1e-3:
            continue
        if _placeless(own[:, c0 : c1 + 2 * _SLIDE], glyph):
            continue
        res = cv2.matchTemplate(padded[:, c0 : c1 + 2 * _SLIDE], glyph, cv2.TM_CCOEFF_NORMED)
        _, v, _, (x, _y) = cv2.minMaxLoc(res)
        if v >= _ALONE:
            centres.append((c0 + c1) / 2.0)
            offsets.append(int(x - _SLIDE))
    return tuple(centres), tuple(offsets)
