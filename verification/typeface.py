"""Tamper evidence on printed values: a value retyped in another typeface or ink.

A value altered on paper is retyped with whatever the forger has at hand: another typeface, a
slightly different size, a greyer toner. Every other value on the page came out of the same
printer in the same font, so the altered one stands out against them even when no strip is
visible around it. For each value box this module binarises the glyphs at the midpoint between
the paper and the darkest ink of the box and measures three things that a typeface and a
toner change, and that size-normalised page-wide scanning (blur, contrast, JPEG) shares:

* ``width``: mean stroke width, twice the ink area over its boundary length (a serif face's
  hairlines and a monospaced face's thin strokes are narrower than a sans-serif's stems);
* ``height``: height of the tall glyphs (digits, capitals), the 80th percentile of the
  connected components' heights;
* ``ink``: contrast of the darkest tenth of the ink against the paper of the box.

The checked value is compared with the median of the page's other values (printed in the same
typeface), each difference relative to a floor (the spread seen between values of one genuine
page) or the page's own spread when larger; the score is the length of that vector.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from verification.ports import Box
from verification.results import FieldValue

# Differences that one genuine page shows between its net weight and its other values (seed
# 330, 50 genuine pages: width within 5%, ink within 0.02, height within 9%).
_FLOOR_WIDTH = 0.03  # relative
_FLOOR_INK = 0.015  # contrast
_FLOOR_HEIGHT = 0.06  # relative
_MIN_REFERENCES = 4  # other values needed for a page norm
_MIN_CONTRAST = 40.0  # grey levels between paper and ink, else no glyphs to measure
_MIN_AREA, _MIN_HEIGHT = 6, 4  # px: smaller components are specks
_PLUS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8)


@dataclass(frozen=True)
class PrintStyle:
    width: float  # mean stroke width, px
    height: float  # tall glyph height, px
    ink: float  # (paper - darkest tenth of ink) / paper


def print_style(gray: np.ndarray, box: Box) -> PrintStyle | None:
    """Stroke width, glyph height and ink contrast of the glyphs in ``box`` (page pixels of
    ``gray``); None when the box holds no measurable glyphs."""
    h, w = gray.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0, x1, y1 = max(0, x0 - 2), max(0, y0 - 2), min(w, x1 + 2), min(h, y1 + 2)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    img = gray[y0:y1, x0:x1].astype(np.float32)
    paper = float(np.percentile(img, 90))
    dark = float(np.percentile(img, 2))
    if paper - dark < _MIN_CONTRAST:
        return None
    ink = (img < (paper + dark) / 2).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = (stats[:, cv2.CC_STAT_AREA] >= _MIN_AREA) & (stats[:, cv2.CC_STAT_HEIGHT] >= _MIN_HEIGHT)
    keep[0] = False
    if np.count_nonzero(keep) < 2:
        return None
    mask = keep[labels].astype(np.uint8)
    area = float(np.count_nonzero(mask))
    boundary = float(np.count_nonzero(mask - cv2.erode(mask, _PLUS)))
    heights = stats[keep, cv2.CC_STAT_HEIGHT]
    values = np.sort(img[mask > 0])
    core = float(np.mean(values[: max(3, values.size // 10)]))
    return PrintStyle(
        width=2.0 * area / max(boundary, 1.0),
        height=float(np.percentile(heights, 80)),
        ink=(paper - core) / paper,
    )


def style_score(
    gray: np.ndarray, fields: Mapping[str, FieldValue], name: str, page: int = 0
) -> float | None:
    """How far the print of ``name``'s value departs from the page's other values (0 = the
    same; the floors make 1 the spread of a genuine page); None when there is no value box or
    too few other values to compare with."""
    styles: dict[str, PrintStyle] = {}
    for n, fv in fields.items():
        if fv.box is None or fv.value is None or fv.page != page:
            continue
        style = print_style(gray, fv.box)
        if style is not None:
            styles[n] = style
    own = styles.pop(name, None)
    if own is None or len(styles) < _MIN_REFERENCES:
        return None
    refs = list(styles.values())
    width = _relative(own.width, [s.width for s in refs], _FLOOR_WIDTH)
    height = _relative(own.height, [s.height for s in refs], _FLOOR_HEIGHT)
    ink = _absolute(own.ink, [s.ink for s in refs], _FLOOR_INK)
    return math.sqrt(width**2 + height**2 + ink**2)


def _relative(value: float, refs: list[float], floor: float) -> float:
    med = float(np.median(refs))
    spread = 1.4826 * float(np.median(np.abs(np.asarray(refs) - med)))
    return (value / med - 1.0) / max(floor, spread / med)


def _absolute(value: float, refs: list[float], floor: float) -> float:
    med = float(np.median(refs))
    spread = 1.4826 * float(np.median(np.abs(np.asarray(refs) - med)))
    return (value - med) / max(floor, spread)
