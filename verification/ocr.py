"""OCR engines behind ``verification.ports.OcrEngine``.

Default: RapidOCR's ONNX build (PP-OCRv4 detection/recognition models shipped in the wheel, runs
offline). The model sessions are loaded once per process (``_rapidocr``) and shared by every
engine instance; ``recognise`` is synchronous and CPU-bound, so callers in an event loop run it
in an executor.

PP-OCR sometimes drops the space between words; ``verification.spacing`` puts it back from
the ink gaps of the page between the per-character boxes (without the page, a gap between
the boxes wider than ``_SPACE_GAP`` of the median character width).
"""

from __future__ import annotations

import functools
import logging
import statistics
import unicodedata
from typing import Any

import cv2
import numpy as np

from verification import spacing
from verification.ports import Box, OcrLine, OcrWord

logger = logging.getLogger(__name__)

_SPACE_GAP = 0.8  # of the median character width: a space for sure
DEFAULT_MAX_SIDE = 2000


@functools.lru_cache(maxsize=4)
def _rapidocr(max_side: int) -> Any:
    from rapidocr_onnxruntime import RapidOCR

    logger.info("loading RapidOCR models (max side %d)", max_side)
    return RapidOCR(max_side_len=max_side)


class RapidOcrEngine:
    """PP-OCR via onnxruntime. ``max_side`` caps the longer page side given to the models."""

    name = "rapidocr"

    def __init__(self, max_side: int = DEFAULT_MAX_SIDE) -> None:
        self.max_side = max_side

    def warm_up(self) -> None:
        _rapidocr(self.max_side)

    def recognise(self, image: np.ndarray) -> list[OcrLine]:
        engine = _rapidocr(self.max_side)
        result, _elapsed = engine(image, return_word_box=True)
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        return [_line(item, gray) for item in result or [] if str(item[1]).strip()]


def _line(item: list[Any], gray: np.ndarray | None = None) -> OcrLine:
    quad = tuple((float(x), float(y)) for x, y in item[0])
    text, conf = unicodedata.normalize("NFKC", str(item[1])), float(item[2])
    chars = _chars(item)
    if chars:
        measured = spacing.respace(chars, quad, gray) if gray is not None else None
        if measured is not None:
            chars, text = measured, "".join(ch for ch, _, _ in measured)
        else:
            text = _respace(chars)
        words = _words(chars, conf, text)
    else:
        words = ()
    return OcrLine(text=text.strip(), box=_quad_box(quad), confidence=conf, words=words, quad=quad)


def _chars(item: list[Any]) -> list[tuple[str, Box, float]]:
    if len(item) < 6 or not item[3] or len(item[3]) != len(item[4]):
        return []
    confs = item[5] if len(item[5]) == len(item[4]) else [item[2]] * len(item[4])
    chars = [
        (
            unicodedata.normalize("NFKC", str(ch)),
            _quad_box(tuple((float(x), float(y)) for x, y in q)),
            float(c),
        )
        for q, ch, c in zip(item[3], item[4], confs, strict=True)
    ]
    return [(ch[:1] or " ", box, c) for ch, box, c in chars]


def _quad_box(quad: tuple[tuple[float, float], ...]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


def _respace(chars: list[tuple[str, Box, float]]) -> str:
    widths = [b[2] - b[0] for ch, b, _ in chars if ch.strip()]
    if not widths:
        return "".join(ch for ch, _, _ in chars)
    median = statistics.median(widths)
    out: list[str] = []
    prev: Box | None = None
    for ch, box, _ in chars:
        if ch == " ":
            out.append(" ")
            prev = None
            continue
        if prev is not None and out and out[-1] != " ":
            if (box[0] - prev[2]) / median > _gap_needed(out[-1], ch):
                out.append(" ")
        out.append(ch)
        prev = box
    return "".join(out)


def _gap_needed(before: str, ch: str) -> float:
    """How wide a gap (in median character widths) makes a space between two characters."""
    if before in ",;:" and ch.isalpha():
        return -1.0  # "Citrusdal 7340, South Africa": always a space after the separator
    if ch == "(" and before.isalnum():
        return 0.1
    if (before == "." and ch.isupper()) or (before.islower() and ch.isupper()):
        return 0.25
    if before.isalpha() != ch.isalpha() and before.isalnum() and ch.isalnum():
        return 0.3
    return _SPACE_GAP


def _words(chars: list[tuple[str, Box, float]], line_conf: float, text: str) -> tuple[OcrWord, ...]:
    words: list[OcrWord] = []
    boxes = [b for ch, b, _ in chars if ch != " "]
    confs = [c for ch, _, c in chars if ch != " "]
    i = 0
    for token in text.split():
        n = len(token)
        seg, cs = boxes[i : i + n], confs[i : i + n]
        i += n
        if not seg:
            continue
        box = (seg[0][0], min(b[1] for b in seg), seg[-1][2], max(b[3] for b in seg))
        words.append(OcrWord(token, box, statistics.fmean(cs) if cs else line_conf))
    return tuple(words)
