"""Each line read through to its OcrLine on the recogniser threads gives the lines that reading
the page in phases gave (all lines, then the weak ones again, then word boxes, then the letters
left out, then spaces), with the real PP-OCR models on a rendered page."""

from __future__ import annotations

import math
import threading

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from verification import _reread
from verification import ocr as O
from verification.ports import OcrLine

LINES = [
    ("PHYTOSANITARY CERTIFICATE", 30),
    ("Exporter: Acme Fruit Exports Pty) Ltd", 40),  # a bracket unopened: read widened
    ("Unit 4, Dock Road, Felixstowe IP11 3QW", 175),  # faint print: weak, read again
    ("Office 1402, Khalifa Port, Abu Dhabi", 150),
    ("Net weight: 1,250.50 kg", 60),
    ("Place of origin: Australia", 190),
]


def _page() -> np.ndarray:
    font = ImageFont.load_default(26)
    img = Image.new("RGB", (1100, 80 + 60 * len(LINES)), (236, 234, 228))
    draw = ImageDraw.Draw(img)
    for k, (text, grey) in enumerate(LINES):
        draw.text((30, 40 + 60 * k), text, fill=(grey, grey, grey), font=font)
    return np.asarray(img)


def _in_phases(image: np.ndarray) -> list[OcrLine]:
    """The engine's reading as it was done before lines were read through one by one."""
    models = O._models(2)
    boxes = O._detect(models, image, O.DEFAULT_DET_MAX_SIDE)
    crops = [O._crop(image, box) for box in boxes]
    rec = [models.rec([c], True)[0][0] for c in crops]
    crops, rec = _reread.reread(models.rec, crops, rec)
    rec = O._word_boxes(crops, boxes, rec)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    rec = _reread.fill_dropped(models.rec, crops, boxes, rec, gray, O._word_boxes)
    h, w = image.shape[:2]
    items = [
        [box.tolist(), text, conf, O._clip(quads, w, h), words, confs]
        for box, (text, conf, quads, words, confs) in zip(boxes, rec, strict=True)
        if float(conf) >= O._TEXT_SCORE
    ]
    return [O._line(item, gray) for item in items if str(item[1]).strip()]


class _Counting:
    def __init__(self, rec):
        self.rec, self.crops = rec, 0

    def __call__(self, crops, word_box):
        self.crops += len(crops)
        return self.rec(crops, word_box)


def test_lines_read_one_by_one_on_threads_are_the_lines_read_in_phases(monkeypatch):
    image = _page()
    expected = _in_phases(image)
    models = O._models(2)
    counting = _Counting(models.rec)
    monkeypatch.setattr(O, "_models", lambda threads: O._Models(models.det, models.cls, counting))
    for threads in (2, 1):
        counting.crops = 0
        got = O.RapidOcrEngine(threads=threads).recognise_upright(image)
        assert got == expected
        assert counting.crops > len(LINES)  # some lines were read a second time


def test_the_topmost_lines_are_handed_over_while_the_rest_wait_to_be_read(monkeypatch):
    """``while_reading`` gets the page's topmost lines (``_TOP_SHARE``, in page order) once
    they are read, on the calling thread, while the other lines wait for the recogniser
    threads: work for those threads then runs on the caller (it would wait behind the lines).
    The lines returned are the ones read without it, with two threads or one."""
    image = _page()
    expected = O.RapidOcrEngine().recognise_upright(image)
    top = math.ceil(O._TOP_SHARE * len(LINES))
    assert len(expected) == len(LINES) and top < len(LINES)
    real = O._read_line
    handed_over = threading.Event()
    started = []

    def held(page, crop, box):  # lines after the topmost wait until those were handed over
        started.append(1)
        if len(started) > top:
            assert handed_over.wait(60)
        return real(page, crop, box)

    monkeypatch.setattr(O, "_read_line", held)
    me = threading.current_thread()
    for threads in (2, 1):
        started.clear()
        handed_over.clear()
        seen = []

        def meanwhile(lines, threads=threads, seen=seen):
            ran_on = O.side_by_side(lambda _: threading.current_thread(), [0, 1], threads)
            seen.append(
                ([ln.text for ln in lines], O._busy(), O.beside(lambda: 1, threads), ran_on)
            )
            handed_over.set()

        got = O.RapidOcrEngine(threads=threads).recognise_upright(image, meanwhile)
        assert got == expected
        assert seen == [([ln.text for ln in expected[:top]], threads > 1, None, [me, me])]
        assert not O._busy()
