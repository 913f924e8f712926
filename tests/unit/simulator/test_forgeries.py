"""Every imitation seal differs from the genuine one in what is printed, for every shape."""

from __future__ import annotations

import random

import numpy as np
import pytest

from simulator.seal import difference_px, seal_mask
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


def test_the_truth_says_whether_an_imitation_reached_the_paper() -> None:
    genuine = next(s for s in _WORLD.seals.values() if s.shape == "round")
    forged = forge_seal(random.Random(3), genuine)
    a, b = seal_mask(genuine, 300), seal_mask(forged, 300)
    assert difference_px(a, a) == 0
    assert difference_px(a, b) > 0
    no_ink_where_they_differ = (np.abs(a - b) < 0.25).astype(np.float32)
    assert difference_px(a * no_ink_where_they_differ, b * no_ink_where_they_differ) == 0


def test_a_smaller_imitation_is_compared_centred() -> None:
    a = np.zeros((10, 10), np.float32)
    a[4:6, 4:6] = 1.0
    assert difference_px(a, a[1:-1, 1:-1]) == 0
    assert difference_px(a, a[2:, 2:]) == 6  # one row and column off: 3 + 3 pixels


def test_a_cloned_seal_carries_the_earlier_certificate_with_the_same_stamping() -> None:
    from simulator.cases import build_case
    from simulator.world import build_world

    world = build_world(77)
    case = build_case(world, 77, 1, "cloned_seal")
    assert case.earlier is not None and case.earlier[:2] == b"\xff\xd8"  # a JPEG scan
    assert case.truth["files"]["earlier"] == "earlier.jpg"
    assert case.truth["seal"]["registered"] and case.truth["expected_verdict"] == "reject"
    number = case.truth["earlier_certificate_number"]
    assert number and number != case.truth["fields"]["certificate_number"]
    assert {"code": "seal.copied", "detail": f"seal copied from certificate {number}"} in (
        case.truth["defects"]
    )
    assert build_case(world, 77, 2, "genuine").earlier is None
