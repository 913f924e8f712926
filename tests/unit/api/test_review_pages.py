"""The page images the review screen draws its boxes on (``verifier._with_pages``): a
photographed page is the flat page the review read, and says how it was made; a scan is
the scan as it came."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from node.review.verifier import Verification, _with_pages
from verification.intake import IntakeLimits
from verification.testing import A4, photograph, render_page

CORNERS = [(206.4, 352.2), (1825.5, 179.8), (2149.6, 2648.7), (252.4, 2765.8)]


def test_a_photographed_page_is_shown_flat_with_its_corners(tmp_path: Path) -> None:
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-2026-000417"])])
    out = _with_pages(Verification({}), photograph(page.rgb(), CORNERS), IntakeLimits(), tmp_path)
    (shown,) = out.layout["pages"]
    assert (shown["width"], shown["height"]) == A4
    flat = shown["rectified"]
    assert flat["paper"] == "A4" and flat["photo_size"] == [2250, 3000]
    assert np.abs(np.array(flat["corners"]) - np.array(CORNERS)).max() <= 2.0
    assert Image.open(tmp_path / shown["name"]).size == A4


def test_a_scan_is_shown_as_it_came(tmp_path: Path) -> None:
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-2026-000417"])])
    buf = io.BytesIO()
    page.image.save(buf, format="PNG")
    out = _with_pages(Verification({}), buf.getvalue(), IntakeLimits(), tmp_path)
    (shown,) = out.layout["pages"]
    assert "rectified" not in shown and (shown["width"], shown["height"]) == A4
    assert "photo_not_flat" not in shown  # A4's proportions: no camera's frame


def test_a_photo_whose_paper_is_not_found_is_shown_as_it_came_and_says_so(tmp_path: Path) -> None:
    """On a desk as light as the page: not straightened, but marked a photograph (its frame
    is a camera's), for the screen's note that its seal could not be compared reliably."""
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-2026-000417"])])
    data = photograph(page.rgb(), CORNERS, table=280.0)
    out = _with_pages(Verification({}), data, IntakeLimits(), tmp_path)
    (shown,) = out.layout["pages"]
    assert "rectified" not in shown and shown["photo_not_flat"] is True
    assert (shown["width"], shown["height"]) == (2250, 3000)
