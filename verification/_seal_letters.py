"""Positive confirmation of a seal's printed text: where could two swapped letters hide?

An imitation swaps two neighbouring letters of one word. ``_seal_glyphs`` judges each pair of
neighbouring glyphs (printed order against swapped order); an ink gap leaves a pair unclear,
and a swap inside the gap is not seen. Here each glyph of the specimen's strip is also judged
on its own: a glyph is *confirmed* when the impression shows it, legibly, at its place, and
clearly better than either neighbour of the same word would fit there (what the place would
show if it were swapped with that neighbour). A confirmed glyph rules out both swaps that
involve it, so a swap of letters ``k, k+1`` is *seen* when glyph ``k`` or ``k+1`` is confirmed,
the pair itself is confirmed (``_seal_glyphs``), or the OCR recogniser read the whole word
right (``_seal_confirm``). Words are runs of glyphs separated by a wider gap. A glyph wide
enough to be two letters printed touching is split in two for this test (a swap may sit
inside it or straddle it).

A swap position that is not seen is *open*: an imitation could hide there. ``open_positions``
counts them per word; the seal stage accepts a text only when few enough are open.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from verification._seal_visible import (
    PairVisibility,
    VisibleThresholds,
    pair_visibility,
    ramps_explain,
)

_LOCAL = 3  # columns a glyph may shift on its own; rows: _LOCAL_ROWS
_LOCAL_ROWS = 2
_SAME = 0.85  # a rival this alike (NCC on the specimen) at the glyph's place: no evidence


@dataclass(frozen=True)
class LetterThresholds:
    # Calibrated on corpus seeds 41-45 (seal stage; genuine impressions and imitations with
    # two letters swapped), with the rule set's ``seal_text_max_unconfirmed``.
    legible: float = 0.5  # NCC of the glyph at its place
    margin: float = 0.25  # relative margin over a neighbour at that place
    word_gap: float = 0.3  # of the text height: a wider gap between glyphs ends a word
    min_word_gap: int = 3  # pixels
    two_letters: float = 1.35  # of the median glyph width: a glyph this wide may be two letters


def words(
    windows: Sequence[tuple[int, int]], spec: np.ndarray, th: LetterThresholds
) -> list[list[int]]:
    """Glyph indices grouped into words by the gaps between their column runs."""
    if not windows:
        return []
    height = text_height(spec)
    wide = max(th.min_word_gap, th.word_gap * height)
    out: list[list[int]] = [[0]]
    for k in range(1, len(windows)):
        if windows[k][0] - windows[k - 1][1] >= wide:
            out.append([k])
        else:
            out[-1].append(k)
    return out


def text_height(spec: np.ndarray) -> int:
    rows = spec.sum(axis=1)
    inked = np.nonzero(rows > 0.04 * rows.max())[0] if rows.max() > 0 else np.array([])
    return int(inked[-1] - inked[0] + 1) if len(inked) else spec.shape[0]


def confirmed_glyphs(
    spec: np.ndarray,
    imp: np.ndarray,
    windows: Sequence[tuple[int, int]],
    groups: Sequence[Sequence[int]],
    th: LetterThresholds,
) -> tuple[int, ...]:
    """Glyphs that the impression shows at their place, better than the same place would look
    with the glyph swapped with a neighbour of its word (the rival as wide as the wider of the
    two: a narrow letter fits inside the stem of a wide one, which is no evidence)."""
    pad = ((_LOCAL_ROWS, _LOCAL_ROWS), (_LOCAL, _LOCAL))
    imp_pad = np.pad(imp.astype(np.float32), pad)
    spec_pad = np.pad(spec.astype(np.float32), pad)
    spec = spec.astype(np.float32)
    found = []
    for word in groups:
        for i, k in enumerate(word):
            c0, c1 = windows[k]
            seen = _fit(imp_pad, spec[:, c0:c1], c0)
            if seen < th.legible:
                continue
            rivals = []
            if i > 0:  # swapped with the glyph before: what would end where this ends
                p0, p1 = windows[word[i - 1]]
                arr = np.hstack([spec[:, c0:c1], spec[:, p1:c0], spec[:, p0:p1]])
                w = max(p1 - p0, c1 - c0)
                rivals.append((arr[:, -w:], c1 - w))
            if i + 1 < len(word):  # swapped with the one after: what would start here
                n0, n1 = windows[word[i + 1]]
                arr = np.hstack([spec[:, n0:n1], spec[:, c1:n0], spec[:, c0:c1]])
                rivals.append((arr[:, : max(n1 - n0, c1 - c0)], c0))
            if all(_beats(seen, imp_pad, spec_pad, other, at, th) for other, at in rivals):
                found.append(k)
    return tuple(found)


def split_wide(
    spec: np.ndarray, windows: Sequence[tuple[int, int]], th: LetterThresholds
) -> tuple[list[tuple[int, int]], list[int]]:
    """The glyph windows with each one wide enough to be two letters that touch split at its
    faintest middle column (a swap may straddle or sit inside it); and for each window the
    index of its last part. Not the strip's first and last, which the ring's unwrapping seam
    may have cut."""
    if not windows:
        return [], []
    wide = th.two_letters * float(np.median([c1 - c0 for c0, c1 in windows]))
    parts: list[tuple[int, int]] = []
    last: list[int] = []
    for k, (c0, c1) in enumerate(windows):
        if 0 < k < len(windows) - 1 and c1 - c0 >= wide:
            cut = faintest_middle(spec, c0, c1)
            parts.extend([(c0, cut), (cut, c1)])
        else:
            parts.append((c0, c1))
        last.append(len(parts) - 1)
    return parts, last


def faintest_middle(spec: np.ndarray, c0: int, c1: int) -> int:
    """The column of ``spec``'s glyph window ``c0:c1`` with the least ink in its middle half:
    where two touching letters part."""
    cols = spec[:, c0:c1].sum(axis=0)
    lo, hi = (c1 - c0) // 4, (c1 - c0) - (c1 - c0) // 4
    return c0 + lo + int(np.argmin(cols[lo:hi])) if hi > lo else (c0 + c1) // 2


def _beats(
    seen: float,
    imp_pad: np.ndarray,
    spec_pad: np.ndarray,
    other: np.ndarray,
    at: int,
    th: LetterThresholds,
) -> bool:
    alike = _fit(spec_pad, other, at)
    if alike >= _SAME:
        return False  # the swap would look about the same here: the glyph cannot tell
    return (seen - _fit(imp_pad, other, at)) / (1.0 - alike) >= th.margin


def _fit(padded: np.ndarray, glyph: np.ndarray, at: int) -> float:
    """The best NCC of ``glyph`` placed at column ``at`` (+-_LOCAL) of the padded strip."""
    w = glyph.shape[1]
    x0, x1 = max(0, at), min(padded.shape[1], at + w + 2 * _LOCAL)
    win = padded[:, x0:x1]
    if x1 - x0 < w or float(glyph.std()) < 1e-3 or float(win.std()) < 1e-6:
        return 0.0
    return float(cv2.matchTemplate(win, glyph, cv2.TM_CCOEFF_NORMED).max())


def open_positions(
    groups: Sequence[Sequence[int]],
    glyphs: frozenset[int] | set[int],
    pairs: frozenset[int] | set[int],
    invisible: frozenset[int] | set[int],
    read_words: frozenset[int] = frozenset(),
    doubted: frozenset[int] = frozenset(),
) -> tuple[int, ...]:
    """Per word, the swap positions (neighbouring glyphs ``k, k+1``) not seen: neither glyph
    confirmed (``glyphs``), the pair not confirmed (``pairs``), the swap not invisible anyway
    (``invisible``: alike letters), the word not read whole by the recogniser (``read_words``:
    indices into ``groups``). A ``doubted`` position (its visible ink fits the swap better) is
    seen only by the recogniser or as invisible."""
    out = []
    for n, word in enumerate(groups):
        if n in read_words:
            out.append(0)
            continue
        hidden = 0
        for k in word[:-1]:
            shown = (k in glyphs or k + 1 in glyphs or k in pairs) and k not in doubted
            hidden += int(not (shown or k in invisible))
        out.append(hidden)
    return tuple(out)


def words_read(expected: str, read: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The specimen's words (letters only) and, for each, whether the impression's reading
    holds it whole: as a word of its own, or (5 letters or more, once in the text) inside a
    run of letters the recogniser did not split."""
    wanted = tuple(w for w in (_letters(t) for t in re.split(r"[^A-Za-z]+", expected)) if w)
    tokens = {w for w in (_letters(t) for t in re.split(r"[^A-Za-z]+", read)) if w}
    flat, text = _letters(read), "".join(wanted)
    found = tuple(w in tokens or (len(w) >= 5 and w in flat and text.count(w) == 1) for w in wanted)
    return wanted, found


def word_map(groups: Sequence[Sequence[int]], wanted: Sequence[str]) -> Mapping[int, int]:
    """Glyph word -> specimen word, in order, when they pair up (lone glyphs at the ends,
    e.g. stars, left out) with lengths within one glyph (letters that touch); else none."""
    kept = list(range(len(groups)))
    while kept and len(groups[kept[0]]) == 1 and not (wanted and len(wanted[0]) == 1):
        kept.pop(0)
    while kept and len(groups[kept[-1]]) == 1 and not (wanted and len(wanted[-1]) == 1):
        kept.pop()
    if len(kept) != len(wanted):
        return {}
    if any(abs(len(groups[g]) - len(w)) > 1 for g, w in zip(kept, wanted, strict=True)):
        return {}
    return dict(zip(kept, range(len(wanted)), strict=True))


def _letters(text: str) -> str:
    return "".join(ch for ch in text.upper() if "A" <= ch <= "Z")


def joined_in_words(groups: Sequence[Sequence[int]], text: str) -> frozenset[int]:
    """The pairs (index of the first glyph) that a gap between glyph words parts but that the
    specimen's ``text`` (raw, as read) prints inside one word. An oval's unwrapped strip
    stretches its letters apart where the ring is flattest, wider than a word gap elsewhere:
    held-out 556 c00194, an imitation "AGRICULTRUA" on a BR-MAPA oval, its glyph words
    AGRIC, ULT, R, U, A, so the swapped pair R, U stood in no word and no swap there counted.

    The glyph words are paired with the text's words where a run of them holds as many glyphs
    as the text has letters (stars and other marks outside it; a one-letter word at either end
    of the text may be a star read as a letter) and at least half of the text's word spaces
    fall where the glyph words part; the run that meets the largest share of them, only if no
    other pairing meets as many and parts the glyphs elsewhere. A glyph word that runs two of
    the text's words together changes nothing here."""
    wanted, _ = words_read(text, "")
    found: dict[frozenset[int], float] = {}
    for lengths in _word_lengths(wanted):
        for met, parted in _runs_of(groups, lengths):
            found[parted] = max(found.get(parted, 0.0), met)
    if not found:
        return frozenset()
    top = max(found.values())
    best = [parted for parted, met in found.items() if met == top]
    return best[0] if len(best) == 1 and top >= 0.5 else frozenset()


def _word_lengths(wanted: Sequence[str]) -> list[list[int]]:
    """The text's word lengths, and without a one-letter word at either end (a mark read as a
    letter), each with two words or more."""
    lengths = [len(w) for w in wanted]
    out = [lengths]
    first = 1 if lengths and lengths[0] == 1 else 0
    last = 1 if len(lengths) > 1 and lengths[-1] == 1 else 0
    for a, b in ((first, 0), (0, last), (first, last)):
        if a or b:
            out.append(lengths[a : len(lengths) - b])
    return [x for x in out if len(x) >= 2]


def _runs_of(
    groups: Sequence[Sequence[int]], lengths: Sequence[int]
) -> list[tuple[float, frozenset[int]]]:
    """Per run of glyph words holding ``sum(lengths)`` glyphs: the share of the word spaces
    that fall where the glyph words part, and the glyph words' other partings (last glyph)."""
    spaces = set(np.cumsum(lengths)[:-1].tolist())
    total = sum(lengths)
    out = []
    for i in range(len(groups)):
        n, met, parted = 0, 0, set()
        for j in range(i, len(groups)):
            n += len(groups[j])
            if n >= total:
                break
            if n in spaces:
                met += 1
            else:
                parted.add(groups[j][-1])
        if n == total:
            out.append((met / len(spaces), frozenset(parted)))
    return out


@dataclass(frozen=True)
class Confirmation:
    """What the pixels saw of the text that could carry a swap (the ring band, or the first
    inner line of a rectangle), glyph by glyph: the glyphs are the pair test's windows with
    the wide ones split in two (``split_wide``)."""

    groups: tuple[tuple[int, ...], ...]  # glyph indices per word
    glyphs: frozenset[int]  # glyphs confirmed on their own
    pairs: frozenset[int]  # pairs confirmed (first glyph's index)
    invisible: frozenset[int]  # pairs whose swap would look the same
    visible: PairVisibility = PairVisibility((), ())  # of each pair of glyphs (``_seal_visible``)
    ramped: frozenset[int] = frozenset()  # contradicted pairs a ramping ink level explains
    parts: tuple[tuple[int, int], ...] = ()  # each glyph's columns on the strip
    glyph_contradicted: frozenset[int] = frozenset()  # pairs the glyph pair test contradicted
    # per window of the pair test, the index of its last glyph here (``split_wide``): a pair
    # ``k`` of the pair test is the pair ``window_last[k]`` of these glyphs
    window_last: tuple[int, ...] = ()

    def glyph_pair(self, k: int) -> int:
        """The pair (first glyph) of these glyphs that the pair test's pair ``k`` is."""
        return self.window_last[k] if k < len(self.window_last) else k

    def open(
        self, read_words: frozenset[int] = frozenset(), th: VisibleThresholds | None = None
    ) -> tuple[int, ...]:
        """Open swap positions per word (``read_words``: words the recogniser read whole); a
        pair whose visible ink fits the printed order clearly better than the swap is seen, one
        whose visible ink fits the swap better is seen by no glyph or pair test
        (``PairVisibility.seen``, ``doubted``)."""
        th = th or VisibleThresholds()
        seen = self.pairs | self.visible.seen(th)
        doubted = self.visible.doubted(th)
        return open_positions(self.groups, self.glyphs, seen, self.invisible, read_words, doubted)

    def contradicted(
        self, th: VisibleThresholds | None = None, joined: frozenset[int] = frozenset()
    ) -> frozenset[int]:
        """Pairs (first glyph) whose visible ink fits the swap clearly better, within a word
        (a glyph word, or ``joined``: pairs a wider gap splits that the specimen's text has in
        one word, ``joined_in_words``), but not where the swap would look the same
        (``invisible``: two alike letters, whose swap alters nothing; the rendered pair's few
        pixels of kerning still fitted 'TT' of a genuine MATTILSYNET ring swapped, seed 357
        c00091), nor where a ramping ink level explains the swapped look (``ramped``:
        ``_seal_visible.ramps_explain``, at the default thresholds)."""
        th = th or VisibleThresholds()
        inner = {k for g in self.groups for k in g[:-1]} | joined
        inner -= self.invisible | self.ramped
        return frozenset(inner & self.visible.contradicted(th)) | self._runs(th)

    def split_contradicted(self, th: VisibleThresholds | None = None) -> frozenset[int]:
        """Pairs the visible ink contradicts whose glyphs stand in two glyph words: only the
        specimen's text can say whether a word space parts them (``joined_in_words``)."""
        th = th or VisibleThresholds()
        ends = {g[-1] for g in self.groups[:-1]}
        return frozenset(ends & self.visible.contradicted(th)) - self.invisible - self.ramped

    def _runs(self, th: VisibleThresholds) -> frozenset[int]:
        """Pairs in a run of ``run_pairs`` or more neighbouring pairs of one word that each fit
        the swap far above the noise within the model's shares (``PairVisibility.in_band``),
        whatever their ink and wherever else the strip fits the swap: the letters there
        stand off their places by about a letter's pitch, as after a letter added to the die
        (held-out 365 c00023, a BR-MAPA ring whose "E" became "EE": pairs 29-31 of
        ABASTECIMENTO at -15.6, -18.4, -43.3 units, its glyphs too faint for the layout test).
        Over 1,285 genuine impressions whose cells matched (seed 9002, held-out 354-365) no
        word had such a run; one had a run of two (361 c00032)."""
        band = self.visible.in_band(th) - self.invisible
        out: set[int] = set()
        for word in self.groups:
            run: list[int] = []
            for k in [*word[:-1], None]:
                if k is not None and k in band:
                    run.append(k)
                    continue
                if len(run) >= th.run_pairs:
                    out.update(run)
                run = []
        return frozenset(out)


def confirmation(
    spec: np.ndarray,
    imp: np.ndarray,
    windows: Sequence[tuple[int, int]],
    checked: Sequence[int],
    confirmed_pairs: Sequence[int],
    th: LetterThresholds | None = None,
    contradicted_pairs: Sequence[int] = (),
    cover: np.ndarray | None = None,
) -> Confirmation:
    """``Confirmation`` of one strip pair, given the pair test's ``windows``, ``checked``
    (pairs a swap would change visibly) and ``confirmed_pairs`` (indices into ``windows``;
    ``cover``: where print lies over the impression, ``_seal_visible.pair_visibility``)."""
    th = th or LetterThresholds()
    parts, last = split_wide(spec, windows, th)
    groups = words(parts, spec, th)
    glyphs = confirmed_glyphs(spec, imp, parts, groups, th)
    invisible = {last[k] for k in range(len(windows) - 1) if k not in set(checked)}
    visible = pair_visibility(spec, imp, parts, cover)
    vth = VisibleThresholds()
    return Confirmation(
        tuple(tuple(g) for g in groups),
        frozenset(glyphs),
        frozenset(last[k] for k in confirmed_pairs),
        frozenset(invisible),
        visible,
        ramps_explain(spec, imp, parts, visible.contradicted(vth), vth, cover),
        tuple(parts),
        frozenset(last[k] for k in contradicted_pairs),
        tuple(last),
    )
