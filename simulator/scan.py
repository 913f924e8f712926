"""Turn a rendered PDF page into a photocopy-like colour scan.

Rasterise with pdfium, then degrade (all seeded): paper tone, uneven light, low contrast,
small rotation and skew, blur, sensor noise and toner specks, JPEG compression. Returns the
encoded scan and the affine matrix that maps page pixels to scan pixels (for ground-truth
boxes).
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

DPI = 200


@dataclass(frozen=True)
class Scan:
    data: bytes
    fmt: str  # "jpg" | "png"
    matrix: np.ndarray  # 2x3 affine: page pixel -> scan pixel
    size: tuple[int, int]
    params: dict[str, float]


def rasterise(pdf: bytes, dpi: int = DPI) -> np.ndarray:
    """First page as a BGR uint8 array."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        bitmap = page.render(scale=dpi / 72.0)
        img = bitmap.to_numpy()
        mode = bitmap.mode
        out = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR) if mode in ("BGRA", "BGRX") else img.copy()
        page.close()
    finally:
        doc.close()
    return out


def _params(rng: np.random.Generator) -> dict[str, float]:
    return {
        "angle": float(rng.uniform(-1.6, 1.6)),
        "shear": float(rng.uniform(-0.012, 0.012)),
        "blur": float(rng.uniform(0.45, 1.05)),
        "noise": float(rng.uniform(2.5, 7.0)),
        "low": float(rng.uniform(8, 38)),
        "high": float(rng.uniform(222, 248)),
        "light": float(rng.uniform(0.06, 0.2)),
        "quality": float(rng.integers(55, 86)),
        "specks": float(rng.integers(150, 900)),
    }


def scan_pdf(pdf: bytes, rng: np.random.Generator, fmt: str = "jpg", dpi: int = DPI) -> Scan:
    """Rasterise the first page already rotated and sheared (pdfium renders through the
    affine matrix, so text stays vector-sharp and no resampling pass is needed), then degrade."""
    p = _params(rng)
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        scale = dpi / 72.0
        w, h = math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale)
        matrix = _affine(w, h, p["angle"], p["shear"], rng)
        border = [int(v) for v in rng.uniform(20, 60, size=3)]
        bitmap = pdfium.PdfBitmap.new_native(w, h, pdfium_c.FPDFBitmap_BGRx)
        canvas = bitmap.to_numpy()
        canvas[:] = (*border, 255)
        corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=np.float64)
        quad = np.round(corners @ matrix.T).astype(np.int32)
        cv2.fillConvexPoly(canvas, quad, (255, 255, 255, 255), lineType=cv2.LINE_AA)
        a, b, c, d, e, f = (
            matrix[0, 0] * scale,
            matrix[1, 0] * scale,
            matrix[0, 1] * scale,
            matrix[1, 1] * scale,
            matrix[0, 2],
            matrix[1, 2],
        )
        fs = pdfium_c.FS_MATRIX(a, b, c, d, e, f)
        clip = pdfium_c.FS_RECTF(0, 0, w, h)
        pdfium_c.FPDF_RenderPageBitmapWithMatrix(
            bitmap.raw, page.raw, ctypes.byref(fs), ctypes.byref(clip), pdfium_c.FPDF_ANNOT
        )
        img = cv2.cvtColor(canvas, cv2.COLOR_BGRA2BGR)
        page.close()
    finally:
        doc.close()
    img = cv2.LUT(img, _tone_lut(rng, p["low"], p["high"]))
    light = _uneven_light(rng, h, w, p["light"])
    img = cv2.multiply(img, cv2.cvtColor(light, cv2.COLOR_GRAY2BGR), scale=1 / 255.0)
    return _finish(img, rng, p, matrix, fmt)


def degrade(page: np.ndarray, rng: np.random.Generator, fmt: str = "jpg") -> Scan:
    """Degrade an already rasterised BGR uint8 page (resampled rotation); seeded by ``rng``."""
    h, w = page.shape[:2]
    p = _params(rng)
    img = cv2.LUT(page, _tone_lut(rng, p["low"], p["high"]))
    light = _uneven_light(rng, h, w, p["light"])
    img = cv2.multiply(img, cv2.cvtColor(light, cv2.COLOR_GRAY2BGR), scale=1 / 255.0)
    matrix = _affine(w, h, p["angle"], p["shear"], rng)
    border = tuple(float(v) for v in rng.uniform(20, 60, size=3))
    img = cv2.warpAffine(
        img,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )
    return _finish(img, rng, p, matrix, fmt)


def _finish(
    img: np.ndarray, rng: np.random.Generator, p: dict[str, float], matrix: np.ndarray, fmt: str
) -> Scan:
    h, w = img.shape[:2]
    img = cv2.GaussianBlur(img, (0, 0), p["blur"])
    img = _noise(img, rng, p["noise"])
    _specks(img, rng, int(p["specks"]))
    if fmt == "png":
        ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(p["quality"])])
        decoded = cv2.imdecode(jpg, cv2.IMREAD_COLOR)
        assert decoded is not None
        ok, enc = cv2.imencode(".png", decoded, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    else:
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(p["quality"])])
    if not ok:
        raise RuntimeError("image encoding failed")
    return Scan(enc.tobytes(), fmt, matrix, (w, h), p)


def _tone_lut(rng: np.random.Generator, low: float, high: float) -> np.ndarray:
    """Paper tone (slightly warm, per channel) and reduced contrast as one lookup table."""
    base = rng.uniform(0.93, 0.99)
    tint = rng.uniform(-0.015, 0.015, size=3) + np.array([-0.02, 0.0, 0.01])  # B, G, R
    tone = np.clip(base + tint, 0.85, 1.0)
    v = np.arange(256, dtype=np.float64)[:, None] * tone[None, :]
    lut = low + (high - low) * v / 255.0
    return np.clip(lut + 0.5, 0, 255).astype(np.uint8).reshape(256, 1, 3)


def _noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Sensor noise from a seeded 509x509 tile (prime size, so no visible period)."""
    tile = rng.standard_normal((509, 509), dtype=np.float32) * sigma
    h, w = img.shape[:2]
    reps = (h // 509 + 2, w // 509 + 2)
    oy, ox = (int(v) for v in rng.integers(0, 509, size=2))
    pos, neg = (
        cv2.cvtColor(
            np.ascontiguousarray(np.tile(part.astype(np.uint8), reps)[oy : oy + h, ox : ox + w]),
            cv2.COLOR_GRAY2BGR,
        )
        for part in (np.clip(tile, 0, 255), np.clip(-tile, 0, 255))
    )
    return cv2.subtract(cv2.add(img, pos), neg)


def _uneven_light(rng: np.random.Generator, h: int, w: int, strength: float) -> np.ndarray:
    """Illumination field (uint8, 255 = full light), computed small and scaled up."""
    sh, sw = max(8, h // 16), max(8, w // 16)
    small = rng.random((5, 4), dtype=np.float32)
    field = cv2.resize(small, (sw, sh), interpolation=cv2.INTER_CUBIC)
    yy = np.linspace(0.0, 1.0, sh, dtype=np.float32)[:, None]
    xx = np.linspace(0.0, 1.0, sw, dtype=np.float32)[None, :]
    gx, gy = rng.uniform(-1, 1, size=2)
    grad = gx * (xx - 0.5) + gy * (yy - 0.5)
    light = 1.0 - strength * (0.6 * np.clip(field, 0, 1) + 0.4 * (grad + 0.5))
    edge = rng.uniform(0, 0.25)
    if edge > 0.1:  # dark scanner-lid shadow along one edge
        side = xx if rng.random() < 0.5 else yy
        light = light * (1.0 - edge * np.exp(-side / 0.03))
    small8 = np.clip(light * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return cv2.resize(small8, (w, h), interpolation=cv2.INTER_LINEAR)


def _affine(w: int, h: int, angle: float, shear: float, rng: np.random.Generator) -> np.ndarray:
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    sh = np.array([[1.0, shear, -shear * h / 2], [0.0, 1.0, 0.0]], dtype=np.float64)
    m = _compose(rot, sh)
    m[:, 2] += rng.uniform(-12, 12, size=2)
    return m


def _compose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a3 = np.vstack([a, [0, 0, 1]])
    b3 = np.vstack([b, [0, 0, 1]])
    return (a3 @ b3)[:2]


def _specks(img: np.ndarray, rng: np.random.Generator, n: int) -> None:
    h, w = img.shape[:2]
    ys = rng.integers(0, h - 3, size=n)
    xs = rng.integers(0, w - 3, size=n)
    vals = rng.uniform(20, 120, size=n).astype(np.float32)
    sizes = rng.integers(1, 3, size=n)
    for y, x, v, s in zip(ys, xs, vals, sizes, strict=True):
        img[y : y + s, x : x + s] = v


def transform_box(box: tuple[float, float, float, float], matrix: np.ndarray) -> list[int]:
    """Page-pixel box (x0, y0, x1, y1) -> its bounding box in the scan (``matrix`` a 2x3
    affine) or the photo (a 3x3 homography, ``photo.photograph_pdf``)."""
    x0, y0, x1, y1 = box
    m = matrix if matrix.shape == (3, 3) else np.vstack([matrix, [0.0, 0.0, 1.0]])
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
    projected = pts @ m.T
    out = projected[:, :2] / projected[:, 2:]
    return [
        int(out[:, 0].min()),
        int(out[:, 1].min()),
        int(out[:, 0].max()) + 1,
        int(out[:, 1].max()) + 1,
    ]
