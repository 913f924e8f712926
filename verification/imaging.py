"""Small image helpers shared by pre-processing, seal and signature comparison."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from PIL import Image

from verification.errors import SpecimenError
from verification.intake import WORK_DPI
from verification.ports import Box

SPECIMEN_DPI = 300.0
"""Resolution assumed for a specimen image that does not record one (PNG pHYs / JPEG JFIF)."""


def decode_specimen(data: bytes) -> tuple[np.ndarray, float]:
    """A specimen image as RGB on white (alpha flattened) at WORK_DPI, and its source dpi."""
    try:
        img: Image.Image = Image.open(io.BytesIO(data))
        img.load()
    except (OSError, ValueError) as err:
        raise SpecimenError(f"specimen image cannot be decoded ({err})") from None
    dpi = _dpi_of(img)
    if img.mode.startswith("I"):  # 16-bit grey ("I;16", "I"): convert() would clip it white
        img = Image.fromarray((np.asarray(img, np.uint32) >> 8).clip(0, 255).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    else:
        rgb = np.asarray(img.convert("RGB"))
    if abs(dpi - WORK_DPI) > 1:
        s = WORK_DPI / dpi
        size = (max(1, round(rgb.shape[1] * s)), max(1, round(rgb.shape[0] * s)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return rgb, dpi


def _dpi_of(img: Image.Image) -> float:
    """The resolution a specimen is read at: the one its image records, else SPECIMEN_DPI."""
    dpi_info = img.info.get("dpi")
    dpi = float(dpi_info[0]) if dpi_info else SPECIMEN_DPI
    return dpi if 50 <= dpi <= 1200 else SPECIMEN_DPI


def dpi_read(data: bytes) -> float:
    """``decode_specimen``'s resolution of a specimen image that decodes."""
    with Image.open(io.BytesIO(data)) as img:
        return round(_dpi_of(img), 1)


def channel_max(rgb: np.ndarray) -> np.ndarray:
    """``rgb.max(axis=2)``, the same values ~20x faster on a uint8 page (numpy reduces a
    three-element last axis slowly: ~0.2 s for an A4 page at 200 dpi)."""
    return _per_pixel(rgb, cv2.max, np.max)


def channel_min(rgb: np.ndarray) -> np.ndarray:
    """``rgb.min(axis=2)``, as ``channel_max``."""
    return _per_pixel(rgb, cv2.min, np.min)


def _per_pixel(rgb: np.ndarray, pair: Callable[..., Any], reduce: Callable[..., Any]) -> np.ndarray:
    """``reduce(rgb, axis=2)`` folded plane by plane with OpenCV's ``pair`` on uint8 pages."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.size == 0:
        return np.asarray(reduce(rgb, axis=2))
    planes = cv2.split(rgb)
    out = planes[0]
    for plane in planes[1:]:
        out = pair(out, plane)
    return np.asarray(out)


def colour_ink_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels of coloured (stamp) ink: saturated and not paper-white; uint8 0/255."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    s, v = hsv[..., 1], hsv[..., 2]
    mask = ((s > 30) & (v > 40)).astype(np.uint8) * 255
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def stamp_coloured(rgb: np.ndarray, sat: int = 12, hue: int = 15) -> np.ndarray:
    """Pixels in the colour of the stamp ink ``rgb`` shows, however faint: saturation ``sat``
    or more (paper is greyer) and hue within ``hue`` (of 180) of the mean hue of its plainly
    coloured ink (``colour_ink_mask``); black print and grey paper are not. uint8 0/255; none
    where no ink is plainly coloured."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    plain = colour_ink_mask(rgb) > 0
    if not plain.any():
        return np.zeros(rgb.shape[:2], np.uint8)
    h = hsv[..., 0].astype(np.float32)
    turn = h[plain] * (np.pi / 90.0)  # hue is a circle of 180: red lies at both ends
    mean = float(np.arctan2(np.sin(turn).mean(), np.cos(turn).mean())) * (90.0 / np.pi)
    apart = np.abs((h - mean + 90.0) % 180.0 - 90.0)
    return ((hsv[..., 1] >= sat) & (apart <= hue)).astype(np.uint8) * 255


def convex_outline(mask: np.ndarray) -> np.ndarray | None:
    """The filled convex hull of ``mask``'s nonzero pixels (bool); None where it has none."""
    points = cv2.findNonZero(mask.astype(np.uint8))
    if points is None:
        return None
    outline = np.zeros(mask.shape[:2], np.uint8)
    cv2.fillConvexPoly(outline, cv2.convexHull(points), 1)
    return outline > 0


def dark_ink_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels of any ink clearly darker than the paper; uint8 0/255."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    paper = float(np.percentile(gray, 90))
    return ((gray < paper * 0.6).astype(np.uint8)) * 255


def boxes_overlap(a: Box, b: Box) -> bool:
    """Whether two page boxes (x0, y0, x1, y1) share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def bbox_of(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def specimen_ink_box(
    image: bytes, ink: Callable[[np.ndarray], np.ndarray], blank: str
) -> tuple[int, int, int, int] | str:
    """The box (WORK_DPI pixels) of a registered specimen's ink as ``ink`` reads it from
    ``decode_specimen``'s image, or why there is none in words (``blank`` when it has no ink):
    the shared first step of the seal's and the signature's ``specimen_fault``."""
    read = specimen_ink(image, ink, blank)
    return read if isinstance(read, str) else read[2]


def specimen_ink(
    image: bytes, ink: Callable[[np.ndarray], np.ndarray], blank: str
) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int, int]] | str:
    """``specimen_ink_box`` with what it read: the image (RGB at WORK_DPI), its ink (``ink``'s
    mask) and the ink's box; or why there is none, in words."""
    try:
        rgb, _dpi = decode_specimen(image)
    except SpecimenError as err:
        return str(err.message)
    mask = ink(rgb)
    box = bbox_of(mask)
    if box is None:
        return blank
    return _background_fault(rgb, mask, box) or (rgb, mask, box)


def outline_traced(mask: np.ndarray, near: float) -> float:
    """The share of the convex outline of ``mask``'s ink (``convex_outline``'s edge) that has
    ink within ``near`` pixels: a stamp's frame (its ring, its border) runs all along it, a
    signature's strokes only touch it where they reach out. 0.0 without ink."""
    box = bbox_of(mask)
    if box is None:
        return 0.0
    ink = np.pad((mask[box[1] : box[3], box[0] : box[2]] > 0).astype(np.uint8), 2)
    outline = convex_outline(ink)
    if outline is None:
        return 0.0
    filled = outline.astype(np.uint8)
    edge = (filled - cv2.erode(filled, np.ones((3, 3), np.uint8))) > 0
    if not edge.any():
        return 1.0
    apart = cv2.distanceTransform(1 - ink, cv2.DIST_L2, 3)
    return float(np.mean(apart[edge] <= near))


# A stamp's or a signature's ink covers at most about half of its box (the simulator's dies
# 21-30 %, a ring stamp 17 %, a signature 5-30 %). Where nearly all of it reads as ink, and
# that "ink" is a light, greyish tone, the paper it was scanned on (cream, tinted, grey, a
# photocopy's tone) was taken for ink: the specimen is a block no impression on a page matches.
MAX_SPECIMEN_INK_SHARE = 0.85
_PAPER_LIGHTNESS, _PAPER_CHROMA = 150, 100  # a paper tone: at least this light, at most this vivid


def _background_fault(rgb: np.ndarray, mask: np.ndarray, box: tuple[int, int, int, int]) -> str:
    """Why a specimen's background is read as ink, in words; "" when it is not."""
    x0, y0, x1, y1 = box
    share = np.count_nonzero(mask[y0:y1, x0:x1]) / max(1, (x1 - x0) * (y1 - y0))
    if share <= MAX_SPECIMEN_INK_SHARE:
        return ""
    tone = np.median(rgb[mask > 0], axis=0).astype(int)
    lightness = 0.299 * tone[0] + 0.587 * tone[1] + 0.114 * tone[2]
    if lightness < _PAPER_LIGHTNESS or int(tone.max() - tone.min()) > _PAPER_CHROMA:
        return ""  # a solid block of ink colour: a stamp that is one, not a paper's tone
    return (
        f"{share:.0%} of the image reads as ink: its background (RGB {tuple(tone.tolist())}) "
        "is not white paper; scan the specimen on white, or make its background white or "
        "transparent"
    )


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Structural similarity of two same-size float images in [0, 1] (one global window)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    c1, c2 = 0.01**2, 0.03**2
    mu_a = cv2.GaussianBlur(a, (7, 7), 1.5)
    mu_b = cv2.GaussianBlur(b, (7, 7), 1.5)
    saa = cv2.GaussianBlur(a * a, (7, 7), 1.5) - mu_a**2
    sbb = cv2.GaussianBlur(b * b, (7, 7), 1.5) - mu_b**2
    sab = cv2.GaussianBlur(a * b, (7, 7), 1.5) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * sab + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (saa + sbb + c2)
    return float(np.mean(num / den))
