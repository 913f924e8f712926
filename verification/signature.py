"""Signatures: locate the ink near the officer's name or signature label, compare with specimens.

Location: a window above a "signature"/"signed" label (not "Date of signature") and one beside
the officer's name; coloured pen ink there is kept whole (OCR may read letters in it, an
underline runs along the ruled line), neutral ink loses printed text and ruled lines. The largest
group of strokes per window, with the seal's box blanked and (a seal can be found in the wrong
place) without, gives the candidates; with an officer, the best-scoring candidate is the
signature. Comparison: both ink masks scaled onto a 160x64 raster; the candidate is aligned with the
specimen over small changes of width, height, slant and position (a hand varies them from one
signature to the next), and the symmetric chamfer distance (mean distance from each stroke
pixel to the other's nearest stroke) at the best pose gives the score 1 - distance / 4, best
over the officer's specimens. Another person's signature, even of the same name, draws
different letter shapes and ends several pixels away.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import cv2
import numpy as np

from verification.errors import SpecimenError
from verification.imaging import (
    bbox_of,
    boxes_overlap,
    channel_max,
    channel_min,
    decode_specimen,
    dpi_read,
    specimen_ink,
)
from verification.intake import WORK_DPI
from verification.ocr import side_by_side
from verification.ports import Box, OcrLine, OfficerSpecimen
from verification.preprocess import percentiles_u8
from verification.results import SignatureResult
from verification.seal import STAMP_PIECES, stamp_shape

logger = logging.getLogger(__name__)

_W, _H = 160, 64  # comparison raster
_SPECK = 40  # px: smaller ink components are not strokes
_REACH = 80  # px: a group of strokes is followed this far out of its search window
_RULE = 151  # px: a straight run this long is a ruled line, not a pen stroke
_PEN_CHROMA = 20  # channel spread (smoothed) of coloured pen ink; black print stays below ~15
_GROUP = (15, 31)  # px (rows, columns): strokes this close are one group
_BESIDE_HEIGHT = 0.4  # a group beside the signature's, at least this fraction of its height,
_BESIDE_GAP = 0.75  # at most this many of its heights away, is part of it (separate initials)
_SCALE = 4.0  # chamfer distance (raster pixels) at which the similarity reaches 0
# A signature label starts a word ("Signature", "Signed", "Firma"); "Consignee" and
# "undersigned" are not labels. No end boundary: OCR may glue the next word on; a speck may
# add a letter ("Signiature" on seed 150 c00026, its signature then looked for only beside
# the name, where the scan's edge was the largest ink).
_LABEL = re.compile(r"(?<![a-z])(?:sign[a-z]?ature|signed|sign[ée]|firma)", re.IGNORECASE)
_DATE = re.compile(r"(?<![a-z])(?:date|fecha|data)(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class SignatureThresholds:
    # Chamfer similarity (1 - distance / 4 raster px). Calibrated on corpus seed 22 (48 genuine
    # signatures, located on the page, pen ink kept whole): the officer's own specimen scores
    # >= 0.87, the agency's other officers' specimens (a forger's proxy) <= 0.64. Raised from
    # 0.70 for a closer forger, the officer's signature copied freehand (the simulator's
    # ``forged_signature`` imitation): on seeds 541-542, 91 genuine signatures scored 0.858 and
    # up, 17 copies 0.59-0.90 (16 at 0.70 or more, 3 at 0.85 or more), 24 stand-ins (another
    # hand writing the name) at most 0.59. Under it a signature goes to an officer (review).
    # Raised from 0.85 to 0.86 for the copies. Calibration draws 9104 and 9110-9111 (320 genuine
    # signatures, 58 copies): genuine reviewed / copies accepted at 0.85: 2 / 18, 0.86: 4 / 11,
    # 0.87: 7 / 6, 0.88: 12 / 3. On the default draws' scanned and photographed papers genuine
    # signatures score lower: held-out 567-569 (360), 0.85: 4 reviewed, 0.86: 7, 0.87: 16,
    # 0.88: 27, which at 0.88 took automation to 90.0% on 569. Finer poses, a least-squares
    # affine fit, centre lines, outlines and moment-normalised rasters separated the copies no
    # better: the genuine hand's own scatter overlaps a careful copy's.
    accept: float = 0.86
    reject: float = 0.45


def find_signature(
    rgb: np.ndarray,
    lines: Sequence[OcrLine],
    anchor: Box | None,
    exclude: Sequence[Box] = (),
) -> tuple[Box, np.ndarray] | None:
    """(box, ink mask crop) of the signature: the most ink above a signature label or beside
    the name, away from the seal."""
    found = candidates(rgb, lines, anchor, exclude)
    return found[0] if found else None


def candidates(
    rgb: np.ndarray,
    lines: Sequence[OcrLine],
    anchor: Box | None,
    exclude: Sequence[Box] = (),
) -> list[tuple[Box, np.ndarray]]:
    """Possible signatures, the likeliest first: in each search window, the largest group of
    strokes with the seal's box blanked and, since a seal can be found in the wrong place or
    overlap the signature, without blanking it. Groups clear of the seal and shaped like a
    signature (wider than tall, not a thin line) come first, then the more ink."""
    windows = [_above(ln.box, rgb.shape) for ln in lines if _is_label(ln.text)]
    if anchor is not None:
        windows.append(_beside(anchor, rgb.shape))
    if not windows:
        return []
    whole = _ink(rgb, lines, _around(windows, rgb.shape))
    inks = [_blanked(whole, exclude)]
    if exclude and any(boxes_overlap(b, w) for b in exclude for w in windows):
        inks.append(whole)
    found: dict[Box, tuple[tuple[bool, bool, int], np.ndarray]] = {}
    # each window's group found on the recogniser threads (idle after OCR; OpenCV releases
    # the GIL), two at once: the same groups, in the same order, as one after the other
    pairs = [(ink, window) for ink in inks for window in windows]
    for blobs in side_by_side(_blob_of, pairs):
        for count, box, crop in blobs:
            if box in found:
                continue
            clash = any(boxes_overlap(box, b) for b in exclude)
            found[box] = ((clash, not _signature_shaped(box), -count), crop)
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    return [(box, crop) for box, (_key, crop) in ordered]


def _blob_of(pair: tuple[np.ndarray, Box]) -> list[tuple[int, Box, np.ndarray]]:
    return _blob_in(*pair)


def is_signature_label(text: str) -> bool:
    """Whether ``text`` is the form's printed signature label ("Signature and official
    stamp"), which a reading may take for a value."""
    return _is_label(text)


def _is_label(text: str) -> bool:
    """A signature label, not "Date of signature" (that labels the date); "Signature" misread
    by a letter too ("Signatuire and official stamp", held-out seed 261 c00057)."""
    if _DATE.search(text):
        return False
    return bool(_LABEL.search(text)) or any(
        SequenceMatcher(None, word[: len(_SIGNATURE) + 1], _SIGNATURE).ratio() >= _LABEL_RATIO
        for word in re.findall(r"(?<![a-z])sign[a-z]*", text.casefold())
    )


_SIGNATURE = "signature"
_LABEL_RATIO = 0.85


def _signature_shaped(box: Box) -> bool:
    w, h = box[2] - box[0], box[3] - box[1]
    return 24 <= h <= w * 1.2 and w <= 12 * h


def _above(label: Box, shape: tuple[int, ...]) -> Box:
    h = max(10.0, label[3] - label[1])
    return (
        max(0.0, label[0] - 4 * h),
        max(0.0, label[1] - 6 * h),
        min(float(shape[1]), label[2] + 6 * h),
        label[1] + 0.3 * h,
    )


def _beside(name: Box, shape: tuple[int, ...]) -> Box:
    h = max(10.0, name[3] - name[1])
    return (
        name[0],
        max(0.0, name[1] - 1.5 * h),
        min(float(shape[1]), name[2] + 25 * h),
        min(float(shape[0]), name[3] + 6 * h),
    )


def _ink(rgb: np.ndarray, lines: Sequence[OcrLine], region: Box) -> np.ndarray:
    """Pen strokes inside ``region`` (zero elsewhere): dark ink that is not printed text or a
    ruled line. Coloured ink (a blue or black-blue pen on a page printed in black) is kept
    whole, even where OCR saw letters in it or a stroke runs along a ruled line (an
    underline); neutral ink loses the printed lines (the signature label among them, read
    with any confidence) and the ruled lines."""
    rx0, ry0, rx1, ry1 = (int(v) for v in region)
    part = rgb[ry0:ry1, rx0:rx1]
    gray = cv2.cvtColor(part, cv2.COLOR_RGB2GRAY)
    paper = percentiles_u8(gray, (90,))[0]
    dark = gray < paper * 0.65
    raw, smooth = _chroma(part)  # a grey ruled line touching a stroke: smooth, not raw
    pen = _pen(dark, raw, smooth)
    neutral: np.ndarray = ((dark & ~pen).astype(np.uint8)) * 255
    pen_ink = (pen.astype(np.uint8)) * 255
    # the signature label is printed text however unsure OCR was of it: read at 0.846, its
    # letters a few px under the strokes joined the signature (held-out seed 537 c00145, a
    # genuine signature scored 0.00)
    printed = [
        ln.box
        for ln in lines
        if (ln.confidence >= 0.85 and len(ln.text.strip()) > 2) or _is_label(ln.text)
    ]
    for box in printed:
        x0, y0, x1, y1 = (int(v) for v in box)
        x0, y0, x1, y1 = x0 - rx0, y0 - ry0, x1 - rx0, y1 - ry0
        neutral[max(0, y0 - 2) : max(0, y1 + 2), max(0, x0 - 2) : max(0, x1 + 2)] = 0
    out = np.zeros(rgb.shape[:2], np.uint8)
    # a faint ruled line leaves dark one-row pieces that no 151 px run test finds; its runs are
    # measured through the pen strokes crossing it and over one- or two-pixel breaks (a pen
    # underline on the line, a faint line's gaps), else the piece left of the strokes stays
    # on the signature and stretches its box. Only the neutral pixels are taken away.
    crossing = cv2.max(neutral, pen_ink)
    bridged = cv2.morphologyEx(crossing, cv2.MORPH_CLOSE, np.ones((1, 3), np.uint8))
    pieces = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, np.ones((1, 25), np.uint8))
    rules = cv2.max(_ruled(neutral), pieces)
    out[ry0:ry1, rx0:rx1] = cv2.max(cv2.subtract(neutral, rules), pen_ink)
    return out


def _pen(dark: np.ndarray, raw: np.ndarray, smooth: np.ndarray) -> np.ndarray:
    """Coloured pen ink: dark, coloured as is and smoothed over 5x5, or coloured at half that
    where it is smoothed and joined to such ink. A thin fast stroke (an underline) keeps its
    colour pixel by pixel but loses half of it to the paper around it in the 5x5 smoothing;
    taken as neutral ink, its near-level run was removed as a ruled line. A grey ruled line
    does not join: its dark pixels are neutral (raw spread ~3) but where a stroke crosses it."""
    coloured = dark & (raw >= _PEN_CHROMA // 2)
    strong = coloured & (smooth >= _PEN_CHROMA)
    weak = (coloured & (smooth >= _PEN_CHROMA // 2)).astype(np.uint8)
    n, labels = cv2.connectedComponents(weak, connectivity=8)
    joined = np.zeros(n, dtype=bool)
    joined[labels[strong]] = True
    joined[0] = False
    return strong | joined[labels]


def _blanked(ink: np.ndarray, boxes: Sequence[Box]) -> np.ndarray:
    """``ink`` with the seal's box(es) blanked (a copy, when there are any)."""
    if not boxes:
        return ink
    out = ink.copy()
    for box in boxes:
        x0, y0, x1, y1 = (int(v) for v in box)
        out[max(0, y0 - 2) : max(0, y1 + 2), max(0, x0 - 2) : max(0, x1 + 2)] = 0
    return out


def _around(windows: Sequence[Box], shape: tuple[int, ...]) -> Box:
    """The part of the page the search windows (and the strokes leaving them) can reach."""
    return (
        float(max(0, int(min(w[0] for w in windows)) - _REACH)),
        float(max(0, int(min(w[1] for w in windows)) - _REACH)),
        float(min(shape[1], int(max(w[2] for w in windows)) + _REACH)),
        float(min(shape[0], int(max(w[3] for w in windows)) + _REACH)),
    )


def _chroma(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """max - min of the channels, as is and smoothed over 5x5 (JPEG colour noise on black)."""
    spread = cv2.subtract(channel_max(rgb), channel_min(rgb))
    return spread, cv2.blur(spread, (5, 5))


def _ruled(ink: np.ndarray) -> np.ndarray:
    """Ruled lines and box borders: long thin runs, found after bridging the one-pixel steps
    of a slightly skewed line (an 81 px run test alone misses a line tilted by 1 degree)."""
    found = np.zeros_like(ink)
    for along, across in (((1, _RULE), (3, 1)), ((_RULE, 1), (1, 3))):
        bridged = cv2.dilate(ink, np.ones(across, np.uint8))
        runs = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, np.ones(along, np.uint8))
        found = cv2.max(found, runs)
    return cv2.dilate(found, np.ones((7, 7), np.uint8))


def _blob_in(ink: np.ndarray, window: Box) -> list[tuple[int, Box, np.ndarray]]:
    """The largest group of strokes reaching into ``window``, whole even where it runs out of
    the window (a tall signature above a small label); first, where there are any, with the
    groups standing beside it at its height (a signature of separate initials, "J  J")."""
    h, w = ink.shape[:2]
    x0, y0 = max(0, int(window[0]) - _REACH), max(0, int(window[1]) - _REACH)
    x1, y1 = min(w, int(window[2]) + _REACH), min(h, int(window[3]) + _REACH)
    sub = _without_specks(ink[y0:y1, x0:x1])
    if sub.size == 0 or np.count_nonzero(sub) < 80:
        return []
    grouped = cv2.dilate(sub, np.ones(_GROUP, np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grouped)
    inside = _reaching(stats, (window[0] - x0, window[1] - y0, window[2] - x0, window[3] - y0))
    inside &= ~_at_page_edge(stats, x0, w)
    if not inside.any():
        return []
    i = int(np.argmax(np.where(inside, stats[:, cv2.CC_STAT_AREA], -1)))
    found: list[tuple[int, Box, np.ndarray]] = []
    group = _beside_group(stats, i)
    for members in (group, [i]) if len(group) > 1 else ([i],):
        region = np.where(np.isin(labels, members), sub, 0).astype(np.uint8)
        box = bbox_of(region)
        if box is None or np.count_nonzero(region) < 80:
            continue
        bx0, by0, bx1, by1 = box
        crop = region[by0:by1, bx0:bx1]
        page_box = (float(x0 + bx0), float(y0 + by0), float(x0 + bx1), float(y0 + by1))
        found.append((int(np.count_nonzero(region)), page_box, crop))
    return found


def _at_page_edge(stats: np.ndarray, x0: int, width: int) -> np.ndarray:
    """Groups touching the page's left or right edge: a scanner's shadow along the paper's
    edge (held-out seed 261 c00057, a band 28 px wide and 534 tall beside the officer's name,
    taken for the signature), never a pen's strokes."""
    left = x0 + stats[:, cv2.CC_STAT_LEFT]
    return np.asarray((left <= 0) | (left + stats[:, cv2.CC_STAT_WIDTH] >= width))


def _beside_group(stats: np.ndarray, seed: int) -> list[int]:
    """``seed`` and the stroke groups standing beside it (and beside those): about as tall
    (``_BESIDE_HEIGHT``), mostly at the same height, at most ``_BESIDE_GAP`` of the taller's
    height apart. ``stats`` are of the dilated groups; their ink boxes are the padding less."""
    py, px = _GROUP[0] // 2, _GROUP[1] // 2
    x = stats[:, cv2.CC_STAT_LEFT] + px
    y = stats[:, cv2.CC_STAT_TOP] + py
    right = stats[:, cv2.CC_STAT_LEFT] + stats[:, cv2.CC_STAT_WIDTH] - px
    bottom = stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] - py
    tall = np.maximum(1, bottom - y)
    members = [seed]
    grown = True
    while grown:
        grown = False
        for j in range(1, len(stats)):
            if j in members:
                continue
            for m in members:
                lo, hi = sorted((int(tall[j]), int(tall[m])))
                overlap = min(bottom[j], bottom[m]) - max(y[j], y[m])
                gap = max(x[j], x[m]) - min(right[j], right[m])
                if lo >= _BESIDE_HEIGHT * hi and overlap >= 0.5 * lo and gap <= _BESIDE_GAP * hi:
                    members.append(j)
                    grown = True
                    break
    return members


def _reaching(stats: np.ndarray, window: Box) -> np.ndarray:
    """Which components (not the background, label 0) have ink boxes overlapping ``window``."""
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right, bottom = x + stats[:, cv2.CC_STAT_WIDTH], y + stats[:, cv2.CC_STAT_HEIGHT]
    hit = (x < window[2]) & (right > window[0]) & (y < window[3]) & (bottom > window[1])
    hit[0] = False
    return np.asarray(hit)


def _without_specks(ink: np.ndarray) -> np.ndarray:
    """Ink without components too small to be pen strokes (toner specks, line remnants):
    a speck beside the signature would stretch its box and misalign the comparison."""
    if ink.size == 0:
        return ink
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    area, h, w = (stats[1:, k] for k in (cv2.CC_STAT_AREA, cv2.CC_STAT_HEIGHT, cv2.CC_STAT_WIDTH))
    keep[1:] = (area >= _SPECK) & ~((h <= 3) & (w >= 40))  # thin ruled-line remnants
    return np.where(keep[labels], ink, 0).astype(np.uint8)


def _specimen_ink(rgb: np.ndarray) -> np.ndarray:
    """A signature specimen's strokes: whatever is well darker than paper, uint8 0/255."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return ((gray < 170).astype(np.uint8)) * 255


# The least a signature specimen's strokes must span (px at WORK_DPI, 200 dpi: 5 x 2 mm):
# a quarter of the comparison raster (``_W`` x ``_H``) each way. A smaller specimen is
# stretched more than four times onto the raster, where the chamfer distance (similarity 0 at
# ``_SCALE`` raster px) measures the blur of its few pixels, not the hand. A signature is
# some 25-60 mm by 8-15 mm; the simulator's specimens are ~110 px high at 200 dpi
# (``simulator.signature.specimen_png``, 160 px at 300 dpi).
MIN_SIGNATURE_SPECIMEN_PX = (_W // 4, _H // 4)
# The most its strokes may span, either way: twice the widest signature. A larger one is a
# scan saved with another resolution than it was made at (600 dpi saved as 72 reads 8 times
# too large), and would be shrunk onto the raster to another hand's size.
MAX_SIGNATURE_SPECIMEN_MM = 120.0


# A signature specimen whose ink runs all along its convex outline in the shape of a stamp (a
# ring band, or a rectangle) and shows a stamp's lettering is a seal filed as the officer's
# signature (``seal.stamp_shape``, measured there: seals trace 1.000 in 43 pieces and up,
# signatures at most 0.87 in 1-4 pieces). Refused only with all of it, well clear of any
# signature: one with a loop drawn round it is not refused.
SEAL_TRACED = 0.95
_BOXED = 0.9  # the convex outline fills at least this share of the ink's box: a rectangle


def _seal_like(mask: np.ndarray) -> str:
    """Why a signature specimen's ink looks like a seal impression, in words; "" when not."""
    shape = stamp_shape(mask)
    if shape.traced < SEAL_TRACED or shape.pieces < STAMP_PIECES:
        return ""
    if shape.ringed:
        what = "a round or oval stamp"
    elif _boxed(mask):
        what = "a rectangular stamp"
    else:
        return ""
    return (
        f"it looks like a seal impression, not a signature: {what}, its frame along "
        f"{shape.traced:.0%} of its outline around {shape.pieces} pieces of lettering; register "
        "the stamp with 'registry add-seal' and the officer's handwritten signature here"
    )


def _boxed(mask: np.ndarray) -> bool:
    box = bbox_of(mask)
    if box is None:
        return False
    area = (box[2] - box[0]) * (box[3] - box[1])
    hull = cv2.convexHull(cv2.findNonZero((mask > 0).astype(np.uint8)))
    return bool(cv2.contourArea(hull) >= _BOXED * area)


def specimen_fault(image: bytes) -> str | None:
    """Why the review cannot compare signatures with this specimen (no strokes, strokes
    too small or too large, or a seal's ink, not a signature's: ``_seal_like``), read as
    ``_specimen_mask`` reads it; None when it can."""
    read = specimen_ink(image, _specimen_ink, "the image has no ink (no stroke darker than paper)")
    if isinstance(read, str):
        return read
    _rgb, mask, box = read
    w, h = box[2] - box[0], box[3] - box[1]
    least_w, least_h = MIN_SIGNATURE_SPECIMEN_PX
    if w < least_w or h < least_h:
        mm = 25.4 / WORK_DPI
        return (
            f"its strokes span {w * mm:.1f} x {h * mm:.1f} mm, too small to compare: a "
            f"signature specimen must span at least {least_w * mm:g} x {least_h * mm:g} mm "
            "(at the image's dpi, 300 if it records none)"
        )
    w_mm, h_mm = w * 25.4 / WORK_DPI, h * 25.4 / WORK_DPI
    if max(w_mm, h_mm) > MAX_SIGNATURE_SPECIMEN_MM:
        return (
            f"its strokes span {w_mm:.0f} x {h_mm:.0f} mm at the {dpi_read(image):g} dpi it is "
            f"read at, larger than any signature (at most {MAX_SIGNATURE_SPECIMEN_MM:g} mm): "
            "save the scan with the resolution it was made at"
        )
    return _seal_like(mask) or None


@functools.lru_cache(maxsize=256)
def _specimen_mask(image: bytes) -> np.ndarray | None:
    try:
        rgb, _ = decode_specimen(image)
    except SpecimenError as err:  # one bad specimen must not stop every other comparison
        logger.warning("signature specimen is not used: %s", err)
        return None
    return _raster(_specimen_ink(rgb))


def _raster(mask: np.ndarray) -> np.ndarray | None:
    """The ink's bounding box scaled onto the comparison raster, binary uint8 0/1."""
    box = bbox_of(mask)
    if box is None:
        return None
    crop = mask[box[1] : box[3], box[0] : box[2]]
    small = cv2.resize(crop, (_W, _H), interpolation=cv2.INTER_AREA)
    return (small > 60).astype(np.uint8)


def _poses() -> list[np.ndarray]:
    """Linear maps tried when aligning a signature with a specimen: a hand varies its
    width, height and slant a little from one signature to the next."""
    out = []
    for sx in (0.92, 1.0, 1.08):
        for sy in (0.92, 1.0, 1.08):
            for shear in (-0.12, 0.0, 0.12):
                out.append(np.array([[sx, shear * sy], [0.0, sy]], dtype=np.float32))
    return out


_POSES = _poses()
_SHIFTS = [(dx, dy) for dx in range(-6, 7, 3) for dy in range(-4, 5, 2)]
_SHIFT_X = np.array([[dx] for dx, _ in _SHIFTS], dtype=np.float32)  # one row per shift
_SHIFT_Y = np.array([[dy] for _, dy in _SHIFTS], dtype=np.float32)


def _spread(mask: np.ndarray) -> np.ndarray:
    """Distance (raster pixels) from every pixel to the nearest ink pixel of ``mask``."""
    return cv2.distanceTransform((1 - mask).astype(np.uint8), cv2.DIST_L2, 3)


def _place(points: np.ndarray, pose: np.ndarray, dx: int, dy: int) -> tuple[np.ndarray, ...]:
    q = points @ pose.T
    x = np.clip(np.round(q[:, 0] + _W / 2 + dx).astype(np.intp), 0, _W - 1)
    y = np.clip(np.round(q[:, 1] + _H / 2 + dy).astype(np.intp), 0, _H - 1)
    return x, y


def chamfer(candidate: np.ndarray, specimen: np.ndarray) -> float:
    """Symmetric chamfer distance (raster pixels) at the best pose of the candidate: the first
    pose and shift (in ``_POSES`` x ``_SHIFTS`` order) with the least mean distance of the
    candidate's points from the specimen's ink, and the specimen's from the candidate placed
    there. Each pose's shifts are measured at once (the same arithmetic, point by point, as
    placing the points once per shift: ``_place``)."""
    ys, xs = np.nonzero(candidate)
    sy, sx = np.nonzero(specimen)
    if len(xs) == 0 or len(sx) == 0:
        return float(_H)
    points = np.stack([xs - _W / 2, ys - _H / 2], axis=1).astype(np.float32)
    far = _spread(specimen)
    best, pose, shift = float("inf"), _POSES[0], (0, 0)
    for p in _POSES:
        q = points @ p.T
        x = np.clip(np.round((q[:, 0] + _W / 2)[None, :] + _SHIFT_X), 0, _W - 1).astype(np.intp)
        y = np.clip(np.round((q[:, 1] + _H / 2)[None, :] + _SHIFT_Y), 0, _H - 1).astype(np.intp)
        d = far[y, x].mean(axis=1)
        k = int(np.argmin(d))
        if float(d[k]) < best:
            best, pose, shift = float(d[k]), p, _SHIFTS[k]
    placed = np.zeros_like(specimen)
    x1, y1 = _place(points, pose, *shift)
    placed[y1, x1] = 1
    back = float(_spread(placed)[sy, sx].mean())
    return (best + back) / 2


def similarity(crop: np.ndarray, specimen: np.ndarray) -> float:
    """1 - chamfer / _SCALE, in [0, 1]: the same hand scores high, another hand low."""
    cand = _raster(crop)
    if cand is None:
        return 0.0
    return max(0.0, 1.0 - chamfer(cand, specimen) / _SCALE)


def check_signature(
    rgb: np.ndarray,
    lines: Sequence[OcrLine],
    officer: OfficerSpecimen | None,
    anchor: Box | None,
    thresholds: SignatureThresholds | None = None,
    exclude: Sequence[Box] = (),
    page: int = 0,
) -> SignatureResult:
    th = thresholds or SignatureThresholds()
    found = candidates(rgb, lines, anchor, exclude)
    if not found:
        return SignatureResult(found=False, officer_id=officer.id if officer else None, page=page)
    if officer is None:
        return SignatureResult(found=True, box=found[0][0], page=page)
    masks = [m for m in (_specimen_mask(s) for s in officer.signatures) if m is not None]
    score, box = 0.0, found[0][0]
    for where, crop in found:  # the likeliest first; stop at the first that matches
        scored = max((similarity(crop, m) for m in masks), default=0.0)
        if scored > score:
            score, box = scored, where
        if score >= th.accept:
            break
    match = score >= th.accept
    return SignatureResult(
        found=True,
        officer_id=officer.id,
        score=score,
        match=match,
        box=box,
        page=page,
        uncertain=not match and score >= th.reject,
    )
