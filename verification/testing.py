"""Helpers for tests and benches: render simple certificate pages, seals and signatures.

``render_page`` draws labelled lines with Pillow at 200 dpi and returns the page together with
the exact text lines it drew, which ``ScriptedOcr`` (a fake ``OcrEngine``) plays back, so unit
tests exercise extraction, seal and rules without the OCR models.
"""

from __future__ import annotations

import io
import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from verification.intake import WORK_DPI
from verification.ports import OcrLine

_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MM = WORK_DPI / 25.4
A4 = (round(210 * MM), round(297 * MM))


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_BOLD if bold else _FONT, size)


@dataclass
class RenderedPage:
    image: Image.Image
    lines: list[OcrLine] = field(default_factory=list)

    def png(self, dpi: int = WORK_DPI) -> bytes:
        buf = io.BytesIO()
        self.image.save(buf, format="PNG", dpi=(dpi, dpi))
        return buf.getvalue()

    def rgb(self) -> np.ndarray:
        return np.asarray(self.image.convert("RGB"))


def swap_in_longest_word(text: str) -> str:
    """``text`` with the third and fourth letters of its longest word swapped (an imitation
    stamp's misspelling)."""
    words = text.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    words[i] = w[:2] + w[3] + w[2] + w[4:]
    return " ".join(words)


def text_strip(text: str, width: int = 560, size: int = 22) -> np.ndarray:
    """One line of bold text, white on black, as a float image in [0, 1] (a seal text strip)."""
    img = Image.new("L", (width, 40), 0)
    ImageDraw.Draw(img).text(
        (width / 2, 20), text, font=font(size, bold=True), fill=255, anchor="mm"
    )
    return np.asarray(img, dtype=np.float32) / 255.0


def render_page(
    title: str,
    rows: Sequence[tuple[str, Sequence[str]]],
    *,
    size: tuple[int, int] = A4,
    left: int = 120,
    top: int = 260,
    gap: int = 56,
) -> RenderedPage:
    """A white page: the title, then per row ``label: first`` and further value lines under it
    (a row with an empty label prints only its values)."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    page = RenderedPage(img)
    _text(page, draw, (left + 250, 110), title, font(44, bold=True))
    y = top
    for label, values in rows:
        first = f"{label}: {values[0]}" if label and values else (label or values[0])
        _text(page, draw, (left, y), first, font(30))
        for extra in values[1:]:
            y += 42
            _text(page, draw, (left + 20, y), extra, font(30))
        y += gap
    return page


def _text(
    page: RenderedPage,
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    f: ImageFont.FreeTypeFont,
) -> None:
    draw.text(xy, text, font=f, fill="black")
    x0, y0, x1, y1 = draw.textbbox(xy, text, font=f)
    quad = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    page.lines.append(
        OcrLine(text, (x0, y0, x1, y1), 0.98, quad=tuple((float(a), float(b)) for a, b in quad))
    )


class ScriptedOcr:
    """Fake OcrEngine returning prepared lines (one list per page, in call order)."""

    name = "scripted"

    def __init__(self, *pages: Sequence[OcrLine]) -> None:
        self.pages = [list(p) for p in pages]
        self.calls = 0

    def recognise(self, image: np.ndarray) -> list[OcrLine]:
        lines = self.pages[min(self.calls, len(self.pages) - 1)]
        self.calls += 1
        return list(lines)


def draw_seal(
    ring_text: str,
    *,
    diameter_mm: float = 40.0,
    colour: tuple[int, int, int] = (196, 32, 38),
    inner: str = "No. 07",
    rotation: float = 0.0,
    inner_ratio: float = 0.72,
) -> Image.Image:
    """A round stamp (double ring, text around, a star and a number in the middle), RGBA."""
    d = round(diameter_mm * MM)
    big = 3
    size = d * big
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    w = max(3, size // 90)
    draw.ellipse((w, w, size - w, size - w), outline=colour, width=w)
    r_in = size / 2 * inner_ratio
    c = size / 2
    draw.ellipse((c - r_in, c - r_in, c + r_in, c + r_in), outline=colour, width=w)
    _ring_text(img, ring_text, colour, c, (size / 2 + r_in) / 2, size)
    _star(draw, c, c - r_in * 0.35, r_in * 0.25, colour)
    f = font(int(size * 0.07), bold=True)
    tw = draw.textlength(inner, font=f)
    draw.text((c - tw / 2, c + r_in * 0.1), inner, font=f, fill=colour)
    img = img.resize((d, d), Image.Resampling.LANCZOS)
    return img.rotate(rotation, resample=Image.Resampling.BICUBIC) if rotation else img


def _ring_text(
    img: Image.Image, text: str, colour: tuple[int, int, int], c: float, r: float, size: int
) -> None:
    f = font(int(size * 0.075), bold=True)
    n = len(text)
    span = 300.0
    for i, ch in enumerate(text):
        ang = -span / 2 + span * (i + 0.5) / n
        glyph = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((glyph.width * 0.2, 0), ch, font=f, fill=colour)
        glyph = glyph.rotate(-ang, resample=Image.Resampling.BICUBIC)
        x = c + r * math.sin(math.radians(ang)) - glyph.width / 2
        y = c - r * math.cos(math.radians(ang)) - glyph.height / 2
        img.alpha_composite(glyph, (int(x), int(y)))


def _star(
    draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, colour: tuple[int, int, int]
) -> None:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.45
        a = math.pi / 2 + k * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy - rr * math.sin(a)))
    draw.polygon(pts, fill=colour)


def draw_signature(
    seed: int,
    *,
    jitter: float = 0.0,
    size: tuple[int, int] = (360, 120),
    colour: tuple[int, int, int] = (20, 30, 90),
) -> Image.Image:
    """A handwriting-like stroke deterministic in ``seed``; ``jitter`` varies it a little."""
    rng = random.Random(seed)
    noise = random.Random(seed * 7919 + int(jitter * 1000))
    img = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    w, h = size
    pts = []
    loops = rng.randint(4, 7)
    for i in range(loops * 12):
        t = i / (loops * 12 - 1)
        x = 0.06 * w + 0.88 * w * t
        y = h / 2 + h * 0.32 * math.sin(2 * math.pi * loops * t + rng.random()) * (
            0.6 + 0.4 * math.sin(3 * t + seed)
        )
        pts.append((x + noise.gauss(0, jitter), y + noise.gauss(0, jitter)))
    draw.line(pts, fill=colour, width=4, joint="curve")
    return img


def paste(page: RenderedPage, stamp: Image.Image, xy: tuple[int, int]) -> None:
    """Composite an RGBA stamp or signature onto the page (multiply, like ink)."""
    base = page.image.convert("RGB")
    layer = Image.new("RGB", base.size, "white")
    layer.paste(stamp.convert("RGB"), xy, stamp.split()[3])
    arr = np.asarray(base, dtype=np.float32) * np.asarray(layer, dtype=np.float32) / 255.0
    page.image = Image.fromarray(arr.astype(np.uint8))


def png_bytes(img: Image.Image, dpi: int = WORK_DPI) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def pdf_of_objects(objects: Sequence[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1; the first is the catalog), its xref correct."""
    out, offsets = b"%PDF-1.7\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref, size = len(out), len(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)


def nested_forms_pdf(depth: int) -> bytes:
    """A content bomb of about 3 KB: one A4 page drawing a form that draws the form below it
    twice, ``depth`` levels down to a square: pdfium draws ``2**depth`` squares (depth 16:
    about 2 s and 250 MB; depth 20: minutes and GBs)."""

    def form(content: bytes, resources: bytes = b"") -> bytes:
        head = b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] " + resources
        return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (head, len(content), content)

    top = 5 + depth  # objects 5 .. 5 + depth: the square, then each level
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /X %d 0 R >> >> >>" % top,
        b"<< /Length 5 >>\nstream\n/X Do\nendstream",
        form(b"0 0 1 rg 10 10 100 100 re f"),
    ]
    for level in range(1, depth + 1):
        below = b"/Resources << /XObject << /Y %d 0 R >> >>" % (4 + level)
        objects.append(form(b"/Y Do /Y Do", below))
    return pdf_of_objects(objects)


def path_ops_pdf(count: int) -> bytes:
    """A content bomb of about 1 KB: one A4 page whose content stream, deflated twice, is
    ``count`` line segments (pdfium parses each into an object: 5 M took minutes and 1.5 GB)."""
    deflate = zlib.compressobj(9)
    block = b"10 10 m 500 800 l S\n" * 10_000
    once = b"".join(deflate.compress(block) for _ in range(count // 10_000)) + deflate.flush()
    twice = zlib.compress(once, 9)
    head = b"<< /Filter [/FlateDecode /FlateDecode] /Length %d >>" % len(twice)
    return pdf_of_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            head + b"\nstream\n" + twice + b"\nendstream",
        ]
    )


def photograph(
    page: np.ndarray,
    corners: Sequence[tuple[float, float]],
    *,
    frame: tuple[int, int] = (2250, 3000),
    table: float = 80.0,
    seed: int = 1,
) -> bytes:
    """A JPEG photo of the RGB ``page`` lying on a textured table of brightness ``table``, its
    corners (top-left, top-right, bottom-right, bottom-left) at ``corners`` in a ``frame``
    (w, h) photo, lit more from the right, blurred a little and noisy."""
    import cv2

    rng = np.random.default_rng(seed)
    fw, fh = frame
    h, w = page.shape[:2]
    src = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    hom = cv2.getPerspectiveTransform(src.astype(np.float32), np.array(corners, np.float32))
    warped = cv2.warpPerspective(page, hom, (fw, fh), flags=cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(np.full((h, w), 1.0, np.float32), hom, (fw, fh))[..., None]
    texture = cv2.resize(rng.random((40, 30), dtype=np.float32), (fw, fh))[..., None]
    ground = table * (0.85 + 0.3 * texture) * np.array([0.8, 0.9, 1.0], np.float32)
    img = warped * inside + ground * (1 - inside)
    img *= np.linspace(0.75, 1.0, fw, dtype=np.float32)[None, :, None]
    img = cv2.GaussianBlur(img, (0, 0), 1.0) + rng.normal(0, 3, img.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, format="JPEG", quality=88)
    return buf.getvalue()
