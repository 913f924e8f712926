"""Character boxes mapped back to the page: the same as RapidOCR's own CalRecBoxes."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from rapidocr_onnxruntime.cal_rec_boxes import CalRecBoxes

from verification.ocr import _quad_box, _word_boxes

WIDE = np.array([[100.4, 200.2], [420.7, 196.9], [421.3, 238.8], [101.0, 242.1]], np.float32)
TALL = np.array([[50.0, 60.0], [90.0, 60.0], [90.0, 400.0], [50.0, 400.0]], np.float32)


def _rec(text: str, cols: list[list[int]], col_num: int = 40) -> tuple:
    words = [list(w) for w in text.split()]
    confs = [0.9 - 0.01 * i for i in range(sum(len(w) for w in words))]
    return (text, 0.93, (col_num, words, cols, ["en"] * len(words), confs))


@pytest.mark.parametrize(
    ("quad", "crop_shape"),
    [(WIDE, (42, 320, 3)), (TALL, (40, 340, 3))],  # the tall line was cropped turned upright
)
def test_same_boxes_as_rapidocr(quad: np.ndarray, crop_shape: tuple[int, int, int]) -> None:
    crop = np.zeros(crop_shape, np.uint8)
    rec = [_rec("AB CDE 7", [[3, 6], [12, 15, 17], [30]])]
    theirs = CalRecBoxes()([crop], [quad.copy()], copy.deepcopy(rec))
    kept = quad.copy()
    mine = _word_boxes([crop], [quad], copy.deepcopy(rec))
    np.testing.assert_array_equal(quad, kept)  # the line's quad is not touched
    assert [m[:2] + m[3:] for m in mine] == [t[:2] + t[3:] for t in theirs]
    extent = [[_quad_box(tuple(map(tuple, q))) for q in line[2]] for line in mine]
    assert extent == [[_quad_box(tuple(map(tuple, q))) for q in line[2]] for line in theirs]
    assert len(extent[0]) == 6


def test_a_line_without_characters_has_no_boxes() -> None:
    crop = np.zeros((40, 200, 3), np.uint8)
    out = _word_boxes([crop], [WIDE], [("", 0.0, (40, [], [], [], []))])
    assert out == [["", 0.0, [], [], []]]
