"""Pre-processing for OCR, doing only the work a page needs.

The colour page is kept untouched for stamp detection; OCR gets a copy corrected for uneven
light, low contrast and noise, each applied only when measured to be needed. Skew is measured
from the OCR lines afterwards (``verification.layout``) and corrected in coordinates, which
avoids rotating and re-reading the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np

logger = logging.getLogger(__name__)

_LOW_CONTRAST = 110  # p99 - p0.5 of grey below this: stretch
_MIN_SPREAD = 30  # below this there is nothing to stretch (a blank page)
_UNEVEN = 18.0  # std of the background estimate above this: flatten
# Robust noise sigma above this: a 3x3 median filter. The filter also erases one-pixel strokes
# (a typewriter face at 200 dpi), so it is kept for noise beyond the simulator's scans: at 9,
# the previous level, it filtered 62 pages of seeds 220-222 (sigma 9.6-16.3) and cost 32 field
# errors against 11 unfiltered (seed 222 c00046: 13 fields; 'N226' for "NZ26" twice).
_NOISY = 20.0
_EXACT_F32 = 2**24  # pixels up to which a float32 histogram count is exact


@dataclass
class Prepared:
    image: np.ndarray
    steps: list[str] = field(default_factory=list)


def prepare_for_ocr(rgb: np.ndarray) -> Prepared:
    out, steps = _drop_stamp_ink(rgb)
    gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    background = _background(gray)
    if float(background.std()) > _UNEVEN:
        out = _flatten(out, background)
        steps.append("flatten")
        gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    lo, hi = percentiles_u8(gray, (0.5, 99))
    if _MIN_SPREAD < hi - lo < _LOW_CONTRAST:
        out = _stretch(out, float(lo), float(hi))
        steps.append("contrast")
    if _noise_sigma(gray) > _NOISY:
        out = cv2.medianBlur(out, 3)
        steps.append("denoise")
    return Prepared(out, steps)


def _drop_stamp_ink(rgb: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Whiten coloured stamp and signature ink so OCR reads the printed (black) text under it
    and not fragments of a seal's ring text; dark overprinted text is kept."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    ink = (hsv[..., 1] > 35) & (hsv[..., 2] > 70)
    if np.count_nonzero(ink) < 200:
        return rgb, []
    near = cv2.dilate(ink.view(np.uint8), np.ones((5, 5), np.uint8))
    paper = np.array([percentiles_u8(rgb, (50,), channel=c)[0] for c in range(3)]).astype(np.uint8)
    light = hsv[..., 2] > 0.55 * percentiles_u8(hsv, (50,), channel=2)[0]
    out = rgb.copy()
    whiten = cv2.bitwise_and(near, light.view(np.uint8))  # both 0/1: paper where both are set
    cv2.copyTo(np.broadcast_to(paper, rgb.shape).copy(), whiten, out)
    return out, ["drop-stamp-ink"]


def percentiles_u8(values: np.ndarray, qs: tuple[float, ...], channel: int = -1) -> list[float]:
    """``np.percentile(values, qs)`` (linear interpolation, so the median too) of a uint8 array
    (or of one ``channel`` of an H x W x C one), from its histogram: the same numbers without
    sorting millions of pixels."""
    return _percentiles_of(_histogram(values, channel), qs)


def _histogram(values: np.ndarray, channel: int) -> np.ndarray:
    """Counts of each grey level of ``values`` (of its ``channel`` when >= 0); OpenCV's
    histogram where its float32 counts are exact, else numpy's."""
    plane = values[..., channel] if channel >= 0 else values
    fits = values.dtype == np.uint8 and 0 < plane.size < _EXACT_F32 and plane.ndim == 2
    if fits and values.flags.c_contiguous and values.ndim in (2, 3):
        counts = cv2.calcHist([values], [max(channel, 0)], None, [256], [0, 256])
        return counts.ravel().astype(np.int64)
    return np.bincount(plane.ravel(), minlength=256)


def _percentiles_of(counts: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1])

    def order_stat(k: int) -> int:  # the k-th smallest value, 0-based
        return int(np.searchsorted(cumulative, k, side="right"))

    out = []
    for q in qs:
        pos = q / 100.0 * (n - 1)
        k = int(np.floor(pos))
        lo, hi = order_stat(k), order_stat(min(k + 1, n - 1))
        out.append(lo + (hi - lo) * (pos - k))
    return out


def _background(gray: np.ndarray) -> np.ndarray:
    small = cv2.resize(gray, (gray.shape[1] // 8, gray.shape[0] // 8), interpolation=cv2.INTER_AREA)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    return cv2.GaussianBlur(closed, (0, 0), 6)


def _flatten(rgb: np.ndarray, background: np.ndarray) -> np.ndarray:
    bg = cv2.resize(background, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
    bg = np.maximum(bg.astype(np.float32), 1.0)[..., None]
    return np.clip(rgb.astype(np.float32) / bg * 255.0, 0, 255).astype(np.uint8)


def _stretch(rgb: np.ndarray, lo: float, hi: float) -> np.ndarray:
    scale = 255.0 / max(1.0, hi - lo)
    return np.clip((rgb.astype(np.float32) - lo) * scale, 0, 255).astype(np.uint8)


def _noise_sigma(gray: np.ndarray) -> float:
    """Robust noise sigma: the median absolute Laplacian at half resolution (the integer
    kernel on grey levels gives integers, so the median comes exactly from their histogram)."""
    lap = cv2.Laplacian(np.ascontiguousarray(gray[::2, ::2]), cv2.CV_16S)
    median = _percentiles_of(np.bincount(np.abs(lap).ravel()), (50,))[0]
    return float(np.float32(median) * 1.4826 / 2.0)  # float32, as np.median's was
