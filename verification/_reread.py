"""A second reading of the lines the recogniser was unsure of.

PP-OCR's recogniser is sensitive to how a line crop is scaled: on some scans it drops letters
of a faint line ("Unit4DockadFlxswP11QW", confidence 0.70) that it reads whole from the same
crop squeezed to 80 % of its height or with its contrast stretched. Lines read below
``REREAD_BELOW`` (about one in a hundred on simulator scans) are read again from those
variants, and the reading with the highest confidence is kept; a variant that is no surer than
the first reading changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import cv2
import numpy as np

REREAD_BELOW = 0.85
_SQUEEZE = 0.8

Recognise = Callable[[list[np.ndarray], bool], tuple[list[Any], float]]


def reread(
    recognise: Recognise, crops: Sequence[np.ndarray], results: Sequence[Any]
) -> tuple[list[np.ndarray], list[Any]]:
    """``crops`` and their recogniser results, weak lines replaced by a surer variant."""
    out_crops, out = list(crops), list(results)
    for i, (crop, res) in enumerate(zip(crops, results, strict=True)):
        if float(res[1]) >= REREAD_BELOW or crop.shape[0] < 8:
            continue
        variants = _variants(crop)
        found, _elapsed = recognise(variants, True)
        best = max(range(len(found)), key=lambda k: float(found[k][1]))
        if float(found[best][1]) > float(res[1]) and str(found[best][0]).strip():
            out_crops[i], out[i] = variants[best], found[best]
    return out_crops, out


def _variants(crop: np.ndarray) -> list[np.ndarray]:
    h, w = crop.shape[:2]
    squeezed = cv2.resize(crop, (w, max(1, round(h * _SQUEEZE))), interpolation=cv2.INTER_AREA)
    return [squeezed, _stretched(crop)]


def _stretched(crop: np.ndarray) -> np.ndarray:
    """Contrast stretched between the 2nd and 98th percentile of the grey levels."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    lo, hi = np.percentile(gray, (2, 98))
    scaled = (crop.astype(np.float32) - lo) * (255.0 / max(1.0, float(hi - lo)))
    return np.clip(scaled, 0, 255).astype(np.uint8)
