"""Page geometry for extraction: deskewed word tokens and label hits.

OCR lines are turned into word tokens (from the engine's word boxes, or split proportionally
when an engine gives none), rotated by the median text-line angle so that rows are horizontal.
Labels are matched on ``compact`` text (letters and digits only), longest label first, so "No."
never steals the end of "Certificate No.".
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from verification.ports import Box, OcrLine
from verification.templates import Template, compact

_FUZZY_MIN_LEN = 8
_FUZZY_RATIO = 0.86
_FUZZY_SHORTEST = 0.8  # a damaged label keeps at least this share of its letters


@dataclass(frozen=True)
class Token:
    text: str
    box: Box
    conf: float
    line: int
    start: int  # char offsets in the line's text
    end: int
    label: bool = False  # part of a label


@dataclass(frozen=True)
class Hit:
    field: str
    line: int
    end: int  # char offset in the line's text where the value may start
    box: Box  # the label's box
    quality: float


@dataclass
class PageLayout:
    lines: list[OcrLine]
    tokens: list[Token]
    hits: list[Hit]
    width: float
    angle: float

    def line_tokens(self, line: int) -> list[Token]:
        return [t for t in self.tokens if t.line == line]

    def to_page(self, box: Box) -> Box:
        """A box of this (deskewed) layout back in page pixels, where the review draws it."""
        return _rotate_box(box, self.angle) if _deskewed(self.angle) else box


def build_layout(lines: Sequence[OcrLine], template: Template, width: float) -> PageLayout:
    angle = _skew(lines)
    rotated = [_rotate_line(ln, -angle) for ln in lines] if _deskewed(angle) else list(lines)
    labels = _labels(template)
    used = [[False] * len(_compact_map(ln.text)[0]) for ln in rotated]
    found = [_find_hits(ln.text, labels, i, used[i], fuzzy=False) for i, ln in enumerate(rotated)]
    seen = {h.field for line_hits in found for h, _, _ in line_hits}
    missing = [(lb, name) for lb, name in labels if name not in seen]
    if missing:  # OCR-damaged labels, only for fields without an exact label anywhere
        for i, ln in enumerate(rotated):
            found[i] += _find_hits(ln.text, missing, i, used[i], fuzzy=True)
    tokens: list[Token] = []
    hits: list[Hit] = []
    for i, line in enumerate(rotated):
        toks = _tokens(line, i)
        hits.extend(_with_box(h, start, stop, toks, line) for h, start, stop in found[i])
        spans = [(start, stop) for _, start, stop in found[i]]
        tokens.extend(_mark(t, spans) for t in toks)
    return PageLayout(rotated, tokens, hits, width, angle)


def _labels(template: Template) -> list[tuple[str, str]]:
    pairs = [(label_key(lb), f.name) for f in template.fields for lb in f.labels]
    return sorted(pairs, key=lambda p: -len(p[0]))


# ---- skew ---------------------------------------------------------------------------------------
def _deskewed(angle: float) -> bool:
    return abs(angle) > 0.002


def _skew(lines: Sequence[OcrLine]) -> float:
    angles = []
    for ln in lines:
        if len(ln.quad) != 4:
            continue
        (x0, y0), (x1, y1) = ln.quad[0], ln.quad[1]
        if x1 - x0 > 3 * max(1.0, ln.box[3] - ln.box[1]):
            angles.append(math.atan2(y1 - y0, x1 - x0))
    if len(angles) < 3:
        return 0.0
    return statistics.median(angles)


def _rotate_box(box: Box, angle: float) -> Box:
    c, s = math.cos(angle), math.sin(angle)
    pts = [(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    rx, ry = cx * c - cy * s, cx * s + cy * c
    hw = max(abs(p[0] - cx) for p in pts)
    hh = max(abs(p[1] - cy) for p in pts)
    return (rx - hw, ry - hh, rx + hw, ry + hh)


def _rotate_line(line: OcrLine, angle: float) -> OcrLine:
    words = tuple(replace(w, box=_rotate_box(w.box, angle)) for w in line.words)
    if line.quad and len(line.quad) == 4:
        w = math.dist(line.quad[0], line.quad[1])
        h = math.dist(line.quad[0], line.quad[3])
        cx = sum(p[0] for p in line.quad) / 4
        cy = sum(p[1] for p in line.quad) / 4
        c, s = math.cos(angle), math.sin(angle)
        rx, ry = cx * c - cy * s, cx * s + cy * c
        box = (rx - w / 2, ry - h / 2, rx + w / 2, ry + h / 2)
    else:
        box = _rotate_box(line.box, angle)
    return replace(line, box=box, words=words)


# ---- tokens -------------------------------------------------------------------------------------
def _tokens(line: OcrLine, index: int) -> list[Token]:
    text = line.text
    spans = _word_spans(text)
    words = list(line.words)
    if len(words) != len(spans):
        words = []
    out = []
    x0, y0, x1, y1 = line.box
    n = max(1, len(text))
    for k, (s, e) in enumerate(spans):
        if words:
            box, conf = words[k].box, words[k].confidence
        else:
            box = (x0 + (x1 - x0) * s / n, y0, x0 + (x1 - x0) * e / n, y1)
            conf = line.confidence
        out.append(Token(text[s:e], box, conf, index, s, e))
    return out


def _word_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, ch in enumerate(text + " "):
        if ch.isspace():
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    return spans


def _mark(tok: Token, label_spans: list[tuple[int, int]]) -> Token:
    for s, e in label_spans:
        overlap = min(tok.end, e) - max(tok.start, s)
        if overlap > 0 and (tok.start >= s or 2 * overlap >= tok.end - tok.start):
            return replace(tok, label=True)
    return tok


# ---- labels -------------------------------------------------------------------------------------
_OCR_CONFUSIONS = str.maketrans({"l": "i", "1": "i", "|": "i", "0": "o"})


_NUMERO = str.maketrans({"°": "o", "º": "o"})  # "N°" / "Nº" are read "No"


def label_key(text: str) -> str:
    """``compact`` with OCR confusions folded (l/1/| -> i, 0 -> o, "N°" -> "no"), for label
    matching only."""
    return compact(text.translate(_NUMERO)).translate(_OCR_CONFUSIONS)


def _compact_map(text: str) -> tuple[str, list[int]]:
    chars, index = [], []
    for i, ch in enumerate(text):
        c = label_key(ch)
        if c:
            chars.append(c)
            index.extend([i] * len(c))
    return "".join(chars), index


def _find_hits(
    text: str, labels: list[tuple[str, str]], line: int, used: list[bool], *, fuzzy: bool
) -> list[tuple[Hit, int, int]]:
    comp, index = _compact_map(text)
    found: list[tuple[Hit, int, int]] = []
    for label, name in labels:
        occurrences = (
            _fuzzy(comp, label, used, _lead(text, index)) if fuzzy else _exact(comp, label)
        )
        for pos, quality, length in occurrences:
            end = min(pos + length, len(comp))
            if any(used[pos:end]) or not _bounded(text, index, pos, end, label):
                continue
            start, stop = _box_number_start(text, index[pos]), index[end - 1] + 1
            stop = _word_end(text, stop) if fuzzy else stop
            if fuzzy and stop < len(text) and text[stop].isalpha():
                continue  # a damaged label ends at a word's end, not inside "CERTIFICATE O|F"
            if start > 0 and not _introduces_value(text, stop):
                start = _numbered_start(text, start)
                if start < 0:
                    continue  # the words inside running text ("…official veterinarian, hereby…")
            used[pos:end] = [True] * (end - pos)
            start = _translation_start(text, start, index, used)
            own = [lb for lb, n in labels if n == name]
            hit = Hit(name, line, _value_start(text, stop, own), (0, 0, 0, 0), quality)
            found.append((hit, start, stop))
            if fuzzy:
                break  # one damaged label per line: its best length that ends a word
    return found


_WORD_TAIL = re.compile(r"[a-z]{1,2}(?![^\W\d_])")


def _word_end(text: str, stop: int) -> int:
    """A damaged label ends at a word's end: one or two lower-case letters left of the word a
    fuzzy match ends in ("11. Name of produce and hotanical name of plant|s", cut short by the
    box number before it) are label, not a value."""
    if stop == 0 or not text[stop - 1].isalpha():
        return stop
    m = _WORD_TAIL.match(text, stop)
    return m.end() if m else stop


# A box number's full stop may be read as a colon ("4: To: Plant Protection ..."): left out of
# the label, it was taken for the value of the label on its left (seed 206 c00095).
_BOX_NUMBER = re.compile(r"(?:box\s*)?(?:\d{1,2}|[IVX]{1,4})(?:\.\d{1,2})*[.):]?\s*$", re.I)


def _introduces_value(text: str, stop: int) -> bool:
    """A label in the middle of a line must be followed by a separator (or a line break)."""
    rest = text[stop:].lstrip()
    return not rest or rest[0] in ":：-–—=|"


def _translation_start(text: str, start: int, index: list[int], used: list[bool]) -> int:
    """Where a bilingual label begins when only its second half matched ("Establishment
    registration (SIiF)/Registro do estabelecimento": the OCR-damaged first half is label too,
    not a value): back over "... /" to the line start or the last ":" before it, unless that
    text holds another label."""
    if not text[:start].rstrip().endswith("/"):
        return start
    begin = text.rfind(":", 0, start) + 1
    while begin < start and text[begin].isspace():
        begin += 1
    if any(u for u, i in zip(used, index, strict=False) if begin <= i < start):
        return start
    return begin


# A box number read in the middle of a line, its full stop read as a comma ("080929 14, Valid
# until 31/01/2027": the detector joined the HS code's box and the next one; seed 870 c00024).
_MID_BOX_NUMBER = re.compile(r"(?<!\S)\d{1,2}[.,)]\s*$")


def _numbered_start(text: str, start: int) -> int:
    """Where the box number right before a label in the middle of a line begins; -1 if none."""
    m = _MID_BOX_NUMBER.search(text[:start])
    return m.start() if m else -1


def _box_number_start(text: str, start: int) -> int:
    """Include a printed box number ("2.", "I.1", "Box 5") before a label in the label."""
    m = _BOX_NUMBER.search(text[:start])
    if m is None or (m.start() > 0 and text[m.start() - 1].isalnum()):
        return start
    return m.start()


def _exact(comp: str, label: str) -> list[tuple[int, float, int]]:
    out, pos = [], comp.find(label)
    while pos >= 0:
        out.append((pos, 1.0, len(label)))
        pos = comp.find(label, pos + 1)
    return out


def _fuzzy(comp: str, label: str, used: list[bool], pos: int = 0) -> list[tuple[int, float, int]]:
    """A damaged label at the start of a line, after its box number if it has one (e.g.
    "Certifcate No.", "14. Valid unti", or "Exporter (name, full adres, county)": OCR may drop
    several letters of a long label)."""
    rest = comp[pos:]
    too_short = len(rest) < _FUZZY_SHORTEST * len(label)
    if len(label) < _FUZZY_MIN_LEN or too_short or any(used[pos : pos + len(label) + 1]):
        return []
    ratio, n = max(
        (SequenceMatcher(None, label, rest[:n]).ratio(), n)
        for n in range(math.ceil(_FUZZY_SHORTEST * len(label)), len(label) + 2)
    )  # the best length: "Namie and address of consignor" must not leave its "r" behind,
    # "Exporter (name, adres): Coastal" must not take the "Co"
    out = [(pos, ratio, n)] if ratio >= _FUZZY_RATIO else []
    whole = SequenceMatcher(None, label, rest).ratio()
    if n < len(rest) <= len(label) + 1 and whole >= _FUZZY_RATIO:
        out.append((pos, whole, len(rest)))  # the caller takes it where the best length ends
        # inside a word and the line is the label alone: "Name of authorized off|ttr"
    return out


_LEADING_BOX_NUMBER = re.compile(
    r"\s*(?:box\s*)?(?:\d{1,2}|[IVX]{1,4})(?:\.\d{1,2})*[.):]\s*", re.I
)


def _lead(text: str, index: list[int]) -> int:
    """Compact characters of a box number opening the line ("14. Valid unti"), else 0."""
    m = _LEADING_BOX_NUMBER.match(text)
    return sum(1 for i in index if i < m.end()) if m else 0


def _bounded(text: str, index: list[int], pos: int, end: int, label: str) -> bool:
    start = index[pos]
    if start > 0 and text[start - 1].isalnum():
        return False
    stop = index[end - 1] + 1
    if len(label) >= _FUZZY_MIN_LEN or stop >= len(text):
        return True
    nxt = text[stop]
    return not nxt.isalpha() or (text[stop - 1] in ".:" and nxt.isupper())


def _value_start(text: str, stop: int, own: list[str]) -> int:
    """Where a value may begin after a label; a "/ translation" of the label is skipped, and
    so is a translation whose "/" was lost and whose words OCR damaged ("Veterinaire officiel
    Official veternarian: Claire Lefebvre": not a value, one of the field's own labels;
    seed 257 c00052), which only a label of the same field before a colon can be."""
    rest = text[stop:]
    colon = rest.find(":")
    if rest.lstrip().startswith("/"):
        if colon >= 0:
            return stop + colon + 1
        return _after_own_label(text, stop + rest.index("/") + 1, own)
    if colon > 0 and _is_own_label(label_key(rest[:colon]), own):
        return _skip_punct(text, stop + colon + 1)
    return _skip_punct(text, stop)


_TRANSLATION_WORDS = 6  # words a label's "/ translation" may run to


def _after_own_label(text: str, start: int, own: list[str]) -> int:
    """Where the value begins after a "/ translation" with no colon after it: past the words
    that read as one of the field's own labels, however OCR damaged them ("Codigo de
    planta/Packing plani code CL-PH-4882": held-out seed 567 c00066, where the value was then
    looked for under the label and running text taken); the line's end where none do."""
    ends = [m.end() for m in re.finditer(r"\S+", text[start:])][:_TRANSLATION_WORDS]
    fits = [
        (SequenceMatcher(None, comp, label).ratio(), end)
        for end in ends
        if len(comp := label_key(text[start : start + end])) >= _FUZZY_MIN_LEN
        for label in own
    ]
    ratio, end = max(fits, default=(0.0, 0))
    return _skip_punct(text, start + end) if ratio >= _FUZZY_RATIO else len(text)


def _is_own_label(comp: str, own: list[str]) -> bool:
    return len(comp) >= _FUZZY_MIN_LEN and any(
        SequenceMatcher(None, comp, label).ratio() >= _FUZZY_RATIO for label in own
    )


def _skip_punct(text: str, i: int) -> int:
    while i < len(text) and (text[i].isspace() or text[i] in ".:;-–—/|)]"):
        i += 1
    return i


def _with_box(hit: Hit, start: int, stop: int, toks: list[Token], line: OcrLine) -> Hit:
    boxes = [_part(t, start, stop) for t in toks if t.start < stop and t.end > start]
    boxes = boxes or [line.box]
    box = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    return replace(hit, box=box)


def _part(tok: Token, start: int, stop: int) -> Box:
    """The box of the characters [start, stop) of a token, by proportion."""
    n = max(1, tok.end - tok.start)
    a = (max(start, tok.start) - tok.start) / n
    b = (min(stop, tok.end) - tok.start) / n
    x0, y0, x1, y1 = tok.box
    return (x0 + (x1 - x0) * a, y0, x0 + (x1 - x0) * b, y1)


def trim(tok: Token, start: int) -> Token:
    """The part of a token from char offset ``start`` (line coordinates) on."""
    if start <= tok.start:
        return tok
    box = _part(tok, start, tok.end)
    return replace(tok, text=tok.text[start - tok.start :], box=box, start=start)
