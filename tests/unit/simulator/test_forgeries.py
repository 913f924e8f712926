"""Every imitation seal differs from the genuine one in what is printed, for every shape."""

from __future__ import annotations

import random

import numpy as np
import pytest

from simulator.seal import seal_mask
from simulator.world import build_world, forge_seal

_WORLD = build_world(12)


def _forgeries(shape: str) -> list[tuple[str, str, bool]]:
    """(seal id, forgery note, drawn identically) for many draws of each genuine seal."""
    out = []
    for spec in (s for s in _WORLD.seals.values() if s.shape == shape):
        for k in range(12):
            forged = forge_seal(random.Random(f"{spec.id}-{k}"), spec)
            a, b = seal_mask(spec, 200), seal_mask(forged, 200)
            out.append((spec.id, forged.note, a.shape == b.shape and np.array_equal(a, b)))
    return out


@pytest.mark.parametrize("shape", ["round", "oval", "rect"])
def test_no_forgery_is_drawn_like_the_genuine_seal(shape: str) -> None:
    found = _forgeries(shape)
    assert found, f"the world has no {shape} seal"
    identical = [(sid, note) for sid, note, same in found if same]
    assert identical == []
    kinds = {note.split(" altered")[0] for _sid, note, _same in found}
    assert len(kinds) == 3, kinds  # text, geometry and emblem forgeries all occur
