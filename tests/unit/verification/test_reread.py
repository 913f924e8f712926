"""Second reading of weak lines, with the real PP-OCR recogniser on rendered text."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from verification import _reread
from verification.ocr import _models

TEXT = "Unit 4, Dock Road, Felixstowe IP11 3QW"


def _line_crop(text: str) -> np.ndarray:
    font = ImageFont.load_default(26)
    img = Image.new("RGB", (20 + 15 * len(text), 44), (236, 234, 228))
    ImageDraw.Draw(img).text((10, 8), text, fill=(90, 90, 90), font=font)  # faint print
    return np.asarray(img)


class _Counting:
    def __init__(self):
        self.rec = _models(2).rec
        self.calls = 0

    def __call__(self, crops, word_box):
        self.calls += 1
        return self.rec(crops, word_box)


def test_a_weak_reading_is_replaced_by_a_surer_variant():
    crop = _line_crop(TEXT)
    recognise = _Counting()
    crops, results = _reread.reread(recognise, [crop], [("Unit4DockadFlxswP11QW", 0.6)])
    assert recognise.calls == 2  # each variant read on its own
    text, conf = str(results[0][0]), float(results[0][1])
    assert conf > 0.6
    assert text.replace(" ", "") == TEXT.replace(" ", "")
    assert crops[0].shape[1] == crop.shape[1]  # a variant of the same line, same width


def test_a_sure_reading_is_not_read_again():
    crop = _line_crop(TEXT)
    recognise = _Counting()
    first = (TEXT, 0.97)
    crops, results = _reread.reread(recognise, [crop], [first])
    assert recognise.calls == 0
    assert results[0] is first and crops[0] is crop


def test_no_variant_surer_than_the_first_reading_changes_nothing(monkeypatch):
    monkeypatch.setattr(_reread, "REREAD_BELOW", 1.01)  # read every line again
    crop = _line_crop(TEXT)
    recognise = _Counting()
    first = ("whatever was read", 1.0)  # no variant can be surer
    crops, results = _reread.reread(recognise, [crop], [first])
    assert recognise.calls == 2
    assert results[0] is first and crops[0] is crop


def test_variants_read_on_threads_read_as_one_after_the_other(monkeypatch):
    """The engine reads the variants on its recogniser threads: same readings, same order."""
    monkeypatch.setattr(_reread, "REREAD_BELOW", 1.01)  # read every line again
    texts = [TEXT, "Lot 4471 to 4590", "Net weight 1,250.50 kg"]
    crops = [_line_crop(t) for t in texts]
    first = [(t.lower(), 0.5) for t in texts]
    alone = _reread.reread(_Counting(), crops, first)
    with ThreadPoolExecutor(2) as pool:
        threaded = _reread.reread(_Counting(), crops, first, pool.map)
    assert [r[:2] for r in threaded[1]] == [r[:2] for r in alone[1]]
    assert all(np.array_equal(a, b) for a, b in zip(threaded[0], alone[0], strict=True))
    assert any(r[1] > 0.5 for r in alone[1])  # some line was replaced
