"""A photographed page made flat: its quadrilateral warped to an upright page at ``WORK_DPI``.

``rectify(rgb)`` finds the paper (``_page_quad.find_page``) and, where it finds one, maps its
four corners onto a rectangle of the paper's size at 200 dpi, so the template's boxes and the
seal's and signature's scale are those of a scan. The paper's proportions come from the
quadrilateral as a pinhole camera with its principal point at the image's centre sees it
(Zhang and He's rectangle-aspect estimate; the mean of opposite sides when the view is too
nearly straight-on for it), and are taken as a certificate's paper (A4, US Letter or Legal,
Folio, F4) when within 4.5 % of one and less than half way to any other, else as measured
with the long side 11.69 in. An image in which no page is found (a scan, a page filling the
photo) is not touched: ``rectify`` returns None.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from verification._page_quad import find_page

logger = logging.getLogger(__name__)

DPI = 200  # ``intake.WORK_DPI``
# (short, long) inches: the papers certificates are printed on (Folio, 8.5 x 13 in, is the
# "oficio" and "long bond" of Latin America and the Philippines; F4 Indonesia's and others')
_PAPERS = {
    "A4": (210 / 25.4, 297 / 25.4),
    "Letter": (8.5, 11.0),
    "Legal": (8.5, 14.0),
    "Folio": (8.5, 13.0),
    "F4": (210 / 25.4, 330 / 25.4),
}
# a measured aspect within this share of a paper's is that paper, and within less than half
# the way to the nearest other's (A4 and Letter are 9.3 % apart, Folio and F4 2.8 %)
_SNAP, _SNAP_OF_GAP = 0.045, 0.45
_LONG_INCHES = 11.69  # an unrecognised paper's long side
# focal length, x the image's long side: a phone's (or a document camera's) lies between
# these; an estimate outside (a view with a pair of sides nearly parallel, where it is
# undetermined) gives way to a typical phone's
_MIN_FOCAL, _MAX_FOCAL, _TYPICAL_FOCAL = 0.5, 2.5, 0.9


@dataclass(frozen=True)
class Rectified:
    """What ``rectify`` did to one page: for the review's record and the officer's screen."""

    corners: tuple[tuple[float, float], ...]  # in the photo: TL, TR, BR, BL
    photo_size: tuple[int, int]  # (w, h) of the photo
    size: tuple[int, int]  # (w, h) of the flat page
    paper: str  # "A4", "Letter", "Legal", "Folio", "F4", or "" (proportions as measured)
    aspect: float  # measured long side / short side

    def to_json(self) -> dict[str, Any]:
        return {
            "corners": [[round(x, 1), round(y, 1)] for x, y in self.corners],
            "photo_size": list(self.photo_size),
            "size": list(self.size),
            "paper": self.paper or None,
            "aspect": round(self.aspect, 4),
        }


def rectify(rgb: np.ndarray) -> tuple[np.ndarray, Rectified] | None:
    """The flat page and the record of it, or None where the image shows no page to flatten
    (also where finding it failed on a degenerate image: the page is then used as it came)."""
    try:
        quad = find_page(rgb)
        return None if quad is None else _flatten(rgb, quad)
    except (cv2.error, ArithmeticError, ValueError, np.linalg.LinAlgError):
        logger.debug("no page found in the photo", exc_info=True)
        return None


def _flatten(rgb: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, Rectified]:
    h, w = rgb.shape[:2]
    aspect, portrait = measured_aspect(quad, (w, h))
    paper, (pw, ph) = paper_size(aspect)
    size = (round(pw * DPI), round(ph * DPI)) if portrait else (round(ph * DPI), round(pw * DPI))
    flat = _warp(rgb, quad, size)
    corners = tuple((float(x), float(y)) for x, y in quad)
    return flat, Rectified(corners, (w, h), size, paper, aspect)


def measured_aspect(quad: np.ndarray, frame: tuple[int, int]) -> tuple[float, bool]:
    """The paper's long side over its short side, and whether its top edge is a short one."""
    across, down = _camera_sides(quad, frame) or _mean_sides(quad)
    return max(across, down) / min(across, down), down >= across


def _mean_sides(quad: np.ndarray) -> tuple[float, float]:
    tl, tr, br, bl = quad
    across = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    down = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    return float(across), float(down)


def _camera_sides(quad: np.ndarray, frame: tuple[int, int]) -> tuple[float, float] | None:
    """The rectangle's width and height up to scale, from the vanishing geometry of its
    corners (Zhang and He 2007, principal point at the image centre, square pixels), with the
    focal length they give or, where that is undetermined, a phone's; None where the view is
    straight-on (both pairs of sides parallel: their mean lengths are the answer)."""
    centre = np.array([frame[0] / 2, frame[1] / 2])
    tl, tr, br, bl = (np.append(p - centre, 1.0) for p in quad)
    k2 = np.dot(np.cross(tl, br), bl) / np.dot(np.cross(tr, br), bl)
    k3 = np.dot(np.cross(tl, br), tr) / np.dot(np.cross(bl, br), tr)
    n2, n3 = k2 * tr - tl, k3 * bl - tl
    if abs(n2[2]) < 1e-6 and abs(n3[2]) < 1e-6:
        return None
    long_side = max(frame)
    f2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2] or 1e-12)
    if not (_MIN_FOCAL * long_side) ** 2 <= f2 <= (_MAX_FOCAL * long_side) ** 2:
        f2 = (_TYPICAL_FOCAL * long_side) ** 2
    across = math.sqrt((n2[0] ** 2 + n2[1] ** 2) / f2 + n2[2] ** 2)
    down = math.sqrt((n3[0] ** 2 + n3[1] ** 2) / f2 + n3[2] ** 2)
    return across, down


def paper_size(aspect: float) -> tuple[str, tuple[float, float]]:
    """The paper (name, (short, long) inches) whose proportions ``aspect`` is, or ("", the
    measured proportions with an 11.69 in long side)."""
    off = {name: math.log(aspect * short / long) for name, (short, long) in _PAPERS.items()}
    name = min(off, key=lambda n: abs(off[n]))
    if abs(off[name]) <= _snap(name):
        return name, _PAPERS[name]
    return "", (_LONG_INCHES / aspect, _LONG_INCHES)


def _snap(name: str) -> float:
    """How far (log of the aspects' ratio) a measured aspect may be from paper ``name``'s."""
    short, long = _PAPERS[name]
    gaps = [
        abs(math.log(long / short * other_short / other_long))
        for other, (other_short, other_long) in _PAPERS.items()
        if other != name
    ]
    return min(_SNAP, _SNAP_OF_GAP * min(gaps))


def _warp(rgb: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The quadrilateral mapped onto a ``size`` rectangle; a photo much larger than the flat
    page is first shrunk with area averaging (the warp alone would alias its fine print)."""
    w, h = size
    shrink = float(min(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])) / h)
    src = quad.astype(np.float32)
    if shrink > 1.5:
        rgb = cv2.resize(rgb, None, fx=1 / shrink, fy=1 / shrink, interpolation=cv2.INTER_AREA)
        src = src / np.float32(shrink)
    # pixel centres: the page's outer edges lie half a pixel outside its first and last ones
    dst = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    hom = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    return cv2.warpPerspective(
        rgb, hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
