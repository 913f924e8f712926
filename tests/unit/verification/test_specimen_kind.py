"""A specimen filed as the wrong kind is refused: an officer's signature registered as an
agency's seal, a seal registered as an officer's signature (``seal.specimen_fault``,
``signature.specimen_fault``, ``seal.stamp_shape``), on the simulator's own renderings
(seeds 714-715) and TradeTrust's scanned signature. A black seal, and a gappy stamping filed as
a specimen, are still seals."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from node.errors import InputError
from node.registry import validate
from simulator import seal as sim_seal
from simulator import signature as sim_signature
from simulator.world import INKS, build_world
from verification import seal, signature

_INTEROP = Path(__file__).resolve().parents[2] / "interop" / "tradetrust" / "images"
_WORLDS = [build_world(seed) for seed in (714, 715)]


def _png(img: Image.Image, dpi: int = 300) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def _seals() -> list[bytes]:
    return [sim_seal.specimen_png(s) for w in _WORLDS for s in w.seals.values()]


def _signatures() -> list[bytes]:
    return [
        sim_signature.specimen_png(o.style_seed, o.name)
        for w in _WORLDS
        for o in list(w.officers.values())[::3]
    ]


def _black(spec: sim_seal.SealSpec, mask: np.ndarray | None = None) -> bytes:
    m = sim_seal.seal_mask(spec, 300) * 0.92 if mask is None else mask
    return _png(sim_seal.colourise(sim_seal._pad(m, 12), (25, 25, 25)))


def _scanned_signature(dpi: int = 300) -> bytes:
    """TradeTrust's signature JPEG (500 x 300 px, recording 72 dpi: a 150 mm "signature"),
    saved as a scan made at ``dpi`` records it: 42 x 25 mm at 300."""
    buf = io.BytesIO()
    Image.open(_INTEROP / "signature.jpg").save(buf, "JPEG", quality=95, dpi=(dpi, dpi))
    return buf.getvalue()


def test_every_simulated_seal_specimen_is_a_seal_and_not_a_signature() -> None:
    for image in _seals():
        assert seal.specimen_fault(image) is None
        fault = signature.specimen_fault(image)
        assert fault is not None and fault.startswith("it looks like a seal impression"), fault


def test_every_simulated_signature_specimen_is_a_signature_and_not_a_seal() -> None:
    for image in _signatures():
        assert signature.specimen_fault(image) is None
        fault = seal.specimen_fault(image)
        assert fault is not None and fault.startswith("it looks like a signature"), fault


def test_a_scanned_signature_is_a_signature_and_not_a_seal() -> None:
    image = _scanned_signature()
    assert signature.specimen_fault(image) is None
    fault = seal.specimen_fault(image)
    assert fault is not None and "looks like a signature, not a stamp impression" in fault
    assert "only 24% of its outline is inked" in fault, fault


def test_a_black_seal_is_a_seal_clean_or_gappy() -> None:
    """Some agencies stamp in black: a black stamp is one by its shape, and so is a gappy
    stamping of one (scanned from a page, its ring broken, a rectangle's corner missing)."""
    rng = np.random.default_rng(714)
    for spec in _WORLDS[0].seals.values():
        assert seal.specimen_fault(_black(spec)) is None, spec.id
        gappy = sim_seal.impression(spec, 300, rng, float(rng.uniform(-20, 20)))
        assert seal.specimen_fault(_black(spec, gappy)) is None, spec.id
        coloured = _png(sim_seal.colourise(sim_seal._pad(gappy, 12), INKS[spec.ink]))
        assert seal.specimen_fault(coloured) is None, spec.id


def test_a_black_signature_or_one_signed_document_s_is_not_a_seal() -> None:
    officer = next(iter(_WORLDS[1].officers.values()))
    mask = sim_signature.signature_mask(officer.style_seed, officer.name, random.Random(715), 110)
    for ink in ((20, 20, 20), sim_signature.SIG_INK):
        image = _png(sim_seal.colourise(np.pad(mask, 16) * 0.95, ink), dpi=200)
        assert signature.specimen_fault(image) is None
        assert "looks like a signature" in (seal.specimen_fault(image) or "")


def test_stamp_shape_measures_ring_frame_and_lettering() -> None:
    spec = next(s for s in _WORLDS[0].seals.values() if s.shape == "rect")
    ring = next(s for s in _WORLDS[0].seals.values() if s.shape == "round")

    def shape(image: bytes) -> seal.StampShape:
        rgb, _ = seal.decode_specimen(image)
        return seal.stamp_shape(seal._specimen_ink(rgb))

    rect, round_ = shape(sim_seal.specimen_png(spec)), shape(sim_seal.specimen_png(ring))
    assert not rect.ringed and rect.traced == 1.0 and rect.pieces >= seal.STAMP_PIECES
    assert round_.ringed and round_.traced == 1.0 and round_.pieces >= seal.STAMP_PIECES
    hand = shape(_scanned_signature())
    assert not hand.ringed and hand.traced < 0.3 and hand.pieces < 5


def test_a_frame_without_lettering_is_not_refused_as_a_signature() -> None:
    """Conservative both ways: a plain dark rectangle frame (a stamp's border, no text) is
    accepted as a seal (its frame), and a solid block of ink as a signature (no lettering)."""
    img = Image.new("RGB", (500, 300), "white")
    ImageDraw.Draw(img).rectangle([20, 20, 480, 280], outline=(10, 10, 10), width=8)
    assert seal.specimen_fault(_png(img)) is None
    assert signature.specimen_fault(_png(img)) is None
    assert signature.specimen_fault(_png(Image.new("RGB", (300, 100), "navy"))) is None


@pytest.mark.parametrize("kind", ["seal", "signature"])
def test_registration_names_the_field_and_the_mix_up(kind: str) -> None:
    wrong = _scanned_signature() if kind == "seal" else _seals()[0]
    with pytest.raises(InputError) as err:
        validate.specimen(wrong, "image", kind)  # type: ignore[arg-type]
    expected = "looks like a signature" if kind == "seal" else "looks like a seal impression"
    assert str(err.value).startswith("image: it ") and expected in str(err.value)


@pytest.mark.parametrize("ink", [(90, 150, 230), (60, 110, 200), (110, 170, 240)])
def test_a_light_blue_ballpoint_signature_is_not_a_seal(ink: tuple[int, int, int]) -> None:
    """A signature in light-blue ballpoint (ink as bright as a stamp's) was registered as a
    seal: its few pieces are a hand's, whatever the colour. Genuine seals in colour, clean or
    gappy, still pass (``test_a_black_seal_is_a_seal_clean_or_gappy``, and seeds 900-903:
    256 seal specimens, none refused)."""
    for officer in list(_WORLDS[0].officers.values())[::6]:
        mask = sim_signature.signature_mask(officer.style_seed, officer.name, None, 160)
        image = _png(sim_seal.colourise(np.pad(mask, 16) * 0.95, ink))
        assert signature.specimen_fault(image) is None
        fault = seal.specimen_fault(image) or ""
        assert fault.startswith("it looks like a signature, not a stamp impression: pen"), fault
