"""Vector PDF rendering of one certificate (reportlab, real text layer).

``render_pdf`` lays out the header, the fields in the layout's style (numbered boxes, labelled
lines, or lines with a goods table), the certifying statement and the signing block, then
calls ``finish(canvas, geometry)`` so the caller can stamp, sign and tamper on the same page.
Label/value placement follows the extraction rule of the contract: a value sits right of its
label on the same line, or on the lines under it until the next label.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from simulator.layouts import Layout

PAGE_W, PAGE_H = A4
MARGIN = 40.0
rl_config.useA85 = 0  # binary image streams: smaller files, much faster to write
_HEAD_FIELDS = {
    "certificate_number",
    "consignor",
    "consignee",
    "origin_country",
    "destination_country",
}


@dataclass
class TextRun:
    x: float
    y: float  # baseline, PDF coordinates
    text: str
    font: str
    size: float

    @property
    def width(self) -> float:
        return stringWidth(self.text, self.font, self.size)


@dataclass
class Geometry:
    values: dict[str, list[TextRun]] = field(default_factory=dict)
    sign_y: float = 0.0  # baseline of the officer-name line
    seal_center: tuple[float, float] = (0.0, 0.0)
    signature_at: tuple[float, float] = (0.0, 0.0)  # lower-left of the signature


Finish = Callable[[Canvas, Geometry], None]


def render_pdf(
    layout: Layout,
    printed: dict[str, list[str]],
    finish: Finish,
    extras: list[tuple[str, list[str]]] | None = None,
) -> bytes:
    # first pass measures how much of the page is left; the second spreads the rows out the
    # way fixed-size form boxes and ruled lines would
    probe = _Renderer(Canvas(io.BytesIO(), pagesize=A4, invariant=1), layout, printed)
    free = probe.draw(extras or []) - (MARGIN + 12)
    rows = max(1, probe.body_rows)
    cap = 26.0 if layout.style == "boxes" else 7.0
    pad = max(0.0, min(cap, free * 0.8 / rows))
    gap = max(0.0, min(70.0, free - pad * rows))
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(layout.titles[-1].title())
    c.setAuthor(layout.agency)
    c.setCreator("cusdep simulator")
    c.setProducer("cusdep simulator")
    r = _Renderer(c, layout, printed, pad=pad, gap=gap)
    r.draw(extras or [])
    finish(c, r.geo)
    c.showPage()
    c.save()
    return buf.getvalue()


class _Renderer:
    def __init__(
        self,
        c: Canvas,
        layout: Layout,
        printed: dict[str, list[str]],
        pad: float = 0.0,
        gap: float = 0.0,
    ) -> None:
        self.c, self.l, self.p = c, layout, printed
        self.pad, self.gap = pad, gap
        self.body_rows = 0
        self.geo = Geometry()
        self.width = PAGE_W - 2 * MARGIN
        self.bold = {
            "Helvetica": "Helvetica-Bold",
            "Times-Roman": "Times-Bold",
            "Courier": "Courier-Bold",
        }[layout.font]
        self.number = 0

    def draw(self, extras: list[tuple[str, list[str]]]) -> float:
        """Lay out the page; returns the lowest y used."""
        y = self.header(PAGE_H - MARGIN)
        y = self.body(y - 8)
        y = self.extras(y - 8 - self.gap * 0.3, extras)
        y = self.statement(y - 6 - self.gap * 0.3)
        return self.signing(y - 10 - self.gap * 0.4)

    # ---- header -----------------------------------------------------------------------------
    def header(self, top: float) -> float:
        c, lay = self.c, self.l
        c.setStrokeGray(0.25)
        c.setLineWidth(1.2)
        c.rect(MARGIN - 14, MARGIN - 18, self.width + 28, PAGE_H - 2 * MARGIN + 30)
        c.setLineWidth(0.4)
        c.rect(MARGIN - 11, MARGIN - 15, self.width + 22, PAGE_H - 2 * MARGIN + 24)
        c.setFont(self.bold, 9)
        c.drawCentredString(PAGE_W / 2, top - 4, lay.subtitle.upper())
        y = top - 4
        for k, title in enumerate(lay.titles):
            size = 15 if k == 0 else 11
            y -= 20 if k == 0 else 15
            c.setFont(self.bold, size)
            c.drawCentredString(PAGE_W / 2, y, title)
        c.setLineWidth(0.8)
        c.line(MARGIN, y - 8, PAGE_W - MARGIN, y - 8)
        return y - 14

    # ---- fields -----------------------------------------------------------------------------
    def body(self, y: float) -> float:
        if self.l.style == "boxes":
            return self._boxes(y)
        rows = self.l.rows
        if self.l.style == "table":
            head = tuple(r for r in rows if set(r) <= _HEAD_FIELDS)
            rest = tuple(r for r in rows if r not in head and not _is_sign_row(r))
            y = self._lines(y, head)
            y = self._table(y - 4)
            return self._lines(y - 6, rest)
        return self._lines(y, tuple(r for r in rows if not _is_sign_row(r)))

    def _label(self, name: str) -> str:
        text = self.l.labels[name]
        if self.l.numbered:
            self.number += 1
            return f"{self.number}. {text}"
        return text

    def _fit(self, text: str, font: str, size: float, width: float, floor: float) -> float:
        while size > floor and stringWidth(text, font, size) > width:
            size -= 0.25
        return size

    def _put(self, name: str, x: float, y: float, text: str, size: float, width: float) -> None:
        font = self.l.value_font
        size = self._fit(text, font, size, width, 6.0)
        self.c.setFont(font, size)
        self.c.drawString(x, y, text)
        self.geo.values.setdefault(name, []).append(TextRun(x, y, text, font, size))

    def _boxes(self, y: float) -> float:
        body_rows = [r for r in self.l.rows if not _is_sign_row(r)]
        for i, row in enumerate(body_rows):
            same_line = i == len(body_rows) - 1
            col_w = self.width / len(row)
            lines = max(len(self.p[f]) for f in row)
            h = 13 + (0 if same_line else 12.5 * lines) + 4 + (0 if same_line else self.pad)
            self.body_rows += 0 if same_line else 1
            for k, name in enumerate(row):
                x = MARGIN + k * col_w
                self.c.setLineWidth(0.6)
                self.c.rect(x, y - h, col_w, h)
                label = self._label(name)
                size = self._fit(label, self.l.font, 7.5, col_w - 8, 5.5)
                self.c.setFont(self.l.font, size)
                self.c.drawString(x + 4, y - 10, label)
                if same_line:
                    lx = x + 4 + stringWidth(label, self.l.font, size) + 8
                    self._put(name, lx, y - 10.5, self.p[name][0], 9.5, x + col_w - lx - 4)
                    continue
                for j, text in enumerate(self.p[name]):
                    self._put(name, x + 12, y - 22 - 12.5 * j, text, 9.5, col_w - 16)
            y -= h
        return y

    def _lines(self, y: float, rows: tuple[tuple[str, ...], ...]) -> float:
        for row in rows:
            col_w = self.width / len(row)
            multi = any(len(self.p[f]) > 1 for f in row)
            y -= 15 + self.pad
            self.body_rows += 1
            for k, name in enumerate(row):
                x = MARGIN + k * col_w
                label = self._label(name) + ":"
                self.c.setFont(self.bold, 8.5)
                self.c.drawString(x, y, label)
                if len(self.p[name]) > 1:
                    for j, text in enumerate(self.p[name]):
                        self._put(name, x + 18, y - 13 - 12 * j, text, 10, col_w - 24)
                    continue
                lx = x + max(150.0, stringWidth(label, self.bold, 8.5) + 10)
                if len(row) > 1:
                    lx = x + stringWidth(label, self.bold, 8.5) + 8
                self._put(name, lx, y, self.p[name][0], 10, x + col_w - lx - 6)
                self.c.setStrokeGray(0.55)
                self.c.setLineWidth(0.3)
                self.c.line(lx - 2, y - 2.5, x + col_w - 8, y - 2.5)
                self.c.setStrokeGray(0)
            if multi:
                y -= 12 * max(len(self.p[f]) for f in row) + 2
        return y

    def _table(self, y: float) -> float:
        names = self.l.table
        labels = [self._label(n) for n in names]
        widths = [
            max(stringWidth(lb, self.bold, 7.5), stringWidth(self.p[n][0], self.l.value_font, 9.5))
            + 12
            for n, lb in zip(names, labels, strict=True)
        ]
        fixed = sum(widths[1:])
        widths[0] = max(widths[0], self.width - fixed)
        scale = self.width / sum(widths)
        widths = [w * scale for w in widths]
        h_head, h_row = 16.0, 20.0
        x = MARGIN
        self.c.setLineWidth(0.7)
        self.c.rect(MARGIN, y - h_head - h_row, self.width, h_head + h_row)
        self.c.line(MARGIN, y - h_head, MARGIN + self.width, y - h_head)
        for name, label, w in zip(names, labels, widths, strict=True):
            size = self._fit(label, self.bold, 7.5, w - 8, 5.0)
            self.c.setFont(self.bold, size)
            self.c.drawString(x + 4, y - 11, label)
            self._put(name, x + 4, y - h_head - 13.5, self.p[name][0], 9.5, w - 8)
            x += w
            if x < MARGIN + self.width - 1:
                self.c.line(x, y, x, y - h_head - h_row)
        return y - h_head - h_row

    def extras(self, y: float, sections: list[tuple[str, list[str]]]) -> float:
        for heading, lines in sections:
            y -= 12
            self.c.setFont(self.bold, 8)
            self.c.drawString(MARGIN, y, heading)
            self.c.setFont(self.l.value_font, 8.5)
            for line in lines:
                y -= 11
                self.c.drawString(MARGIN + 10, y, line)
            y -= 4
        return y

    # ---- statement and signing block --------------------------------------------------------
    def statement(self, y: float) -> float:
        from reportlab.lib.utils import simpleSplit

        size = 8.0
        lines = simpleSplit(self.l.statement, self.l.font, size, self.width)
        self.c.setFont(self.l.font, size)
        for line in lines:
            y -= 10
            self.c.drawString(MARGIN, y, line)
        return y

    def signing(self, y: float) -> float:
        sign_rows = [r for r in self.l.rows if _is_sign_row(r)]
        saved, self.l = self.l, _no_numbers(self.l)
        y = self._lines(y, tuple(sign_rows))
        self.l = saved
        self.geo.sign_y = y
        sig_x = MARGIN + self.width * 0.52
        self.c.setStrokeGray(0.3)
        self.c.setLineWidth(0.4)
        self.c.line(sig_x, y - 62, sig_x + 190, y - 62)
        self.c.setFont(self.l.font, 7)
        self.c.drawString(sig_x, y - 71, "Signature and official stamp")
        self.geo.signature_at = (sig_x + 10, y - 60)
        self.geo.seal_center = (MARGIN + self.width * 0.28, y - 50)
        self.c.setFont(self.l.font, 6.5)
        self.c.drawString(MARGIN, MARGIN - 6, f"Form {self.l.id}  -  page 1 of 1")
        return y - 112  # room for the stamp below the officer line


def _is_sign_row(row: tuple[str, ...]) -> bool:
    return any(f in ("place_of_issue", "issue_date", "officer_name") for f in row)


def _no_numbers(layout: Layout) -> Layout:
    from dataclasses import replace

    return replace(layout, numbered=False)
