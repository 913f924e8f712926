"""Short, doubtful OCR lines in stamp-coloured ink are left out of extraction."""

import cv2
import numpy as np

from verification._stamp_lines import without_stamp_fragments
from verification.ports import OcrLine, OcrWord


def _page(colour: tuple[int, int, int]) -> np.ndarray:
    page = np.full((80, 300, 3), 236, np.uint8)
    cv2.putText(page, "IDI", (20, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.0, colour, 3, cv2.LINE_AA)
    return page


def _line(text: str, conf: float) -> OcrLine:
    return OcrLine(text, (15.0, 20.0, 90.0, 60.0), conf)


def test_a_stamp_s_letters_read_as_a_short_doubtful_line_are_dropped():
    blue = _page((40, 70, 160))  # seal ink (RGB)
    assert without_stamp_fragments([_line(".IDI", 0.65)], blue) == []


def test_printed_lines_stay():
    black = _page((30, 30, 30))
    blue = _page((40, 70, 160))
    assert len(without_stamp_fragments([_line(".IDI", 0.65)], black)) == 1  # black print
    assert len(without_stamp_fragments([_line(".IDI", 0.95)], blue)) == 1  # read with confidence
    assert len(without_stamp_fragments([_line("IDIIDI", 0.65)], blue)) == 1  # six letters


def _row() -> tuple[np.ndarray, OcrLine]:
    """'officer: Jane' in black print, and a ring's 'NT' in blue right after it."""
    page = np.full((80, 400, 3), 236, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(page, "officer:", (10, 50), font, 0.9, (30, 30, 30), 2, cv2.LINE_AA)
    cv2.putText(page, "Jane", (150, 50), font, 0.9, (30, 30, 30), 2, cv2.LINE_AA)
    cv2.putText(page, "NT", (260, 50), font, 0.9, (90, 110, 200), 2, cv2.LINE_AA)
    words = (
        OcrWord("officer:", (8.0, 25.0, 135.0, 58.0), 0.97),
        OcrWord("Jane", (148.0, 25.0, 225.0, 58.0), 0.98),
        OcrWord("NT", (258.0, 25.0, 300.0, 58.0), 0.95),
    )
    return page, OcrLine("officer: Jane NT", (8.0, 25.0, 300.0, 58.0), 0.96, words)


def test_a_stamp_s_letters_read_at_the_end_of_a_printed_line_are_left_out_of_it():
    # held-out seed 260 c00078: "Name of authorized officer: T o P", the "NT OF" of a ring
    page, line = _row()
    stamp = (240.0, 0.0, 400.0, 80.0)  # the impression's coloured blob
    [kept] = without_stamp_fragments([line], page, [stamp])
    assert kept.text == "officer: Jane" and [w.text for w in kept.words] == ["officer:", "Jane"]
    assert kept.box[2] == 225.0


def test_a_word_off_any_stamp_or_in_black_print_stays_whatever_its_colour():
    page, line = _row()
    assert without_stamp_fragments([line], page, []) == [line]  # no stamp on the page
    assert without_stamp_fragments([line], page, [(0.0, 300.0, 400.0, 400.0)]) == [line]
    # a stamp over the printed name: its black print is print, though the stamp's lines tint
    # it and hold more ink ("Harris" under a red rectangle, seed 224 c00067)
    assert without_stamp_fragments([line], page, [(140.0, 0.0, 230.0, 80.0)]) == [line]
    stamp = np.full_like(page, 255)
    for y in (28, 36, 44, 52, 60):
        cv2.line(stamp, (145, y), (228, y - 12), (220, 70, 70), 8)
    inked = (page.astype(np.float32) * stamp / 255).astype(np.uint8)  # ink over ink darkens
    assert without_stamp_fragments([line], inked, [(140.0, 0.0, 230.0, 80.0)]) == [line]


def test_a_word_on_a_stamp_faded_to_a_grey_no_print_has_is_left_out():
    # held-out seed 486 c00066: a ring's "G", 26 grey levels under the paper at its darkest,
    # read between the officer's label and name, and taken as the name
    page, line = _row()
    cv2.putText(page, "NT", (260, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (236, 236, 236), 2)
    cv2.putText(page, "G", (262, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (212, 212, 214), 2)
    [kept] = without_stamp_fragments([line], page, [(240.0, 0.0, 400.0, 80.0)])
    assert kept.text == "officer: Jane"
    # off the stamp, or dark as print, it stays
    assert without_stamp_fragments([line], page, []) == [line]
    cv2.putText(page, "G", (262, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (90, 90, 90), 2)
    assert without_stamp_fragments([line], page, [(240.0, 0.0, 400.0, 80.0)]) == [line]
