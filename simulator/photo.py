"""Turn a rendered PDF page into a phone photograph of the paper lying on a table.

A pinhole camera (focal length about the frame's long side, principal point at the frame's
centre) looks at the page from a random pose: tilted about both page axes, turned a little
in its plane, off centre, at a distance that leaves the whole page in frame with a margin of
table round it. Each corner moves differently (up to ~10 % of the page's size from where a
straight-on view would put it). Then: a textured table (three times in four darker than the
paper, else a light one, a white desk, 10-25 % darker than it), a lighting gradient and lens
vignetting, focus blur, sensor noise, JPEG. All seeded. Returns the encoded photo and the 3x3
homography that maps page pixels (200 dpi) to photo pixels (for ground-truth boxes).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from simulator.scan import DPI, Scan, _noise, _tone_lut, rasterise

_FRAME = (2250, 3000)  # portrait 3:4 (w, h), the page's long side along the frame's
_MARGIN = 0.04  # the page's corners stay this share of the frame inside it


def photograph_pdf(pdf: bytes, rng: np.random.Generator, fmt: str = "jpg") -> Scan:
    """The first page of ``pdf`` photographed (see the module's doc); seeded by ``rng``."""
    p = _params(rng)
    page = rasterise(pdf, DPI)
    page = cv2.LUT(page, _tone_lut(rng, p["low"], p["high"]))
    h, w = page.shape[:2]
    p["page_w"], p["page_h"] = float(w), float(h)
    homography = _camera(w, h, p)
    fw, fh = _FRAME
    table = _table(rng, fw, fh, p["table"])
    warped = cv2.warpPerspective(page, homography, (fw, fh), flags=cv2.INTER_AREA)
    inside = cv2.warpPerspective(
        np.full((h, w), 255, np.uint8), homography, (fw, fh), flags=cv2.INTER_LINEAR
    )
    alpha = cv2.cvtColor(inside, cv2.COLOR_GRAY2BGR).astype(np.float32) / 255.0
    img = warped.astype(np.float32) * alpha + table * (1.0 - alpha)
    img *= _light(rng, fw, fh, p["light"], p["vignette"])[..., None]
    img = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), p["blur"])
    img = _noise(img, rng, p["noise"])
    return _encode(img, homography, p, fmt)


def _params(rng: np.random.Generator) -> dict[str, float]:
    return {
        "pitch": float(rng.uniform(-16, 16)),  # degrees about the page's horizontal axis
        "yaw": float(rng.uniform(-12, 12)),  # about its vertical axis
        "roll": float(rng.uniform(-5, 5)),  # in its plane
        "focal": float(rng.uniform(0.8, 1.15)),  # x the frame's long side
        "fill": float(rng.uniform(0.72, 0.88)),  # the page's extent over the frame's
        "shift_x": float(rng.uniform(-1, 1)),  # off centre, in shares of the room left
        "shift_y": float(rng.uniform(-1, 1)),
        "blur": float(rng.uniform(0.5, 1.2)),
        "noise": float(rng.uniform(2.0, 5.0)),
        "low": float(rng.uniform(4, 20)),
        "high": float(rng.uniform(235, 252)),
        "light": float(rng.uniform(0.1, 0.3)),
        "vignette": float(rng.uniform(0.05, 0.18)),
        "quality": float(rng.integers(72, 93)),
        # the surface's brightness: a dark one, or a light one (the paper is 235-252)
        "table": float(rng.uniform(40, 120) if rng.random() < 0.75 else rng.uniform(185, 215)),
    }


def _camera(w: int, h: int, p: dict[str, float]) -> np.ndarray:
    """The homography page pixel -> photo pixel of a pinhole camera at the pose ``p`` says,
    its distance and the page's offset chosen so the page fills ``fill`` of the frame."""
    fw, fh = _FRAME
    f = p["focal"] * max(fw, fh)
    k = np.array([[f, 0, fw / 2], [0, f, fh / 2], [0, 0, 1]], dtype=np.float64)
    rot = _rotation(p["pitch"], p["yaw"], p["roll"])
    z = f * h / (fh * p["fill"])  # page pixels: at this distance the page's height fills
    offset = np.zeros(2)
    for _ in range(6):  # the projection is not linear in the distance: settle it
        hom = _project(k, rot, w, h, z, offset)
        quad = page_corners(hom, w, h)
        xs, ys = [c[0] for c in quad], [c[1] for c in quad]
        extent = max((max(xs) - min(xs)) / fw, (max(ys) - min(ys)) / fh)
        z *= extent / p["fill"]
        room = np.array([fw - (max(xs) - min(xs)), fh - (max(ys) - min(ys))]) / 2
        room = np.maximum(room - np.array([fw, fh]) * _MARGIN, 0.0)
        centre = np.array([(max(xs) + min(xs)) / 2 - fw / 2, (max(ys) + min(ys)) / 2 - fh / 2])
        want = np.array([p["shift_x"], p["shift_y"]]) * room
        offset += (want - centre) * z / f
    return _project(k, rot, w, h, z, offset)


def _rotation(pitch: float, yaw: float, roll: float) -> np.ndarray:
    a, b, c = (math.radians(v) for v in (pitch, yaw, roll))
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return rz @ ry @ rx


def _project(
    k: np.ndarray, rot: np.ndarray, w: int, h: int, z: float, offset: np.ndarray
) -> np.ndarray:
    """Page pixel (u, v) lies at rot @ (u - w/2, v - h/2, 0) + (offset, z) before the camera."""
    centre = np.array([[1, 0, -w / 2], [0, 1, -h / 2], [0, 0, 1]], dtype=np.float64)
    place = np.column_stack([rot[:, 0], rot[:, 1], [offset[0], offset[1], z]])
    hom = k @ place @ centre
    return hom / hom[2, 2]


def page_corners(hom: np.ndarray, w: int, h: int) -> list[list[float]]:
    """The page's corners in the photo: top-left, top-right, bottom-right, bottom-left."""
    pts = np.array([[[0, 0]], [[w, 0]], [[w, h]], [[0, h]]], dtype=np.float64)
    out = cv2.perspectiveTransform(pts, hom)[:, 0, :]
    return [[round(float(x), 2), round(float(y), 2)] for x, y in out]


def _table(rng: np.random.Generator, w: int, h: int, level: float) -> np.ndarray:
    """A textured surface of brightness about ``level`` (wood-like grain over blotches),
    float32 BGR."""
    base = level * (1.0 + rng.uniform(-0.15, 0.15, size=3))
    blotch = cv2.resize(rng.random((6, 8), dtype=np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    grain = cv2.resize(
        rng.random((h // 6, 3), dtype=np.float32), (w, h), interpolation=cv2.INTER_LINEAR
    )
    if rng.random() < 0.5:
        grain = cv2.resize(grain.T, (w, h), interpolation=cv2.INTER_LINEAR)
    shade = 1.0 + 0.2 * (blotch - 0.5) + 0.16 * (grain - 0.5)
    return shade[..., None] * np.asarray(base, dtype=np.float32)[None, None, :]


def _light(
    rng: np.random.Generator, w: int, h: int, strength: float, vignette: float
) -> np.ndarray:
    """A directional lighting gradient times the lens's vignetting (1 = full light)."""
    yy = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None]
    xx = np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :]
    angle = rng.uniform(0, 2 * math.pi)
    ramp = math.cos(angle) * xx + math.sin(angle) * yy  # -0.7..0.7
    radius = (xx * xx + yy * yy) / 0.5
    return (1.0 - strength * (ramp + 0.71) / 1.42) * (1.0 - vignette * radius)


def _encode(img: np.ndarray, hom: np.ndarray, p: dict[str, float], fmt: str) -> Scan:
    quality = int(p["quality"])
    ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if ok and fmt == "png":
        decoded = cv2.imdecode(enc, cv2.IMREAD_COLOR)
        assert decoded is not None
        ok, enc = cv2.imencode(".png", decoded, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise RuntimeError("image encoding failed")
    h, w = img.shape[:2]
    return Scan(enc.tobytes(), fmt, hom, (w, h), p)
