"""Page orientation: a page scanned upside down or sideways is turned upright once, before it
is read, so OCR, fields, seal, signature, tamper and evidence crops all see it upright.

Cheap, and done before OCR (a turned page would otherwise be read twice): on the OCR copy at half
resolution, the nearest neighbour of most letters is the next letter of its line, so the
direction to it says whether lines run across or down the page; the longest text lines, cut out
after bridging the letter gaps, go to PP-OCR's 0/180 line classifier (one batch), which says
which way up. That classifier is weak on line pieces (on upright pages its mean vote can pass
0.5), so a vote for "upside down" is confirmed by the recogniser: the same pieces read as they
are and turned half round, and the page is only turned when the turned pieces read clearly
better (read a few pieces at a time on the recogniser threads, until the pieces not yet read
could not change the answer: about half of them on an upright page). Before that, the classifier
is asked about the same pieces turned over: when it finds them more "upside down" still, the
vote was its lean, not the page, and the recogniser is not asked (``_turned_look_worse``). About
0.1 s a page; 0.3-0.4 s of recogniser CPU more when a vote needs confirming (none of 140 upright
simulator pages now, 5 before the turned-over vote); the page is only rotated when it needs it.
With an engine that can find a page's lines before reading them (``CheckingReader``), that
0.1 s runs on a background thread while its detector finds the lines of the page as it is
(the detector's two threads leave a core partly idle): an upright page's lines are then read,
a turned page's are found again once it is turned (a detector run more, ~0.6 s, on the rare
turned page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, cast, runtime_checkable

import cv2
import numpy as np

from verification import _background
from verification.ports import OcrEngine, OcrLine
from verification.preprocess import prepare_for_ocr

logger = logging.getLogger(__name__)

Classify = Callable[[list[np.ndarray]], list[float]]
"""Text-line images -> the probability that each reads upside down."""
Confidence = Callable[[list[np.ndarray]], list[float]]
"""Text-line images -> the recogniser's confidence in what it reads in each."""

_LINES = 8  # longest text lines cut into pieces for the classifier
_SAMPLE = 16  # pieces given to the classifier (one batch)
_MIN_LETTERS = 40  # fewer letter-sized marks than this: no text to orient by, leave the page
_LETTER = (3, 30)  # letter height/width range (px at half resolution, ~6-60 px at 200 dpi)
_QUERIES = 1500  # letters whose nearest neighbour is measured (evenly spread over the page)
_SIDEWAYS = 0.6  # share of nearest neighbours above/below (not beside) that means sideways
_LINE = (12, 40)  # px: height of a run of letters that is one line of text
_PIECES_PER_LINE = 3  # so that the sample comes from several lines
_MAX_FILL = 0.6  # a "line" whose box is inked more than this is a solid bar, not text
_SUSPECT = 0.4  # mean classifier vote above which the recogniser is asked
_CLEARER = 0.2  # how much surer the recogniser must be of the turned pieces to turn the page
_CONFIRM_CHUNK = 2  # pieces read (as they are and turned) between looks at whether it is decided
_DECIDED = 1e-6  # the unread pieces must fall short of changing the answer by this much


@runtime_checkable
class UprightReader(Protocol):
    """An OCR engine that can skip its own orientation check on a page known to be upright."""

    def recognise_upright(self, image: np.ndarray) -> list[OcrLine]: ...


class AheadReader(Protocol):
    """An upright reader that hands a page's topmost lines to ``while_reading`` while it reads
    the rest (``verification.ocr.RapidOcrEngine``; says so with ``reads_ahead = True``)."""

    def recognise_upright(
        self, image: np.ndarray, while_reading: Callable[[list[OcrLine]], None] | None = None
    ) -> list[OcrLine]: ...


@runtime_checkable
class CheckingReader(Protocol):
    """An ahead reader that finds a page's lines before it knows the page is upright, and reads
    them only once ``upright()`` says it is (``verification.ocr.RapidOcrEngine``): None when
    it is not, nothing read."""

    def recognise_if_upright(
        self,
        image: np.ndarray,
        upright: Callable[[], bool],
        while_reading: Callable[[list[OcrLine]], None] | None = None,
    ) -> list[OcrLine] | None: ...


def quarter_turns(
    image: np.ndarray, classify: Classify | None = None, confidence: Confidence | None = None
) -> int:
    """``k`` such that ``np.rot90(image, k)`` is upright (0 for an upright page); ``classify``
    defaults to PP-OCR's line classifier, ``confidence`` to its recogniser."""
    ink = _ink(image)
    sideways = _sideways(ink)
    if sideways is None:
        return 0
    page = image
    if sideways:  # a quarter counter-clockwise: upright if the page was turned clockwise
        ink, page = np.rot90(ink, 1), np.rot90(image, 1)
    crops = _line_crops(page, ink)
    classify = classify or _pp_ocr_classifier
    votes = classify(crops) if crops else []
    upside_down = bool(votes) and float(np.mean(votes)) > _SUSPECT
    if upside_down:
        upside_down = not _turned_look_worse(crops, float(np.mean(votes)), classify)
    if upside_down:
        upside_down = _reads_better_turned(crops, confidence or _pp_ocr_confidence)
    if sideways:
        return 3 if upside_down else 1
    return 2 if upside_down else 0


def read_upright(
    image: np.ndarray,
    ocr: OcrEngine,
    classify: Classify | None = None,
    while_reading: Callable[[np.ndarray, list[OcrLine]], None] | None = None,
) -> tuple[np.ndarray, list[OcrLine]]:
    """The page turned upright (the same array when it already is) and its OCR lines.

    ``while_reading(page, lines)``: with an engine that reads ahead (``AheadReader``), called
    with the upright page and its topmost lines while the rest are read (not at all with
    another engine)."""
    prepared = prepare_for_ocr(image).image
    if while_reading is not None and isinstance(ocr, CheckingReader):
        # The orientation is found on a background thread while the engine finds the lines of
        # the page as it is (its detector leaves a core partly idle); they are read only once
        # the page is known to be upright (nearly always), else found again on the turned page.
        turning = _background.submit(quarter_turns, prepared, classify)
        as_is = image
        lines = ocr.recognise_if_upright(
            prepared, lambda: turning.result() == 0, lambda top: while_reading(as_is, top)
        )
        if lines is not None:
            return image, lines
        turns = turning.result()
    else:
        turns = quarter_turns(prepared, classify)
    if turns:
        logger.info("page turned %d degrees counter-clockwise before review", 90 * turns)
        image = np.ascontiguousarray(np.rot90(image, turns))
        prepared = np.ascontiguousarray(np.rot90(prepared, turns))
    if while_reading is not None and getattr(ocr, "reads_ahead", False):
        upright = image
        ahead = cast(AheadReader, ocr)
        return image, ahead.recognise_upright(prepared, lambda lines: while_reading(upright, lines))
    if isinstance(ocr, UprightReader):  # oriented here: the engine need not check again
        return image, ocr.recognise_upright(prepared)
    return image, ocr.recognise(prepared)


def _turned_look_worse(crops: list[np.ndarray], vote: float, classify: Classify) -> bool:
    """Whether the classifier votes the pieces turned half round more "upside down" (mean vote
    above ``vote``, the pieces' own) than the pieces as they are: then the page is upright.

    The classifier leans to "upside down" on line pieces (its votes on a piece and on the piece
    turned over add up to more than one), so its vote alone says little; against the vote on
    the same pieces turned over the lean cancels. Of 140 upright simulator pages (seeds 4, 580,
    581), the 5 whose vote passed ``_SUSPECT`` (0.41-0.52) drew 0.62-0.80 turned over; the same
    140 pages turned over drew 0.59-1.0 as they came, 0.19 and more above their pieces turned
    back. One classifier batch (~0.03 s) instead of reading the pieces both ways (~0.45 s of
    recogniser CPU); a page that passes this is still confirmed by the recogniser."""
    turned = [np.ascontiguousarray(np.rot90(c, 2)) for c in crops]
    return float(np.mean(classify(turned))) > vote


def _reads_better_turned(crops: list[np.ndarray], confidence: Confidence) -> bool:
    """Whether the pieces turned half round read clearly better (``_CLEARER``) than as they
    are, on average. Read a few pieces (each as it is and turned) at a time, stopping as soon
    as the pieces not yet read could not change the answer whatever they read (a confidence is
    0..1): on an upright page the turned pieces read far worse (~0.85 against ~0.23 on
    simulator scans), so about half of them decide it, for the same answer as all."""
    n = len(crops)
    need = _CLEARER * n  # sum over the pieces of (turned - as is) must exceed this
    as_is: list[float] = []
    half: list[float] = []
    while len(as_is) < n:
        chunk = crops[len(as_is) : len(as_is) + _CONFIRM_CHUNK]
        turned = [np.ascontiguousarray(np.rot90(c, 2)) for c in chunk]
        scores = [float(s) for s in confidence(chunk + turned)]
        as_is += scores[: len(chunk)]
        half += scores[len(chunk) :]
        lead, rest = sum(half) - sum(as_is), n - len(as_is)  # an unread piece moves lead by <= 1
        if rest and lead + rest < need - _DECIDED:
            return False
        if rest and lead - rest > need + _DECIDED:
            return True
    return float(np.mean(half)) > float(np.mean(as_is)) + _CLEARER


def _pp_ocr_confidence(crops: list[np.ndarray]) -> list[float]:
    from verification.ocr import recognition_confidence, side_by_side

    # each piece read alone on the recogniser threads, two at once (no wider than the
    # recogniser's 320 px input, so the same confidences as one batch)
    return [s for one in side_by_side(recognition_confidence, [[c] for c in crops]) for s in one]


def _pp_ocr_classifier(crops: list[np.ndarray]) -> list[float]:
    from verification.ocr import classify_angles

    return classify_angles(crops)


def _ink(image: np.ndarray) -> np.ndarray:
    """Dark marks at half resolution, uint8 0/255."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    _t, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def _sideways(ink: np.ndarray) -> bool | None:
    """Whether text lines run down the page; None without enough letters to tell."""
    n, _labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    lo, hi = _LETTER
    letters = centroids[1:][(w >= 2) & (h >= 2) & (np.maximum(w, h) >= lo) & (w <= hi) & (h <= hi)]
    if len(letters) < _MIN_LETTERS:
        return None
    queries = letters[:: max(1, len(letters) // _QUERIES)]
    across = 0
    for start in range(0, len(queries), 256):
        q = queries[start : start + 256]
        d = q[:, None, :] - letters[None, :, :]
        dist = np.einsum("ijk,ijk->ij", d, d)
        dist[dist == 0] = np.inf  # itself
        nearest = d[np.arange(len(q)), np.argmin(dist, axis=1)]
        across += int(np.count_nonzero(np.abs(nearest[:, 1]) > np.abs(nearest[:, 0])))
    return across > _SIDEWAYS * len(queries)


def _line_crops(page: np.ndarray, ink: np.ndarray) -> list[np.ndarray]:
    """Pieces of the longest text lines of an upright or upside-down page, each about as long
    as the classifier's input (4:1), cut from the page with a margin. Found at full resolution
    without ruled lines, where a horizontal closing joins letters but never two lines."""
    rules = cv2.max(  # ruled lines, found at half resolution
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, 31), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((31, 1), np.uint8)),
    )
    size = (page.shape[1], page.shape[0])
    full = cv2.resize(cv2.subtract(ink, cv2.dilate(rules, np.ones((3, 3), np.uint8))), size)
    text = (full > 127).astype(np.uint8) * 255
    runs = cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((1, 15), np.uint8))
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(runs, connectivity=8)
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    ok = np.flatnonzero((h >= _LINE[0]) & (h <= _LINE[1]) & (w >= 6 * h))
    crops: list[np.ndarray] = []
    for i in ok[np.argsort(-w[ok])][:_LINES]:
        x, y, bw, bh = (int(v) for v in stats[1 + i, :4])
        if _filled(text[y : y + bh, x : x + bw]):
            continue  # a shaded bar or a solid rule, not letters
        pad, piece = bh // 4, 5 * bh
        for x0 in list(range(x, x + bw - piece // 2, piece))[:_PIECES_PER_LINE]:
            crop = page[max(0, y - pad) : y + bh + pad, max(0, x0 - pad) : x0 + piece + pad]
            crops.append(np.ascontiguousarray(crop if crop.ndim == 3 else np.dstack([crop] * 3)))
    return crops[:_SAMPLE]


def _filled(box: np.ndarray) -> bool:
    return bool(np.count_nonzero(box) > _MAX_FILL * box.size)
