"""Unit-test helper: a seal's mask stamped onto a rendered page."""

import numpy as np

from simulator.seal import colourise
from simulator.world import INKS


def stamp_onto(
    page: np.ndarray, mask: np.ndarray, ink: str, angle: float, at: tuple[int, int] = (600, 1300)
) -> np.ndarray:
    """``page`` (RGB) with ``mask`` (0..1 ink) in the colour ``ink``, turned by ``angle``
    degrees and multiplied onto the page with its top-left corner at ``at`` (x, y)."""
    stamp = np.asarray(colourise(mask, INKS[ink]).rotate(angle, expand=True, fillcolor=(255,) * 3))
    x, y = at
    h, w = stamp.shape[:2]
    out = page.copy()
    region = out[y : y + h, x : x + w].astype(np.float32)
    out[y : y + h, x : x + w] = (region * stamp.astype(np.float32) / 255.0).astype(np.uint8)
    return out
