"""Evidence crops for the review screen: each field's box, the seal and the signature.

Written as PNG files named ``<sha256[:16]>-<what>.png`` in the evidence directory; the result
maps each name to its file path.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from verification.ports import Box
from verification.results import VerificationResult
from verification.tamper import strip_view

logger = logging.getLogger(__name__)

_PAD = 12


def save_evidence(
    result: VerificationResult, pages: list[np.ndarray], directory: Path
) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    prefix = result.document_sha256[:16]
    crops: dict[str, tuple[int, Box | None]] = {
        f"field-{name}": (fv.page, fv.box) for name, fv in result.fields.items()
    }
    crops["seal"] = (result.seal.page, result.seal.box)
    crops["signature"] = (result.signature.page, result.signature.box)
    out: dict[str, str] = {}
    for name, (page, box) in crops.items():
        if box is None or page >= len(pages):
            continue
        crop = _crop(pages[page], box)
        if crop.size == 0:
            continue
        path = directory / f"{prefix}-{name}.png"
        cv2.imwrite(str(path), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
        out[name] = str(path)
    out.update(_tamper_views(result, pages, directory, prefix))
    return out


def _tamper_views(
    result: VerificationResult, pages: list[np.ndarray], directory: Path, prefix: str
) -> dict[str, str]:
    """For each suspicious value: the paper around it, stretched so the strip shows."""
    t = result.tamper
    out: dict[str, str] = {}
    for name in t.suspicious:
        box = t.boxes.get(name)
        if box is None or t.page >= len(pages):
            continue
        view = strip_view(pages[t.page], box)
        if view.size == 0:
            continue
        path = directory / f"{prefix}-tamper-{name}.png"
        cv2.imwrite(str(path), cv2.cvtColor(view, cv2.COLOR_RGB2BGR))
        out[f"tamper-{name}"] = str(path)
    return out


def _crop(img: np.ndarray, box: Box) -> np.ndarray:
    h, w = img.shape[:2]
    x0, y0 = max(0, int(box[0]) - _PAD), max(0, int(box[1]) - _PAD)
    x1, y1 = min(w, int(box[2]) + _PAD), min(h, int(box[3]) + _PAD)
    return img[y0:y1, x0:x1]
