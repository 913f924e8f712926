"""Handwritten-style signatures drawn from per-officer stroke parameters.

An officer's signature is a fixed set of control points derived from ``style_seed`` (a
capital loop, a run of cursive humps per name, a flourish). Each document jitters the
points, slant, scale and pen width a little, as a real hand does (``OWN_HAND``).

A forger copying it freehand (``COPYING_HAND``) follows the same design with the signs
examiners look for in a simulated signature: a slow, even, shaky line and proportions and
slant that wander further than the writer's own.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

SIG_INK = (22, 34, 110)
_W, _H = 600, 200  # design canvas (px), rendered at ``scale`` and reduced


@dataclass(frozen=True)
class Hand:
    """How a pen follows a signature's design on one document (design canvas pixels)."""

    jitter: float = 2.2  # scatter of each control point
    slant: float = 3.0  # degrees either side of the design's slant
    stretch: tuple[float, float] = (0.94, 1.06)  # horizontal scale
    tremor: float = 0.0  # wobble along the stroke of a slow, careful hand
    speed: float = 1.0  # how much a fast stroke thins the line (0: drawn slowly, even width)


OWN_HAND = Hand()
COPYING_HAND = Hand(jitter=5.0, slant=8.0, stretch=(0.86, 1.14), tremor=1.3, speed=0.3)


def _design(style_seed: int, name: str) -> tuple[list[list[tuple[float, float]]], float]:
    """Strokes (control points) and base slant (degrees) of one officer's signature."""
    rng = random.Random(style_seed)
    words = name.split()[:3]
    form = rng.choice(("full", "initial_surname", "surname", "initials_flourish"))
    if form == "initial_surname" and len(words) > 1:
        words = [words[0][0], words[-1]]
    elif form == "surname":
        words = [words[-1]]
    elif form == "initials_flourish":
        words = [w[0] for w in words]
    cap = rng.choice(("loop", "tall", "round", "hook"))
    hump = rng.choice(("arcade", "garland", "zigzag", "eloop"))
    amp = rng.uniform(14, 30)
    strokes: list[list[tuple[float, float]]] = []
    x, base = 30.0, 120.0
    for word in words:
        cap_h = rng.uniform(55, 95)
        pts = _capital(cap, x, base, cap_h)
        x += rng.uniform(24, 40)
        n = 0 if len(word) == 1 else max(2, min(8, len(word) - 1 + rng.randint(-2, 1)))
        for _ in range(n):
            w = rng.uniform(10, 22)
            pts += _hump(hump, x, base, w, amp * (2.0 if rng.random() < 0.2 else 1.0))
            x += w
        strokes.append(pts)
        x += rng.uniform(10, 28)
    end = rng.choice(("underline", "none", "tail", "strike"))
    last = strokes[-1][-1]
    if end == "underline":
        strokes.append(
            [
                (last[0], base - 4),
                (x + 20, base + 8),
                (rng.uniform(60, 140), base + rng.uniform(18, 34)),
                (rng.uniform(10, 40), base + 26),
            ]
        )
    elif end == "tail":
        strokes[-1] += [(x + 25, base - rng.uniform(30, 70)), (x + 45, base - rng.uniform(60, 90))]
    elif end == "strike":
        strokes.append(
            [
                (20, base - rng.uniform(20, 40)),
                (x * 0.5, base - rng.uniform(30, 50)),
                (x + 10, base - rng.uniform(25, 60)),
            ]
        )
    return strokes, rng.uniform(-4, 24)


def _capital(kind: str, x: float, base: float, h: float) -> list[tuple[float, float]]:
    if kind == "loop":
        return [
            (x, base),
            (x + 8, base - h),
            (x + 30, base - h * 0.8),
            (x + 18, base - h * 0.35),
            (x + 4, base - 8),
        ]
    if kind == "tall":
        return [
            (x + 6, base - h * 0.2),
            (x + 2, base - h),
            (x + 4, base),
            (x + 14, base - h * 0.5),
            (x + 26, base - h * 0.45),
            (x + 18, base - 4),
        ]
    if kind == "round":
        return [
            (x + 26, base - h * 0.75),
            (x + 10, base - h),
            (x - 4, base - h * 0.5),
            (x + 8, base),
            (x + 28, base - h * 0.3),
        ]
    return [
        (x - 6, base - h * 0.55),
        (x + 10, base - h),
        (x + 14, base - h * 0.3),
        (x + 6, base),
        (x - 2, base - 10),
        (x + 20, base - h * 0.25),
    ]


def _hump(kind: str, x: float, base: float, w: float, amp: float) -> list[tuple[float, float]]:
    if kind == "arcade":
        return [(x + w * 0.5, base - amp), (x + w, base)]
    if kind == "garland":
        return [(x + w * 0.3, base), (x + w * 0.7, base), (x + w, base - amp)]
    if kind == "zigzag":
        return [(x + w * 0.5, base - amp * 1.1), (x + w * 0.6, base - amp * 0.2), (x + w, base)]
    return [
        (x + w * 0.7, base - amp * 0.9),
        (x + w * 0.3, base - amp * 0.8),
        (x + w * 0.6, base),
        (x + w, base - 2),
    ]


def _spline(pts: list[tuple[float, float]], per: int = 12) -> list[tuple[float, float]]:
    """Catmull-Rom through the points."""
    if len(pts) < 3:
        return pts
    p = [pts[0], *pts, pts[-1]]
    out: list[tuple[float, float]] = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        for k in range(per):
            t = k / per
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[j]
                        + (-p0[j] + p2[j]) * t
                        + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                        + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3
                    )
                    for j in range(2)
                )
            )
    out.append(p[-2])
    return out


def signature_mask(
    style_seed: int,
    name: str,
    variation: random.Random | None = None,
    height_px: int = 120,
    hand: Hand = OWN_HAND,
) -> np.ndarray:
    """Ink mask (float32 0..1) of the signature ``style_seed`` designs for ``name``;
    ``variation`` = one document, written by ``hand``."""
    v = variation
    strokes, base_slant = _design(style_seed, name)
    slant = math.radians((v.uniform(-hand.slant, hand.slant) if v else 0.0) + base_slant)
    sx = v.uniform(*hand.stretch) if v else 1.0
    pen = (v.uniform(0.85, 1.15) if v else 1.0) * 5.0
    scale = 2
    img = Image.new("L", (_W * scale, _H * scale), 0)
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        pts = [
            (x + (v.gauss(0, hand.jitter) if v else 0), y + (v.gauss(0, hand.jitter) if v else 0))
            for x, y in stroke
        ]
        path = _spline(pts)
        if v and hand.tremor:
            path = _shaken(path, hand.tremor, v)
        tr = [((x * sx + (140 - y) * math.tan(slant)) * scale, y * scale) for x, y in path]
        for (x0, y0), (x1, y1) in zip(tr, tr[1:], strict=False):
            speed = math.hypot(x1 - x0, y1 - y0) / scale
            thin = hand.speed * min(0.6, speed / 30)
            width = max(1.0, pen * scale * (1.25 - thin))
            draw.line((x0, y0, x1, y1), fill=255, width=round(width))
            r = width / 2
            draw.ellipse((x1 - r, y1 - r, x1 + r, y1 + r), fill=255)
    box = img.getbbox() or (0, 0, 2, 2)
    img = img.crop((max(0, box[0] - 8), max(0, box[1] - 8), box[2] + 8, box[3] + 8))
    w = max(4, round(img.width * height_px / img.height))
    img = img.resize((w, height_px), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.float32) / 255.0


def _shaken(
    path: list[tuple[float, float]], amp: float, v: random.Random
) -> list[tuple[float, float]]:
    """``path`` drawn by a hand that wavers: a slow wobble of about ``amp`` pixels."""
    px, py = v.uniform(0, math.tau), v.uniform(0, math.tau)
    fx, fy = v.uniform(0.5, 0.9), v.uniform(0.5, 0.9)
    return [
        (x + amp * math.sin(i * fx + px), y + amp * math.sin(i * fy + py))
        for i, (x, y) in enumerate(path)
    ]


def specimen_png(style_seed: int, name: str) -> bytes:
    from simulator.seal import colourise

    mask = signature_mask(style_seed, name, None, height_px=160)
    buf = io.BytesIO()
    colourise(np.pad(mask, 16) * 0.95, SIG_INK).save(buf, format="PNG", dpi=(300, 300))
    return buf.getvalue()
