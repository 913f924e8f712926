"""Word spaces of an OCR line, measured on the ink of the page.

PP-OCR drops many spaces between words (and the character boxes it derives from its CTC
columns are evenly spread, so their gaps cannot tell a word gap from a letter gap). The page
can: between two characters the widest run of ink-free columns, in units of the line's height,
is about 0.1 inside a word and at least 0.2 between words, in proportional and monospaced
fonts alike (measured on simulator scans: a space the model printed was never wrong, so those
are kept). Punctuation gets its own thresholds: no space before ``,.;:)`` or after ``(``, and
number separators (``24,500.00``) need a much wider gap than a word. Marks first go through
``verification._marks`` (specks read as dots or apostrophes dropped, hyphens the model left
out put back).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import numpy as np

from verification import _marks
from verification._ink import InkLine, ink_line
from verification.ports import Box

Char = tuple[str, Box, float]

WORD_GAP = 0.2  # ink-free run between two characters, in line heights: a space
CAMEL_GAP = 0.13  # lower case then upper case or a digit: "EmmaKelly" 0.15+, "VeSSel" 0.11
WIDE_GAP = 0.3  # between digits, or two narrow letters ("Austral ia"): airy, never a space
_NARROW = "ilIj1|"  # seen: up to 0.17 between two of these, and no space among 109 pairs
DOT_DIGIT_GAP = 0.33  # "V.428W" up to 0.32 in monospace; "No. 88" is usually wider
DOT_UPPER_GAP = 0.25  # "K.K.", "S.A." up to 0.21 (a dot is narrow); "Z. Smith" 0.28+
# after a lower-case word ("Pvt. Ltd", "Pte. Ltd" 0.228-0.238) the word gap applies
NARROW_UPPER_GAP = 0.3  # a monospaced "1" before a capital: "V.111S" 0.21, "Lot 1 A" 0.35+
PAREN_GAP = 0.1  # before "(" after a word: always a space in print, "grapes (Vitis" 0.18
HYPHEN_GAP = 0.22  # around "-": "Santos - SP" 0.237+, "NZ-PH-6449" 0.21 at most
SLASH_GAP = 0.4  # around "/": "WELLNESS / 179S" 0.6+, "12/03/2026" 0.23 at most
NUMBER_GAP = 0.45  # after a "," or "." that sits between digits
LOCAL_SPACED = 2.5  # a space between letters needs this many times their neighbours' gaps
LETTER_SPACED = 1.6  # a space needs a gap this many times the line's median gap, ...
_MIN_GAPS = 6  # ... on lines with at least this many gaps
MONO_GAP = 0.35  # a gap this wide is a space in monospaced type too (a space: 0.5+)
MONO_SPREAD = 0.035  # glyph-to-glyph steps this even (median deviation / median): monospaced
MONO_STEP = 1.08  # a step below this many cells is no space (a space makes about two)
MONO_SHORTEST = 0.6  # a step this much shorter than the pitch is proportional type
_CELL_WINDOW = 4  # glyph pairs looked at on each side of a gap
_MIN_CELLS = 3
_EVEN_SIDE = 0.6  # of the threshold: the narrower side of an evenly spaced mark
_NO_SPACE_BEFORE = ",.;:)]%"
_TAIL = 0.3  # line heights of page past the box's right edge where a full stop after the
# last letter is looked for (the detector's box can end inside it)
_NO_SPACE_AFTER = "(["


def respace(
    chars: Sequence[Char], quad: Sequence[tuple[float, float]], gray: np.ndarray
) -> list[Char] | None:
    """The line's characters with spaces set from ink gaps and toner specks read as dots
    dropped; None when the line cannot be measured."""
    line = ink_line(quad, gray)
    if line is None:
        return None
    kept = _marks.repair(list(chars), line, lambda: ink_line(quad, gray, _TAIL))
    glyphs = [c for c in kept if c[0] != " "]
    text = "".join(c[0] for c in glyphs)
    xs = [_centre(c[1]) for c in glyphs]
    runs = line.runs(xs)
    gaps = [(b - a) / line.height for a, b in runs]
    steps = _steps(runs, glyphs, line)
    free = _paper(line, xs)
    floor = _letter_spacing_floor(gaps)
    spaced_marks = _spaced_slashes(text, gaps) | _spaced_hyphens(text, gaps)
    out: list[Char] = []
    spaced = False
    k = 0  # index of the glyph in ``glyphs``
    for c in kept:
        if c[0] == " ":
            spaced = True
            continue
        if k > 0:
            before = out[-2][0] if len(out) >= 2 else ""
            gap = gaps[k - 1]
            needed = threshold(before, glyphs[k - 1][0], c[0], text[k + 1 : k + 5])
            if k - 1 in spaced_marks:
                needed = min(needed, WORD_GAP * _EVEN_SIDE)
            if c[0].isalpha() and glyphs[k - 1][0].isalpha() and free[k - 1] <= gap:
                needed = max(needed, _local_floor(gaps, k - 1))  # one run of paper: no mark
            if spaced or (gap > needed and gap > floor and not _one_cell(gaps, steps, k - 1)):
                out.append((" ", c[1], c[2]))
        out.append(c)
        k, spaced = k + 1, False
    return out


def _spaced_hyphens(text: str, gaps: Sequence[float]) -> set[int]:
    """Both gaps around a "-" that is spaced on one side and nearly so on the other: print sets
    a spaced hyphen evenly ("Sea freight - OOCL" measured 0.21 and 0.24), never "freight- OOCL",
    and a hyphen inside a word or code has tight gaps (0.05-0.08) on both sides."""
    out: set[int] = set()
    for k in range(1, len(text) - 1):
        if text[k] != "-":
            continue
        wide, narrow = max(gaps[k - 1], gaps[k]), min(gaps[k - 1], gaps[k])
        if wide > HYPHEN_GAP and narrow > _EVEN_SIDE * HYPHEN_GAP:
            out.update((k - 1, k))
    return out


def _steps(runs: Sequence[tuple[int, int]], glyphs: Sequence[Char], line: InkLine) -> list[float]:
    """Distance between the ink centres of each two neighbouring glyphs, in line heights (a
    glyph's ink runs from the gap before it to the gap after it)."""
    if not runs:
        return []
    left = [line.column(glyphs[0][1][0])] + [end for _, end in runs]
    right = [start for start, _ in runs] + [line.column(glyphs[-1][1][2])]
    centres = [(a + b) / 2 for a, b in zip(left, right, strict=True)]
    return [(b - a) / line.height for a, b in zip(centres, centres[1:], strict=False)]


def _one_cell(gaps: Sequence[float], steps: Sequence[float], k: int) -> bool:
    """Whether gap ``k`` lies inside a monospaced run one cell from glyph to glyph: there
    (typewriter and Courier values) narrow letters and dots leave wide gaps ("Nel son",
    "Z. z.") but a word space is a whole empty cell, a step of about two cells."""
    if gaps[k] >= MONO_GAP:
        return False
    near = _cell_pairs(gaps, k, cross=False)
    if len(near) < _MIN_CELLS:
        near = _cell_pairs(gaps, k, cross=True)
    if len(near) < _MIN_CELLS:
        return False
    pitch = float(np.median([steps[j] for j in near]))
    spread = float(np.median([abs(steps[j] - pitch) for j in near])) / max(pitch, 1e-6)
    short = min(steps[j] for j in near) < MONO_SHORTEST * pitch  # "ri" 0.21 in 0.46 steps
    return spread <= MONO_SPREAD and not short and steps[k] < MONO_STEP * pitch


def _cell_pairs(gaps: Sequence[float], k: int, *, cross: bool) -> list[int]:
    """Up to ``_CELL_WINDOW`` glyph pairs on each side of gap ``k`` that are no word space;
    without ``cross``, not past a word space."""
    out: list[int] = []
    for direction in (-1, 1):
        j, taken = k + direction, 0
        while 0 <= j < len(gaps) and taken < _CELL_WINDOW:
            if gaps[j] < MONO_GAP:
                out.append(j)
                taken += 1
            elif not cross:
                break
            j += direction
    return out


def _spaced_slashes(text: str, gaps: Sequence[float]) -> set[int]:
    """Gaps around a "/" between a word and a number that are word-wide on both sides: a
    spaced slash ("KOTA PERMAI / 069S": 0.21-0.31 in tight bold type), where a slash inside a
    code or date ("NZ26/831434", "12/03/2026") is set between digits."""
    out: set[int] = set()
    for k in range(1, len(text) - 1):
        if text[k] != "/" or not (text[k - 1].isalpha() and text[k + 1].isdigit()):
            continue
        if gaps[k - 1] > WORD_GAP and gaps[k] > WORD_GAP:
            out.update((k - 1, k))
    return out


def _letter_spacing_floor(gaps: Sequence[float]) -> float:
    """A gap no wider than ``LETTER_SPACED`` times the line's median gap is letter spacing,
    whatever the thresholds say: headings set wide ("P H Y T O") and bold display type have
    letter gaps near a word gap of body text. Body text's median gap is far below the
    thresholds, so this changes nothing there."""
    if len(gaps) < _MIN_GAPS:
        return 0.0
    return LETTER_SPACED * float(np.median(gaps))


def _paper(line: InkLine, xs: Sequence[float]) -> list[float]:
    """For each two neighbouring page x in ``xs``, all ink-free columns between them, in line
    heights (more than the widest run where a mark or speck splits the paper)."""
    cols = [max(0, line.column(x)) for x in xs]
    blank = ~line.profile
    return [float(blank[a:b].sum()) / line.height for a, b in zip(cols, cols[1:], strict=False)]


def _local_floor(gaps: Sequence[float], k: int) -> float:
    """``LOCAL_SPACED`` times the median letter gap (below ``WORD_GAP``) of up to
    ``_CELL_WINDOW`` gaps either side of gap ``k``: a word space is several letter gaps wide
    in any type ("Fresh cherries (Prunus avium)" set airy on a degraded scan: letters 0.06-0.18
    apart, "r" to "u" 0.21, words 0.59+), so a gap only twice its neighbours is inside a word.
    0 with fewer than ``_MIN_CELLS`` letter gaps near."""
    near = [
        g
        for j, g in enumerate(gaps[max(0, k - _CELL_WINDOW) : k + _CELL_WINDOW + 1])
        if j != min(k, _CELL_WINDOW) and g < WORD_GAP
    ]
    if len(near) < _MIN_CELLS:
        return 0.0
    # ``statistics.median``: the same value as ``np.median`` (the middle one, or the two middle
    # ones' mean), without numpy's call overhead on a few floats (called for most letter pairs:
    # ~0.1 s of a page's recogniser-thread CPU)
    return LOCAL_SPACED * statistics.median(near)


def threshold(before: str, a: str, b: str, after: str = "") -> float:
    """The ink gap (line heights) between characters ``a`` and ``b`` that makes a space.

    ``before`` is the character printed before ``a``, ``after`` the text after ``b``.
    """
    if b in _NO_SPACE_BEFORE or a in _NO_SPACE_AFTER:
        return float("inf")
    if a in ",;:" and b.isalpha():
        return -1.0  # "Citrusdal 7340, South Africa": always a space after the separator
    if a == "%" and b.isalpha():
        return -1.0  # "26% fat": a word never runs on from a percentage ("f" overhangs it)
    if a in ".,":
        return _after_punctuation(before, a, b, after)
    if a == "1" and b.isupper():
        return NARROW_UPPER_GAP
    if b == "(" and a.isalnum():
        return PAREN_GAP
    if a.islower() and (b.isupper() or (b.isdigit() and b not in _NARROW)):
        return CAMEL_GAP  # a word's lower case runs into no code: "Chanthaburi 22000" 0.2
    if "/" in (a, b):
        return SLASH_GAP
    if "-" in (a, b):
        return HYPHEN_GAP
    if (a.isdigit() and b.isdigit()) or (a in _NARROW and b in _NARROW):
        return WIDE_GAP
    return WORD_GAP


def _after_punctuation(before: str, a: str, b: str, after: str) -> float:
    if a == "," and before.isdigit() and _long_number(b + after):
        return WORD_GAP  # "Z.z. 40, 3089 JH", "12, 27572 Bremerhaven": a list, not a number
    if before.isdigit() and b.isdigit():
        return NUMBER_GAP
    if a == "." and b.isdigit():  # "V.428W" (after a capital) is tight, "No. 88" is not
        return WORD_GAP if before.islower() else DOT_DIGIT_GAP
    if a == "." and b.isupper():  # "Pvt. Ltd" (after a word) is as wide as a word space
        return WORD_GAP if before.islower() else DOT_UPPER_GAP
    return WORD_GAP


def _long_number(text: str) -> bool:
    """Whether ``text`` starts with four or more digits: after a comma that is no thousands
    separator (three digits) nor a decimal comma (one or two)."""
    return len(text) - len(text.lstrip("0123456789")) >= 4


def _centre(box: Box) -> float:
    return (box[0] + box[2]) / 2
