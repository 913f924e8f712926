"""Handwritten-style signatures drawn from per-officer stroke parameters.

An officer's signature is a fixed set of control points derived from ``style_seed`` (a
capital loop, a run of cursive humps per name, a flourish). Each document jitters the
points, slant, scale and pen width a little, as a real hand does.
"""

from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageDraw

SIG_INK = (22, 34, 110)
_W, _H = 600, 200  # design canvas (px), rendered at ``scale`` and reduced


def _design(style_seed: int, name: str) -> list[list[tuple[float, float]]]:
    rng = random.Random(style_seed)
    strokes: list[list[tuple[float, float]]] = []
    x = 30.0
    baseline = 120.0
    for word in name.split()[:3]:
        pts: list[tuple[float, float]] = []
        cap_h = rng.uniform(60, 95)
        # the capital: an up-stroke, a loop, back to the baseline
        pts += [
            (x, baseline),
            (x + 8, baseline - cap_h),
            (x + 30, baseline - cap_h * 0.8),
            (x + 18, baseline - cap_h * 0.35),
            (x + 4, baseline - 8),
        ]
        x += rng.uniform(26, 40)
        humps = max(2, min(7, len(word) - 1 + rng.randint(-2, 1)))
        amp = rng.uniform(16, 30)
        for _ in range(humps):
            w = rng.uniform(12, 22)
            tall = rng.random() < 0.25
            pts.append((x + w * 0.5, baseline - amp * (2.2 if tall else 1.0)))
            pts.append((x + w, baseline - rng.uniform(0, 6)))
            x += w
        strokes.append(pts)
        x += rng.uniform(12, 26)
    # flourish: a long underline swinging back
    fl = [
        (strokes[-1][-1][0], baseline - 4),
        (x + 20, baseline + 8),
        (rng.uniform(60, 140), baseline + rng.uniform(18, 34)),
        (rng.uniform(10, 40), baseline + 26),
    ]
    if rng.random() < 0.8:
        strokes.append(fl)
    return strokes


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
    style_seed: int, name: str, variation: random.Random | None = None, height_px: int = 120
) -> np.ndarray:
    """Ink mask (float32 0..1) of the officer's signature; ``variation`` = one document."""
    v = variation
    slant = math.radians((v.uniform(-4, 4) if v else 0.0) + 12)
    sx = v.uniform(0.94, 1.06) if v else 1.0
    pen = (v.uniform(0.85, 1.15) if v else 1.0) * 3.2
    scale = 2
    img = Image.new("L", (_W * scale, _H * scale), 0)
    draw = ImageDraw.Draw(img)
    for stroke in _design(style_seed, name):
        pts = [
            (x + (v.gauss(0, 2.2) if v else 0), y + (v.gauss(0, 2.2) if v else 0))
            for x, y in stroke
        ]
        path = _spline(pts)
        tr = [((x * sx + (140 - y) * math.tan(slant)) * scale, y * scale) for x, y in path]
        for (x0, y0), (x1, y1) in zip(tr, tr[1:], strict=False):
            speed = math.hypot(x1 - x0, y1 - y0) / scale
            width = max(1.0, pen * scale * (1.25 - min(0.6, speed / 30)))
            draw.line((x0, y0, x1, y1), fill=255, width=round(width))
            r = width / 2
            draw.ellipse((x1 - r, y1 - r, x1 + r, y1 + r), fill=255)
    box = img.getbbox() or (0, 0, 2, 2)
    img = img.crop((max(0, box[0] - 8), max(0, box[1] - 8), box[2] + 8, box[3] + 8))
    w = max(4, round(img.width * height_px / img.height))
    img = img.resize((w, height_px), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.float32) / 255.0


def specimen_png(style_seed: int, name: str) -> bytes:
    from simulator.seal import colourise

    mask = signature_mask(style_seed, name, None, height_px=160)
    buf = io.BytesIO()
    colourise(np.pad(mask, 16) * 0.95, SIG_INK).save(buf, format="PNG")
    return buf.getvalue()
