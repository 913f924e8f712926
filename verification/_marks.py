"""Small printed marks the recogniser gets wrong, judged on the ink of the line.

* A dot or apostrophe read with doubt whose ink is only a toner speck is dropped
  ("Silver.Fern", "Foods'S.A.").
* A ";" or ":" read with doubt is judged by its dots: without a dot at x-height like the
  one on the baseline it is the baseline mark alone, a comma or a full stop ("Co.; Ltd",
  "Z.z: 40"), and with no mark at all it is dropped ("Foods: Ltd").
* A hyphen the model left out between two words ("Cuiaba MT" for "Cuiaba - MT") is put
  back when a hyphen-shaped blob sits alone between the two characters; so is a full stop or
  comma ("V041S", "MonttRegion") on the baseline in columns of its own: a comma by its tail
  (0.15 h and taller; specks read as commas were 0.09 h), a full stop only hugging the ink
  before it (specks in word spaces lay 0.3 h off it), and between two words only bold.

Sizes are in line heights, measured on simulator scans: a printed full stop is at least
0.0045 h² of ink (faint ones 0.0057; specks read as dots reach 0.0064, so those stay) with
its foot on the baseline (within 0.03 h; specks read as dots lay 0.08 h and more off it), an
apostrophe at least 0.12 h tall in the upper half of the line, a hyphen about 0.2 h wide and
0.09 h tall around mid-height.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from verification._ink import Blob, InkLine
from verification.ports import Box

Char = tuple[str, Box, float]

SURE = 0.95  # a mark read with this confidence is kept without looking
_DOTS = ".·"
_APOSTROPHES = "'`’‘"
_COLONS = ":;"
_DOT_SIDE = 0.05  # a printed full stop is at least this wide and tall, ...
_DOT_AREA = 0.0045  # ... this much ink ...
_DOT_TOP = 0.5  # ... and sits on the baseline: its top below this share of the line ...
_BASELINE_SLACK = (0.12, 0.06)  # ... its foot at most this far above or below the letters'
_COMMA_TALL = 1.4  # a comma is this many times taller than wide, a full stop is not
_COMMA_MIN_H = 0.13  # a comma the model left out is at least this tall (specks: 0.09)
_STOP_HUG = 0.15  # ... and a full stop at most this far right of the ink before it
_TWIN_DOT = 0.5  # a colon's upper dot has at least this share of the lower one's ink
_UPPER_FOOT = 0.65  # the upper dot of ":" or ";" ends above this share of the line
_TICK_TALL = 0.12  # an apostrophe is at least this tall ...
_TICK_BOTTOM = 0.6  # ... and ends above this share of the line
_FAINT_BASELINE = 0.05  # a faint full stop's foot this near the baseline (0.034 at most
# on seed 150; a faint speck read as a dot lay 0.089 above it)
_FAINT_ROOM = 0.05  # ... and this much paper before the next character (printed: 0.06+;
# a speck squeezed between the ones of "10/11/2026": 0.03)
_WORD_DOT_AREA = 0.01  # a dot between two words needs this much ink to be a full stop
_WINDOW_MARGIN = 0.15  # line heights either side of a mark's box where its blob may lie
_HYPHEN_W = (0.12, 0.6)  # hyphen width range
_HYPHEN_H = 0.16  # at most this tall
_HYPHEN_LONG = 1.5  # at least this many times wider than tall (bold: 0.21 x 0.12 h)
_HYPHEN_Y = (0.4, 0.72)  # its vertical centre


def repair(
    chars: list[Char], line: InkLine, tail: Callable[[], InkLine | None] | None = None
) -> list[Char]:
    """``chars`` with speck marks dropped or corrected and dropped hyphens inserted; ``tail``
    gives the line's ink with some page past its box's right edge, where a full
    stop the model left out after the last letter is looked for."""
    out: list[Char] = []
    for i, c in enumerate(chars):
        fixed = _judge(c, line, _between_words(chars, i), _ends_a_token(chars, i))
        if fixed is not None:
            out.append(fixed)
    out = _with_hyphens(out, line)
    if not out or not out[-1][0].isalpha() or tail is None:
        return out
    wider = tail()
    return out if wider is None else _with_end_stop(out, wider)


def _with_end_stop(chars: list[Char], line: InkLine) -> list[Char]:
    """A full stop the model left out at the end of the line ("Co., Ltd" for "Co., Ltd."):
    the only blob right of the line's last letter, shaped like a full stop, on the baseline,
    hugging the letter's ink, in columns of its own. After a letter only: a line ending in a
    number has no full stop of its own in a value ("10/11/2026")."""
    box = chars[-1][1]
    h = line.height
    if not line.letters:
        return chars
    last = max(line.letters, key=lambda bl: bl.x + bl.w)
    if last.x > line.column(box[2]) + _WINDOW_MARGIN * h:
        return chars  # ink the model did not read as a letter lies past its last one
    after = [bl for bl in line.blobs if bl.x >= last.x + last.w]
    if len(after) != 1:
        return chars
    bl = after[0]
    if not _full_stop(bl, h, line) or _ink_before(bl, line) > _STOP_HUG * h:
        return chars
    if _shares_columns(bl, line):
        return chars
    x0 = line.x0 + bl.x / line.scale
    x1 = line.x0 + (bl.x + bl.w) / line.scale
    return [*chars, (".", (x0, box[1], x1, box[3]), 0.5)]


def _judge(
    c: Char, line: InkLine, between_words: bool = False, in_token: bool = False
) -> Char | None:
    ch, box, conf = c
    if conf >= SURE or ch not in _DOTS + _APOSTROPHES + _COLONS:
        return c
    blobs = _window(box, line)
    if ch in _COLONS:
        return _colon(c, blobs, line)
    if ch in _APOSTROPHES:
        return c if any(_tick(b, line.height) for b in blobs) else None
    blobs = tuple(b for b in blobs if _on_baseline(b, line))  # a speck above or below it
    if between_words:  # "Fern.Seafood", "Maria·Garcia": a word space
        return c if any(_bold_dot(b, line.height) for b in blobs) else None
    if any(_full_stop(b, line.height) for b in blobs):
        return c
    return c if in_token and _faint_stop(box, line) else None


def _ends_a_token(chars: list[Char], i: int) -> bool:
    """Whether a dot at ``i`` may be a full stop too faint for the ink's cut: it ends the line
    or a word ("Ltd.", "Ltd.,"), or stands between two digits ("15.10.2026") or after a lone
    letter ("S.A.", "V.253W"). Not between a number and a word ("183.Harbour") or two words
    ("the.official"): a faint speck there is likelier than a full stop."""
    after = next((c[0] for c in chars[i + 1 :]), " ")
    if not after.isalnum():
        return True
    before = chars[i - 1][0] if i > 0 else " "
    if before.isdigit() and after.isdigit():
        return True
    return before.isalpha() and (i < 2 or not chars[i - 2][0].isalnum())


def _faint_stop(box: Box, line: InkLine) -> bool:
    """A faintly printed full stop in the character's columns ("Ltd." read at 0.79: Otsu's cut
    left 4 pixels of it, less than a speck): a full stop's shape and ink at a lighter cut, on
    the baseline, hugging the ink before it, with paper of its own before the ink after it."""
    margin = _WINDOW_MARGIN * line.height
    a, b = line.column(box[0]) - margin, line.column(box[2]) + 1 + margin
    h = line.height
    return any(
        _full_stop(bl, h, line)
        and _ink_before(bl, line) <= _STOP_HUG * h
        and _ink_after(bl, line) >= _FAINT_ROOM * h
        and abs(_foot_below_baseline(bl, line)) <= _FAINT_BASELINE
        for bl in line.faint_blobs(int(a), int(b) + 1)
        if bl.x >= a and bl.x + bl.w <= b
    )


def _between_words(chars: list[Char], i: int) -> bool:
    """Whether character ``i`` sits between a word of four or more letters and another of two
    or more (not after an abbreviation, "S.A.", "Pvt.Ltd", nor among digits, "25.197,4")."""
    word = ""
    for c in reversed(chars[:i]):
        if not c[0].isalpha():
            break
        word += c[0]
    after = "".join(c[0] for c in chars[i + 1 : i + 3])
    return len(word) >= 4 and len(after) == 2 and after.isalpha()


def _bold_dot(b: Blob, h: float) -> bool:
    """A printed full stop with the ink of one (toner specks read as a dot between two words
    are 0.005-0.007 h², the full stops of the same scans 0.012+)."""
    return _full_stop(b, h) and b.area >= _WORD_DOT_AREA * h * h


def _window(box: Box, line: InkLine) -> tuple[Blob, ...]:
    """The whole blobs of the line that lie within the character's columns (a margin either
    side: the model's character boxes are approximate). Whole, not cut to the columns: the
    foot of a "t" or the tail of an "e" cut off at a box edge is no full stop
    ("Ne.therlands", "Ac.tinidia")."""
    margin = _WINDOW_MARGIN * line.height
    a, b = line.column(box[0]) - margin, line.column(box[2]) + 1 + margin
    return tuple(bl for bl in line.blobs if bl.x >= a and bl.x + bl.w <= b)


def _colon(c: Char, blobs: tuple[Blob, ...], line: InkLine) -> Char | None:
    """A doubtful ":" or ";" as its ink shows it: both dots, or only the baseline mark (a
    comma or full stop), or nothing. The upper dot is as big as the lower one's head: a speck
    at x-height beside a comma made "Co.; Ltd"."""
    ch, box, conf = c
    h = line.height
    low = [b for b in blobs if b.y >= _DOT_TOP * h and _mark(b, h) and _on_baseline(b, line)]
    if not low:
        return None
    foot = max(low, key=lambda b: b.area)
    upper = [
        b
        for b in blobs
        if _mark(b, h) and b.y + b.h <= _UPPER_FOOT * h and b.area >= _TWIN_DOT * foot.area
    ]
    if upper:
        return c
    return ("," if foot.h >= _COMMA_TALL * foot.w else ".", box, conf)


def _mark(b: Blob, h: float) -> bool:
    """A blob with the ink of a printed dot and no taller than a comma."""
    return min(b.w, b.h) >= _DOT_SIDE * h and b.h <= 0.4 * h and b.area >= _DOT_AREA * h * h


def _on_baseline(b: Blob, line: InkLine) -> bool:
    """Whether a mark's foot is on the baseline (or, for a comma, hangs just below it)."""
    base = line.baseline(b.x + b.w / 2)
    if base is None:
        return True
    foot = (b.y + b.h) / line.height
    above, below = _BASELINE_SLACK
    below += b.h / line.height if _comma(b, line.height) else 0.0
    return -above <= foot - base <= below


def _foot_below_baseline(b: Blob, line: InkLine) -> float:
    base = line.baseline(b.x + b.w / 2)
    return 0.0 if base is None else (b.y + b.h) / line.height - base


def _full_stop(b: Blob, h: float, line: InkLine | None = None) -> bool:
    size_ok = _mark(b, h) and b.y >= _DOT_TOP * h
    return size_ok and (line is None or _on_baseline(b, line))


def _tick(b: Blob, h: float) -> bool:
    tall = b.h >= _TICK_TALL * h and b.w >= _DOT_SIDE * h and b.area >= _DOT_AREA * h * h
    return tall and b.y + b.h <= _TICK_BOTTOM * h


def _hyphen(b: Blob, h: float) -> bool:
    wide = _HYPHEN_W[0] * h <= b.w <= _HYPHEN_W[1] * h and b.w >= _HYPHEN_LONG * b.h
    return wide and b.h <= _HYPHEN_H * h and _HYPHEN_Y[0] <= (b.y + b.h / 2) / h <= _HYPHEN_Y[1]


def _with_hyphens(chars: list[Char], line: InkLine) -> list[Char]:
    """A hyphen-shaped blob alone between two letters or digits that the model read as
    neighbours becomes a "-" character, a full stop or comma a "." or "," (between two
    words a full stop only with the ink of a bold one, as for a dot the model read)."""
    out: list[Char] = []
    prev: Char | None = None
    h = line.height
    marks = tuple(bl for bl in line.blobs if bl.y >= _DOT_TOP * h and _mark(bl, h))
    for i, c in enumerate(chars):
        if c[0] == " ":
            out.append(c)
            continue
        if prev is not None and prev[0].isalnum() and c[0].isalnum():
            mark = (
                _dash_between(prev[1], c[1], line)
                or _stop_between(
                    prev[1], c[1], line, marks, functools.partial(_words_around, out, chars, i)
                )
                or _tick_between(prev, c, line)
            )
            if mark is not None:
                out.append(mark)
        out.append(c)
        prev = c
    return out


def _words_around(out: list[Char], chars: list[Char], i: int) -> bool:
    """Whether the gap before ``chars[i]`` (``out`` read so far) lies between two words."""
    return _between_words([*out, ("", chars[i][1], 0.0), *chars[i:]], len(out))


def _stop_between(
    left: Box,
    right: Box,
    line: InkLine,
    candidates: tuple[Blob, ...],
    between_words: Callable[[], bool] = lambda: False,
) -> Char | None:
    """A full stop or comma the model left out between two characters it read as neighbours
    ("V041S" for "V.041S", "46311.067" for "46.311.067", "MonttRegion"): a mark-shaped blob on
    the baseline between their centres, in columns of its own (no part of a letter)."""
    a = line.column((left[0] + left[2]) / 2)
    b = line.column((right[0] + right[2]) / 2)
    h = line.height
    marks = [bl for bl in candidates if a < bl.x and bl.x + bl.w < b]
    if len(marks) != 1 or not _on_baseline(marks[0], line) or _shares_columns(marks[0], line):
        return None
    bl = marks[0]
    if _comma(bl, h):
        ch = ","
    elif _ink_before(bl, line) <= _STOP_HUG * h and (_bold_dot(bl, h) or not between_words()):
        ch = "."  # a full stop hugs the word it ends; a speck lies anywhere in a word space
    else:
        return None
    x0 = line.x0 + bl.x / line.scale
    x1 = line.x0 + (bl.x + bl.w) / line.scale
    return (ch, (x0, left[1], x1, left[3]), 0.5)


def _tick_between(left: Char, right: Char, line: InkLine) -> Char | None:
    """An apostrophe the model left out between two letters ("OHiggins", "OBrien"): the only
    blob between their centres, tick-shaped in the upper half, in columns of its own (not the
    dot of an "i")."""
    if not (left[0].isalpha() and right[0].isalpha()):
        return None
    a = line.column((left[1][0] + left[1][2]) / 2)
    b = line.column((right[1][0] + right[1][2]) / 2)
    inside = [bl for bl in line.blobs if a < bl.x and bl.x + bl.w < b]
    if len(inside) != 1 or not _tick(inside[0], line.height) or _shares_columns(inside[0], line):
        return None
    bl = inside[0]
    x0 = line.x0 + bl.x / line.scale
    x1 = line.x0 + (bl.x + bl.w) / line.scale
    return ("'", (x0, left[1][1], x1, left[1][3]), 0.5)


def _comma(b: Blob, h: float) -> bool:
    """A comma's tail makes it tall and narrow (specks read as commas are about square)."""
    return b.h >= _COMMA_TALL * b.w and b.h >= _COMMA_MIN_H * h


def _ink_before(mark: Blob, line: InkLine) -> float:
    """Crop columns of blank paper between a mark and the ink on its left."""
    ends = [bl.x + bl.w for bl in line.blobs if bl.x + bl.w <= mark.x]
    return mark.x - max(ends) if ends else float("inf")


def _ink_after(mark: Blob, line: InkLine) -> float:
    """Crop columns of blank paper between a mark and the ink on its right."""
    starts = [bl.x for bl in line.blobs if bl.x >= mark.x + mark.w]
    return min(starts) - (mark.x + mark.w) if starts else float("inf")


def _shares_columns(mark: Blob, line: InkLine) -> bool:
    return any(
        bl is not mark and bl.x < mark.x + mark.w and mark.x < bl.x + bl.w for bl in line.blobs
    )


def _dash_between(left: Box, right: Box, line: InkLine) -> Char | None:
    box = _dash_box(left, right, line)
    return None if box is None else ("-", box, 0.5)


def _dash_box(left: Box, right: Box, line: InkLine) -> Box | None:
    a = line.column((left[0] + left[2]) / 2)
    b = line.column((right[0] + right[2]) / 2)
    if b - a < 0.6 * line.height:  # letters of one word: no room for a hyphen and spaces
        return None
    inside = [bl for bl in line.blobs if bl.x > a and bl.x + bl.w < b]
    if len(inside) != 1 or not _hyphen(inside[0], line.height):
        return None
    bl = inside[0]
    if bl.x <= line.column(left[2]) or bl.x + bl.w >= line.column(right[0]):
        return None  # overlaps a character's box: part of that character
    x0 = line.x0 + bl.x / line.scale
    x1 = line.x0 + (bl.x + bl.w) / line.scale
    return (x0, left[1], x1, left[3])
