"""The simulator's phone photographs (``--capture photo``): seeded, the whole page in frame,
its corners moved by the camera's view, and the truth's corners where the page is."""

from __future__ import annotations

import numpy as np
import pytest
from reportlab.pdfgen.canvas import Canvas

from simulator.cases import capture_of
from simulator.photo import page_corners, photograph_pdf


def _pdf() -> bytes:
    import io

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(595.27, 841.89), invariant=1)
    c.rect(40, 40, 515, 760)
    c.drawString(72, 720, "PHYTOSANITARY CERTIFICATE")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_a_photo_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    pdf = _pdf()
    one = photograph_pdf(pdf, np.random.default_rng([610, 1, 7]))
    again = photograph_pdf(pdf, np.random.default_rng([610, 1, 7]))
    other = photograph_pdf(pdf, np.random.default_rng([610, 2, 7]))
    assert one.data == again.data and one.data != other.data
    assert one.data[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("case", range(12))
def test_the_page_is_whole_in_frame_and_seen_at_an_angle(case: int) -> None:
    shot = photograph_pdf(_pdf(), np.random.default_rng([611, case, 7]))
    w, h = shot.size
    pw, ph = int(shot.params["page_w"]), int(shot.params["page_h"])
    corners = np.array(page_corners(shot.matrix, pw, ph))
    assert (corners > 0).all() and (corners[:, 0] < w).all() and (corners[:, 1] < h).all()
    # a straight-on view keeps opposite sides equal; the camera's tilt does not
    top, bottom = (np.linalg.norm(corners[i + 1] - corners[i]) for i in (0, 2))
    left, right = (np.linalg.norm(corners[(i + 1) % 4] - corners[i]) for i in (3, 1))
    assert abs(top - bottom) / max(top, bottom) + abs(left - right) / max(left, right) > 0.002
    assert 0.6 < (corners[:, 1].max() - corners[:, 1].min()) / h < 0.95


def test_mixed_capture_draws_both_per_case_and_an_unknown_one_is_refused() -> None:
    drawn = [capture_of(610, i, "mixed") for i in range(1, 41)]
    assert drawn == [capture_of(610, i, "mixed") for i in range(1, 41)]
    assert 10 < drawn.count("photo") < 30 and set(drawn) == {"scan", "photo"}
    assert capture_of(610, 1, "photo") == "photo" and capture_of(610, 1, "scan") == "scan"
    with pytest.raises(ValueError, match="unknown capture"):
        capture_of(610, 1, "fax")


def test_a_quarter_of_the_photos_lie_on_a_light_surface_a_little_darker_than_the_paper() -> None:
    """Most tables are darker than the paper; about one in four is a white desk, 10-25 %
    darker than it, where no one grey level tells page from ground."""
    levels = [
        photograph_pdf(_pdf(), np.random.default_rng([612, case, 7])).params["table"]
        for case in range(24)
    ]
    light = [v for v in levels if v >= 150]
    assert 2 <= len(light) <= 12, levels
    assert all(185 <= v <= 215 for v in light) and all(40 <= v <= 120 for v in levels if v < 150)
