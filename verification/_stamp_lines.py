"""OCR lines and words that are fragments of a stamp's own text, not print.

Pre-processing whitens coloured stamp ink, but the darkest strokes of a ring's letters stay
(they are kept as dark text overprinted by the stamp), and the recogniser reads a few of them:
".IDI" from the "IND" of a ring lying beside an officer's name, which extraction then took into
the value. Such a line is short, read with doubt, and its ink is coloured; printed values are
black. Lines with all three are left out of extraction.

A stamp's letters may also be read with confidence, alone ("IMARY" of a ring's "PRIMARY", at
0.95, in the officer's row) or at the end of a printed line ("Name of authorized officer: T o
P", the "NT OF" of a ring): a word lying on a stamp impression (``stamps``: the boxes of the
page's coloured-ink blobs, ``seal.page_ink``) whose ink is coloured, with no black print in it,
is left out of its line, and so is a word on a stamp with no ink as dark as print at all: a
ring letter faded to a grey the colour test no longer sees (held-out seed 486 c00066, the "G" of
a ring's "AGRICULTURE" read between "Name of authorized officer:" and "Robert Clark", 26 grey
levels under the paper at its darkest, taken as the officer's name). Words off the stamps keep
their ink, whatever its colour (a signature, a value written in blue).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from verification.imaging import boxes_overlap, colour_ink_mask
from verification.ports import Box, OcrLine, OcrWord

_SHORT = 5  # a fragment has at most this many letters and digits ...
_DOUBT = 0.8  # ... is read with less confidence than this ...
_COLOURED = 0.6  # ... and at least this share of its ink is coloured
_INK_STEP = 60  # grey levels below the crop's paper that are ink
_SATURATED = 60  # HSV saturation of coloured ink (black print: under 30)
_STAMP_INK = 15  # coloured-ink pixels a stamp's word holds at least ...
_BLACK_AREA = 0.02  # ... and black print on at most this share of its box (print: about 10%)
_DARKEST_STAMP = 90  # HSV value: stamp inks are lighter (blue, violet, red: 150 and up) ...
_BLACK = 0.6  # ... black print darker, or darker than this share of the paper's grey ...
_GREY = 30  # ... and unsaturated (HSV saturation at most this)


def without_stamp_fragments(
    lines: Sequence[OcrLine], rgb: np.ndarray, stamps: Sequence[Box] = ()
) -> list[OcrLine]:
    """``lines`` without the short, doubtful lines whose ink is mostly stamp-coloured, and
    without the words on a stamp (``stamps``) that are all stamp ink."""
    out = []
    for ln in lines:
        if _stamp_fragment(ln, rgb):
            continue
        kept = _printed_words(ln, rgb, stamps)
        if kept is not None:
            out.append(kept)
    return out


def _stamp_fragment(line: OcrLine, rgb: np.ndarray) -> bool:
    if line.confidence >= _DOUBT or sum(ch.isalnum() for ch in line.text) > _SHORT:
        return False
    crop = _crop(rgb, line.box)
    if crop is None:
        return False
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = grey < float(np.percentile(grey, 90)) - _INK_STEP
    if not ink.any():
        return False
    saturation = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)[..., 1]
    return float(np.mean(saturation[ink] > _SATURATED)) >= _COLOURED


def _printed_words(line: OcrLine, rgb: np.ndarray, stamps: Sequence[Box]) -> OcrLine | None:
    """``line`` without its words that are a stamp's letters; None if it has no other."""
    if not stamps or not line.words or not any(boxes_overlap(line.box, s) for s in stamps):
        return line
    kept = [w for w in line.words if not _stamp_word(w, rgb, stamps)]
    if len(kept) == len(line.words):
        return line
    if not kept:
        return None
    box = (
        min(w.box[0] for w in kept),
        line.box[1],
        max(w.box[2] for w in kept),
        line.box[3],
    )
    return replace(line, text=" ".join(w.text for w in kept), box=box, words=tuple(kept))


def _stamp_word(word: OcrWord, rgb: np.ndarray, stamps: Sequence[Box]) -> bool:
    if not any(_inside(word.box, s) for s in stamps):
        return False
    crop = _crop(rgb, word.box)
    if crop is None:
        return False
    if _faint(crop):
        return True
    stamp_ink = int(np.count_nonzero(colour_ink_mask(crop)))
    return stamp_ink >= _STAMP_INK and int(np.count_nonzero(_black(crop))) <= _BLACK_AREA * (
        crop.shape[0] * crop.shape[1]
    )


def _faint(crop: np.ndarray) -> bool:
    """No pixel ``_INK_STEP`` grey levels under the crop's paper: no print (whose strokes are
    far darker) is there."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return int(grey.min()) > float(np.percentile(grey, 90)) - _INK_STEP


def _black(crop: np.ndarray) -> np.ndarray:
    """Black print: darker than any stamp ink, or dark and grey (a stamp over print leaves its
    strokes dark but tinted: "Harris" under a red rectangle, seed 224 c00067)."""
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    dark_grey = (grey < _BLACK * float(np.percentile(grey, 90))) & (hsv[..., 1] <= _GREY)
    return (hsv[..., 2] < _DARKEST_STAMP) | dark_grey


def _crop(rgb: np.ndarray, box: Box) -> np.ndarray | None:
    if rgb.ndim != 3:
        return None
    h, w = rgb.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return np.ascontiguousarray(rgb[y0:y1, x0:x1])


def _inside(a: Box, b: Box) -> bool:
    """The middle of box ``a`` within box ``b``."""
    x, y = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= x <= b[2] and b[1] <= y <= b[3]
