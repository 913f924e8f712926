"""Short, doubtful OCR lines in stamp-coloured ink are left out of extraction."""

import cv2
import numpy as np

from verification._stamp_lines import without_stamp_fragments
from verification.ports import OcrLine


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
