"""Word spaces of an OCR line, measured on the ink of the page.

PP-OCR drops many spaces between words (and the character boxes it derives from its CTC
columns are evenly spread, so their gaps cannot tell a word gap from a letter gap). The page
can: between two characters the widest run of ink-free columns, in units of the line's height,
is about 0.1 inside a word and at least 0.2 between words, in proportional and monospaced
fonts alike (measured on simulator scans: a space the model printed was never wrong, so those
are kept). Punctuation gets its own thresholds: no space before ``,.;:)`` or after ``(``, and
number separators (``24,500.00``) need a much wider gap than a word. A dot read with doubt
whose ink is no bigger than a toner speck (1-2 px) is dropped ("Silver.Fern", "Los Angeles.").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from verification.ports import Box

Char = tuple[str, Box, float]

WORD_GAP = 0.2  # ink-free run between two characters, in line heights: a space
CAMEL_GAP = 0.13  # lower then upper case: "EmmaKelly" 0.15+, monospaced "VeSSel" 0.11
WIDE_GAP = 0.3  # between digits, or two narrow letters ("Austral ia"): airy, never a space
_NARROW = "ilIj1|"  # seen: up to 0.17 between two of these, and no space among 109 pairs
DOT_DIGIT_GAP = 0.33  # "V.428W" up to 0.32 in monospace; "No. 88" is usually wider
DOT_UPPER_GAP = 0.25  # "K.K.", "S.A." up to 0.21 (a dot is narrow); "Z. Smith" 0.28+
NARROW_UPPER_GAP = 0.3  # a monospaced "1" before a capital: "V.111S" 0.21, "Lot 1 A" 0.35+
PAREN_GAP = 0.1  # before "(" after a word: always a space in print, "grapes (Vitis" 0.18
HYPHEN_GAP = 0.22  # around "-": "Santos - SP" 0.237+, "NZ-PH-6449" 0.21 at most
SLASH_GAP = 0.4  # around "/": "WELLNESS / 179S" 0.6+, "12/03/2026" 0.23 at most
NUMBER_GAP = 0.45  # after a "," or "." that sits between digits
LETTER_SPACED = 1.6  # a space needs a gap this many times the line's median gap, ...
_MIN_GAPS = 6  # ... on lines with at least this many gaps
_NO_SPACE_BEFORE = ",.;:)]%"
_NO_SPACE_AFTER = "(["
_BAND = (0.15, 0.85)  # rows of the line used for the ink profile (skips neighbours' tails)
_DOTS = ".·"
_SURE_DOT = 0.95  # a dot read with this confidence is kept without looking
_DOT_SIDE = 0.05  # a printed full stop is at least this wide and tall (line heights), ...
_DOT_AREA = 0.0045  # ... this much ink (line heights squared; toner specks are smaller) ...
_DOT_TOP = 0.5  # ... and sits on the baseline: its top below this share of the line


def respace(
    chars: Sequence[Char], quad: Sequence[tuple[float, float]], gray: np.ndarray
) -> list[Char] | None:
    """The line's characters with spaces set from ink gaps and toner specks read as dots
    dropped; None when the line cannot be measured."""
    ink = _ink_columns(quad, gray)
    if ink is None:
        return None
    line = ink
    kept = [c for c in chars if c[0] == " " or not _speck(c, line)]
    glyphs = [c for c in kept if c[0] != " "]
    text = "".join(c[0] for c in glyphs)
    gaps = line.gaps([_centre(c[1]) for c in glyphs])
    floor = _letter_spacing_floor(gaps)
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
            if spaced or (gap > needed and gap > floor):
                out.append((" ", c[1], c[2]))
        out.append(c)
        k, spaced = k + 1, False
    return out


def _letter_spacing_floor(gaps: Sequence[float]) -> float:
    """A gap no wider than ``LETTER_SPACED`` times the line's median gap is letter spacing,
    whatever the thresholds say: headings set wide ("P H Y T O") and bold display type have
    letter gaps near a word gap of body text. Body text's median gap is far below the
    thresholds, so this changes nothing there."""
    if len(gaps) < _MIN_GAPS:
        return 0.0
    return LETTER_SPACED * float(np.median(gaps))


def threshold(before: str, a: str, b: str, after: str = "") -> float:
    """The ink gap (line heights) between characters ``a`` and ``b`` that makes a space.

    ``before`` is the character printed before ``a``, ``after`` the text after ``b``.
    """
    if b in _NO_SPACE_BEFORE or a in _NO_SPACE_AFTER:
        return float("inf")
    if a in ",;:" and b.isalpha():
        return -1.0  # "Citrusdal 7340, South Africa": always a space after the separator
    if a == "," and before.isdigit() and _long_number(b + after):
        return WORD_GAP  # "Z.z. 40, 3089 JH", "12, 27572 Bremerhaven": a list, not a number
    if a in ".," and before.isdigit() and b.isdigit():
        return NUMBER_GAP
    if a == "." and b.isdigit():  # "V.428W" (after a capital) is tight, "No. 88" is not
        return WORD_GAP if before.islower() else DOT_DIGIT_GAP
    if a == "." and b.isupper():
        return DOT_UPPER_GAP
    if a == "1" and b.isupper():
        return NARROW_UPPER_GAP
    if b == "(" and a.isalnum():
        return PAREN_GAP
    if a.islower() and b.isupper():
        return CAMEL_GAP
    if "/" in (a, b):
        return SLASH_GAP
    if "-" in (a, b):
        return HYPHEN_GAP
    if (a.isdigit() and b.isdigit()) or (a in _NARROW and b in _NARROW):
        return WIDE_GAP
    return WORD_GAP


def _long_number(text: str) -> bool:
    """Whether ``text`` starts with four or more digits: after a comma that is no thousands
    separator (three digits) nor a decimal comma (one or two)."""
    return len(text) - len(text.lstrip("0123456789")) >= 4


def _centre(box: Box) -> float:
    return (box[0] + box[2]) / 2


@dataclass(frozen=True)
class _Line:
    """The straightened, binarised crop of one OCR line."""

    ink: np.ndarray  # (h, w) 1 where ink
    profile: np.ndarray  # (w,) any ink in the middle band of the column
    height: float
    x0: float  # page x of the crop's left edge
    scale: float  # crop columns per page pixel

    def column(self, x: float) -> int:
        return round((x - self.x0) * self.scale)

    def gaps(self, xs: Sequence[float]) -> list[float]:
        """For each two neighbouring page x in ``xs`` (ascending), the widest ink-free run of
        columns between them, in line heights."""
        if len(xs) < 2:
            return []
        edges = np.diff(np.concatenate(([0], (~self.profile).astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        cols = np.clip(np.array([self.column(x) for x in xs]), 0, None)
        a, b = cols[:-1, None], cols[1:, None]
        runs = np.minimum(ends[None, :], b) - np.maximum(starts[None, :], a)
        if runs.size == 0:
            return [0.0] * (len(xs) - 1)
        return [float(v) / self.height for v in np.clip(runs.max(axis=1), 0, None)]


def _ink_columns(quad: Sequence[tuple[float, float]], gray: np.ndarray) -> _Line | None:
    if len(quad) != 4:
        return None
    q = np.array(quad, dtype=np.float32)
    width = float(np.linalg.norm(q[1] - q[0]))
    height = float(np.linalg.norm(q[3] - q[0]))
    if width < 4 or height < 4:
        return None
    w, h = round(width), round(height)
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    crop = cv2.warpPerspective(
        gray, cv2.getPerspectiveTransform(q, target), (w, h), borderValue=255
    )
    _, bw = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    bw = _without_specks(bw, height)
    top = int(h * _BAND[0])
    band = bw[top : max(int(h * _BAND[1]), top + 1)]
    scale = w / max(1.0, float(q[1][0] - q[0][0]))
    return _Line(bw, band.sum(axis=0) > 0, height, float(q[0][0]), scale)


def _without_specks(bw: np.ndarray, height: float) -> np.ndarray:
    """The binary crop without blobs smaller than a printed full stop (toner specks)."""
    n, labels, stats, _c = cv2.connectedComponentsWithStats(bw)
    small = stats[:, cv2.CC_STAT_AREA] < _DOT_AREA * height * height
    small[0] = False
    if n <= 1 or not small.any():
        return bw
    return np.where(small[labels], 0, bw).astype(bw.dtype)


def _speck(c: Char, line: _Line) -> bool:
    """A doubtful dot whose ink is only a speck: no blob the size of a printed full stop."""
    ch, box, conf = c
    if ch not in _DOTS or conf >= _SURE_DOT:
        return False
    a, b = max(0, line.column(box[0])), max(0, line.column(box[2]) + 1)
    sub = line.ink[:, a:b].astype(np.uint8)
    if sub.size == 0:
        return False
    h = line.height
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(sub)
    for _x, y, bw, bh, area in stats[1:]:
        size_ok = min(bw, bh) >= _DOT_SIDE * h and bh <= 0.4 * h and area >= _DOT_AREA * h * h
        if size_ok and y >= _DOT_TOP * h:
            return False
    return True
