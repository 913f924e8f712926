"""Finding a photographed page's corners and making it flat (``_page_quad``, ``rectify``), on
synthetic photographs whose corners are known: a printed page warped onto a darker textured
table, or a light one (found by its edges), lit unevenly, blurred, noisy and JPEG-compressed.
And what must not be touched: a page filling the frame as in a scan, a certificate's printed
frame on white paper, a page on a surface as light as itself, a band of the page, a page the
frame cuts."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image

from verification import _page_quad
from verification._page_quad import find_page, order_corners
from verification.intake import camera_frame, load_pages
from verification.rectify import measured_aspect, paper_size, rectify
from verification.testing import photograph

PAGE = (1654, 2339)  # A4 at 200 dpi
MARK = (300, 400, 420, 520)  # a black square printed on the page (x0, y0, x1, y1)


def _page() -> np.ndarray:
    """A white A4 page at 200 dpi with a printed frame, lines of text and a black square."""
    w, h = PAGE
    page = np.full((h, w, 3), 246, np.uint8)
    cv2.rectangle(page, (90, 90), (w - 90, h - 90), (30, 30, 30), 3)
    for row in range(12):
        y = 700 + row * 110
        cv2.putText(page, "Certificate No. AU-2026-0417 x", (160, y), 0, 1.6, (20, 20, 20), 3)
    x0, y0, x1, y1 = MARK
    page[y0:y1, x0:x1] = 10
    return page


def _photo(
    corners: list[tuple[float, float]],
    frame: tuple[int, int] = (2250, 3000),
    table: float = 80.0,
) -> np.ndarray:
    """The page photographed with its corners at ``corners`` (see ``testing.photograph``)."""
    data = photograph(_page(), corners, frame=frame, table=table)
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


TILTED = [(206.4, 352.2), (1825.5, 179.8), (2149.6, 2648.7), (252.4, 2765.8)]
CASES = {
    "tilted away at the bottom right": TILTED,
    "nearly straight on": [(300.0, 330.0), (1950.0, 320.0), (1960.0, 2650.0), (290.0, 2660.0)],
    "turned and foreshortened": [
        (420.0, 260.0),
        (1900.0, 420.0),
        (1780.0, 2700.0),
        (150.0, 2480.0),
    ],
    "small, off centre": [(600.0, 800.0), (1550.0, 760.0), (1620.0, 2100.0), (560.0, 2160.0)],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_corners_of_a_photographed_page_are_found_within_two_pixels(name: str) -> None:
    truth = np.array(CASES[name])
    found = find_page(_photo(CASES[name]))
    assert found is not None, name
    assert np.abs(found - truth).max() <= 2.0, (name, found.round(1).tolist())


def test_a_landscape_photo_of_the_page_is_found_too() -> None:
    corners = [(500.0, 200.0), (2600.0, 300.0), (2550.0, 1800.0), (450.0, 1700.0)]
    # the page lies on its side: its top-left (as printed) is the photo's bottom-left
    sideways = [corners[3], corners[0], corners[1], corners[2]]
    found = find_page(_photo(sideways, frame=(3000, 2250)))
    assert found is not None
    assert np.abs(found - np.array(corners)).max() <= 2.0


def test_a_page_filling_the_frame_as_in_a_scan_is_not_a_photo() -> None:
    """A scan: the paper fills the frame (turned 1.5 degrees, dark wedges at its edges)."""
    w, h = PAGE
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 1.5, 1.0)
    scan = cv2.warpAffine(_page(), rot, (w, h), borderValue=(40, 40, 40))
    assert find_page(scan) is None
    assert rectify(scan) is None


def test_a_printed_frame_on_white_paper_is_not_a_page_on_a_table() -> None:
    """The certificate's own border (dark lines on white, white outside them) is no page edge,
    also when the sheet is smaller than the frame and lies on white."""
    frame = np.full((3000, 2250, 3), 250, np.uint8)
    frame[300:2639, 298:1952] = _page()
    assert find_page(frame) is None


@pytest.mark.parametrize("table", [220.0, 235.0, 250.0])
def test_a_page_on_a_light_surface_lit_unevenly_is_found_by_its_sides(
    table: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A white desk under light falling off to the left: its ground on the right is as bright
    as the page on the left, so no one grey level outlines the page; its four edges do."""
    photo = _photo(TILTED, table=table)
    found = find_page(photo)
    assert found is not None
    assert np.abs(found - np.array(TILTED)).max() <= 2.0, found.round(1).tolist()
    monkeypatch.setattr(_page_quad, "faint_quad", lambda closed: None)
    assert find_page(photo) is None  # the bright region alone does not find it


def test_a_page_on_a_surface_as_light_as_itself_is_not_found() -> None:
    assert find_page(_photo(TILTED, table=280.0)) is None


def test_a_blank_band_of_the_page_below_a_tinted_block_is_not_taken_for_the_page() -> None:
    """A light desk, the page's upper part tinted (a filled box) darker than the desk and
    ending in a straight edge: the blank band under it is brighter than all round it inside
    four straight edges (without the shape's tests it is what is found), but it has no
    page's proportions or size."""
    page = _page()
    page[90:1650] = (page[90:1650] * 0.75).astype(np.uint8)
    data = photograph(page, TILTED, table=235.0)
    found = find_page(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    assert found is None or np.abs(found - np.array(TILTED)).max() <= 2.0


def test_a_page_the_frame_cuts_is_not_made_flat() -> None:
    cut = [(-120.0, 300.0), (1800.0, 180.0), (2150.0, 2650.0), (250.0, 2770.0)]
    assert find_page(_photo(cut)) is None


def test_an_image_of_noise_or_of_one_colour_has_no_page() -> None:
    rng = np.random.default_rng(3)
    assert find_page(rng.integers(0, 255, (900, 700, 3), dtype=np.uint8)) is None
    assert find_page(np.zeros((900, 700, 3), np.uint8)) is None
    assert rectify(np.full((120, 100, 3), 255, np.uint8)) is None


def test_corners_are_ordered_from_the_top_left_clockwise() -> None:
    shuffled = np.array([[1900.0, 2600.0], [200.0, 300.0], [300.0, 2700.0], [1800.0, 200.0]])
    ordered = order_corners(shuffled)
    assert ordered.tolist() == [[200, 300], [1800, 200], [1900, 2600], [300, 2700]]


def _pinhole(pitch: float, yaw: float, f: float, frame: tuple[int, int]) -> np.ndarray:
    """The corners of an A4 page (TL, TR, BR, BL) seen by a pinhole camera whose principal
    point is the frame's centre, tilted by ``pitch`` and ``yaw`` degrees."""
    a, b = math.radians(pitch), math.radians(yaw)
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    w, h = 210.0, 297.0
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    cam = pts @ (ry @ rx).T + np.array([10.0, -20.0, 420.0])
    return cam[:, :2] / cam[:, 2:] * f + np.array(frame) / 2


@pytest.mark.parametrize(
    ("pitch", "yaw", "focal"),
    [(-12, 10, 1800), (-12, 10, 4000), (20, 3, 2700), (1, 0.5, 2700), (0, 0, 2700), (15, 0, 2700)],
)
def test_the_papers_proportions_come_from_the_camera_view(
    pitch: float, yaw: float, focal: float
) -> None:
    """Opposite sides of a tilted page differ in length by up to 10 % here; the aspect
    measured from the view is A4's within 0.5 %, and the page is taken to be A4 (a view
    tilted about one axis only does not tell the focal length: a phone's is assumed)."""
    quad = _pinhole(pitch, yaw, focal, (2250, 3000))
    aspect, portrait = measured_aspect(quad, (2250, 3000))
    assert portrait
    assert aspect == pytest.approx(297 / 210, rel=0.005)
    assert paper_size(aspect)[0] == "A4"


@pytest.mark.parametrize(
    ("short", "long", "paper"),
    [(8.5, 11, "Letter"), (8.5, 14, "Legal"), (8.5, 13, "Folio"), (210 / 25.4, 330 / 25.4, "F4")],
)
def test_a_certificates_other_papers_are_told_by_their_proportions(
    short: float, long: float, paper: str
) -> None:
    """Measured within 1 % (a phone's view, as above), each is that paper and its size."""
    for error in (0.99, 1.0, 1.01):
        name, size = paper_size(long / short * error)
        assert name == paper and size == pytest.approx((short, long))


def test_proportions_between_two_papers_or_of_none_keep_those_measured() -> None:
    """Half way from A4 to Folio is neither; nor is a square card: an 11.69 in long side."""
    between = math.sqrt(297 / 210 * 13 / 8.5)
    for aspect in (between, 1.0):
        name, (short, long) = paper_size(aspect)
        assert (
            name == "" and long == pytest.approx(11.69) and short == pytest.approx(11.69 / aspect)
        )
    # Folio and F4 are 2.8 % apart: 1 % off either is still that one, not the other
    assert paper_size(13 / 8.5 * 1.01)[0] == "Folio" and paper_size(330 / 210 / 1.01)[0] == "F4"
    assert paper_size(math.sqrt(13 / 8.5 * 330 / 210))[0] == ""  # half way: neither


def test_a_legal_page_photographed_is_made_flat_at_its_own_size() -> None:
    """8.5 x 14 in at 200 dpi: 1700 x 2800 pixels, where an 11.69 in long side would have
    shrunk the page (and its seal) by a sixth."""
    w, h = 1700, 2800
    page = np.full((h, w, 3), 246, np.uint8)
    cv2.rectangle(page, (90, 90), (w - 90, h - 90), (30, 30, 30), 3)
    corners = _legal_view()
    data = photograph(page, corners)
    flat, done = rectify(np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))) or (None, None)
    assert flat is not None and done is not None
    assert done.paper == "Legal" and done.size == (w, h) == (flat.shape[1], flat.shape[0])


def _legal_view() -> list[tuple[float, float]]:
    """A Legal page's corners as a camera tilted 10 degrees sees it, in a 2250 x 3000 frame."""
    a = math.radians(10)
    rot = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    w, h = 8.5, 14.0
    pts = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    cam = pts @ rot.T + np.array([0.3, -0.2, 20.0])
    xy = cam[:, :2] / cam[:, 2:] * 3000 + np.array([1125, 1500])
    return [(float(x), float(y)) for x, y in xy]


def test_a_photo_is_made_flat_at_a4_and_200_dpi_with_the_print_where_it_was() -> None:
    flat, done = rectify(_photo(TILTED)) or (None, None)
    assert flat is not None and done is not None
    assert (flat.shape[1], flat.shape[0]) == PAGE == done.size
    assert done.paper == "A4" and done.photo_size == (2250, 3000)
    x0, y0, x1, y1 = MARK
    window = flat[y0 - 100 : y1 + 100, x0 - 100 : x1 + 100, 1]
    square = np.argwhere(window < 60) + np.array([y0 - 100, x0 - 100])
    (top, left), (bottom, right) = square.min(axis=0), square.max(axis=0)
    assert abs(left - x0) <= 3 and abs(top - y0) <= 3
    assert abs(right + 1 - x1) <= 3 and abs(bottom + 1 - y1) <= 3


def test_intake_makes_a_photo_flat_and_records_it() -> None:
    (page,) = load_pages(photograph(_page(), TILTED))
    assert page.rectified is not None
    assert (page.image.shape[1], page.image.shape[0]) == PAGE
    assert np.abs(np.array(page.rectified.corners) - np.array(TILTED)).max() <= 2.0
    assert page.rectified.to_json()["paper"] == "A4"


def test_intake_leaves_a_flat_scan_bit_for_bit_as_it_was() -> None:
    """The fixture scan (a simulator scan: turned, skewed, dark wedges at its edges) comes out
    exactly as the decoder gives it, as before photos were made flat."""
    from tests.integration.verification.genuine_scan import SCANS

    for name in ("genuine.jpg", "forged_seal.jpg"):
        data = (SCANS / name).read_bytes()
        (page,) = load_pages(data)
        assert page.rectified is None
        decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        assert page.image.shape == decoded.shape and np.array_equal(page.image, decoded)


def _pdf_of(image: np.ndarray) -> bytes:
    """A one-page PDF of ``image`` at 200 dpi (a phone's "scan to PDF" of a photo)."""
    out = io.BytesIO()
    Image.fromarray(image).save(out, "PDF", resolution=200.0)
    return out.getvalue()


def test_a_photo_in_a_pdf_is_made_flat_too() -> None:
    (page,) = load_pages(_pdf_of(_photo(TILTED)))
    assert page.rectified is not None and page.rectified.to_json()["paper"] == "A4"
    assert (page.image.shape[1], page.image.shape[0]) == PAGE
    assert np.abs(np.array(page.rectified.corners) - np.array(TILTED)).max() <= 3.0


def test_a_pdf_page_that_is_the_paper_is_used_as_rendered() -> None:
    (page,) = load_pages(_pdf_of(_page()))
    assert page.rectified is None  # as pdfium renders it (to a pixel of rounding)
    assert abs(page.image.shape[1] - PAGE[0]) <= 1 and abs(page.image.shape[0] - PAGE[1]) <= 1


def test_a_light_desk_pages_edge_is_told_from_a_line_beside_it() -> None:
    """Held-out photo 513 c00022 (a simulator certificate on a light wooden desk, 214 grey):
    beside its top edge ran a second line stepping down as much 4 pixels either side, and the
    page was flattened 26 pixels off; the line the edge is sharpest on is the page's."""
    from simulator.cases import build_case
    from simulator.world import build_world

    case = build_case(build_world(513), 513, 22, "unregistered_officer", capture="photo")
    found = find_page(np.asarray(Image.open(io.BytesIO(case.scan)).convert("RGB")))
    assert found is not None
    assert np.abs(found - np.array(case.truth["scan"]["page_corners"])).max() <= 3.0


def test_a_cameras_frame_is_told_from_a_papers() -> None:
    for w, h in ((3000, 2250), (2250, 3000), (4032, 3024), (6000, 4000), (1080, 1920)):
        assert camera_frame(w, h), (w, h)
    for w, h in ((1654, 2339), (2480, 3508), (1700, 2200), (1700, 2800), (2000, 2000)):
        assert not camera_frame(w, h), (w, h)  # A4, A4 at 300 dpi, Letter, Legal, square


def test_a_photo_whose_paper_is_not_found_is_marked_as_one_used_as_it_came() -> None:
    """On a desk as light as the page: not made flat, but known to be a photograph (its
    frame is a camera's), so the review does not read its seal as a scan's."""
    (photo,) = load_pages(photograph(_page(), TILTED, table=280.0))
    assert photo.rectified is None and photo.unflattened_photo
    (flat,) = load_pages(photograph(_page(), TILTED))
    assert flat.rectified is not None and not flat.unflattened_photo
    buf = io.BytesIO()
    Image.fromarray(_page()).save(buf, format="PNG")  # an A4 scan
    (scan,) = load_pages(buf.getvalue())
    assert scan.rectified is None and not scan.unflattened_photo
