"""Page orientation on rendered pages with PP-OCR's real 0/180 line classifier: a page turned a
quarter, a half or three quarters is turned back; an upright page is left alone (same array,
read once)."""

import numpy as np
import pytest

from verification.orientation import _ink, _line_crops, quarter_turns, read_upright
from verification.testing import ScriptedOcr, render_page

ROWS = [
    ("Name and address of exporter", ["Acme Fruit Exports Pty Ltd", "12 Harbour Road, Sydney"]),
    ("Consignee", ["Shanghai Fresh Co, 88 Pudong Avenue, Shanghai"]),
    ("Place of origin", ["Australia"]),
    ("Botanical name of plants", ["Citrus sinensis (oranges), fresh fruit for consumption"]),
    ("Net weight", ["1,250.50 kg in 120 cartons"]),
    ("Distinguishing marks", ["MSCU1234565 sealed, lot numbers 4471 to 4590"]),
    ("Date of issue", ["10 November 2026"]),
    ("Name of authorized officer", ["Jane Citizen"]),
]


@pytest.fixture(scope="module")
def upright() -> np.ndarray:
    page = render_page("PHYTOSANITARY CERTIFICATE", ROWS, gap=52)
    return np.asarray(page.image.convert("RGB"))


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_a_turned_page_is_turned_back(upright, k) -> None:
    turned = np.ascontiguousarray(np.rot90(upright, k))
    back = quarter_turns(turned)
    assert (k + back) % 4 == 0, (k, back)


def test_an_upright_page_is_read_once_and_not_copied(upright) -> None:
    ocr = ScriptedOcr([])
    page, lines = read_upright(upright, ocr)
    assert page is upright and lines == [] and ocr.calls == 1


def test_a_page_read_upside_down_is_read_upright() -> None:
    page = render_page("PHYTOSANITARY CERTIFICATE", ROWS, gap=52)
    image = np.asarray(page.image.convert("RGB"))
    seen: list[np.ndarray] = []

    class Recording(ScriptedOcr):
        def recognise(self, img: np.ndarray):  # type: ignore[no-untyped-def]
            seen.append(img)
            return super().recognise(img)

    turned, lines = read_upright(np.ascontiguousarray(image[::-1, ::-1]), Recording(page.lines))
    assert np.array_equal(turned, image)
    assert len(seen) == 1 and seen[0].shape == image.shape  # read once, upright
    assert lines == page.lines


def test_a_blank_page_is_left_as_it_is() -> None:
    blank = np.full((800, 600, 3), 250, np.uint8)
    assert quarter_turns(blank) == 0


def test_a_classifier_vote_for_upside_down_is_checked_by_the_recogniser(upright) -> None:
    """PP-OCR's 0/180 classifier is weak on line pieces: a vote for "upside down" on an upright
    page must not turn it (the real recogniser reads the pieces better as they are)."""
    asked: list[int] = []

    def always_upside_down(crops: list[np.ndarray]) -> list[float]:
        asked.append(len(crops))
        return [0.9] * len(crops)

    assert quarter_turns(upright, always_upside_down) == 0
    assert asked and asked[0] > 0
    turned = np.ascontiguousarray(np.rot90(upright, 2))
    assert quarter_turns(turned, always_upside_down) == 2  # ... and confirms a real one


def test_a_page_with_a_dark_banner_is_oriented_from_its_text(upright) -> None:
    """A dark banner with reversed letters across the top: the classifier's sample is cut from
    letters on paper, never from the banner, and the page is oriented right either way up."""
    from PIL import Image, ImageDraw, ImageFont

    banner = Image.fromarray(upright.copy())
    draw = ImageDraw.Draw(banner)
    draw.rectangle((60, 36, banner.width - 60, 62), fill=(60, 60, 60))  # a dark banner ...
    font = ImageFont.load_default(size=18)
    for x in range(70, banner.width - 120, 40):  # ... with white letters in it
        draw.text((x, 39), "IMPORT", fill=(255, 255, 255), font=font)
    page = np.asarray(banner)
    pieces = _line_crops(page, _ink(page))
    assert pieces and all(float(p.mean()) > 150 for p in pieces)  # letters on paper, no bar
    for k in (0, 2):
        assert (k + quarter_turns(np.ascontiguousarray(np.rot90(page, k)))) % 4 == 0, k


class _Oriented(ScriptedOcr):
    """An engine that also reads pages known upright: records which way each page came."""

    def __init__(self, lines):  # type: ignore[no-untyped-def]
        super().__init__(lines)
        self.upright: list[np.ndarray] = []

    def recognise_upright(self, img: np.ndarray):  # type: ignore[no-untyped-def]
        self.upright.append(img)
        return super().recognise(img)


@pytest.mark.parametrize("k", [0, 2])
def test_an_engine_that_can_skips_its_own_orientation_check_after_the_page_is_turned(
    upright, k
) -> None:
    engine = _Oriented([])
    page, _lines = read_upright(np.ascontiguousarray(np.rot90(upright, k)), engine)
    assert np.array_equal(page, upright)
    assert len(engine.upright) == 1 and engine.upright[0].shape == upright.shape
    assert engine.calls == 1  # read once, through recognise_upright


def _old_reads_better_turned(as_is: list[float], half: list[float]) -> bool:
    """The decision on all pieces read (before the early stop): the oracle."""
    return float(np.mean(half)) > float(np.mean(as_is)) + 0.2


@pytest.mark.parametrize("seed", range(40))
def test_the_confirmation_stops_early_with_the_answer_of_reading_every_piece(seed) -> None:
    """The recogniser's confirmation of an "upside down" vote reads a few pieces at a time and
    stops once the unread ones could not change the answer: the same answer as reading all,
    for confidences that decide early, late or only at the last piece."""
    from verification.orientation import _reads_better_turned

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 17))
    crops = [np.full((12, 40 + i, 3), i, np.uint8) for i in range(n)]  # told apart by width
    centre = rng.uniform(-0.6, 0.6)  # how much better the turned pieces read, on average
    gain = np.clip(centre + rng.normal(0, 0.3, n), -1, 1)
    base = rng.uniform(0, 1, n)
    as_is = {40 + i: float(np.clip(base[i] - min(gain[i], 0), 0, 1)) for i in range(n)}
    half = {40 + i: float(np.clip(as_is[40 + i] + gain[i], 0, 1)) for i in range(n)}
    read: list[int] = []

    def confidence(images: list[np.ndarray]) -> list[float]:
        k = len(images) // 2
        read.append(k)
        assert all(
            np.array_equal(t, np.rot90(c, 2)) for c, t in zip(images[:k], images[k:], strict=True)
        )
        return [as_is[c.shape[1]] for c in images[:k]] + [half[c.shape[1]] for c in images[k:]]

    expected = _old_reads_better_turned(list(as_is.values()), list(half.values()))
    assert _reads_better_turned(crops, confidence) == expected
    assert sum(read) <= n


def test_an_upright_page_s_confirmation_reads_about_half_the_pieces() -> None:
    """Pieces that read 0.85 as they are and 0.23 turned (an upright simulator page): the
    unread half could not make the turned pieces read better, so it is not read."""
    from verification.orientation import _reads_better_turned

    crops = [np.zeros((12, 40, 3), np.uint8)] * 16
    read: list[int] = []

    def confidence(images: list[np.ndarray]) -> list[float]:
        read.append(len(images) // 2)
        return [0.85] * (len(images) // 2) + [0.23] * (len(images) // 2)

    assert not _reads_better_turned(crops, confidence)
    assert sum(read) <= 10


def test_the_recogniser_s_confidences_read_one_by_one_equal_one_batch(upright) -> None:
    """The default confirmation reads each piece alone on the recogniser threads: the same
    confidences as the whole sample in one recogniser batch (pieces are narrower than its
    320 px input, so a batch pads nothing more)."""
    from verification.ocr import recognition_confidence
    from verification.orientation import _pp_ocr_confidence

    crops = _line_crops(upright, _ink(upright))
    both = crops + [np.ascontiguousarray(np.rot90(c, 2)) for c in crops]
    assert len(both) >= 4
    assert _pp_ocr_confidence(both) == recognition_confidence(both)


def test_a_vote_the_turned_pieces_beat_is_not_confirmed_by_the_recogniser(upright) -> None:
    """A classifier leaning to "upside down" (as PP-OCR's does on line pieces) passes the vote
    threshold on an upright page; the same pieces turned over draw a higher vote still, so the
    page is upright without reading the pieces both ways. Turned over, the page's own pieces
    draw the higher vote: the recogniser is asked, and the page is turned."""
    from verification.ocr import classify_angles

    def leaning(crops: list[np.ndarray]) -> list[float]:
        return [min(1.0, v + 0.45) for v in classify_angles(crops)]

    read: list[int] = []

    def confidence(crops: list[np.ndarray]) -> list[float]:
        from verification.orientation import _pp_ocr_confidence

        read.append(len(crops))
        return _pp_ocr_confidence(crops)

    pieces = _line_crops(upright, _ink(upright))
    assert float(np.mean(leaning(pieces))) > 0.4  # the vote alone would ask the recogniser
    assert quarter_turns(upright, leaning, confidence) == 0
    assert read == []
    turned = np.ascontiguousarray(np.rot90(upright, 2))
    assert quarter_turns(turned, leaning, confidence) == 2
    assert read


class _Checking(ScriptedOcr):
    """An engine that finds a page's lines before it knows the page is upright (like
    ``RapidOcrEngine.recognise_if_upright``): records where the orientation was found while it
    found the lines, and which pages it read."""

    reads_ahead = True

    def __init__(self, lines):  # type: ignore[no-untyped-def]
        super().__init__(lines)
        self.found: list[np.ndarray] = []  # pages whose lines were found
        self.read: list[np.ndarray] = []
        self.told: list[bool] = []

    def recognise_upright(self, img: np.ndarray, while_reading=None):  # type: ignore[no-untyped-def]
        self.found.append(img)
        self.read.append(img)
        lines = super().recognise(img)
        if while_reading is not None:
            while_reading(lines[:1])
        return lines

    def recognise_if_upright(self, img: np.ndarray, upright, while_reading=None):  # type: ignore[no-untyped-def]
        self.found.append(img)
        self.told.append(upright())
        if not self.told[-1]:
            return None
        self.read.append(img)
        lines = super().recognise(img)
        if while_reading is not None:
            while_reading(lines[:1])
        return lines


@pytest.mark.parametrize("k", [0, 1, 2])
def test_the_orientation_is_found_beside_the_engine_finding_the_lines(monkeypatch, k) -> None:
    """With an engine that can find a page's lines before it reads them, the page's orientation
    is found on a background thread meanwhile: an upright page is read as it is (its lines found
    once); a turned one is read only turned upright (its lines found again there). The same
    page, lines and early lines as one after the other."""
    import threading

    from verification import orientation as O

    page = render_page("PHYTOSANITARY CERTIFICATE", ROWS, gap=52)
    image = np.asarray(page.image.convert("RGB"))
    where: list[str] = []
    turns = O.quarter_turns

    def recorded(img, classify=None):  # type: ignore[no-untyped-def]
        where.append(threading.current_thread().name)
        return turns(img, classify)

    monkeypatch.setattr(O, "quarter_turns", recorded)
    given = np.ascontiguousarray(np.rot90(image, k))
    early: list[tuple[np.ndarray, list]] = []
    engine = _Checking(page.lines)
    got, lines = read_upright(given, engine, while_reading=lambda p, top: early.append((p, top)))
    assert where and where[0].startswith("review-bg")  # beside the engine, not before it
    assert np.array_equal(got, image) and lines == page.lines
    assert engine.told == [k == 0] and len(engine.read) == 1
    assert engine.read[0].shape == image.shape  # read once, upright
    assert len(engine.found) == (1 if k == 0 else 2)
    assert len(early) == 1 and early[0][0] is got and early[0][1] == page.lines[:1]
    if k == 0:
        assert got is given  # not copied
