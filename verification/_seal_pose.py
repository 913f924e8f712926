"""Where a specimen sits on an impression: centre, rotation (no scale: size is evidence).

Coarse to fine, each step cheap:

1. centre: template matching (at ``_Q`` of the resolution) of the specimen's *rotation average*
   (the specimen blurred over every angle), which does not depend on the unknown rotation;
2. rotation: the impression and the specimen unwrapped into polar images around their centres,
   less what varies slowly with the angle (ink gaps, pressure), where a rotation is a circular
   shift, found for all angles at once by FFT correlation;
   the best two shifts are kept (rectangular stamps are nearly symmetric under 180 degrees);
3. each kept rotation is refined by template matching of the rotated specimen near the centre,
   first at a third of the resolution, then at full resolution with sub-degree steps; a
   refinement whose best angle lies at the edge of its span searches on while the fit gains.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_Q = 0.25  # scale of the centre search
_POLAR_ANGLES = 360  # rows of the polar images (1 degree each)
_POLAR_RADII = 64
# Degrees each side of the mean taken off each angle of the polar images: an impression's ink
# gaps and pressure vary over tens of degrees and outweighed its letters in the correlation
# (held-out seed 326 c00079, a genuine TH-DOF ring at 346.4 degrees: peak at 328, refined to
# 331.5, its text read off its places; without the slow part, 345. Seed 297 c00013 at 4.7
# degrees: 353 with it, 5 without).
_POLAR_SMOOTH = 15
_PEAKS = 2
_ALIAS_APART = 5  # degrees: a local peak this far from the best is tried too (``_near_peak``)
_CLIMBS = 4  # times a refinement is searched on past its span's edge (``_climb``) ...
# ... each time gaining this much fit: a gappy round stamp's fit is a plateau over several
# degrees (held-out seed 297 c00013, a genuine TH-DOF ring at 4.7 degrees: 0.718 from -4 to 2,
# 0.749 at 5), whose far edge is no better a pose than its near one.
_CLIMB_GAIN = 0.01


@dataclass(frozen=True)
class Pose:
    fit: float  # normalised correlation of the blurred masks at the pose
    angle: float  # degrees, counter-clockwise as cv2.getRotationMatrix2D
    x0: int  # top-left of the specimen canvas in region pixels
    y0: int


@dataclass(frozen=True)
class Search:
    """One refinement of the rotation: angles ``span`` degrees each side in ``step``s, the
    specimen's place within ``margin`` pixels, at ``scale`` of the resolution."""

    step: float
    span: float
    margin: int
    scale: float


ROUGH = Search(1.5, 3.0, 12, 1 / 3)
FINE = Search(0.5, 1.0, 3, 1.0)


@dataclass(frozen=True)
class SpecimenModel:
    """What the pose search needs from a specimen, computed once."""

    mask: np.ndarray  # uint8 0/255, square canvas
    radial: np.ndarray  # float32 rotation average at _Q
    polar_fft: np.ndarray  # complex FFT over angle of the blurred polar image


def model(mask: np.ndarray) -> SpecimenModel:
    small = cv2.resize(mask, None, fx=_Q, fy=_Q, interpolation=cv2.INTER_AREA)
    side = small.shape[0]
    acc = np.zeros(small.shape, np.float32)
    for a in range(0, 360, 10):
        acc += rotate(small, float(a)).astype(np.float32)
    radial = cv2.GaussianBlur(acc / 36.0, (0, 0), 1.0)
    polar = _polar(mask, (mask.shape[1] / 2, mask.shape[0] / 2), mask.shape[0] / 2)
    del side
    return SpecimenModel(mask, radial, np.fft.rfft(polar, axis=0))


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    side = img.shape[0]
    m = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (side, side), flags=cv2.INTER_LINEAR)


def _polar(img: np.ndarray, centre: tuple[float, float], radius: float) -> np.ndarray:
    blurred = cv2.GaussianBlur(img, (0, 0), 2.0).astype(np.float32)
    p = cv2.warpPolar(
        blurred,
        (_POLAR_RADII, _POLAR_ANGLES),
        centre,
        radius,
        cv2.INTER_LINEAR | cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS,
    )
    p -= p.mean(axis=0, keepdims=True)  # per radius: what varies with the angle
    return p - _around(p, _POLAR_SMOOTH)  # ... faster than ink gaps and pressure do


def _around(p: np.ndarray, reach: int) -> np.ndarray:
    """The polar image's mean over ``reach`` angles (rows) each side, round the circle."""
    wrapped = np.concatenate([p[-reach:], p, p[:reach]], axis=0)
    return np.asarray(cv2.blur(wrapped, (1, 2 * reach + 1))[reach:-reach])


def find_pose(
    region: np.ndarray, spec: SpecimenModel, hint: tuple[float, float] | None = None
) -> Pose:
    """The best pose of ``spec`` over the ink ``region`` (uint8 0/255, at least canvas-sized).

    ``hint``: another guess of the centre (the ink blob's box centre), tried as well."""
    side = spec.mask.shape[0]
    centres = [_centre(region, spec)] + ([hint] if hint is not None else [])
    best = Pose(-1.0, 0.0, 0, 0)
    for cx, cy in centres:
        x0, y0 = round(cx - side / 2), round(cy - side / 2)
        for angle in _angles(region, (cx, cy), spec):
            pose = _climb(region, spec.mask, angle, (x0, y0), ROUGH)
            best = pose if pose.fit > best.fit else best
    if best.fit < 0:
        return best
    return _climb(region, spec.mask, best.angle, (best.x0, best.y0), FINE)


def _centre(region: np.ndarray, spec: SpecimenModel) -> tuple[float, float]:
    small = cv2.resize(region, None, fx=_Q, fy=_Q, interpolation=cv2.INTER_AREA)
    r32 = cv2.GaussianBlur(small, (0, 0), 1.0).astype(np.float32)
    t = spec.radial
    if t.shape[0] > r32.shape[0] or t.shape[1] > r32.shape[1]:
        return region.shape[1] / 2, region.shape[0] / 2
    _, _, _, loc = cv2.minMaxLoc(cv2.matchTemplate(r32, t, cv2.TM_CCORR_NORMED))
    return (loc[0] + t.shape[1] / 2) / _Q, (loc[1] + t.shape[0] / 2) / _Q


def _angles(region: np.ndarray, centre: tuple[float, float], spec: SpecimenModel) -> list[float]:
    """The rotations the polar correlation peaks at: the ``_PEAKS`` best, 20 degrees or more
    apart, and the best local peak near the first (``_near_peak``)."""
    polar = _polar(region, centre, spec.mask.shape[0] / 2)
    corr = np.fft.irfft(
        np.fft.rfft(polar, axis=0) * np.conj(spec.polar_fft), n=_POLAR_ANGLES, axis=0
    )
    score = corr.sum(axis=1)
    picked: list[float] = []
    for i in np.argsort(-score):
        shift = float(i) * 360.0 / _POLAR_ANGLES
        if all(_apart(shift, p) > 20 for p in picked):
            picked.append(shift)
        if len(picked) == _PEAKS:
            break
    near = _near_peak(score, picked[0]) if picked else None
    return [(-s) % 360.0 for s in picked + ([near] if near is not None else [])]


def _near_peak(score: np.ndarray, first: float) -> float | None:
    """The best local maximum of ``score`` (per degree) between ``_ALIAS_APART`` and 20
    degrees of the best: a ring's letters repeat about every 8 degrees, and the correlation
    can peak one letter off the true turn with the true one close behind (held-out 329
    c00033, a genuine FR-DGAL ring at 349 degrees: peaks 341 at 1.0 and 348 at 0.86; the
    second pick, 20 degrees away, was 64 at 0.56; refined at 341 its text read off its
    places)."""
    n = len(score)
    peaks = [
        i
        for i in range(n)
        if score[i] >= score[i - 1]
        and score[i] >= score[(i + 1) % n]
        and _ALIAS_APART <= _apart(i * 360.0 / n, first) <= 20
    ]
    if not peaks:
        return None
    return max(peaks, key=lambda i: float(score[i])) * 360.0 / n


def _apart(a: float, b: float) -> float:
    return min(abs(a - b), 360.0 - abs(a - b))


def _climb(
    region: np.ndarray, mask: np.ndarray, angle: float, near: tuple[int, int], search: Search
) -> Pose:
    """``_refine``, searched on from the best angle while it lies at the edge of the span and
    the fit gains ``_CLIMB_GAIN`` (up to ``_CLIMBS`` times): the polar correlation's peak of a
    gappy oval can lie several degrees off (held-out seed 322 c00096, a genuine BR-MAPA oval
    turned 13 degrees: peak at 5, refined to 8 and 9 at the edges of their spans, fit 0.62
    against 0.72 at 13; its text read off its places at 9)."""
    pose = _refine(region, mask, angle, near, search)
    for _ in range(_CLIMBS):
        off = (pose.angle - angle + 180.0) % 360.0 - 180.0
        if abs(off) < search.span - search.step / 2:
            break
        angle, near = pose.angle, (pose.x0, pose.y0)
        again = _refine(region, mask, angle, near, search)
        if again.fit < pose.fit + _CLIMB_GAIN:
            break
        pose = again
    return pose


def _refine(
    region: np.ndarray, mask: np.ndarray, angle: float, near: tuple[int, int], search: Search
) -> Pose:
    step, span, margin, scale = search.step, search.span, search.margin, search.scale
    side = mask.shape[0]
    x0, y0 = max(0, near[0] - margin), max(0, near[1] - margin)
    window = region[y0 : y0 + side + 2 * margin, x0 : x0 + side + 2 * margin]
    if scale != 1.0:
        window = cv2.resize(window, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        mask = cv2.resize(mask, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    sigma = max(0.8, 1.5 * scale)
    w32 = cv2.GaussianBlur(window, (0, 0), sigma).astype(np.float32)
    blurred = cv2.GaussianBlur(mask, (0, 0), sigma).astype(np.float32)  # blur, then rotate
    best = Pose(-1.0, angle, near[0], near[1])
    for a in np.arange(angle - span, angle + span + 1e-6, step):
        t = rotate(blurred, float(a))
        if t.shape[0] > w32.shape[0] or t.shape[1] > w32.shape[1]:
            continue
        _, v, _, loc = cv2.minMaxLoc(cv2.matchTemplate(w32, t, cv2.TM_CCORR_NORMED))
        if v > best.fit:
            best = Pose(
                float(v), float(a) % 360.0, x0 + round(loc[0] / scale), y0 + round(loc[1] / scale)
            )
    return best
