"""Seal comparison on simulator-drawn stamps, with the real PP-OCR recogniser for ring text.

The stamps come from the simulator (``simulator.seal``: a registered specimen, and one stamping
of it, or of an imitation made by ``simulator.world.forge_seal``, rotated and unevenly inked),
pressed over a printed page and scanned with the simulator's degradations. A genuine
impression must match its specimen, gappy or legible (a gappy one's unconfirmed letters are
counted for the ``seal.text`` rule, which a strict rule set may use); each kind
of imitation (ring text with two letters swapped, smaller geometry with a wider ring, another
emblem) and another agency's seal must not match.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from simulator.scan import degrade
from simulator.seal import colourise, impression, seal_mask, specimen_png
from simulator.world import INKS, SealSpec, build_world, forge_seal
from verification.intake import WORK_DPI, IntakeLimits, load_pages
from verification.ports import SealSpecimen
from verification.seal import check_seal
from verification.testing import render_page

WORLD = build_world(11)
GENUINE = WORLD.seals["AU-DAFF-S1"]  # round, red, ring text around an emblem
SPECIMENS = [
    SealSpecimen(s.id, s.agency, specimen_png(s))
    for s in WORLD.seals.values()
    if s.agency == GENUINE.agency
]


def _legible(stamp: SealSpec, angle: float, seed: int) -> np.ndarray:
    """A stamping like ``simulator.seal.impression`` (rotated, pressure gradient, grain) but
    without its blotchy ink gaps: every letter legible."""
    import cv2

    mask = np.pad(seal_mask(stamp, WORK_DPI), 6)
    h, w = mask.shape
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    side = int(np.hypot(h, w)) + 1
    rot[0, 2] += side / 2 - w / 2
    rot[1, 2] += side / 2 - h / 2
    m = cv2.warpAffine(mask, rot, (side, side), flags=cv2.INTER_LINEAR)
    ramp = np.clip(np.linspace(0.0, 1.0, side, dtype=np.float32)[None, :], 0, 1)
    grain = 1.0 - 0.25 * np.random.default_rng(seed).random((side, side), dtype=np.float32)
    return np.clip(m * (0.55 + 0.45 * ramp) * grain, 0, 1)


def _scan(stamp: SealSpec, *, angle: float, seed: int, legible: bool = False) -> np.ndarray:
    """A printed page with ``stamp`` pressed over it (multiply blend), scanned."""
    page = render_page(
        "PHYTOSANITARY CERTIFICATE",
        [("Certificate No.", ["AU-2026-000417"]), ("Name of authorized officer", ["J. Smith"])],
    )
    rgb = np.asarray(page.image.convert("RGB"), dtype=np.float32)
    if legible:
        mask = _legible(stamp, angle, seed)
    else:
        mask = impression(stamp, WORK_DPI, np.random.default_rng(seed), angle)
    ink = np.asarray(colourise(mask, INKS[stamp.ink]), dtype=np.float32)
    y, x = 1480, 260
    h, w = ink.shape[:2]
    rgb[y : y + h, x : x + w] *= ink / 255.0
    bgr = np.ascontiguousarray(rgb.astype(np.uint8)[..., ::-1])
    scan = degrade(bgr, np.random.default_rng(seed), "png")
    return load_pages(scan.data, IntakeLimits())[0].image


def _forgery(how: str) -> SealSpec:
    """The first imitation of GENUINE that ``forge_seal`` makes in the way ``how`` (for ring
    text: two adjacent letters of a word swapped, its commonest alteration)."""
    for k in range(200):
        forged = forge_seal(random.Random(k), GENUINE)
        if forged.note.startswith(how) and (how != "ring text" or _swapped(forged)):
            return forged
    raise AssertionError(f"forge_seal never made a {how!r} imitation")


def _swapped(forged: SealSpec) -> bool:
    pairs = zip(forged.ring_text.split(), GENUINE.ring_text.split(), strict=True)
    return any(a != b and sorted(a) == sorted(b) for a, b in pairs)


@pytest.mark.parametrize(("angle", "seed"), [(0.0, 1), (-27.0, 2), (141.0, 3)])
def test_genuine_impression_with_legible_text_matches(angle, seed):
    res = check_seal(_scan(GENUINE, angle=angle, seed=seed, legible=True), SPECIMENS)
    assert res.found and res.match and not res.uncertain
    assert res.seal_id == GENUINE.id


@pytest.mark.parametrize(("angle", "seed"), [(0.0, 1), (-27.0, 2), (141.0, 3)])
def test_genuine_gappy_impression_matches(angle, seed):
    res = check_seal(_scan(GENUINE, angle=angle, seed=seed), SPECIMENS)
    assert res.found and res.seal_id == GENUINE.id
    assert res.match and not res.uncertain and res.text_checked


@pytest.mark.parametrize("how", ["ring text", "geometry", "emblem"])
def test_imitation_is_not_matched(how):
    forged = _forgery(how)
    res = check_seal(_scan(forged, angle=-15.0, seed=4), SPECIMENS)
    assert res.found and not res.match, forged.note
    assert res.finding, "the officer is told why"
    if how == "ring text":
        assert "text" in res.finding and "contradict" in res.finding or "swap" in res.finding, (
            res.finding
        )


def test_other_agencys_seal_is_not_matched():
    other = WORLD.seals["NZ-MPI-S1"]
    res = check_seal(_scan(other, angle=20.0, seed=5), SPECIMENS)
    assert res.found and not res.match
    assert res.finding and res.to_json()["finding"] == res.finding
