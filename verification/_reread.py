"""A second reading of the lines the recogniser was unsure of.

PP-OCR's recogniser is sensitive to how a line crop is scaled: on some scans it drops letters
of a faint line ("Unit4DockadFlxswP11QW", confidence 0.70) that it reads whole from the same
crop squeezed to 80 % of its height or with its contrast stretched. Lines read below
``REREAD_BELOW`` (about one in a hundred on simulator scans) are read again from those
variants, and the reading with the highest confidence is kept; a variant that is no surer than
the first reading changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import cv2
import numpy as np

REREAD_BELOW = 0.85
_SQUEEZE = 0.8

Recognise = Callable[[list[np.ndarray], bool], tuple[list[Any], float]]
Map = Callable[[Callable[[np.ndarray], Any], Iterable[np.ndarray]], Iterable[Any]]


def reread(
    recognise: Recognise,
    crops: Sequence[np.ndarray],
    results: Sequence[Any],
    map_: Map = map,
) -> tuple[list[np.ndarray], list[Any]]:
    """``crops`` and their recogniser results, weak lines replaced by a surer variant. Each
    variant is read on its own, through ``map_`` (the engine's recogniser threads: the same
    readings as one after the other, the recogniser reads one line a call)."""
    weak = [
        i
        for i, (crop, res) in enumerate(zip(crops, results, strict=True))
        if float(res[1]) < REREAD_BELOW and crop.shape[0] >= 8
    ]
    variants = [_variants(crops[i]) for i in weak]
    read = list(map_(lambda v: recognise([v], True)[0][0], [v for vs in variants for v in vs]))
    out_crops, out = list(crops), list(results)
    for i, vs in zip(weak, variants, strict=True):
        found, read = read[: len(vs)], read[len(vs) :]
        best = max(range(len(found)), key=lambda k: float(found[k][1]))
        if float(found[best][1]) > float(results[i][1]) and str(found[best][0]).strip():
            out_crops[i], out[i] = vs[best], found[best]
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
