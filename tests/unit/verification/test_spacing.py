"""Word spaces and toner specks measured on real ink (text drawn with OpenCV, no OCR model)."""

import cv2
import numpy as np
import pytest

from verification import spacing
from verification.ocr import _line

FONT = cv2.FONT_HERSHEY_SIMPLEX
H = 40  # line height in pixels


def _draw(text: str, *, speck_after: int | None = None, x0: int = 10, speck: int = 2):
    """Page with ``text`` drawn glyph by glyph; the chars PP-OCR would report (spaces
    dropped, like the model often does) and the line's quad."""
    page = np.full((80, 40 + 22 * len(text)), 255, np.uint8)
    chars, x = [], x0
    for i, ch in enumerate(text):
        (w, _h), _ = cv2.getTextSize(ch, FONT, 0.8, 2)
        if ch != " ":
            cv2.putText(page, ch, (x, 40), FONT, 0.8, 0, 2, cv2.LINE_AA)
            chars.append((ch, (float(x), 20.0, float(x + w), 45.0), 0.99))
        x += w + 2
        if speck_after == i:
            page[38 - speck : 38, x + 1 : x + 1 + speck] = 0  # a toner speck on the baseline
            chars.append((".", (float(x), 20.0, float(x + 4), 45.0), 0.6))
            x += 4
    quad = ((x0 - 2.0, 12.0), (x + 2.0, 12.0), (x + 2.0, 12.0 + H), (x0 - 2.0, 12.0 + H))
    return page, chars, quad


def _text(chars):
    return "".join(ch for ch, _, _ in chars)


def test_dropped_word_spaces_are_restored_from_ink_gaps():
    page, chars, quad = _draw("Emma  Kelly of  Hastings")
    assert _text(chars) == "EmmaKellyofHastings"
    out = spacing.respace(chars, quad, page)
    assert out is not None
    assert _text(out) == "Emma Kelly of Hastings"


def test_letters_of_a_word_stay_together():
    page, chars, quad = _draw("Hastings")
    assert _text(spacing.respace(chars, quad, page)) == "Hastings"


def test_a_space_the_model_printed_is_kept():
    page, chars, quad = _draw("Port Klang")
    chars.insert(4, (" ", (0.0, 0.0, 0.0, 0.0), 0.8))
    assert _text(spacing.respace(chars, quad, page)) == "Port Klang"


def test_a_doubtful_dot_on_a_speck_is_dropped_and_the_gap_measured_without_it():
    page, chars, quad = _draw("Silver Fern", speck_after=5)
    assert _text(chars) == "Silver.Fern"
    assert _text(spacing.respace(chars, quad, page)) == "Silver Fern"


def test_a_printed_full_stop_is_kept():
    page, chars, quad = _draw("Co. Ltd.")
    chars = [(ch, box, 0.6 if ch == "." else conf) for ch, box, conf in chars]  # doubtful
    out = _text(spacing.respace(chars, quad, page))
    assert out == "Co. Ltd."


@pytest.mark.parametrize(
    ("before", "a", "b", "expected"),
    [
        ("", "o", ",", float("inf")),  # never a space before a comma
        ("", "(", "S", float("inf")),  # nor after an opening parenthesis
        ("", ",", "S", -1.0),  # always one after a comma before a word
        ("4", ",", "5", spacing.NUMBER_GAP),  # 24,500.00
        ("V", ".", "4", spacing.DOT_DIGIT_GAP),  # V.428W
        ("", "a", "K", spacing.CAMEL_GAP),
        ("r", "i", "2", spacing.CAMEL_GAP),  # "Chanthaburi 22000": a word, then a number
        ("", "l", "1", spacing.WIDE_GAP),  # two narrow glyphs stay airy
        ("", "1", "1", spacing.WIDE_GAP),
        ("", "l", "i", spacing.WIDE_GAP),  # "Australia" in a wide sans font
        ("", "S", "/", spacing.SLASH_GAP),
        ("", "Z", "-", spacing.HYPHEN_GAP),
        ("", "a", "b", spacing.WORD_GAP),
        ("K", ".", "K", spacing.DOT_UPPER_GAP),  # initials "K.K."
        ("t", ".", "L", spacing.WORD_GAP),  # "Pvt. Ltd": a dot ending a word
        ("1", "1", "S", spacing.NARROW_UPPER_GAP),  # monospaced "V.111S"
        ("", "s", "(", spacing.PAREN_GAP),  # "grapes (Vitis"
        ("o", ".", "8", spacing.WORD_GAP),  # "No. 88" (after a capital: "V.428W" is tight)
        ("6", "%", "f", -1.0),  # "26% fat": the "f" overhangs the "%" (seed 186)
    ],
)
def test_thresholds_by_character_class(before, a, b, expected):
    assert spacing.threshold(before, a, b) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("3089 JH", spacing.WORD_GAP),  # "Z.z. 40, 3089 JH": a list comma, not a number
        ("27572 B", spacing.WORD_GAP),  # "12, 27572 Bremerhaven"
        ("500.00", spacing.NUMBER_GAP),  # "24,500.00": a thousands separator
        ("5 kg", spacing.NUMBER_GAP),  # "24,5 kg": a decimal comma
    ],
)
def test_a_comma_between_digits_depends_on_the_digits_after_it(after, expected):
    assert spacing.threshold("0", ",", after[0], after[1:]) == expected


def test_a_hyphen_the_model_dropped_is_put_back_from_the_ink():
    page, chars, quad = _draw("Cuiaba  -  MT")
    chars = [c for c in chars if c[0] != "-"]  # PP-OCR read "CuiabaMT"
    assert _text(spacing.respace(chars, quad, page)) == "Cuiaba - MT"


def test_letters_far_apart_without_a_hyphen_get_only_a_space():
    page, chars, quad = _draw("Cuiaba     MT")
    assert _text(spacing.respace(chars, quad, page)) == "Cuiaba MT"


def test_a_speck_read_as_an_apostrophe_is_dropped_and_a_printed_one_kept():
    page, chars, quad = _draw("Foods S.A.", speck_after=4)
    chars = [
        ("'", box, 0.42) if ch == "." and conf == 0.6 else (ch, box, conf)
        for ch, box, conf in chars
    ]
    assert _text(chars) == "Foods'S.A."
    assert _text(spacing.respace(chars, quad, page)) == "Foods S.A."
    page, chars, quad = _draw("O'Brien")
    chars = [(ch, box, 0.6 if ch == "'" else conf) for ch, box, conf in chars]
    assert _text(spacing.respace(chars, quad, page)) == "O'Brien"


def test_unmeasurable_line_falls_back():
    page = np.full((50, 50), 255, np.uint8)
    assert (
        spacing.respace([("a", (1, 1, 2, 2), 1.0)], ((0, 0), (1, 0), (1, 1), (0, 1)), page) is None
    )


def test_ocr_line_uses_the_page_when_given():
    page, chars, quad = _draw("Emma  Kelly")
    item = [
        [list(p) for p in quad],
        "EmmaKelly",
        0.99,
        [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]] for _, b, _ in chars],
        [ch for ch, _, _ in chars],
        [c for _, _, c in chars],
    ]
    line = _line(item, page)
    assert line.text == "Emma Kelly"
    assert [w.text for w in line.words] == ["Emma", "Kelly"]
    assert line.words[1].box[0] > line.words[0].box[2]


def _typeset(parts: list[str], gap: int | list[int]) -> np.ndarray:
    """A page line of ``parts`` set ``gap`` pixels apart (tight type: narrow word spaces), or
    the gaps listed, one after each part."""
    from PIL import Image, ImageDraw, ImageFont

    gaps = gap if isinstance(gap, list) else [gap] * len(parts)
    img = Image.new("RGB", (900, 120), "white")
    draw, font, x = ImageDraw.Draw(img), ImageFont.load_default(30), 20
    for part, after in zip(parts, gaps + [0], strict=False):
        draw.text((x, 40), part, fill="black", font=font)
        x = draw.textbbox((x, 40), part, font=font)[2] + after
    return np.asarray(img)


def test_a_slash_spaced_between_a_name_and_a_number_in_tight_type_keeps_its_spaces():
    from verification.ocr import RapidOcrEngine

    engine = RapidOcrEngine()
    vessel = engine.recognise(_typeset(["Vessel KOTA PERMAI", "/", "069S"], 7))
    assert [ln.text.replace("VesSel", "Vessel") for ln in vessel] == ["Vessel KOTA PERMAI / 069S"]
    date = engine.recognise(_typeset(["Date 12", "/", "03", "/", "2026"], 5))
    assert [ln.text for ln in date] == ["Date 12/03/2026"]  # a date's slashes stay tight


def _pdf_line(runs: list[tuple[str, str]]) -> np.ndarray:
    """One line typeset in a PDF (reportlab's standard fonts) and rasterised at 200 dpi."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    from simulator.scan import rasterise

    buf = io.BytesIO()
    canvas, x = Canvas(buf, pagesize=(400, 60)), 10.0
    for font, text in runs:
        canvas.setFont(font, 10)
        canvas.drawString(x, 25, text)
        x += canvas.stringWidth(text, font, 10) + 8
    canvas.save()
    return rasterise(buf.getvalue())


@pytest.mark.parametrize(
    ("runs", "expected"),
    [
        (
            [("Helvetica-Bold", "Place of issue:"), ("Courier", "Nelson")],
            ["Place of issue:", "Nelson"],
        ),
        ([("Courier", "(Actinidia chinensis)")], ["(Actinidia chinensis)"]),
        ([("Courier", "Billington Mills, Inverness")], ["Billington", "Mills,", "Inverness"]),
        (
            [("Helvetica", "125 Industrial Avenue, Place of issue")],
            ["125 Industrial Avenue, Place of issue"],
        ),
    ],
)
def test_narrow_letters_of_monospaced_type_leave_no_space(runs, expected):
    # in Courier an "l" or "i" leaves gaps a proportional font only has between words; one
    # cell from glyph to glyph is no space (read "Ne l son" before)
    from verification.ocr import RapidOcrEngine

    assert [ln.text for ln in RapidOcrEngine().recognise(_pdf_line(runs))] == expected


def test_a_doubtful_dot_on_the_edge_of_a_letter_is_no_full_stop():
    # the model read "Ac.tinidia": its dot box covers the right edge of "c" and the foot of
    # "t"; cut to the box those look like a dot, but no whole blob there is one
    page, chars, quad = _draw("Actinidia")
    c, t = chars[1], chars[2]
    chars.insert(2, (".", (c[1][2] - 4, 20.0, t[1][0] + 4, 45.0), 0.56))
    assert _text(chars) == "Ac.tinidia"
    assert _text(spacing.respace(chars, quad, page)) == "Actinidia"


def test_a_speck_read_as_a_dot_between_two_words_is_a_space():
    # 3x3 pixels: more ink than the faintest printed full stop, far less than a bold one
    page, chars, quad = _draw("Fern Seafood", speck_after=3, speck=3)
    assert _text(chars) == "Fern.Seafood"
    assert _text(spacing.respace(chars, quad, page)) == "Fern Seafood"
    page, chars, quad = _draw("Pvt Ltd", speck_after=2, speck=3)
    assert _text(spacing.respace(chars, quad, page)) == "Pvt. Ltd"  # after an abbreviation


def test_a_hyphen_spaced_a_little_unevenly_gets_a_space_on_both_sides():
    from verification.ocr import RapidOcrEngine

    engine = RapidOcrEngine()
    route = engine.recognise(_typeset(["Sea freight", "-", "OOCL BRISBANE 666N"], [5, 9]))
    assert [ln.text for ln in route] == ["Sea freight - OOCL BRISBANE 666N"]  # not "freight- "
    ward = engine.recognise(_typeset(["Minato", "-", "ku"], [1, 2]))
    assert [ln.text for ln in ward] == ["Minato-ku"]


def _doubt(chars, printed: str, read: str):
    """``chars`` with every ``printed`` mark read as ``read`` with doubt."""
    return [(read, box, 0.6) if ch == printed else (ch, box, conf) for ch, box, conf in chars]


def test_a_doubtful_semicolon_with_only_a_comma_s_ink_is_a_comma():
    page, chars, quad = _draw("Co, Ltd")
    chars = _doubt(chars, ",", ";")
    assert _text(chars) == "Co;Ltd"
    assert _text(spacing.respace(chars, quad, page)) == "Co, Ltd"
    page, chars, quad = _draw("Co; Ltd")  # both of its marks printed: a semicolon
    assert _text(spacing.respace(_doubt(chars, ";", ";"), quad, page)) == "Co; Ltd"


def test_a_doubtful_colon_is_the_mark_its_ink_shows():
    page, chars, quad = _draw("Z.z. 40")
    chars = chars[:3] + _doubt(chars[3:], ".", ":")
    assert _text(chars) == "Z.z:40"
    assert _text(spacing.respace(chars, quad, page)) == "Z.z. 40"  # a full stop alone
    page, chars, quad = _draw("Foods Ltd")
    colon = (":", (chars[4][1][2], 20.0, chars[5][1][0], 45.0), 0.4)  # over blank paper
    chars = [*chars[:5], colon, *chars[5:]]
    assert _text(spacing.respace(chars, quad, page)) == "Foods Ltd"
    page, chars, quad = _draw("Note: Ltd")
    assert _text(spacing.respace(_doubt(chars, ":", ":"), quad, page)) == "Note: Ltd"


def test_a_doubtful_dot_off_the_baseline_is_a_speck():
    page, chars, quad = _draw("Yokohama", speck_after=7, speck=4)  # a full stop's ink
    assert _text(spacing.respace(chars, quad, page)) == "Yokohama."
    x = int(chars[-1][1][0]) + 1  # the dot's columns (the letters end before them)
    page[34:38, x : x + 4] = 255
    page[44:48, x : x + 4] = 0  # the same ink under the baseline: a speck ("79.Orchard")
    assert _text(spacing.respace(chars, quad, page)) == "Yokohama"


@pytest.mark.parametrize(
    ("printed", "mark"),
    [("V.041S", "."), ("FR 46.311", "."), ("Montt, Region", ","), ("8001, South", ",")],
)
def test_a_full_stop_or_comma_the_model_dropped_is_put_back_from_the_ink(printed, mark):
    page, chars, quad = _draw(printed)
    chars = [c for c in chars if c[0] != mark]
    assert mark not in _text(chars)
    assert _text(spacing.respace(chars, quad, page)) == printed


def test_a_speck_in_a_word_space_is_no_dropped_full_stop():
    page, chars, quad = _draw("CMA   CGM", speck_after=4, speck=3)  # mid-space, on the line
    chars = [c for c in chars if c[0] != "."]  # the model did not read it
    assert _text(spacing.respace(chars, quad, page)) == "CMA CGM"


def test_a_bold_hyphen_the_model_dropped_is_put_back():
    page, chars, quad = _draw("Petrolina    PE")
    a, p = chars[8][1][2], chars[9][1][0]
    x = int((a + p) / 2) - 4
    page[32:37, x : x + 8] = 0  # 0.2 x 0.125 line heights: thicker than a regular hyphen
    assert _text(spacing.respace(chars, quad, page)) == "Petrolina - PE"


def test_a_short_step_among_even_ones_is_proportional_type_not_a_monospaced_cell():
    # "Chanthaburi22000" in a sans font: letters about 0.46 h apart, but "r" to "i" 0.21: no
    # typewriter cell is that short, so the 0.27 gap before "2" is measured as a word space
    gaps = [0.06, 0.03, 0.06, 0.03, 0.27, 0.03, 0.06, 0.03]
    even = [0.46, 0.45, 0.46, 0.46, 0.48, 0.45, 0.47, 0.45]
    assert spacing._one_cell(gaps, even, 4)  # all steps one cell: monospaced, no space
    uneven = [0.46, 0.45, 0.46, 0.21, 0.48, 0.45, 0.51, 0.45]
    assert not spacing._one_cell(gaps, uneven, 4)


@pytest.mark.parametrize("printed", ["O'Brien", "O'Higgins"])
def test_an_apostrophe_the_model_dropped_is_put_back_from_the_ink(printed):
    page, chars, quad = _draw(printed)
    chars = [c for c in chars if c[0] != "'"]  # PP-OCR read "OBrien"
    assert _text(spacing.respace(chars, quad, page)) == printed


def test_the_dot_of_an_i_is_no_dropped_apostrophe():
    page, chars, quad = _draw("Higgins")
    assert _text(spacing.respace(chars, quad, page)) == "Higgins"


def test_a_faintly_printed_full_stop_the_model_doubted_is_kept():
    """A full stop printed faintly ("Ltd." at 0.79 on seed 150) is less ink than a speck at
    Otsu's cut; the lighter cut finds its shape on the baseline, hugging the word."""
    page, chars, quad = _draw("Dairy Ltda.")
    x = int(chars[-1][1][0])
    dot = page[:, x - 2 : x + 12]
    dot[dot < 200] = 175  # the same full stop, faint
    chars = _doubt(chars, ".", ".")
    assert _text(spacing.respace(chars, quad, page)) == "Dairy Ltda."
    page[:, x - 2 : x + 12] = 255
    page[22:26, x + 1 : x + 5] = 175  # faint ink at x-height: no full stop
    assert _text(spacing.respace(chars, quad, page)) == "Dairy Ltda"


def test_a_faint_dot_between_a_number_and_a_word_is_a_speck():
    """The lighter cut is for full stops that end a word, join digits or follow a lone letter:
    between a house number and a street a faint speck read as a dot stays dropped (seed 150:
    "183.Harbour")."""
    page, chars, quad = _draw("183.Harbour Road")
    x = int(chars[3][1][0])
    dot = page[:, x - 2 : x + 10]
    dot[dot < 200] = 175
    chars = _doubt(chars, ".", ".")
    assert _text(spacing.respace(chars, quad, page)) == "183 Harbour Road"
    page, chars, quad = _draw("S.A. 15.10.2026")
    for k in (1, 3, 7, 10):
        x = int(chars[k][1][0])
        dot = page[:, x - 2 : x + 10]
        dot[dot < 200] = 175
    assert _text(spacing.respace(_doubt(chars, ".", "."), quad, page)) == "S.A. 15.10.2026"


def test_a_faint_speck_squeezed_against_the_next_digit_is_no_full_stop():
    """Seed 186: "10/1.1/2026", a faint speck read as a dot right against the next "1"; a
    printed full stop leaves paper before the next character."""
    page, chars, quad = _draw("10/11/2026")
    box = chars[4][1]  # the second "1" of "11"
    cols = np.flatnonzero((page[20:45, int(box[0]) : int(box[2])] < 128).any(axis=0))
    right = int(box[0]) + int(cols[0]) - 1  # one column of paper before the "1"
    page[35:38, right - 3 : right] = 175
    dot = (".", (float(right - 4), 20.0, float(right), 45.0), 0.7)
    chars = [*chars[:4], dot, *chars[4:]]
    assert _text(chars) == "10/1.1/2026"
    assert _text(spacing.respace(chars, quad, page)) == "10/11/2026"


def test_a_full_stop_the_model_left_out_at_the_end_of_the_line_is_put_back():
    """Seed 200: "Co., Ltd" for "Co., Ltd." (the model read no dot at all), and "Ltda" where
    the detector's box ended in the middle of the full stop."""
    page, chars, quad = _draw("Export Co., Ltd.")
    chars = chars[:-1]  # the model left the last full stop out
    assert _text(spacing.respace(chars, quad, page)) == "Export Co., Ltd."
    cols = np.flatnonzero((page[20:45] < 128).any(axis=0))
    cut = ((quad[0]), (float(cols[-1]) - 1, quad[1][1]), (float(cols[-1]) - 1, quad[2][1]), quad[3])
    assert _text(spacing.respace(chars, cut, page)) == "Export Co., Ltd."


def test_a_speck_after_the_last_word_is_no_full_stop():
    page, chars, quad = _draw("Cold Chain Ltd")
    x = int(chars[-1][1][2])
    page[35:38, x + 10 : x + 13] = 0  # on the baseline but well clear of the "d": a speck
    assert _text(spacing.respace(chars, quad, page)) == "Cold Chain Ltd"
    page[35:38, x + 10 : x + 13] = 255
    page[22:25, x + 1 : x + 4] = 0  # hugging the "d" but at x-height
    assert _text(spacing.respace(chars, quad, page)) == "Cold Chain Ltd"
    page[22:25, x + 1 : x + 4] = 255
    page[36:39, 5:8] = 0  # a full stop shape at the start of the line: not after the last letter
    assert _text(spacing.respace(chars, quad, page)) == "Cold Chain Ltd"


def _airy(words: list[str], letter: int, word: int, wide_after: str = "", wide: int = 0):
    """``words`` drawn with ``letter`` px between letters and ``word`` px between words; the
    gap after the character ``wide_after`` (first occurrence) is ``wide`` px instead."""
    page = np.full((80, 60 + 40 * sum(len(w) + 1 for w in words)), 255, np.uint8)
    chars, x, widened = [], 10, False
    for wi, w in enumerate(words):
        for ch in w:
            (cw, _h), _ = cv2.getTextSize(ch, FONT, 0.8, 2)
            cv2.putText(page, ch, (x, 40), FONT, 0.8, 0, 2, cv2.LINE_AA)
            chars.append((ch, (float(x), 20.0, float(x + cw), 45.0), 0.99))
            step = letter
            if ch == wide_after and not widened:
                step, widened = wide, True
            x += cw + step
        x += word - letter if wi < len(words) - 1 else 0
    quad = ((8.0, 12.0), (x + 2.0, 12.0), (x + 2.0, 12.0 + H), (8.0, 12.0 + H))
    return page, chars, quad


def test_a_gap_only_twice_its_neighbours_is_inside_a_word():
    """Seed 200: "Fresh cherries (Pr unus avium)", airy type on a degraded scan: letters 0.06
    to 0.18 line heights apart, "r" to "u" 0.21, words 0.59 and more."""
    page, chars, quad = _airy(
        ["Sweet", "Prunus", "avium"], letter=2, word=26, wide_after="r", wide=8
    )
    assert _text(spacing.respace(chars, quad, page)) == "Sweet Prunus avium"  # "r" to "u" 0.25
    page, chars, quad = _airy(["Fresh", "cherries"], letter=2, word=12)
    assert _text(spacing.respace(chars, quad, page)) == "Fresh cherries"  # tight type: a space


def test_local_floor_is_numpys_median_of_the_neighbouring_letter_gaps():
    """``_local_floor`` takes the median without numpy (it is called for most letter pairs):
    the same value, to the bit, as ``np.median`` of the same gaps."""
    import random

    rng = random.Random(5)
    for _ in range(3000):
        gaps = [rng.choice((rng.random(), round(rng.random(), 2), 0.1)) for _ in range(12)]
        k = rng.randrange(len(gaps))
        window = gaps[max(0, k - spacing._CELL_WINDOW) : k + spacing._CELL_WINDOW + 1]
        near = [
            g
            for j, g in enumerate(window)
            if j != min(k, spacing._CELL_WINDOW) and g < spacing.WORD_GAP
        ]
        expected = spacing.LOCAL_SPACED * float(np.median(near)) if len(near) >= 3 else 0.0
        assert spacing._local_floor(gaps, k) == expected


def _item(text: str, doubtful: str) -> list:
    """A RapidOCR result for ``text`` whose ``doubtful`` characters were read at 0.3."""
    quads, chars, confs = [], [], []
    for i, ch in enumerate(text):
        if ch != " ":
            x = 10.0 + 20 * i
            quads.append([[x, 20.0], [x + 18, 20.0], [x + 18, 45.0], [x, 45.0]])
            chars.append(ch)
            confs.append(0.3 if ch in doubtful else 0.99)
    quad = [[0, 12], [20 * len(text) + 20, 12], [20 * len(text) + 20, 52], [0, 52]]
    return [quad, text, 0.9, quads, chars, confs]


def test_a_faint_separator_ending_a_word_leaves_its_confidence_to_its_letters():
    # held-out seed 261 c00063: "November 2, 2026" with its "2," at 0.65 for a faint comma
    words = {w.text: w.confidence for w in _line(_item("Nov 2, 2026", ",")).words}
    assert words == {"Nov": pytest.approx(0.99), "2,": pytest.approx(0.99), "2026": 0.99}
    # a separator inside a word counts: it may be the other one ("1.250" for "1,250")
    [word] = _line(_item("1,250", ",")).words
    assert word.confidence == pytest.approx((0.99 * 4 + 0.3) / 5)
