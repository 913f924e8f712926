"""Put a case on paper: PDF with seal, signature and alterations, then the degraded scan.

Seal and signature are embedded as images drawn with the PDF ``Multiply`` blend mode, so
they behave like ink: printed text under a stamp stays black, paper shows the ink colour.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from simulator import photo
from simulator import seal as seal_mod
from simulator import signature as sig_mod
from simulator.layouts import Layout
from simulator.pdf import PAGE_H, Geometry, render_pdf
from simulator.scan import DPI, scan_pdf, transform_box
from simulator.world import INKS, Officer, SealSpec

INK_DPI = 300.0
_PX = DPI / 72.0


@dataclass
class Marks:
    seal: SealSpec | None
    officer: Officer
    alteration: dict[str, Any] | None = None
    imitated: SealSpec | None = None  # the genuine seal a forged ``seal`` imitates
    # one stamping of ``seal`` (mask, angle) printed as it is: a seal copied from the certificate
    # that got it (``cloned_seal``), or that certificate itself
    stamping: tuple[np.ndarray, float] | None = None
    forged_signature: SignatureForgery | None = None  # the officer's signature, not by them


@dataclass(frozen=True)
class SignatureForgery:
    """Who really wrote the officer's signature (``forged_signature``)."""

    style_seed: int  # the writer's own style (a stand-in), or the officer's (a copy)
    hand: sig_mod.Hand
    note: str


def render_case(
    layout: Layout,
    printed: dict[str, list[str]],
    marks: Marks,
    rng: random.Random,
    nrng: np.random.Generator,
    scan_fmt: str,
    extras: list[tuple[str, list[str]]] | None = None,
    capture: str = "scan",
) -> tuple[bytes, bytes, dict[str, Any]]:
    """The PDF, its capture (``scan``: a flatbed scan; ``photo``: a phone photograph of the
    paper on a table) and where the marks were placed (boxes in the capture's pixels)."""
    placed: dict[str, Any] = {}

    def finish(c: Canvas, geo: Geometry) -> None:
        if marks.alteration:
            _patch(c, geo, marks.alteration, rng)
        placed["signature"] = _sign(c, geo, marks.officer, rng, marks.forged_signature)
        placed["seal"] = _stamp(c, geo, marks, rng, nrng)

    pdf = render_pdf(layout, printed, finish, extras)
    scan = photo.photograph_pdf(pdf, nrng, scan_fmt) if capture == "photo" else None
    scan = scan or scan_pdf(pdf, nrng, scan_fmt)
    for key in ("seal", "signature"):
        box = placed[key].pop("box_pt", None)
        if box is not None:
            placed[key]["bbox_scan"] = transform_box(_to_px(box), scan.matrix)
    placed["scan"] = {
        "dpi": DPI,
        "size": list(scan.size),
        "degradation": {k: round(v, 4) for k, v in scan.params.items()},
    }
    if capture == "photo":
        w, h = int(scan.params["page_w"]), int(scan.params["page_h"])
        placed["scan"]["page_corners"] = photo.page_corners(scan.matrix, w, h)
    return pdf, scan.data, placed


def _to_px(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box  # PDF points, origin bottom-left
    return x0 * _PX, (PAGE_H - y1) * _PX, x1 * _PX, (PAGE_H - y0) * _PX


def _draw_ink(c: Canvas, rgb: Any, x: float, y: float, w: float, h: float) -> None:
    c.saveState()
    c.setBlendMode("Multiply")
    c.drawImage(ImageReader(rgb), x, y, width=w, height=h)
    c.restoreState()


def _sign(
    c: Canvas,
    geo: Geometry,
    officer: Officer,
    rng: random.Random,
    forged: SignatureForgery | None = None,
) -> dict[str, Any]:
    seed, hand = (
        (forged.style_seed, forged.hand) if forged else (officer.style_seed, sig_mod.OWN_HAND)
    )
    mask = sig_mod.signature_mask(seed, officer.name, rng, height_px=150, hand=hand)
    h_pt = mask.shape[0] / INK_DPI * 72 * rng.uniform(0.9, 1.1)
    w_pt = h_pt * mask.shape[1] / mask.shape[0]
    if w_pt > 190:
        h_pt, w_pt = h_pt * 190 / w_pt, 190.0
    x = geo.signature_at[0] + rng.uniform(-8, 20)
    y = geo.signature_at[1] + rng.uniform(-6, 4)
    r, g, b = (int(v + rng.uniform(-10, 10)) for v in sig_mod.SIG_INK)
    ink = (r, g, b)
    _draw_ink(c, seal_mod.colourise(mask * rng.uniform(0.85, 1.0), ink), x, y, w_pt, h_pt)
    return {
        "officer_id": officer.id,
        "officer_name": officer.name,
        "registered": officer.registered,
        "forgery": forged.note if forged else None,
        "box_pt": (x, y, x + w_pt, y + h_pt),
    }


def _stamp(
    c: Canvas, geo: Geometry, marks: Marks, rng: random.Random, nrng: np.random.Generator
) -> dict[str, Any]:
    spec = marks.seal
    if spec is None:
        return {"present": False, "seal_id": None, "registered": False, "agency_id": None}
    angle = rng.uniform(-35, 35)
    # the same stamping with the imitated die, for the truth only
    twin = copy.deepcopy(nrng) if marks.imitated is not None else None
    if marks.stamping is not None:
        mask, angle = marks.stamping
    else:
        mask = seal_mod.impression(spec, INK_DPI, nrng, angle)
    shown = None
    if marks.imitated is not None and twin is not None:
        genuine = seal_mod.impression(marks.imitated, INK_DPI, twin, angle)
        shown = seal_mod.difference_px(mask, genuine)
    w_pt = mask.shape[1] / INK_DPI * 72
    h_pt = mask.shape[0] / INK_DPI * 72
    cx = geo.seal_center[0] + rng.uniform(-30, 30)
    cy = geo.seal_center[1] + rng.uniform(-8, 8)
    x, y = cx - w_pt / 2, cy - h_pt / 2
    _draw_ink(c, seal_mod.colourise(mask, INKS[spec.ink]), x, y, w_pt, h_pt)
    return {
        "present": True,
        "seal_id": spec.id if spec.registered else None,
        "drawn_as": spec.id,
        "registered": spec.registered,
        "agency_id": spec.agency,
        "shape": spec.shape,
        "ink": spec.ink,
        "rotation_deg": round(angle, 2),
        "forgery": spec.note or None,
        # Pixels (at 300 dpi) where this impression differs from the same stamping of the
        # genuine die by a quarter of full ink or more; 0: the imitation's difference fell
        # where the stamp left no ink, and no test of the pixels can see it.
        "imitation_difference_px": shown,
        "box_pt": (x, y, x + w_pt, y + h_pt),
    }


def _patch(c: Canvas, geo: Geometry, alteration: dict[str, Any], rng: random.Random) -> None:
    """Cover the printed value with a slightly off-white strip and type the new one."""
    run = geo.values[alteration["field"]][0]
    c.saveState()
    tone = rng.uniform(0.965, 0.99)
    c.setFillColorRGB(tone, tone, tone * rng.uniform(0.97, 1.0))
    c.rect(run.x - 1.5, run.y - 3, run.width + 6, run.size + 4.5, stroke=0, fill=1)
    font = {"Helvetica": "Times-Roman", "Times-Roman": "Helvetica", "Courier": "Helvetica"}[
        run.font
    ]
    c.setFillGray(rng.uniform(0.05, 0.2))
    c.setFont(font, run.size * rng.uniform(0.9, 1.06))
    c.drawString(
        run.x + rng.uniform(0.5, 2.5), run.y + rng.uniform(-0.8, 0.8), alteration["altered_printed"]
    )
    c.restoreState()
