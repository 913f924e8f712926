"""Seal impressions: find them by colour and shape, compare them with registered specimens.

Detection: saturated (red, blue, violet) ink closed into blobs; blobs of seal size (10-80 mm at
the working resolution) are candidates. Comparison with a specimen (both at WORK_DPI, so the
physical size is compared directly): both ink masks are unwrapped into polar coordinates about
their centres; a rotation is then a cyclic shift, found by FFT cross-correlation. The aligned
masks are correlated in windows (24 angular sectors x 3 radial bands); the score is the worst
window. A genuine impression correlates everywhere; an imitation with a misspelt ring text, a
different emblem or other geometry fails in the window where it differs (a whole-mask score
did not separate them). Windows where the impression left almost no ink are not scored.
Thresholds come from calibration on one corpus (``SealThresholds``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from verification.imaging import bbox_of, colour_ink_mask, decode_specimen
from verification.intake import WORK_DPI
from verification.ports import Box, SealSpecimen
from verification.results import SealResult

logger = logging.getLogger(__name__)

_MM = WORK_DPI / 25.4
_MIN_MM, _MAX_MM = 10.0, 80.0


@dataclass(frozen=True)
class SealThresholds:
    accept: float = 0.88  # worst window correlation >= accept and size ok: match
    reject: float = 0.70  # below: no match; between: uncertain (review)
    size_tolerance: float = 0.08  # relative difference of the circumradius


@dataclass(frozen=True)
class Candidate:
    box: Box
    mask: np.ndarray  # uint8 0/255, the ink of this candidate in its box


@dataclass(frozen=True)
class _Prepared:
    id: str
    agency_id: str
    polar: np.ndarray  # (angle, radius) float32, blurred ink
    radius: float  # circumradius in px at WORK_DPI


@dataclass(frozen=True)
class Comparison:
    score: float  # worst window correlation after alignment
    mean: float
    size_diff: float
    missing: int  # windows where the specimen has ink and the candidate almost none


def find_candidates(rgb: np.ndarray, exclude: Sequence[Box] = ()) -> list[Candidate]:
    ink = colour_ink_mask(rgb)
    k = max(3, int(1.2 * _MM))
    blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if not (_MIN_MM * _MM <= max(w, h) <= _MAX_MM * _MM) or min(w, h) < 0.25 * max(w, h):
            continue
        crop = ink[y : y + h, x : x + w]
        if np.count_nonzero(crop) < 0.02 * w * h:
            continue
        out.append(Candidate((float(x), float(y), float(x + w), float(y + h)), crop.copy()))
    out.sort(key=lambda c: -(c.box[2] - c.box[0]) * (c.box[3] - c.box[1]))
    return out


@functools.lru_cache(maxsize=256)
def prepare_specimen(spec: SealSpecimen) -> _Prepared | None:
    rgb, _dpi = decode_specimen(spec.image)
    mask = colour_ink_mask(rgb)
    if np.count_nonzero(mask) < 50:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        mask = ((gray < 200).astype(np.uint8)) * 255
    box = bbox_of(mask)
    if box is None:
        logger.warning("seal specimen %s has no ink", spec.id)
        return None
    crop = mask[box[1] : box[3], box[0] : box[2]]
    centre, radius = _geometry(crop)
    return _Prepared(spec.id, spec.agency_id, _polar(crop, centre, radius * _R_MARGIN), radius)


_NA, _NR = 720, 96  # polar raster: angle bins x radius bins
_R_MARGIN = 1.03
_PAD = 48
_WINDOWS = 24
_BANDS = ((0.0, 0.45), (0.45, 0.75), (0.75, 1.0))


def _geometry(mask: np.ndarray) -> tuple[tuple[float, float], float]:
    (cx, cy), (w, h), _ = cv2.minAreaRect(cv2.findNonZero(mask))
    return (cx, cy), 0.5 * float(np.hypot(w, h))


def _polar(mask: np.ndarray, centre: tuple[float, float], radius: float) -> np.ndarray:
    padded = cv2.copyMakeBorder(mask, _PAD, _PAD, _PAD, _PAD, cv2.BORDER_CONSTANT, value=0)
    blurred = cv2.GaussianBlur(padded.astype(np.float32) / 255.0, (0, 0), 1.2)
    flags = cv2.WARP_POLAR_LINEAR + cv2.INTER_LINEAR + cv2.WARP_FILL_OUTLIERS
    c = (centre[0] + _PAD, centre[1] + _PAD)
    return cv2.warpPolar(blurred, (_NR, _NA), c, radius, flags)


def _align(cand: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Rotate (cyclic shift along the angle axis) for the best cross-correlation."""
    fa = np.fft.fft(cand - cand.mean(), axis=0)
    fb = np.fft.fft(ref - ref.mean(), axis=0)
    corr = np.fft.ifft((fa * np.conj(fb)).sum(axis=1)).real
    return np.roll(cand, -int(np.argmax(corr)), axis=0)


def _window_scores(cand: np.ndarray, ref: np.ndarray) -> tuple[list[float], int]:
    scores, missing = [], 0
    for b0, b1 in _BANDS:
        r0, r1 = int(b0 * _NR), int(b1 * _NR)
        for k in range(_WINDOWS):
            a0, a1 = k * _NA // _WINDOWS, (k + 1) * _NA // _WINDOWS
            x, y = cand[a0:a1, r0:r1].ravel(), ref[a0:a1, r0:r1].ravel()
            if y.sum() < 20:
                continue
            if x.sum() < 0.25 * y.sum():
                missing += 1
                continue
            x, y = x - x.mean(), y - y.mean()
            d = float(np.sqrt((x * x).sum() * (y * y).sum()))
            scores.append(float((x * y).sum()) / d if d > 0 else 0.0)
    return scores, missing


def compare(cand: Candidate, spec: _Prepared) -> Comparison:
    """Align a candidate to a specimen (centre, rotation) and correlate them window by window."""
    centre, radius = _geometry(cand.mask)
    size_diff = abs(radius - spec.radius) / spec.radius
    polar = _align(_polar(cand.mask, centre, spec.radius * _R_MARGIN), spec.polar)
    scores, missing = _window_scores(polar, spec.polar)
    if len(scores) < _WINDOWS:  # too little of the impression is legible
        return Comparison(0.0, float(np.mean(scores)) if scores else 0.0, size_diff, missing)
    return Comparison(min(scores), float(np.mean(scores)), size_diff, missing)


def check_seal(
    rgb: np.ndarray,
    specimens: Sequence[SealSpecimen],
    thresholds: SealThresholds | None = None,
    page: int = 0,
) -> SealResult:
    """The best candidate/specimen pair on a page, judged against the thresholds."""
    th = thresholds or SealThresholds()
    cands = find_candidates(rgb)
    if not cands:
        return SealResult(found=False, page=page)
    prepared = [p for p in (prepare_specimen(s) for s in specimens) if p is not None]
    best: tuple[float, Comparison | None, Candidate, _Prepared | None] = (
        -1.0,
        None,
        cands[0],
        None,
    )
    for cand in cands[:4]:
        for spec in prepared:
            cmp = compare(cand, spec)
            rank = cmp.score if cmp.size_diff <= th.size_tolerance else cmp.score - 1.0
            if rank > best[0]:
                best = (rank, cmp, cand, spec)
    _, cmp, cand, spec = best
    if cmp is None or spec is None:
        return SealResult(found=True, box=cand.box, page=page, candidates=len(cands))
    size_ok = cmp.size_diff <= th.size_tolerance
    match = size_ok and cmp.score >= th.accept
    return SealResult(
        found=True,
        seal_id=spec.id,
        score=max(0.0, cmp.score),
        match=match,
        box=cand.box,
        page=page,
        candidates=len(cands),
        agency_id=spec.agency_id,
        uncertain=not match and size_ok and cmp.score >= th.reject,
    )
