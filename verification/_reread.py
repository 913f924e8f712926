"""A second reading of the lines the recogniser was unsure of.

PP-OCR's recogniser is sensitive to how a line crop is scaled: on some scans it drops letters
of a faint line ("Unit4DockadFlxswP11QW", confidence 0.70) that it reads whole from the same
crop squeezed to 80 % of its height or with its contrast stretched. Lines read below
``REREAD_BELOW`` (about one in a hundred on simulator scans) are read again from those
variants, and the reading with the highest confidence is kept; a variant that is no surer than
the first reading changes nothing, nor does one that only leaves characters out ("KOTAPERMAI"
0.84 -> "KOTA PRMAI" 0.91 on seed 150). Lines longer than ``LONGEST`` heights are not read
again: those are the small print of a certificate's attestation paragraph ("This is to certify
that the plants ...", often first read as "hissaladadandda"), which holds no field, and their
two variants cost 0.3-0.6 s of recogniser CPU a page (the review of every document of seeds 4
(first 25), 580 and 581 (30 each) is the same without them).

It also drops letters from a dense line it is fairly sure of ("Office 402, halifa Port" for
"Office 1402, Khalifa Port", confidence 0.86; "Western Cape, outh Africa", 0.87): the
letter's ink is on the page but no character of the reading has its centre on it. Lines read
below ``FILL_BELOW`` and no longer than ``LONGEST`` heights (running text costs the most to
read again) with such a wide blob, and all such lines read below ``_NARROW_BELOW`` (there the
model's character boxes often stand on the ink of the letter it left out: "Chil", "VIC630",
"Melboune" at 0.89 on seed 150; about 4 % of lines, two a page), are read again from the
crop widened by ``WIDEN``, which gives the recogniser more columns per letter. So are lines
with a bracket that closes without opening or opens without closing, however sure: the model
leaves out a "(" at 0.97 ("Exports Pty) Ltd", "beans Glycine max)"). The wider reading is
kept only when it is the first reading with letters, digits, apostrophes, commas or brackets
added inside it (nothing dropped or changed, spaces aside) and not much less sure
(``_FILL_SLACK``); its own confidence is kept, so nothing becomes surer than read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import cv2
import numpy as np

from verification._ink import ink_line

REREAD_BELOW = 0.85
_SQUEEZE = 0.8
WIDEN = 1.3  # a line with a letter left out is read again this much wider
_LETTER_H = 0.3  # a blob at least this tall (line heights) ...
_WIDE_LETTER = 0.25  # ... and this wide a letter whose absence sets off a second reading
_NARROW_LETTER = 0.15  # ``unread_ink``'s default: a blob this wide ("t", "1"; a comma is
# narrower; on sure lines such blobs without a character centre are mostly misplaced centres)
_NARROW_BELOW = 0.9  # lines read below this are read widened whatever their ink shows
LONGEST = 32.0  # lines longer than this many heights (running text) are not read again
FILL_BELOW = 0.95  # lines read at least this surely are not looked at (dropped: 0.78-0.94)
_FILL_SLACK = 0.05  # the wider reading may be at most this much less sure

Recognise = Callable[[list[np.ndarray], bool], tuple[list[Any], float]]
Map = Callable[[Callable[[np.ndarray], Any], Iterable[np.ndarray]], Iterable[Any]]


def reread(
    recognise: Recognise,
    crops: Sequence[np.ndarray],
    results: Sequence[Any],
    map_: Map = map,
) -> tuple[list[np.ndarray], list[Any]]:
    """``crops`` and their recogniser results, weak lines replaced by a surer variant. Each
    variant is read on its own, through ``map_`` (the engine's recogniser threads: the same
    readings as one after the other, the recogniser reads one line a call)."""
    weak = [
        i
        for i, (crop, res) in enumerate(zip(crops, results, strict=True))
        if float(res[1]) < REREAD_BELOW
        and 8 <= crop.shape[0]
        and crop.shape[1] <= LONGEST * crop.shape[0]
    ]
    variants = [_variants(crops[i]) for i in weak]
    read = list(map_(lambda v: recognise([v], True)[0][0], [v for vs in variants for v in vs]))
    out_crops, out = list(crops), list(results)
    for i, vs in zip(weak, variants, strict=True):
        found, read = read[: len(vs)], read[len(vs) :]
        best = max(range(len(found)), key=lambda k: float(found[k][1]))
        text = str(found[best][0])
        if float(found[best][1]) > float(results[i][1]) and text.strip():
            if not _drops_only(str(results[i][0]), text):
                out_crops[i], out[i] = vs[best], found[best]
    return out_crops, out


def _drops_only(first: str, again: str) -> bool:
    """Whether ``again`` is ``first`` with characters left out and nothing else changed (spaces
    aside): a surer reading that only loses letters ("KOTAPERMAI" 0.84 -> "KOTA PRMAI" 0.91)."""
    a, b = first.replace(" ", ""), again.replace(" ", "")
    return len(b) < len(a) and _within(b, a)


def _within(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with characters left out (a subsequence of it)."""
    it = iter(long)
    return all(ch in it for ch in short)


def _variants(crop: np.ndarray) -> list[np.ndarray]:
    h, w = crop.shape[:2]
    squeezed = cv2.resize(crop, (w, max(1, round(h * _SQUEEZE))), interpolation=cv2.INTER_AREA)
    return [squeezed, _stretched(crop)]


def _stretched(crop: np.ndarray) -> np.ndarray:
    """Contrast stretched between the 2nd and 98th percentile of the grey levels."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    lo, hi = np.percentile(gray, (2, 98))
    scaled = (crop.astype(np.float32) - lo) * (255.0 / max(1.0, float(hi - lo)))
    return np.clip(scaled, 0, 255).astype(np.uint8)


WordBoxes = Callable[[list[np.ndarray], list[np.ndarray], list[Any]], list[Any]]


def fill_dropped(
    recognise: Recognise,
    crops: Sequence[np.ndarray],
    quads: Sequence[np.ndarray],
    rec: Sequence[Any],
    gray: np.ndarray,
    word_boxes: WordBoxes,
    map_: Map = map,
) -> list[Any]:
    """``rec`` (items ``[text, conf, char quads on the page, chars, char confs]``) with lines
    whose letter-sized ink no character lies on read again widened, where that reading adds
    the missing characters; ``word_boxes`` maps a recogniser result of ``crops[i]`` onto the
    page (the widened reading is mapped through the crop it was widened from). Each widened
    line is read on its own through ``map_``, as in ``reread``."""
    todo = [
        i
        for i, (q, r) in enumerate(zip(quads, rec, strict=True))
        if crops[i].shape[1] <= LONGEST * crops[i].shape[0]
        and (
            (
                float(r[1]) < FILL_BELOW
                and (
                    float(r[1]) < _NARROW_BELOW  # weak lines: dropped letters often misplaced
                    or unread_ink(q, r[2], r[3], gray, _WIDE_LETTER)
                )
            )
            or _unbalanced(str(r[0]))
        )
    ]
    if not todo:
        return list(rec)
    found = list(map_(lambda v: recognise([v], True)[0][0], [widened(crops[i]) for i in todo]))
    out = list(rec)
    for i, res in zip(todo, found, strict=True):
        if adds_only(str(rec[i][0]), float(rec[i][1]), str(res[0]), float(res[1])):
            out[i] = word_boxes([crops[i]], [quads[i]], [res])[0]
    return out


def _unbalanced(text: str) -> bool:
    """Whether a bracket closes that did not open, or opens and does not close: the model
    leaves out an opening bracket even on lines it is sure of ("Exports Pty) Ltd" at 0.97)."""
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return True
    return depth != 0


def widened(crop: np.ndarray) -> np.ndarray:
    h, w = crop.shape[:2]
    return cv2.resize(crop, (round(w * WIDEN), h), interpolation=cv2.INTER_CUBIC)


def unread_ink(
    quad: np.ndarray,
    char_quads: Sequence[Any],
    chars: Sequence[str],
    gray: np.ndarray,
    narrowest: float = _NARROW_LETTER,
) -> bool:
    """Whether a letter-sized blob (at least ``narrowest`` line heights wide) of the line's ink
    has no character's centre on it (a space read there does not count)."""
    if not char_quads:
        return False
    line = ink_line(tuple((float(x), float(y)) for x, y in quad), gray)
    if line is None:
        return False
    centres = [
        line.column((min(p[0] for p in q) + max(p[0] for p in q)) / 2)
        for q, ch in zip(char_quads, chars, strict=False)
        if ch.strip()
    ]
    for b in line.blobs:
        if b.h < _LETTER_H * line.height or b.w < narrowest * line.height:
            continue
        if not any(b.x <= c < b.x + b.w for c in centres):
            return True
    return False


def adds_only(first: str, first_conf: float, again: str, again_conf: float) -> bool:
    """Whether ``again`` is ``first`` with letters, digits, apostrophes, commas or brackets
    added inside it (spaces aside; not before its first character: a speck or a rule at the
    line's start read as "*" or "P"; after its last only a word's last lower-case letters,
    "Qingda|o") and about as sure."""
    a, b = first.replace(" ", ""), again.replace(" ", "")
    if len(b) <= len(a) or not a or again_conf < first_conf - _FILL_SLACK:
        return False
    if b[0] != a[0] or not _same_end(a, b):
        return False
    added = Counter(b) - Counter(a)
    if not all(ch.isalnum() or ch in "'’,()" for ch in added):
        return False
    return _within(a, b)


def _same_end(a: str, b: str) -> bool:
    """Whether ``b`` ends as ``a`` does, or with up to two lower-case letters more."""
    for k in range(3):
        tail = b[len(b) - k :] if k else ""
        if b[len(b) - 1 - k] == a[-1] and (not tail or (tail.isalpha() and tail.islower())):
            return True
    return False
