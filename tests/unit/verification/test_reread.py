"""Second reading of weak lines, with the real PP-OCR recogniser on rendered text."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from verification import _reread
from verification.ocr import _crop, _models, _word_boxes

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


# ---- letters left out where the ink shows them ----------------------------------------------
ADDRESS = "Office 1402, Khalifa Port, Abu Dhabi"


def _page_line(text: str) -> tuple[np.ndarray, np.ndarray]:
    """A grey page with one printed line, and the line's quad (page pixels)."""
    font = ImageFont.load_default(26)
    img = Image.new("L", (40 + 15 * len(text), 80), 240)
    draw = ImageDraw.Draw(img)
    draw.text((20, 24), text, fill=40, font=font)
    x0, y0, x1, y1 = draw.textbbox((20, 24), text, font=font)
    quad = np.array([[x0 - 4, y0 - 5], [x1 + 4, y0 - 5], [x1 + 4, y1 + 5], [x0 - 4, y1 + 5]])
    return np.asarray(img), quad.astype(np.float32)


def _read(gray: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, list]:
    crop = _crop(np.stack([gray] * 3, axis=-1), quad)
    found, _elapsed = _models(2).rec([crop], True)
    return crop, _word_boxes([crop], [quad], list(found))[0]


def _without(item: list, letter: str) -> list:
    """The reading with the first ``letter`` left out, as the recogniser leaves one out."""
    text, conf, quads, chars, confs = item
    k = chars.index(letter)
    return [
        text.replace(letter, "", 1),
        conf,
        quads[:k] + quads[k + 1 :],
        chars[:k] + chars[k + 1 :],
        confs[:k] + confs[k + 1 :],
    ]


def test_a_full_reading_leaves_no_ink_unread():
    gray, quad = _page_line(ADDRESS)
    _crop_, item = _read(gray, quad)
    assert item[0].replace(" ", "") == ADDRESS.replace(" ", "")
    assert not _reread.unread_ink(quad, item[2], item[3], gray)


def test_a_letter_left_out_is_ink_no_character_lies_on():
    gray, quad = _page_line(ADDRESS)
    _crop_, item = _read(gray, quad)
    assert _reread.unread_ink(quad, *_without(item, "K")[2:4], gray)


def test_a_line_with_a_letter_left_out_is_read_again_widened_and_the_letter_put_back():
    gray, quad = _page_line(ADDRESS)
    crop, item = _read(gray, quad)
    dropped = _without(item, "K")
    dropped[1] = 0.88  # lines with a letter left out were read at 0.78-0.94
    recognise = _Counting()
    out = _reread.fill_dropped(recognise, [crop], [quad], [dropped], gray, _word_boxes)
    assert recognise.calls == 1
    assert out[0][0].replace(" ", "") == ADDRESS.replace(" ", "")
    xs = [min(p[0] for p in q) for q in out[0][2]]  # character boxes mapped onto the page
    assert quad[0][0] - 2 <= min(xs) and max(xs) <= quad[1][0]


def test_a_line_read_whole_is_not_read_again():
    gray, quad = _page_line(ADDRESS)
    crop, item = _read(gray, quad)
    recognise = _Counting()
    out = _reread.fill_dropped(recognise, [crop], [quad], [item], gray, _word_boxes)
    assert recognise.calls == 0
    assert out[0] is item


def test_a_wider_reading_is_kept_only_when_it_adds_characters_and_is_about_as_sure():
    assert _reread.adds_only("Office402,halifaPort", 0.86, "Office1402,KhalifaPort", 0.92)
    assert _reread.adds_only("(Pty) td", 0.94, "(Pty)Ltd", 0.91)  # spaces aside, a bit less sure
    assert not _reread.adds_only("(Pty) td", 0.94, "(Pty)Ltd", 0.85)  # much less sure
    assert not _reread.adds_only("SO15 0HH", 0.93, "SO15 OHH", 0.99)  # a character changed
    assert not _reread.adds_only("Port", 0.9, "Port", 0.99)  # nothing added
    assert _reread.adds_only("Region de OHiggins", 0.85, "Region de O'Higgins", 0.88)
    assert not _reread.adds_only("Port Street", 0.9, "PortStreet,", 0.91)  # not inside
    assert not _reread.adds_only("1.Exporter(name)", 0.87, "*1. Exporter (name)", 0.99)
    assert not _reread.adds_only("Francisca Rojas", 0.9, "P Francisca Rojas", 0.93)
    assert not _reread.adds_only("Co Ltd", 0.9, "Co*Ltd", 0.93)  # letters, digits, ' and ,
    assert _reread.adds_only("NwarkJ7114", 0.78, "Newark,NJ07114", 0.77)
    assert _reread.adds_only("Road,Qingda", 0.86, "Road,Qingdao", 0.9)  # a word's end
    assert not _reread.adds_only("Road,Qingda", 0.86, "Road,Qingda P", 0.9)


def test_a_sure_line_is_not_looked_at():
    gray, quad = _page_line(ADDRESS)
    crop, item = _read(gray, quad)
    dropped = _without(item, "K")
    dropped[1] = _reread.FILL_BELOW
    recognise = _Counting()
    out = _reread.fill_dropped(recognise, [crop], [quad], [dropped], gray, _word_boxes)
    assert recognise.calls == 0
    assert out[0] is dropped


def test_a_surer_variant_that_only_leaves_letters_out_is_not_kept():
    """Seed 150: "KOTAPERMAI" (0.84) was replaced by a squeezed variant's "KOTA PRMAI" (0.91)."""
    crop = _line_crop("By sea, KOTA PERMAI voyage 794S")

    def recognise(crops, word_box):
        return [("By sea,KOTA PRMAI voyage794S", 0.91, None)], 0.0

    first = ("By sea,KOTAPERMAI voyage794S", 0.84, None)
    crops, results = _reread.reread(recognise, [crop], [first])
    assert results[0] is first and crops[0] is crop
    changed = ("By sea,KOTA PERMAl voyage794S", 0.84, None)  # a letter read differently
    _crops, results = _reread.reread(recognise, [crop], [changed])
    assert results[0][0] == "By sea,KOTA PRMAI voyage794S"


def test_a_weak_line_is_read_again_widened_even_where_its_characters_cover_the_ink():
    """Below 0.9 the model's character boxes often stand on the ink of the letter it left out
    ("Chil" for "Chile", "VIC630" for "VIC3630", 0.89): such lines are read widened anyway."""
    gray, quad = _page_line(ADDRESS)
    crop, item = _read(gray, quad)
    dropped = [item[0].replace("K", "", 1), 0.88, *item[2:]]  # every character box kept
    assert not _reread.unread_ink(quad, dropped[2], dropped[3], gray)
    recognise = _Counting()
    out = _reread.fill_dropped(recognise, [crop], [quad], [dropped], gray, _word_boxes)
    assert recognise.calls == 1
    assert out[0][0].replace(" ", "") == ADDRESS.replace(" ", "")


def test_a_sure_line_with_an_unbalanced_bracket_is_read_again_widened():
    """Seed 150: "Riverbend Agri Exports Pty) Ltd" read at 0.97, its "(" left out."""
    text = "Riverbend Agri Exports (Pty) Ltd"
    gray, quad = _page_line(text)
    crop, item = _read(gray, quad)
    assert "(" in item[0]
    dropped = _without(item, "(")
    dropped[1] = 0.97
    recognise = _Counting()
    out = _reread.fill_dropped(recognise, [crop], [quad], [dropped], gray, _word_boxes)
    assert recognise.calls == 1
    assert out[0][0].replace(" ", "") == text.replace(" ", "")
    assert _reread.adds_only("Exports Pty) Ltd", 0.97, "Exports (Pty) Ltd", 0.94)
    assert not _reread.adds_only("Exports Pty) Ltd", 0.97, "Exports (Pty] Ltd", 0.99)  # changed
    balanced = _read(*_page_line("Soya beans (Glycine max)"))[1]
    balanced[1] = 0.97
    assert _reread.fill_dropped(recognise, [crop], [quad], [balanced], gray, _word_boxes)
    assert recognise.calls == 1  # a sure line with its brackets paired is not read again


def test_widened_lines_are_read_one_a_call_through_the_given_map():
    """The engine hands its recogniser threads in as ``map_``: each widened line is one call
    through it, and the readings are those of reading them in one call, one after the other."""
    gray, quad = _page_line(ADDRESS)
    crop, item = _read(gray, quad)
    dropped = _without(item, "K")
    dropped[1] = 0.88
    mapped: list[int] = []

    def map_(fn, items):
        items = list(items)
        mapped.append(len(items))
        return [fn(x) for x in items]

    recognise = _Counting()
    lines = ([crop, crop], [quad, quad], [dropped, list(dropped)])
    out = _reread.fill_dropped(recognise, *lines, gray, _word_boxes, map_)
    assert mapped == [2] and recognise.calls == 2
    assert out == _reread.fill_dropped(_models(2).rec, *lines, gray, _word_boxes)
    assert out[0][0].replace(" ", "") == ADDRESS.replace(" ", "")


def test_a_weak_line_of_running_text_is_not_read_again():
    """A line longer than ``LONGEST`` heights is the small print of an attestation paragraph:
    however unsure its reading, it is kept as read (its variants cost the most to read)."""
    paragraph = (
        "This is to certify that the plants, plant products or other regulated articles"
        " described herein have been inspected"
    )
    crop = _line_crop(paragraph)
    assert crop.shape[1] > _reread.LONGEST * crop.shape[0]
    recognise = _Counting()
    first = ("Thsistfhatlantlantrdutlaa", 0.7)
    crops, results = _reread.reread(recognise, [crop, _line_crop(TEXT)], [first, (TEXT, 0.6)])
    assert recognise.calls == 2  # the short line's two variants only
    assert results[0] is first and crops[0] is crop
