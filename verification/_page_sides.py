"""A page on a surface nearly as light as itself, found by its four straight edges.

Where no grey level outlines the page (a white desk lit unevenly: the ground on one side as
bright as the page on the other), ``faint_quad(closed)`` looks for its sides: for each side,
the lines through edge points whose brightness rises towards the page (left, top) or falls
away from it (right, bottom) across most of the frame; of the quadrilaterals four such lines
make, the one whose weakest side steps down most sharply from page to ground, if every side
does so clearly enough and the quadrilateral has a page's size and proportions (a blank band
of the page under a tinted box has four such edges too).
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

_MIN_ANGLE, _MAX_ANGLE = 50.0, 130.0  # each corner's angle, degrees
MAX_AREA = 0.92  # a page's share of the frame at most: more is a scan, or a page filling it
# a step of this many grey levels on every side (median along it), shown by this share of its
# points at least; the lines kept per side
FAINT_STEP, _FAINT_SHARE, _LINES_PER_SIDE = 6.0, 0.7, 6
# ... and, as the sides are weaker evidence than a bright region, the page at least this share
# of the frame, its sides' lengths (means of opposite ones) in a paper's proportions
_FAINT_MIN_AREA, _FAINT_ASPECT = 0.3, (1.15, 1.75)


def faint_quad(closed: np.ndarray) -> np.ndarray | None:
    """Corners (coarse pixels) of the quadrilateral of four side lines (``_side_lines``)
    whose every side steps down from page to ground by ``FAINT_STEP`` (median) and at
    ``_FAINT_SHARE`` of its points by half that, and whose weakest side does so most sharply
    (the step right at the line: of two lines a few pixels apart along one edge, the one on
    it; held-out photo 513 c00022 was flattened 26 pixels off by a line beside its edge)."""
    steps: dict[tuple[int, ...], tuple[float, float, float]] = {}
    best: tuple[float, np.ndarray] | None = None
    for combo, quad in _candidates(_side_lines(closed), closed.shape):
        medians, shares, sharp = zip(
            *(_cached_step(steps, closed, quad, s, combo) for s in range(4)), strict=True
        )
        if min(medians) < FAINT_STEP or min(shares) < _FAINT_SHARE:
            continue
        if best is None or min(sharp) > best[0]:
            best = (min(sharp), quad)
    return None if best is None else best[1]


def _candidates(
    lines: list[np.ndarray], shape: tuple[int, ...]
) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Each choice of a top, right, bottom and left line (their indices) whose corners lie
    within the frame and make a page-like quadrilateral (``_page_sized``, ``good_shape``,
    ``_paper_like``)."""
    if any(len(side) == 0 for side in lines):
        return []
    combos = np.array(list(itertools.product(*(range(len(side)) for side in lines))))
    # corner k (TL, TR, BR, BL) is where side k - 1's line meets side k's
    quads = np.stack(
        [_meet_polar(lines[k - 1][combos[:, k - 1]], lines[k][combos[:, k]]) for k in range(4)],
        axis=1,
    )
    h, w = shape[:2]
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(quads).all(axis=(1, 2)) & (quads >= 1).all(axis=(1, 2))
        ok &= (quads[..., 0] <= w - 2).all(axis=1) & (quads[..., 1] <= h - 2).all(axis=1)
    return [
        (tuple(int(i) for i in combo), quad)
        for combo, quad in zip(combos[ok], quads[ok], strict=True)
        if _page_sized(quad, w, h) and good_shape(quad) and _paper_like(quad)
    ]


def _paper_like(quad: np.ndarray) -> bool:
    """Whether the mean lengths of opposite sides are in a paper's proportions."""
    tl, tr, br, bl = quad
    across = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl))
    down = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr))
    low, high = _FAINT_ASPECT
    return low <= max(across, down) / max(min(across, down), 1e-9) <= high


def _cached_step(
    cache: dict[tuple[int, ...], tuple[float, float, float]],
    closed: np.ndarray,
    quad: np.ndarray,
    side: int,
    combo: tuple[int, ...],
) -> tuple[float, float, float]:
    """Side ``side``'s (median step 4 pixels either side, share of its points stepping down,
    median step 2 pixels either side: how sharply the line lies on the edge, which tells the
    page's edge from a line a few pixels beside it): it depends only on its own line and its
    two neighbours', so it is worked out once per such triple."""
    key = (side, combo[side - 1], combo[side], combo[(side + 1) % 4])
    if key not in cache:
        a, b = quad[side], quad[(side + 1) % 4]
        normal = outward(a, b, quad.mean(axis=0))
        along = a + np.linspace(0.1, 0.9, 32)[:, None] * (b - a)
        diff = sample(closed, along - 4 * normal) - sample(closed, along + 4 * normal)
        sharp = sample(closed, along - 2 * normal) - sample(closed, along + 2 * normal)
        cache[key] = (
            float(np.median(diff)),
            float(np.mean(diff > FAINT_STEP / 2)),
            float(np.median(sharp)),
        )
    return cache[key]


def _side_lines(closed: np.ndarray) -> list[np.ndarray]:
    """Up to ``_LINES_PER_SIDE`` (rho, theta) lines for the top, right, bottom and left sides:
    straight runs of edge points whose brightness steps the way that side's does (brighter
    towards the page), strongest first, near-duplicates dropped."""
    f = closed.astype(np.float32)
    gx = cv2.Sobel(f, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(f, cv2.CV_32F, 0, 1, ksize=3) / 8
    edges = cv2.Canny(closed, 20, 40, L2gradient=True) > 0
    along_x = np.abs(gx) > 0.7 * np.hypot(gx, gy)
    along_y = np.abs(gy) > 0.7 * np.hypot(gx, gy)
    votes = int(0.12 * min(closed.shape))
    # (gradient, sign, the side's points, towards the page from that side)
    sides = (
        (gy, 1, along_y, (0, 1)),
        (gx, -1, along_x, (-1, 0)),
        (gy, -1, along_y, (0, -1)),
        (gx, 1, along_x, (1, 0)),
    )
    out = []
    for g, sign, oriented, inward in sides:
        points = (edges & oriented & (sign * g > 2.0)).astype(np.uint8)
        found = cv2.HoughLines(points * 255, 1, np.pi / 360, votes)
        out.append(_distinct(closed, found, np.array(inward, dtype=np.float64)))
    return out


def _distinct(closed: np.ndarray, found: np.ndarray | None, inward: np.ndarray) -> np.ndarray:
    """The strongest lines of ``found`` that run the side's way and step down across most of
    their middle (``_steps_down``), one of each near-duplicate set: (rho, theta) rows."""
    upright = inward[0] != 0
    keep: list[tuple[float, float]] = []
    for rho, theta in [] if found is None else found[:, 0, :]:
        steep = abs(np.degrees(theta) - 90) > 50  # the line runs within 40 degrees of upright
        near = any(abs(rho - r) < 6 and abs(theta - t) < np.radians(3) for r, t in keep)
        if steep == upright and not near and _steps_down(closed, rho, theta, inward):
            keep.append((float(rho), float(theta)))
        if len(keep) == _LINES_PER_SIDE:
            break
    return np.array(keep, dtype=np.float64).reshape(-1, 2)


def _steps_down(closed: np.ndarray, rho: float, theta: float, inward: np.ndarray) -> bool:
    """Whether the middle half of the line's run across the frame (a page's side spans most
    of it) has brighter ground on its page side by half ``FAINT_STEP`` (median): not a
    short edge such as a printed block's, or a streak of the surface."""
    h, w = closed.shape
    normal = np.array([np.cos(theta), np.sin(theta)])
    normal = normal if normal @ inward > 0 else -normal
    foot, along = rho * np.array([np.cos(theta), np.sin(theta)]), np.array([-normal[1], normal[0]])
    span = _frame_span(foot, along, w, h)
    if span is None:
        return False
    quarter = (span[1] - span[0]) / 4
    pts = foot + np.linspace(span[0] + quarter, span[1] - quarter, 24)[:, None] * along
    diff = sample(closed, pts + 4 * normal) - sample(closed, pts - 4 * normal)
    return bool(np.median(diff) >= FAINT_STEP / 2)


def _frame_span(foot: np.ndarray, along: np.ndarray, w: int, h: int) -> tuple[float, float] | None:
    """The stretch (t0, t1) of the line ``foot + t * along`` that lies within the frame."""
    lo, hi = -np.inf, np.inf
    for origin, step, limit in ((foot[0], along[0], w - 1), (foot[1], along[1], h - 1)):
        if abs(step) < 1e-9:
            if not 0 <= origin <= limit:
                return None
            continue
        a, b = (0 - origin) / step, (limit - origin) / step
        lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    return (float(lo), float(hi)) if hi - lo > 1 else None


def _meet_polar(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Where each (rho, theta) line of ``first`` (N, 2) meets its partner in ``second``:
    (N, 2), NaN for a parallel pair."""
    (r1, t1), (r2, t2) = first.T, second.T
    with np.errstate(divide="ignore", invalid="ignore"):
        det = np.sin(t2 - t1)
        det = np.where(np.abs(det) < 1e-6, np.nan, det)
        x = (r1 * np.sin(t2) - r2 * np.sin(t1)) / det
        y = (r2 * np.cos(t1) - r1 * np.cos(t2)) / det
    return np.stack([x, y], axis=1)


def _page_sized(quad: np.ndarray, w: int, h: int) -> bool:
    """Whether the quadrilateral covers ``_FAINT_MIN_AREA`` to ``MAX_AREA`` of the frame."""
    share = cv2.contourArea(quad.astype(np.float32)) / float(w * h)
    return bool(_FAINT_MIN_AREA <= share <= MAX_AREA)


def good_shape(quad: np.ndarray) -> bool:
    """Convex, and no corner sharper than ``_MIN_ANGLE`` or blunter than ``_MAX_ANGLE``."""
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return False
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        u, v = a - b, c - b
        cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
        if not _MIN_ANGLE <= np.degrees(np.arccos(np.clip(cos, -1, 1))) <= _MAX_ANGLE:
            return False
    return True


def outward(a: np.ndarray, b: np.ndarray, centre: np.ndarray) -> np.ndarray:
    d = (b - a) / (np.linalg.norm(b - a) + 1e-9)
    normal = np.array([d[1], -d[0]])
    return normal if normal @ ((a + b) / 2 - centre) > 0 else -normal


def sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Bilinear grey values at ``pts`` (N, 2); points outside the image read as the border."""
    xy = pts.astype(np.float32).reshape(1, -1, 2)
    out = cv2.remap(img, xy, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(-1).astype(np.float32)
