"""OCR lines that are fragments of a stamp's own text, not print.

Pre-processing whitens coloured stamp ink, but the darkest strokes of a ring's letters stay
(they are kept as dark text overprinted by the stamp), and the recogniser reads a few of them:
".IDI" from the "IND" of a ring lying beside an officer's name, which extraction then took into
the value. Such a line is short, read with doubt, and its ink is coloured; printed values are
black. Only lines with all three are left out of extraction.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from verification.ports import OcrLine

_SHORT = 5  # a fragment has at most this many letters and digits ...
_DOUBT = 0.8  # ... is read with less confidence than this ...
_COLOURED = 0.6  # ... and at least this share of its ink is coloured
_INK_STEP = 60  # grey levels below the crop's paper that are ink
_SATURATED = 60  # HSV saturation of coloured ink (black print: under 30)


def without_stamp_fragments(lines: Sequence[OcrLine], rgb: np.ndarray) -> list[OcrLine]:
    """``lines`` without the short, doubtful lines whose ink is mostly stamp-coloured."""
    return [ln for ln in lines if not _stamp_fragment(ln, rgb)]


def _stamp_fragment(line: OcrLine, rgb: np.ndarray) -> bool:
    if line.confidence >= _DOUBT or sum(ch.isalnum() for ch in line.text) > _SHORT:
        return False
    if rgb.ndim != 3:
        return False
    h, w = rgb.shape[:2]
    x0, y0 = max(0, int(line.box[0])), max(0, int(line.box[1]))
    x1, y1 = min(w, int(np.ceil(line.box[2]))), min(h, int(np.ceil(line.box[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return False
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = grey < float(np.percentile(grey, 90)) - _INK_STEP
    if not ink.any():
        return False
    saturation = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)[..., 1]
    return float(np.mean(saturation[ink] > _SATURATED)) >= _COLOURED
