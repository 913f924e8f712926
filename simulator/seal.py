"""Official stamps: round (ring text + central emblem), oval, and rectangular double border.

``seal_mask`` draws the design as an ink-density mask (float32 0..1, 1 = full ink) at a given
resolution. ``specimen_png`` is the clean impression an agency files with the registry;
``impression`` is what one stamping leaves on paper: rotated, unevenly inked, with gaps.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from simulator.world import INKS, SealSpec

MM_PER_INCH = 25.4


@lru_cache(maxsize=8)
def font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    import reportlab

    name = "VeraBd.ttf" if bold else "Vera.ttf"
    path = Path(reportlab.__file__).parent / "fonts" / name
    return ImageFont.truetype(str(path), size)


@lru_cache(maxsize=64)
def seal_mask(spec: SealSpec, dpi: float) -> np.ndarray:
    """The design as ink density (cached: treat the array as read-only)."""
    w = max(8, round(spec.size_mm[0] / MM_PER_INCH * dpi))
    h = max(8, round(spec.size_mm[1] / MM_PER_INCH * dpi))
    scale = 2  # supersample, then reduce for smooth edges
    img = Image.new("L", (w * scale, h * scale), 0)
    draw = ImageDraw.Draw(img)
    if spec.shape == "rect":
        _rect(draw, spec, w * scale, h * scale)
    else:
        _ellipse(img, draw, spec, w * scale, h * scale)
    img = img.resize((w, h), Image.Resampling.LANCZOS)
    mask = np.asarray(img, dtype=np.float32) / 255.0
    mask.setflags(write=False)
    return mask


def _ellipse(img: Image.Image, draw: ImageDraw.ImageDraw, spec: SealSpec, w: int, h: int) -> None:
    line = max(2, round(min(w, h) * 0.022))
    draw.ellipse((line, line, w - line, h - line), outline=255, width=round(line * 1.6))
    r = spec.inner_ratio
    ix, iy = w * (1 - r) / 2, h * (1 - r) / 2
    draw.ellipse((ix, iy, w - ix, h - iy), outline=255, width=line)
    band = (1 - r) / 2 * min(w, h) - line * 1.6
    _ring_text(
        img, spec.ring_text, w, h, (ix + line * 2.6) / 2, (iy + line * 2.6) / 2, band, spec.stars
    )
    cx, cy = w / 2, h / 2
    inner_w, inner_h = w * r, h * r
    _emblem(draw, spec.emblem, cx, cy - inner_h * 0.12, min(inner_w, inner_h) * 0.24)
    for k, text in enumerate(spec.inner_text):
        f = font(max(8, round(min(inner_w, inner_h) * 0.1)))
        y = cy + inner_h * (0.22 + 0.13 * k)
        draw.text((cx, y), text, font=f, fill=255, anchor="mm")


def _ring_text(
    img: Image.Image,
    text: str,
    w: int,
    h: int,
    inset_x: float,
    inset_y: float,
    band: float,
    stars: int,
) -> None:
    ax, ay = w / 2 - inset_x, h / 2 - inset_y  # ellipse through the middle of the band
    circumference = math.pi * (3 * (ax + ay) - math.sqrt((3 * ax + ay) * (ax + 3 * ay)))
    arc = 0.86 if stars == 0 else 0.76
    size = max(8, round(band * 0.62))
    f = font(size)
    while f.size > 8 and sum(f.getlength(ch) for ch in text) * 1.12 > circumference * arc:
        f = font(f.size - 1)
    widths = [f.getlength(ch) for ch in text]
    spacing = min(1.5, circumference * arc / max(1.0, sum(widths)))
    total = sum(widths) * spacing
    t = -math.pi / 2 - (total / circumference) * math.pi
    for ch, cw in zip(text, widths, strict=True):
        step = cw * spacing / circumference * 2 * math.pi
        mid = t + step / 2
        _glyph(img, ch, f, w / 2 + ax * math.cos(mid), h / 2 + ay * math.sin(mid), mid)
        t += step
    for k in range(stars):
        ang = math.pi / 2 + (k - (stars - 1) / 2) * 0.2
        x, y = w / 2 + ax * math.cos(ang), h / 2 + ay * math.sin(ang)
        _star(ImageDraw.Draw(img), x, y, f.size * 0.45, 0.0)


def _glyph(
    img: Image.Image, ch: str, f: ImageFont.FreeTypeFont, x: float, y: float, ang: float
) -> None:
    if ch == " ":
        return
    s = int(f.size * 1.6)
    tile = Image.new("L", (s, s), 0)
    ImageDraw.Draw(tile).text((s / 2, s / 2), ch, font=f, fill=255, anchor="mm")
    tile = tile.rotate(-math.degrees(ang) - 90, resample=Image.Resampling.BICUBIC)
    img.paste(255, (round(x - s / 2), round(y - s / 2)), tile)


def _rect(draw: ImageDraw.ImageDraw, spec: SealSpec, w: int, h: int) -> None:
    line = max(2, round(h * 0.04))
    draw.rectangle((line, line, w - line, h - line), outline=255, width=line)
    gap = line * 3
    draw.rectangle((gap, gap, w - gap, h - gap), outline=255, width=max(1, line // 2))
    lines = spec.inner_text
    avail = h - 2 * gap
    for k, text in enumerate(lines):
        size = round(avail / (len(lines) + 0.8) * (0.62 if k == 0 else 0.55))
        f = font(max(8, size))
        while f.getlength(text) > w - 3 * gap and f.size > 8:
            f = font(f.size - 1)
        y = gap + avail * (k + 0.9) / (len(lines) + 0.8)
        draw.text((w / 2, y), text, font=f, fill=255, anchor="mm")
    if spec.emblem:
        _star(draw, gap * 2.2, h / 2, gap * 0.9, 0.0)
        _star(draw, w - gap * 2.2, h / 2, gap * 0.9, 0.0)


def _emblem(draw: ImageDraw.ImageDraw, kind: str, cx: float, cy: float, r: float) -> None:
    if kind == "star":
        _star(draw, cx, cy, r, 0.0)
        for k in range(4):
            a = -math.pi / 2 + (k - 1.5) * 0.55
            _star(
                draw, cx + r * 1.5 * math.cos(a), cy + r * 0.55 + r * 1.5 * math.sin(a), r * 0.2, a
            )
    elif kind == "shield":
        pts = [
            (cx - r * 0.8, cy - r),
            (cx + r * 0.8, cy - r),
            (cx + r * 0.8, cy),
            (cx, cy + r),
            (cx - r * 0.8, cy),
        ]
        draw.polygon(pts, outline=255, width=max(2, round(r * 0.1)))
        draw.line((cx, cy - r, cx, cy + r), fill=255, width=max(2, round(r * 0.1)))
        draw.line(
            (cx - r * 0.8, cy - r * 0.35, cx + r * 0.8, cy - r * 0.35),
            fill=255,
            width=max(2, round(r * 0.1)),
        )
    elif kind == "fish":
        draw.ellipse((cx - r, cy - r * 0.4, cx + r * 0.5, cy + r * 0.4), fill=255)
        draw.polygon(
            [(cx + r * 0.4, cy), (cx + r, cy - r * 0.45), (cx + r, cy + r * 0.45)], fill=255
        )
        draw.ellipse((cx - r * 0.7, cy - r * 0.12, cx - r * 0.5, cy + r * 0.08), fill=0)
    else:  # wheat / fern: a stem with leaves
        width = max(2, round(r * 0.08))
        draw.line((cx, cy + r, cx, cy - r), fill=255, width=width)
        for k in range(5):
            y = cy + r * 0.7 - k * r * 0.38
            ln = r * (0.55 - k * 0.06)
            draw.ellipse((cx - ln, y - r * 0.12, cx, y + r * 0.12), fill=255)
            draw.ellipse((cx, y - r * 0.12, cx + ln, y + r * 0.12), fill=255)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float) -> None:
    pts = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.42
        a = -math.pi / 2 + rot + k * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    draw.polygon(pts, fill=255)


def colourise(mask: np.ndarray, ink: tuple[int, int, int]) -> Image.Image:
    """White paper with ``mask`` in ``ink`` (subtractive, so overlaps darken like real ink)."""
    m = np.clip(mask, 0.0, 1.0)
    a = np.clip(m * 255.0 + 0.5, 0, 255).astype(np.uint8)
    chans = []
    for c in ink:
        lut = np.clip(255.0 - np.arange(256) / 255.0 * (255.0 - c) + 0.5, 0, 255)
        chans.append(lut.astype(np.uint8)[a])
    return Image.fromarray(np.dstack(chans), "RGB")


def specimen_png(spec: SealSpec, dpi: float = 300) -> bytes:
    """The clean registered specimen as PNG bytes."""
    mask = seal_mask(spec, dpi) * 0.92
    buf = io.BytesIO()
    colourise(_pad(mask, 12), INKS[spec.ink]).save(
        buf,
        format="PNG",
        optimize=False,
        dpi=(dpi, dpi),  # as a scanner records it
    )
    return buf.getvalue()


def impression(spec: SealSpec, dpi: float, rng: np.random.Generator, angle: float) -> np.ndarray:
    """One stamping: rotated, with an ink-pressure gradient and blotchy gaps (mask 0..1)."""
    import cv2

    mask = _pad(seal_mask(spec, dpi), 6)
    h0, w0 = mask.shape
    rot = cv2.getRotationMatrix2D((w0 / 2, h0 / 2), angle, 1.0)
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    w, h = int(h0 * sin + w0 * cos) + 1, int(h0 * cos + w0 * sin) + 1
    rot[0, 2] += w / 2 - w0 / 2
    rot[1, 2] += h / 2 - h0 / 2
    m = cv2.warpAffine(mask, rot, (w, h), flags=cv2.INTER_LINEAR)
    theta = rng.uniform(0, 2 * np.pi)
    xx = np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :]
    yy = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None]
    ramp = np.clip(np.cos(theta) * xx + np.sin(theta) * yy + 0.5, 0, 1)
    low = rng.uniform(0.35, 0.65)
    pressure = low + (1 - low) * ramp
    blotch = _low_freq(rng, h, w, cells=int(rng.integers(6, 12)))
    gaps = np.clip((blotch - rng.uniform(0.15, 0.3)) * 4.0, 0.0, 1.0)
    grain = 1.0 - 0.25 * rng.random((h, w), dtype=np.float32)
    return np.clip(m * pressure * gaps * grain * rng.uniform(0.85, 1.0), 0, 1)


def difference_px(a: np.ndarray, b: np.ndarray, level: float = 0.25) -> int:
    """Pixels where two impression masks differ by ``level`` or more, centred on each other
    (a forged die of another size gives masks of other shapes)."""
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    return int(np.count_nonzero(np.abs(_centre(a, h, w) - _centre(b, h, w)) >= level))


def _centre(m: np.ndarray, h: int, w: int) -> np.ndarray:
    top, left = (h - m.shape[0]) // 2, (w - m.shape[1]) // 2
    return np.pad(m, ((top, h - m.shape[0] - top), (left, w - m.shape[1] - left)))


def _low_freq(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    small = rng.random((int(cells), int(cells)), dtype=np.float32)
    img = Image.fromarray((small * 255).astype(np.uint8), "L").resize(
        (w, h), Image.Resampling.BICUBIC
    )
    return np.asarray(img, dtype=np.float32) / 255.0


def _pad(mask: np.ndarray, px: int) -> np.ndarray:
    return np.pad(mask, px, mode="constant")
