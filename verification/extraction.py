"""Label-anchored, layout-agnostic field extraction.

For each template field, the first label hit on the page gives the value: the text right of
the label on the same line (up to the next label), else words on the same row to the right,
else the lines under the label, within the label's column, until the next label or a gap.
``split_lines`` sends the first line to one name and the rest (joined by ", ") to the other.
Values are normalised per the field vocabulary (``verification.normalise``).
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from verification.layout import Hit, PageLayout, Token, build_layout, trim
from verification.normalise import (
    ambiguous_number,
    fitted,
    invalid_containers,
    lettered_count,
    lost_date_separator,
    normalise,
    partial_containers,
    repaired_containers,
)
from verification.ports import Box, OcrLine
from verification.results import FieldValue
from verification.templates import Template

logger = logging.getLogger(__name__)

_MAX_LINES_UNDER = 6
_FIRST_GAP = 3.0  # label bottom to first value line, in line heights
_NEXT_GAP = 1.9  # between value lines, in line heights
_ROW_REACH = 25.0  # label end to the start of a value on its row, in label heights
_ROW_GAP = 3.0  # between two boxes of one value on a row, in label heights
_BOX_NUMBER = 3  # characters of a box number before a label ("6.", "(6)", "E" for a misread 6)
_PARTIAL = 0.5  # confidence of a list with an item that could not be read
_LABEL_TAIL = 2  # letters glued on a label's last word that are its misread end, not a value


@dataclass(frozen=True)
class _Raw:
    lines: list[list[Token]]

    @property
    def tokens(self) -> list[Token]:
        return [t for line in self.lines for t in line]


def extract_fields(
    lines: Sequence[OcrLine], template: Template, page_width: float, page: int = 0
) -> dict[str, FieldValue]:
    """Each template field's value; boxes in page pixels (extraction itself works deskewed)."""
    layout = build_layout(lines, template, page_width)
    out: dict[str, FieldValue] = {}
    for spec in template.fields:
        hits = sorted((h for h in layout.hits if h.field == spec.name), key=_reading_order)
        raw = _first_value(layout, hits)
        if spec.split_lines:
            first, rest = spec.split_lines
            out[first] = _value(first, raw.lines[:1] if raw else [], template, hits, page)
            out[rest] = _value(rest, raw.lines[1:] if raw else [], template, hits, page, ", ")
        else:
            value = _value(spec.name, raw.lines if raw else [], template, hits, page)
            out[spec.name] = _in_format(value, spec.pattern) if spec.pattern else value
    for fv in out.values():
        if fv.box is not None:
            fv.box = layout.to_page(fv.box)
    return out


def _reading_order(h: Hit) -> tuple[float, float, float]:
    """Exact label hits before fuzzy ones, then top to bottom, left to right."""
    return (-h.quality, round(h.box[1] / 20), h.box[0])


def _first_value(layout: PageLayout, hits: list[Hit]) -> _Raw | None:
    for hit in hits:
        raw = _value_for(layout, hit)
        if raw.tokens:
            return raw
    return None


def _value(
    name: str,
    lines: list[list[Token]],
    template: Template,
    hits: list[Hit],
    page: int,
    sep: str = " ",
) -> FieldValue:
    toks = [t for line in lines for t in line]
    if not toks:
        return FieldValue(None, 0.0, page=page)
    text = sep.join(" ".join(t.text for t in line) for line in lines if line)
    value = normalise(name, text, template.date_order)
    quality = min((h.quality for h in hits), default=1.0)
    conf = min(t.conf for t in _readable(toks)) * quality
    if value is None:
        conf = 0.0
    elif name == "container_numbers" and _doubtful_containers(text, value):
        conf = min(conf, _PARTIAL)  # a number was misread: the list read is not the list
    elif name.endswith("_kg") and ambiguous_number(text):
        conf = min(conf, _PARTIAL)  # "49,980 000 kg": the decimal dot lost
    elif name.endswith("_date") and lost_date_separator(text):
        conf = min(conf, _PARTIAL)  # "30.092026": a separator put back
    elif name == "packages" and lettered_count(text):
        conf = min(conf, _PARTIAL)  # "6O4 CARTONS": a digit put back
    return FieldValue(value, conf, raw=text, box=_union([t.box for t in toks]), page=page)


def _in_format(fv: FieldValue, pattern: str) -> FieldValue:
    """The value fitted to its template's ``pattern`` (``fitted``: letter/digit confusions
    undone); a value that no such reading fits was misread (or is not what the agency prints):
    its confidence drops to ``_PARTIAL``, for an officer to read."""
    if fv.value is None:
        return fv
    value = fitted(fv.value, pattern)
    if value is None:
        return replace(fv, confidence=min(fv.confidence, _PARTIAL))
    return replace(fv, value=value)


def _doubtful_containers(text: str, value: str) -> bool:
    """A number misread or left out of the list, or restored by a guess that its own check
    digit cannot confirm (a doubled letter lost): only the declaration can confirm the list."""
    return partial_containers(text) or invalid_containers(value) or repaired_containers(text)


_SEPARATORS = ":：;.,-–—|/ "


def _readable(toks: list[Token]) -> list[Token]:
    """The tokens a value's confidence rests on: not those that are only a separator (": "
    between label and value, " - " in a route), which normalisation drops or names ignore."""
    return [t for t in toks if t.text.strip(_SEPARATORS)] or toks


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


# ---- where the value is -------------------------------------------------------------------------
def _value_for(layout: PageLayout, hit: Hit) -> _Raw:
    same = _same_line(layout, hit)
    if same:
        return _Raw([_continued(layout, hit, same)])
    right = _row_right(layout, hit)
    if right:
        return _Raw([right])
    return _Raw(_lines_under(layout, hit))


def _next_hit_start(layout: PageLayout, hit: Hit) -> float:
    """x where the next label to the right on the label's row begins (the column's edge)."""
    xs = [
        _column_start(layout, h)
        for h in layout.hits
        if h is not hit and h.box[0] > hit.box[2] - 1 and _same_row(h.box, hit.box)
    ]
    return min(xs, default=float("inf"))


def _previous_hit_end(layout: PageLayout, hit: Hit) -> float:
    """x where the label before this one on its row ends: a value under this label starts
    right of it (held-out 511 c00023: "HS code" and "Number and kind of packages" side by
    side, the packages label read as one tall word, so the slack left of it reached the HS
    code's value and the packages read "080810 1,055 cartons")."""
    xs = [
        h.box[2]
        for h in layout.hits
        if h is not hit and h.box[2] < hit.box[0] + 1 and _same_row(h.box, hit.box)
    ]
    return max(xs, default=float("-inf"))


def _column_start(layout: PageLayout, hit: Hit) -> float:
    """Where label ``hit``'s column begins: the label, or the box number its line has before
    it ("6. Port of entry"; a "6." read as "E" is no value of the label on its left)."""
    before = [t for t in layout.line_tokens(hit.line) if t.box[2] <= hit.box[0] + 1]
    if before and all(len(t.text.strip()) <= _BOX_NUMBER for t in before):
        return min([hit.box[0]] + [t.box[0] for t in before])
    return hit.box[0]


def _same_line(layout: PageLayout, hit: Hit) -> list[Token]:
    edge = _next_hit_start(layout, hit)
    out: list[Token] = []
    for tok in layout.line_tokens(hit.line):
        if tok.end <= hit.end:
            continue
        if tok.label and tok.start >= hit.end:
            break  # the next label on this line
        if _label_tail(tok, hit):
            continue
        tok = trim(tok, hit.end)
        if _centre_x(tok.box) >= edge:
            break
        if out or tok.text.strip(":;.,-–— "):  # separators after the label ("No,:" a dot
            # read as a comma), not in the value
            out.append(tok)
    return out


def _label_tail(tok: Token, hit: Hit) -> bool:
    """Whether ``tok`` is the label's last word read with a letter or two more, glued on: its
    misread end, not a value (held-out 556 c00168, "Country of origin" read 'Country of
    origini', the country on the line under it: the origin read as 'i' and not found)."""
    tail = tok.text[max(0, hit.end - tok.start) :]
    return tok.start < hit.end and 0 < len(tail) <= _LABEL_TAIL and tail.isalpha()


def _continued(layout: PageLayout, hit: Hit, same: list[Token]) -> list[Token]:
    """A same-line value that the detector split: the box that continues it on the row right
    after its end is part of it, and a same-line token that box overlaps is a piece of its
    first word read twice ("officer: S" + "Sebastian Munoz")."""
    height = hit.box[3] - hit.box[1]
    nxt = [t for t in _row_right(layout, hit) if t.line != same[-1].line]
    if not nxt or not same[-1].box[2] - height < nxt[0].box[0] < same[-1].box[2] + height:
        return same
    # where the continuing box begins: its first word, or its detector box if that begins
    # before it ("establishment: F" + "FR 50.422.070 CE": the word boxes are the recogniser's
    # estimates, F at 710-721 and FR at 720, the detector's box at 709; seed 264 c00073)
    start = min(nxt[0].box[0], layout.lines[nxt[0].line].box[0])
    kept = [t for t in same if t.box[2] - start < 0.5 * (t.box[2] - t.box[0])]
    return kept + nxt


def _row_right(layout: PageLayout, hit: Hit) -> list[Token]:
    """Words on the label's row to its right, up to the next label's column: the first within
    reach of the label, then every word of its OCR line and of boxes continuing it."""
    edge = _next_hit_start(layout, hit)
    height = hit.box[3] - hit.box[1]
    toks = [
        t
        for t in layout.tokens
        if t.line != hit.line
        and not t.label
        and _same_row(t.box, hit.box)
        and t.box[0] >= hit.box[2] - 2
        and _centre_x(t.box) < edge
    ]
    out: list[Token] = []
    reach = hit.box[2] + _ROW_REACH * height
    for tok in sorted(toks, key=lambda t: t.box[0]):
        if tok.box[0] >= reach and not (out and tok.line == out[-1].line):
            break
        out.append(tok)
        reach = tok.box[2] + _ROW_GAP * height  # the next box must continue this one
    return out


def _lines_under(layout: PageLayout, hit: Hit) -> list[list[Token]]:
    height = max(8.0, hit.box[3] - hit.box[1])
    start = min(hit.box[0], layout.lines[hit.line].box[0])  # the label's line, box number too
    left = max(start - 1.5 * height, _previous_hit_end(layout, hit))
    right = _next_hit_start(layout, hit)
    below = [
        t
        for t in layout.tokens
        if _under(t.box, hit.box, height) and left <= _centre_x(t.box) < right
    ]
    rows = _rows(below)
    taken: list[list[Token]] = []
    last_bottom = hit.box[3]
    for row in rows:
        top = min(t.box[1] for t in row)
        gap_limit = (_FIRST_GAP if not taken else _NEXT_GAP) * height
        if top - last_bottom > gap_limit or any(t.label for t in row):
            break
        if taken and _crosses(layout, row, left, right):
            break  # a wider line below a table cell: not this value
        if taken and _claimed(layout, row):
            break  # the value of a "Label:" on its left (a table cell ended above it)
        taken.append(sorted(row, key=lambda t: t.box[0]))
        last_bottom = max(t.box[3] for t in row)
        if len(taken) >= _MAX_LINES_UNDER:
            break
    return taken


def _under(box: Box, label: Box, height: float) -> bool:
    """A box below the label's row: its top clear of the label's lower part, or (lines set
    close, boxes padded: "Norway" 31 px under "Country of origin", its box overlapping the
    label's by 12) its middle below the row's reach (``_same_row``)."""
    if box[1] > label[3] - 0.3 * height:
        return True
    return (box[1] + box[3]) / 2 > (label[1] + label[3]) / 2 + 0.5 * height


def _claimed(layout: PageLayout, row: list[Token]) -> bool:
    """Whether a row is the same-row value of another label: a label ending in ":" on the
    row, left of it, with nothing after it on its own line."""
    x = min(t.box[0] for t in row)
    box = _row_box(row)
    for h in layout.hits:
        text = layout.lines[h.line].text
        waiting = not text[h.end :].strip() and text[: h.end].rstrip().endswith(":")
        if waiting and h.box[2] <= x and _same_row(h.box, box):
            return True
    return False


def _crosses(layout: PageLayout, row: list[Token], left: float, right: float) -> bool:
    lines = {t.line for t in row}
    return any(not left <= _centre_x(t.box) < right for ln in lines for t in layout.line_tokens(ln))


def _rows(tokens: list[Token]) -> list[list[Token]]:
    rows: list[list[Token]] = []
    for tok in sorted(tokens, key=lambda t: (t.box[1] + t.box[3]) / 2):
        if rows and _same_row(tok.box, _row_box(rows[-1])):
            rows[-1].append(tok)
        else:
            rows.append([tok])
    return rows


def _row_box(row: list[Token]) -> Box:
    ys = statistics.median((t.box[1] + t.box[3]) / 2 for t in row)
    h = statistics.median(t.box[3] - t.box[1] for t in row)
    return (0.0, ys - h / 2, 0.0, ys + h / 2)


def _same_row(a: Box, b: Box) -> bool:
    ca, cb = (a[1] + a[3]) / 2, (b[1] + b[3]) / 2
    h = min(a[3] - a[1], b[3] - b[1])
    return abs(ca - cb) < 0.5 * max(h, 1.0)


def _centre_x(box: Box) -> float:
    return (box[0] + box[2]) / 2
