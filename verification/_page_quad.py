"""Find the paper in a photograph: the quadrilateral of a bright page on a darker surface.

``find_page(rgb)`` returns the page's corners (top-left, top-right, bottom-right, bottom-left,
in the image's pixels) or None where the image shows no such page: a scan, whose paper fills
the frame and runs off its edges; a page cut by the frame; a page on a surface as light as
itself; anything that is not four straight edges with darker ground outside each of them.

Coarse, on a copy about 640 pixels long with printed text closed over: the largest bright
region (Otsu's threshold), its hull reduced to four corners. Where no level separates page
and ground (a light surface, lit unevenly: the ground on one side as bright as the page on
the other), the page's four edges instead (``_page_sides``). Fine: each side's edge found
again at full resolution along 48 normals (the strongest bright-to-dark step within a few coarse
pixels) and a line fitted through those points; the corners are where the lines meet.
"""

from __future__ import annotations

import cv2
import numpy as np

from verification._page_sides import (
    FAINT_STEP,
    MAX_AREA,
    faint_quad,
    good_shape,
    outward,
    sample,
)

_COARSE_SIDE = 640
_MIN_AREA = 0.15  # the page covers at least this share of the frame
_BORDER_TOUCH = 0.03  # share of the outline allowed on the frame's edge (a corner's tip)
_MIN_STEP = 25.0  # grey levels between the page just inside a side and the ground outside
_SAMPLES = 48  # normals per side for the fine fit


def find_page(rgb: np.ndarray) -> np.ndarray | None:
    """The page's four corners as a float (4, 2) array (see the module's doc), or None."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, _COARSE_SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    closed = cv2.morphologyEx(
        cv2.GaussianBlur(small, (5, 5), 0),
        cv2.MORPH_CLOSE,
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)),
    )
    otsu, _b = cv2.threshold(closed, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = float(np.percentile(closed, 90))
    # Otsu's level first; where a lit patch of the table joins the page at that level, the
    # level halfway up to the paper's
    for level in (otsu, (otsu + paper) / 2):
        coarse = _coarse(closed, level)
        if coarse is None or not _plausible(coarse, small):
            continue
        fine = _refine(grey, coarse / scale, 4.0 / scale)
        if fine is not None and _plausible(fine * scale, small):
            return fine
    return _by_sides(grey, scale, small, closed)


def _by_sides(
    grey: np.ndarray, scale: float, small: np.ndarray, closed: np.ndarray
) -> np.ndarray | None:
    """The page found by its four edges (see the module's doc), or None."""
    coarse = faint_quad(closed)
    if coarse is None:
        return None
    fine = _refine(grey, coarse / scale, 4.0 / scale, FAINT_STEP / 4)
    if fine is None or not _plausible(fine * scale, small, FAINT_STEP):
        return None
    return fine


def _coarse(closed: np.ndarray, level: float) -> np.ndarray | None:
    outline = _bright_region(closed, level)
    return None if outline is None else _four_corners(outline)


def _bright_region(closed: np.ndarray, level: float) -> np.ndarray | None:
    """The outline of the largest region brighter than ``level``, if it is a page lying
    within the frame."""
    h, w = closed.shape
    _t, bright = cv2.threshold(closed, level, 255, cv2.THRESH_BINARY)
    contours, _h = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(outline) / float(h * w)
    if not _MIN_AREA <= share <= MAX_AREA:
        return None
    pts = outline[:, 0, :]
    on_edge = (pts[:, 0] <= 1) | (pts[:, 1] <= 1) | (pts[:, 0] >= w - 2) | (pts[:, 1] >= h - 2)
    if np.count_nonzero(on_edge) > _BORDER_TOUCH * len(pts):
        return None
    return outline


def _four_corners(outline: np.ndarray) -> np.ndarray | None:
    """The hull of ``outline`` simplified to four corners, in order (None: it is no
    quadrilateral at any tolerance that keeps its shape)."""
    hull = cv2.convexHull(outline)
    length = cv2.arcLength(hull, True)
    for share in (0.01, 0.015, 0.02, 0.03, 0.04, 0.05):
        approx = cv2.approxPolyDP(hull, share * length, True)
        if len(approx) == 4:
            return order_corners(approx[:, 0, :].astype(np.float64))
        if len(approx) < 4:
            return None
    return None


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (clockwise on screen,
    starting at the one nearest the image's top-left)."""
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    ring = pts[np.argsort(angles)]  # clockwise in image coordinates (y down)
    first = int(np.argmin(ring[:, 0] + ring[:, 1]))
    return np.roll(ring, -first, axis=0)


def _plausible(quad: np.ndarray, small: np.ndarray, min_step: float = _MIN_STEP) -> bool:
    """Convex, no corner too sharp or too blunt, darker ground outside every side."""
    return good_shape(quad) and all(
        _step(small, quad[i], quad[(i + 1) % 4], quad.mean(axis=0)) >= min_step for i in range(4)
    )


def _step(small: np.ndarray, a: np.ndarray, b: np.ndarray, centre: np.ndarray) -> float:
    """How much darker the ground a few pixels outside side ``a``-``b`` is than the page a
    few pixels inside it (medians along the side's middle)."""
    normal = outward(a, b, centre)
    t = np.linspace(0.15, 0.85, 24)[:, None]
    along = a + t * (b - a)
    inside = sample(small, along - 6 * normal)
    outside = sample(small, along + 6 * normal)
    return float(np.median(inside) - np.median(outside))


def _refine(
    grey: np.ndarray, quad: np.ndarray, reach: float, min_fall: float = _MIN_STEP / 4
) -> np.ndarray | None:
    """The corners where the four sides' fine edge lines meet (None: a side showed no edge
    falling by ``min_fall`` grey levels at a third of its points)."""
    centre = quad.mean(axis=0)
    lines = []
    for i in range(4):
        line = _edge_line(grey, quad[i], quad[(i + 1) % 4], centre, reach, min_fall)
        if line is None:
            return None
        lines.append(line)
    corners = [_meet(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return None
    return np.array(corners, dtype=np.float64)


def _edge_line(
    grey: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    centre: np.ndarray,
    reach: float,
    min_fall: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Point and direction of the line through side ``a``-``b``'s sharpest bright-to-dark step,
    searched within ``reach`` pixels either side of the coarse side."""
    normal = outward(a, b, centre)
    offsets = np.arange(-reach, reach + 0.5, 0.5)
    t = np.linspace(0.08, 0.92, _SAMPLES)
    along = a[None, :] + t[:, None] * (b - a)[None, :]
    grid = along[:, None, :] + offsets[None, :, None] * normal[None, None, :]
    profile = sample(grey, grid.reshape(-1, 2)).reshape(len(t), len(offsets))
    profile = cv2.GaussianBlur(profile, (5, 1), 0)
    fall = profile[:, :-2] - profile[:, 2:]  # bright inside -> dark outside: positive
    best = np.argmax(fall, axis=1)
    strong = fall[np.arange(len(t)), best] >= min_fall
    if np.count_nonzero(strong) < _SAMPLES // 3:
        return None
    shift = (offsets[best] + offsets[best + 2]) / 2
    pts = along + shift[:, None] * normal[None, :]
    fit = cv2.fitLine(pts[strong].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01)
    vx, vy, x0, y0 = (float(v) for v in fit.reshape(-1))
    return np.array([x0, y0]), np.array([vx, vy])


def _meet(
    first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]
) -> np.ndarray | None:
    (p, d), (q, e) = first, second
    m = np.column_stack([d, -e])
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    s, _t = np.linalg.solve(m, q - p)
    return p + s * d
