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


def simulated_stamping(seed: int, index: int, kind: str, seal_id: str | None = None):
    """Simulator case ``index`` of corpus seed ``seed`` (of case kind ``kind``): its truth,
    its scanned page as the pipeline reads it, and the registered specimen of the die it
    was stamped with (or imitates), ``seal_id`` if given."""
    from simulator.cases import build_case
    from simulator.seal import specimen_png
    from simulator.world import build_world
    from verification.intake import load_pages
    from verification.pipeline import PipelineConfig
    from verification.ports import SealSpecimen

    world = build_world(seed)
    case = build_case(world, seed, index, kind)
    die = world.seals[seal_id or case.truth["seal"]["drawn_as"].removesuffix("-FORGED")]
    page = load_pages(case.scan, PipelineConfig().limits)[0].image
    return case.truth, page, [SealSpecimen(die.id, die.agency, specimen_png(die))]
