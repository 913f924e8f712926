"""Scans as phones, scanners and exporters write them, reviewed with the real OCR like the
plain scan: a camera's EXIF turn and 72 dpi, a 600 dpi scan without its resolution, paper left
transparent. Each was misread before the robustness audit (s31): the page scaled 2.8x and read
sideways (no template; a reject after 24 s), the seal 3x its size (a reject), a black page."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from tests.integration.verification.genuine_scan import ARRIVAL, DECLARATION, SCANS, TRUTH
from verification import Pipeline


def _phone(page: Image.Image) -> bytes:
    """Stored sideways with EXIF orientation 6 and the 72 dpi cameras write."""
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    page.transpose(Image.Transpose.ROTATE_90).save(
        buf, format="JPEG", quality=92, exif=exif.tobytes(), dpi=(72, 72)
    )
    return buf.getvalue()


def _untagged_600_dpi(page: Image.Image) -> bytes:
    buf = io.BytesIO()
    page.resize((page.width * 3, page.height * 3), Image.Resampling.LANCZOS).save(
        buf, format="JPEG", quality=92
    )
    return buf.getvalue()


def _transparent_paper(page: Image.Image) -> bytes:
    rgb = np.asarray(page.convert("RGB"))
    paper = rgb.min(axis=2) > 235
    rgba = np.dstack([rgb, np.full(paper.shape, 255, np.uint8)])
    rgba[paper] = 0  # transparent, and black under it
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("write", [_phone, _untagged_600_dpi, _transparent_paper])
def test_a_scan_as_devices_write_it_is_accepted_like_the_plain_one(
    pipeline: Pipeline, write: Callable[[Image.Image], bytes]
) -> None:
    page = Image.open(SCANS / "genuine.jpg")
    result = pipeline.verify(write(page), declaration=DECLARATION, arrival_date=ARRIVAL)
    assert result.verdict == "accept", result.reasons
    assert result.seal.match and result.signature.match
    number = result.fields["certificate_number"].value
    assert number == TRUTH["fields"]["certificate_number"]


@pytest.mark.parametrize("mode", ["L", "1"])
def test_a_genuine_scan_without_colour_goes_to_the_officer_not_rejected(
    pipeline: Pipeline, mode: str
) -> None:
    # the robustness audit: a grey, 1-bit or fax scan of a genuine paper was rejected for
    # "no official seal impression found"; no ink can be told from print there
    buf = io.BytesIO()
    Image.open(SCANS / "genuine.jpg").convert(mode).save(buf, format="PNG", dpi=(200, 200))
    result = pipeline.verify(buf.getvalue(), declaration=DECLARATION, arrival_date=ARRIVAL)
    assert result.verdict == "review", result.reasons
    assert not result.seal.found and result.seal.uncertain
    assert "no colour" in result.seal.finding
    present = next(r for r in result.rules if r.id == "seal.present")
    assert not present.passed and present.severity == "warning"
    assert result.fields["certificate_number"].value == TRUTH["fields"]["certificate_number"]
