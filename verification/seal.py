"""Seal impressions: find them by colour and shape, compare them with registered specimens.

Detection: coloured (red, blue, violet) ink, closed into blobs; blobs large enough to be part
of a stamp are candidates (an impression with gaps falls apart into several).

Comparison with a specimen, both at WORK_DPI so the physical size is compared directly (no
scale is fitted: a smaller imitation does not fit). Pose: ``_seal_pose`` (centre from the
specimen's rotation average, rotation by polar FFT correlation, template-matching refinement);
where that finds no match, the exhaustive search as well (the specimen rotated over the full circle
and slid over the ink, coarse at 1/6 resolution, then refined). At the best pose the
impression is judged cell by cell (an 8 x 8 grid over the specimen) by *ink precision*: the
share of the impression's ink that lies on the specimen's (slightly dilated) ink. A genuine
impression with gaps or faint ink still lies on the specimen everywhere; an imitation with
another emblem or other geometry puts ink where the specimen has none in the cells where it
differs. Ink off the specimen's footprint is not counted (a signature crossing the stamp),
except solid ink inside its outline (stars or an emblem the specimen lacks); scan specks off the
specimen are not counted either. The score is the worst cell's precision; ``coverage`` (the
share of the specimen's ink found) says whether enough of the impression is legible, and on
round and oval stamps ``detail`` (the share of its ink off the rings found) whether more than
the rings is: another agency's seal shares them. A whole-mask similarity did not separate
forgeries from genuine impressions. A pale impression whose text and emblem are fainter than
``colour_ink_mask``'s cut shows too little detail, or settles at a wrong pose, on its rings
alone: where no match is found, the faint ink (``faint_ink``: part of the way from the paper's
colour to the stamp ink's, in chroma and darkness) is added and the search run again (not
after a clear no match, below ``reject``); a match found so must show ``faint_detail`` of the
detail.

Pixels at the cell scale cannot see two adjacent letters swapped, so an impression that passes
the cell test has its printed text judged letter by letter (``_seal_text``: the ring band
unwrapped, or each inner line of a rectangle; ``_seal_glyphs``: every pair of neighbouring
glyphs against the printed and the swapped hypothesis made from the specimen's own pixels, and
where each legible glyph sits), the lines of a rectangle are also read by the OCR recogniser,
the ring text too (``_ring_text``). A legible contradiction (letters swapped, a letter added
that moves the rest of the line, the stars of a rectangle missing) makes it no match, uncertain
(an officer looks). An ink gap is no evidence either way, so the text must also be *confirmed*
(``_seal_confirm``): where letters that neither the pixels nor the recogniser confirmed could
hide a swap of two neighbouring letters, the seal is uncertain too, never a match.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TypeVar

import cv2
import numpy as np

from verification._ring_text import band_of
from verification._seal_confirm import SpecimenView, TextCheck, check_text
from verification._seal_pose import Pose, SpecimenModel, find_pose
from verification._seal_pose import model as pose_model
from verification.errors import SpecimenError
from verification.imaging import (
    bbox_of,
    channel_max,
    channel_min,
    colour_ink_mask,
    convex_outline,
    decode_specimen,
    dpi_read,
    outline_traced,
    specimen_ink,
)
from verification.intake import WORK_DPI
from verification.ports import Box, SealSpecimen
from verification.results import SealResult
from verification.stamping import stamping_print

logger = logging.getLogger(__name__)

T = TypeVar("T")

_MM = WORK_DPI / 25.4
_MIN_MM, _MAX_MM = 4.0, 90.0
_MIN_INK = 400  # pixels of ink for a candidate blob
_CLOSE_MM = 2.5  # ink closed by this joins the strokes of one impression
_MERGE_MM = 7.0  # and by this, the fragments of a gappy one
_EDGE_MM = 3.0  # a blob along the page edge thinner than this is edge tint
# and one this many times longer than thick: a skewed scan's dark border, a wedge (held-out
# 541 c00088: 30 x 464 and 532 x 26 px took two of the three candidates compared, and a
# genuine FR-DGAL seal was never compared). A stamp cut this thin by the edge shows too little
# of itself to compare.
_SLIVER = 6
_COARSE_STEP = 5  # degrees
_COARSE_SCALE = 1 / 6
_SWEEP_STEP = 3.0  # degrees: a round or oval specimen turned over the circle (``_pose``)
_GRID = 8
_CELL_MIN_INK = 25
_SOLID_MM = 0.9  # ink this thick is a solid mark (stars, emblem), not a stroke: seeds 51-53
_SPECK_PX = 12  # an ink piece this small, off the specimen, is scan speckle (seed 55)
# A match at a fast pose that fits worse than this is searched again exhaustively (both
# half-turns): a faint oval with another emblem matched at a pose 180 degrees off (fit 0.49;
# exhaustively 0.58, with the emblem's difference in view). Calibrated on seeds 51-55: no
# genuine impression's pose fitted below 0.587 (228).
_FAST_FIT = 0.55
_TURN_MARGIN = 0.05  # detail fit (``_detail_fit``) a half-turned rectangle pose must gain
_FRAME = 0.6  # a specimen ink piece this wide and tall (of the stamp's) is its frame
_CELL_SHIFT = 1  # pixels each cell may re-align by (local shear, pose error); letters: _seal_text
_CELL_SLACK = 10  # pixels of a cell's ink off the specimen that do not count (``_precisions``)
_FAINT_SHARE = 0.3  # ``faint_ink``: of the way from paper to stamp ink, in chroma and darkness
_PAPER_MIN = 150  # brightest channel of paper at least this
_MIN_CHROMA = 10.0  # stamp ink this close to the paper's colour has no faint ink to tell apart
_BLACK = 60  # brightest channel below this: black overprint, not stamp ink
# A dark pixel (brightest channel under _PRINT_DARK) whose channels lie this close together is
# black print with the scan's colour cast (JPEG turns a black stem beside blue ink brown: held-out
# seed 565 c00117, "Francisca" under a CL-SERNAPESCA rectangle's corner, spread 3-8 on 41-73),
# not stamp ink, however saturated its hue reads that dark (``_without_print``).
_PRINT_SPREAD = 12
_PRINT_DARK = 100


@dataclass(frozen=True)
class SealThresholds:
    # Calibrated on corpus seed 11 (48 genuine, 36 imitations, 36 other agencies' seals):
    accept: float = 0.93  # worst-cell ink precision >= accept (and enough coverage): match
    reject: float = 0.60  # below: no match; between: uncertain (review)
    min_coverage: float = 0.30  # share of the specimen's ink that must be seen to accept
    # Share of a round or oval specimen's detail (its ink off the rings) that must be seen to
    # accept. Seeds 80-84: genuine round/oval impressions 0.34 and up (72), another agency's
    # round seal with the same rings 0.19 (matched at 0.988 without this).
    min_detail: float = 0.25
    # The same share when the detail was seen only on the faint ink (``faint_ink``): seeds
    # 150-158, genuine impressions matched so 0.46-0.75 (5); an imitation whose swapped letters
    # lie in an ink gap, its rings and the rest of its text faint, 0.30. Held-out seeds 231
    # c00038 and 235 c00022, genuine US-APHIS rings, 0.342 and 0.337 (0.40 until then; 2,880
    # impressions of seeds 110-115, 150-155, 224-235 and 900-905: no other verdict changed).
    faint_detail: float = 0.33
    # A rectangle matched with its specimen is another agency's stamp where another agency's
    # registered rectangle also matches it, fits it better as a whole (``Comparison.fit``) and
    # fits its detail (``_detail_fit``) better by more than this. Rectangles of one frame
    # geometry pass each other's cells (ink off a specimen's footprint is not counted, and
    # letters lie within a cell's tolerance of other letters). Seeds 401/405/443: other
    # agencies' rectangles matched at 0.94-1.0 fitted their own specimens' detail 0.08-0.12
    # better; of 71 genuine rectangles, another agency's specimen that matched never fitted
    # better as a whole (at most 0.013 worse), its detail at most 0.006 better.
    other_detail_margin: float = 0.04


@dataclass(frozen=True)
class Candidate:
    box: Box  # the blob
    centre: tuple[float, float]


@dataclass(frozen=True)
class Comparison:
    score: float
    coverage: float
    fit: float  # template-matching correlation at the best pose
    angle: float
    box: Box  # where the specimen sits on the page
    cells: tuple[float, ...] = ()
    origin: tuple[int, int] = (0, 0)  # top-left of the specimen canvas on the page
    detail: float = 1.0  # share of the specimen's detail seen (``_detail_coverage``)


@dataclass(frozen=True)
class _Prepared:
    id: str
    agency_id: str
    mask: np.ndarray  # uint8 0/255 on a square canvas (the specimen's diagonal)
    coarse: tuple[tuple[float, np.ndarray], ...]  # (angle, blurred template at _COARSE_SCALE)
    rgb: np.ndarray  # the specimen itself on the same canvas (white around it)
    key: str  # id and content digest, for caches
    model: SpecimenModel  # for the fast pose search
    ringed: bool = True  # round or oval (``_ring_text.band_of``), not a rectangle


def find_candidates(rgb: np.ndarray, ink: np.ndarray | None = None) -> list[Candidate]:
    """Blobs of coloured ink, biggest first: the ink closed at two scales, so that a gappy
    impression that falls apart into fragments is also offered whole. Thin slivers along the
    page edge (scanner lid, paper edge tint) are not stamps."""
    ink = colour_ink_mask(rgb) if ink is None else ink
    found: dict[tuple[int, int, int, int], tuple[int, Candidate]] = {}
    for mm in (_CLOSE_MM, _MERGE_MM):
        k = max(3, int(mm * _MM))
        blobs = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
        for count, cand in _blobs(ink, blobs):
            found.setdefault(tuple(int(v) for v in cand.box), (count, cand))  # type: ignore[arg-type]
    ranked = sorted(found.values(), key=lambda c: -c[0])
    return [c for _, c in ranked]


def _blobs(ink: np.ndarray, blobs: np.ndarray) -> list[tuple[int, Candidate]]:
    _n, _labels, stats, centroids = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    h_img, w_img = ink.shape
    xs, ys, ws, hs = (stats[:, k] for k in range(4))
    longer = np.maximum(ws, hs)
    at_edge = (xs == 0) | (ys == 0) | (xs + ws >= w_img) | (ys + hs >= h_img)
    sized = (_MIN_MM * _MM <= longer) & (longer <= _MAX_MM * _MM)
    thin = np.minimum(ws, hs)
    sized &= ~(at_edge & ((thin < _EDGE_MM * _MM) | (longer >= _SLIVER * thin)))  # edge tint
    sized[0] = False  # the background
    out = []
    for i in np.flatnonzero(sized):  # a page's specks are thousands of components
        x, y, w, h, _area = stats[i]
        count = int(np.count_nonzero(ink[y : y + h, x : x + w]))
        if count < _MIN_INK:
            continue
        box = (float(x), float(y), float(x + w), float(y + h))
        out.append((count, Candidate(box, (float(centroids[i][0]), float(centroids[i][1])))))
    return out


def _specimen_ink(rgb: np.ndarray) -> np.ndarray:
    """A specimen's ink: its coloured ink, or (a black stamp) whatever is darker than paper."""
    mask = colour_ink_mask(rgb)
    if np.count_nonzero(mask) < 50:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        mask = ((gray < 200).astype(np.uint8)) * 255
    return mask


# The least a seal specimen's ink must span, both ways, for the review to compare it: the
# review takes no blob on a page under ``_MIN_MM`` (4 mm, ``_blobs``) for a stamp, so an
# impression of a smaller die is never found and its specimen never matches anything (and at
# ``_COARSE_SCALE`` such a specimen is a few pixels). Real official stamps are 20-50 mm; the
# simulator's smallest registered die is 46 x 20 mm (``simulator.world._seal``).
MIN_SEAL_SPECIMEN_MM = _MIN_MM
# ... nor one over ``_MAX_MM`` (90 mm): a specimen larger than that, at the resolution its
# image records, never matches anything either. It is nearly always a scan saved with another
# resolution than it was made at (600 dpi saved as 72 reads 8 times too large).
MAX_SEAL_SPECIMEN_MM = _MAX_MM


# What a stamp looks like, to tell a seal specimen from a signature filed in its place (an
# upload mistake after which every review of the agency's papers fails) and the other way
# round (``signature.specimen_fault``): the ring band the review unwraps
# (``_ring_text.band_of``, on ``prepare_specimen``'s canvas: round and oval stamps); a frame
# all along the ink's convex outline (``imaging.outline_traced``: a ring, a rectangle's
# border), where a signature's strokes touch their outline only where they reach out; and
# lettering, dozens of separate marks (the ring text and inner lines the review reads letter by
# letter), where a hand's strokes run together into a few. Measured on the simulator's
# specimens (``cusdep simulate corpus`` seeds 714-716: 48 seals, 156 signatures;
# ``simulator.world.build_world`` seeds 714-721: 128 seals, each also in black and as one gappy
# stamping on a page, 624 officers' signatures, each also as one signed document's variant and
# in black) and TradeTrust's scanned signature: every seal specimen traces its outline
# all along (1.000), black ones too, and shows 41-73 pieces (gappy stampings 0.55-1.0 and 28 and
# up); signatures trace at most 0.87 and show 1-4 pieces (TradeTrust's 0.25, 1 piece).
_TRACED_MM = 0.5  # outline within this of ink is traced
_PIECE_MM2 = 0.15  # an ink piece smaller than this is a speck, not a letter or a stroke
STAMP_TRACED = 0.9  # a seal specimen traced less than this (and no ring band) has no frame
STAMP_PIECES = 15  # ... and one in fewer pieces than this has no lettering
# The brightest channel of the darkest tenth of the ink below this is a pen's ink or black, not
# a stamp ink's colour: the simulator's red, blue and violet stamp inks 158 and up (their
# gappy stampings 172 and up), its signatures' blue-black 117, black 32-44. A seal specimen is
# only refused as a signature with ink this dark as well (no stamp in colour ever is), or with
# the few pieces of a hand (``HAND_PIECES``).
PEN_DARK = 140
# ... whatever the ink's colour, one in this many pieces or fewer is a hand's strokes run
# together, not a stamp's lettering: a signature in a light ballpoint blue (brightest channel
# 200 and up, as bright as a stamp ink) was taken for a seal. Signatures show 1-4 pieces; the
# simulator's seal specimens 41 and up, their gappy stampings 28 and up (seeds 714-721 and
# 900-903, clean, black and gappy: none refused).
HAND_PIECES = 6


@dataclass(frozen=True)
class StampShape:
    """What of a stamp a specimen's ink shows (``stamp_shape``)."""

    ringed: bool  # a round or oval stamp's ring band (``_ring_text.band_of``)
    traced: float  # share of its convex outline that its ink runs along (a frame)
    pieces: int  # separate ink marks, specks left out (a stamp's letters)


def stamp_shape(mask: np.ndarray) -> StampShape:
    """The shape of a specimen's ink (uint8 0/255, any reading of it) as a stamp's."""
    box = bbox_of(mask)
    if box is None:
        return StampShape(False, 0.0, 0)
    canvas = _on_canvas(mask[box[1] : box[3], box[0] : box[2]])
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(
        (mask > 0).astype(np.uint8), connectivity=8
    )
    pieces = int(np.count_nonzero(stats[1:, cv2.CC_STAT_AREA] >= _PIECE_MM2 * _MM * _MM))
    return StampShape(band_of(canvas) is not None, outline_traced(mask, _TRACED_MM * _MM), pieces)


def _on_canvas(crop: np.ndarray) -> np.ndarray:
    """``crop`` centred on a square canvas as wide as its diagonal (turns freely on it)."""
    h, w = crop.shape[:2]
    side = int(np.ceil(np.hypot(h, w))) + 4
    canvas = np.zeros((side, side, *crop.shape[2:]), crop.dtype)
    y0, x0 = (side - h) // 2, (side - w) // 2
    canvas[y0 : y0 + h, x0 : x0 + w] = crop
    return canvas


def _signature_like(rgb: np.ndarray, mask: np.ndarray) -> str:
    """Why a seal specimen's ink looks like a signature, not a stamp, in words; "" when it
    does not. Conservatively (a refusal keeps an agency from registering its seal): only with
    no ring band, no frame, no lettering, and ink as dark as a pen's, or, in any colour, no more
    pieces than a hand's strokes (``HAND_PIECES``)."""
    shape = stamp_shape(mask)
    if shape.ringed or shape.traced >= STAMP_TRACED or shape.pieces >= STAMP_PIECES:
        return ""
    darkest = float(np.percentile(channel_max(rgb)[mask > 0], 10))
    if darkest >= PEN_DARK and shape.pieces > HAND_PIECES:
        return ""  # a stamp ink's colour, and more pieces than a hand's
    strokes = "dark pen strokes" if darkest < PEN_DARK else "pen strokes"
    return (
        f"it looks like a signature, not a stamp impression: {strokes} in "
        f"{shape.pieces} piece(s), with no ring, frame or lettering (only {shape.traced:.0%} of "
        "its outline is inked); register the agency's stamp here and the signature with its "
        "officer"
    )


def specimen_fault(image: bytes) -> str | None:
    """Why the review cannot compare impressions with this seal specimen (no ink, ink too
    small or too large to be a stamp, measured at WORK_DPI from the image's recorded
    resolution, as the review reads it, or ink that is a signature's, not a stamp's:
    ``stamp_shape``); None when it can. The same reading of its ink as
    ``prepare_specimen``'s."""
    read = specimen_ink(
        image, _specimen_ink, "the image has no ink (a blank or paper-white image is no seal)"
    )
    if isinstance(read, str):
        return read
    rgb, mask, box = read
    w_mm, h_mm = (box[2] - box[0]) / _MM, (box[3] - box[1]) / _MM
    if min(w_mm, h_mm) < MIN_SEAL_SPECIMEN_MM:
        return (
            f"its ink spans {w_mm:.1f} x {h_mm:.1f} mm, too small to compare: a seal specimen "
            f"must span at least {MIN_SEAL_SPECIMEN_MM:g} mm both ways (at the image's dpi, "
            "300 if it records none)"
        )
    if max(w_mm, h_mm) > MAX_SEAL_SPECIMEN_MM:
        return (
            f"its ink spans {w_mm:.0f} x {h_mm:.0f} mm at the {dpi_read(image):g} dpi it is "
            f"read at, larger than any stamp (at most {MAX_SEAL_SPECIMEN_MM:g} mm): save the "
            "scan with the resolution it was made at"
        )
    return _signature_like(rgb, mask) or None


@functools.lru_cache(maxsize=256)
def prepare_specimen(spec: SealSpecimen) -> _Prepared | None:
    try:
        rgb, _dpi = decode_specimen(spec.image)
    except SpecimenError as err:  # one bad specimen must not stop every other comparison
        logger.warning("seal specimen %s is not used: %s", spec.id, err)
        return None
    mask = _specimen_ink(rgb)
    box = bbox_of(mask)
    if box is None:
        logger.warning("seal specimen %s has no ink", spec.id)
        return None
    canvas = _on_canvas(mask[box[1] : box[3], box[0] : box[2]])
    # white around the specimen
    rgb_canvas = 255 - _on_canvas(255 - rgb[box[1] : box[3], box[0] : box[2]])
    small = cv2.resize(
        canvas, None, fx=_COARSE_SCALE, fy=_COARSE_SCALE, interpolation=cv2.INTER_AREA
    )
    coarse = tuple(
        (float(a), cv2.GaussianBlur(_rotate(small, a), (0, 0), 1.0).astype(np.float32))
        for a in range(0, 360, _COARSE_STEP)
    )
    key = f"{spec.id}:{hashlib.sha256(spec.image).hexdigest()}"
    ringed = band_of(canvas) is not None
    return _Prepared(
        spec.id, spec.agency_id, canvas, coarse, rgb_canvas, key, pose_model(canvas), ringed
    )


def _rotate(img: np.ndarray, angle: float) -> np.ndarray:
    side = img.shape[0]
    m = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (side, side), flags=cv2.INTER_LINEAR)


def _region(ink: np.ndarray, cand: Candidate, side: int) -> tuple[np.ndarray, int, int]:
    """The ink around a candidate blob, big enough for the specimen to slide over it."""
    h, w = ink.shape
    half = side
    x0, y0 = max(0, int(cand.box[0]) - half), max(0, int(cand.box[1]) - half)
    x1, y1 = min(w, int(cand.box[2]) + half), min(h, int(cand.box[3]) + half)
    region = ink[y0:y1, x0:x1]
    pad_y = max(0, side + 2 - region.shape[0])
    pad_x = max(0, side + 2 - region.shape[1])
    if pad_x or pad_y:
        region = cv2.copyMakeBorder(region, 0, pad_y, 0, pad_x, cv2.BORDER_CONSTANT, value=0)
    return region, x0, y0


def _match(
    region: np.ndarray,
    spec: np.ndarray,
    angles: Iterable[float],
    scale: float,
    near: tuple[int, int] | None = None,
    margin: int = 0,
) -> tuple[float, float, tuple[int, int]]:
    """Best (fit, angle, top-left in full-resolution region pixels) over ``angles``."""
    if scale != 1.0:
        region = cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        spec = cv2.resize(spec, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    sigma = max(0.8, 1.5 * scale)
    ox = oy = 0
    if near is not None:
        side = spec.shape[0]
        nx, ny = int(near[0] * scale), int(near[1] * scale)
        ox, oy = max(0, nx - margin), max(0, ny - margin)
        region = region[oy : oy + side + 2 * margin, ox : ox + side + 2 * margin]
    r32 = cv2.GaussianBlur(region, (0, 0), sigma).astype(np.float32)
    best = (-1.0, 0.0, (0, 0))
    for angle in angles:
        t = cv2.GaussianBlur(_rotate(spec, angle), (0, 0), sigma).astype(np.float32)
        if t.shape[0] > r32.shape[0] or t.shape[1] > r32.shape[1]:
            continue
        _, v, _, loc = cv2.minMaxLoc(cv2.matchTemplate(r32, t, cv2.TM_CCORR_NORMED))
        if v > best[0]:
            best = (v, float(angle), (round((ox + loc[0]) / scale), round((oy + loc[1]) / scale)))
    return best


def _pose(region: np.ndarray, spec: _Prepared) -> tuple[float, float, tuple[int, int]]:
    """(fit, angle, top-left) of the specimen on the region: coarse to fine. A round or oval
    specimen is also turned over the whole circle at the first refinement's resolution, at
    the coarse search's place (``_SWEEP_STEP``): at 1/6 of the resolution its text and emblem
    blur into the rings, and every rotation fits about alike (seed 356 c00003, a gappy genuine
    NZ-MPI ring: 0.772-0.779 over all angles, the best at 90 degrees refined to 92.5 at 0.744,
    where its true 28 fits 0.774). The two searches run side by side on the recogniser threads
    (idle in the seal stage; OpenCV releases the GIL): the same two results, in order."""
    from verification.ocr import side_by_side

    _fit, angle, loc = _coarse(region, spec)
    mask = spec.mask

    def refined(angles: np.ndarray) -> tuple[float, float, tuple[int, int]]:
        _f, a, near = _match(region, mask, angles, 1 / 3, loc, 6)
        return _match(region, mask, np.arange(a - 1.5, a + 1.6, 0.5), 1.0, near, 5)

    starts = [np.arange(angle - 6, angle + 6.1, 2.0)]
    if spec.ringed:
        starts.append(np.arange(0.0, 360.0, _SWEEP_STEP))
    found = side_by_side(refined, starts)
    return max(found, key=lambda f: f[0])


def _settle(
    region: np.ndarray, spec: _Prepared, pose: Pose, exhaustive: bool
) -> tuple[float, float, tuple[int, int]]:
    """The fast pose; with ``exhaustive``, the exhaustive search's where that fits better (the
    fast search can settle a few degrees off on a gappy impression)."""
    if not exhaustive:
        return pose.fit, pose.angle, (pose.x0, pose.y0)
    slow = _pose(region, spec)
    return slow if slow[0] > pose.fit else (pose.fit, pose.angle, (pose.x0, pose.y0))


def _coarse(region: np.ndarray, spec: _Prepared) -> tuple[float, float, tuple[int, int]]:
    small = cv2.resize(
        region, None, fx=_COARSE_SCALE, fy=_COARSE_SCALE, interpolation=cv2.INTER_AREA
    )
    r32 = cv2.GaussianBlur(small, (0, 0), 1.0).astype(np.float32)
    best = (-1.0, 0.0, (0, 0))
    for angle, t in spec.coarse:
        if t.shape[0] > r32.shape[0] or t.shape[1] > r32.shape[1]:
            continue
        _, v, _, loc = cv2.minMaxLoc(cv2.matchTemplate(r32, t, cv2.TM_CCORR_NORMED))
        if v > best[0]:
            best = (v, angle, (round(loc[0] / _COARSE_SCALE), round(loc[1] / _COARSE_SCALE)))
    return best


def _cells(cand: np.ndarray, spec: np.ndarray) -> tuple[list[float], float]:
    """(cell precisions, coverage) of aligned binary masks.

    Each cell may shift the specimen by up to ``_CELL_SHIFT`` pixels on its own (local shear,
    pose error on gappy impressions). Letters are judged by ``_seal_text``; measured on seed 21,
    2 pixels let a ring with a letter added (THE -> THEE) pass the cells, 1 did not."""
    near = cv2.dilate(spec, np.ones((5, 5), np.uint8))
    footprint = cv2.dilate(spec, np.ones((15, 15), np.uint8)) > 0
    ink = (((cand > 0) & footprint) | _foreign_solids(cand, spec)).astype(np.uint8)
    ink = _without_specks(ink, near > 0)
    edges = np.linspace(0, spec.shape[0], _GRID + 1).astype(int)
    total = _cell_sums(ink, edges)
    on = np.zeros_like(total)
    r = _CELL_SHIFT
    padded = cv2.copyMakeBorder(near, r, r, r, r, cv2.BORDER_CONSTANT, value=0)
    side = spec.shape[0]
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            shifted = padded[r + dy : r + dy + side, r + dx : r + dx + side]
            on = np.maximum(on, _cell_sums(ink & (shifted > 0), edges))
    keep = total >= _CELL_MIN_INK
    precisions = _precisions(on[keep], total[keep])
    spec_ink = spec > 0
    seen = cv2.dilate((cand > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    coverage = float(np.count_nonzero(spec_ink & seen)) / max(1, int(np.count_nonzero(spec_ink)))
    return precisions, coverage


def _precisions(on: np.ndarray, total: np.ndarray) -> list[float]:
    """Per cell, the share of its ink on the specimen's, the first ``_CELL_SLACK`` pixels off
    it forgiven: a few pixels of a rotated frame's corner a pose error leaves off the
    specimen put a cell holding little ink below ``accept`` (seed 110 c00020, a genuine
    rectangle: 46 of 55 pixels on, 0.84), where another design puts hundreds off it. Seeds
    110-114: a slack of up to 15 let no imitation or other agency's seal pass the cells, 20 one
    (an oval with another emblem, 0.69 -> 0.94)."""
    off = np.maximum(0, total - on - _CELL_SLACK)
    return [float(v) for v in 1.0 - off / total]


def _without_specks(ink: np.ndarray, near: np.ndarray) -> np.ndarray:
    """``ink`` (0/1) without the scan's specks: pieces of at most ``_SPECK_PX`` pixels that
    touch no specimen ink. A grey speck by coloured ink takes its colour in the JPEG; on a faint
    impression a cell holds few ink pixels, and two such specks put a genuine cell below
    ``accept`` (seed 55: 25 of 27). A stroke of another design is bigger, or joins the ink."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return ink
    touching = np.bincount(labels[near], minlength=n) > 0
    speck = (stats[:, cv2.CC_STAT_AREA] <= _SPECK_PX) & ~touching
    speck[0] = False
    return np.where(speck[labels], 0, ink).astype(np.uint8)


def _foreign_solids(cand: np.ndarray, spec: np.ndarray) -> np.ndarray:
    """Solid ink (what survives an opening wider than any stroke: stars, a filled emblem) inside
    the specimen's outline but off its footprint. Ink off the footprint is otherwise not counted
    (a blue signature crossing the stamp is not the stamp's), which let a rectangle with stars
    added, where its specimen has none, pass the cells (seeds 51-53); pen strokes and scan
    speckle are thinner than ``_SOLID_MM`` and do not survive the opening."""
    k = max(3, round(_SOLID_MM * _MM)) | 1
    solid = cv2.morphologyEx(
        (cand > 0).astype(np.uint8),
        cv2.MORPH_OPEN,
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)),
    )
    outline = convex_outline(spec)
    if outline is None or not solid.any():
        return np.zeros(spec.shape, bool)
    return (solid > 0) & outline


def _cell_sums(mask: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Pixel counts of ``mask`` (0/1) per grid cell (``edges`` on both axes)."""
    ii = cv2.integral(mask)
    corners = ii[np.ix_(edges, edges)].astype(np.int64)
    return corners[1:, 1:] - corners[:-1, 1:] - corners[1:, :-1] + corners[:-1, :-1]


def compare(
    ink: np.ndarray,
    cand: Candidate,
    spec: _Prepared,
    exhaustive: bool = False,
    memo: dict[tuple[int, str], Pose] | None = None,
    key: tuple[int, str] = (0, ""),
) -> Comparison:
    """Pose and cell precision of ``spec`` on the ink around ``cand``; ``memo`` keeps the
    fast poses by ``key`` (a second, exhaustive pass does not repeat them)."""
    side = spec.mask.shape[0]
    region, ox, oy = _region(ink, cand, side)
    memo = {} if memo is None else memo
    if key not in memo:
        hint = ((cand.box[0] + cand.box[2]) / 2 - ox, (cand.box[1] + cand.box[3]) / 2 - oy)
        memo[key] = find_pose(region, spec.model, hint)
    settled = _settle(region, spec, memo[key], exhaustive)
    poses = [settled, _flipped(region, spec, settled)] if exhaustive else [settled]
    found = [_at(region, spec, pose, (ox, oy), cand) for pose in poses]
    return max(found, key=lambda c: c.score)


def _flipped(
    region: np.ndarray, spec: _Prepared, pose: tuple[float, float, tuple[int, int]]
) -> tuple[float, float, tuple[int, int]]:
    """The pose turned by 180 degrees, refined: a rectangle is nearly symmetric, and on a
    gappy impression the wrong half-turn can fit the blurred masks better."""
    a = (pose[1] + 180.0) % 360.0
    _f, a, loc = _match(region, spec.mask, np.arange(a - 4, a + 4.1, 1.0), 1 / 3, pose[2], 10)
    return _match(region, spec.mask, np.arange(a - 1, a + 1.1, 0.5), 1.0, loc, 5)


def _at(
    region: np.ndarray,
    spec: _Prepared,
    pose: tuple[float, float, tuple[int, int]],
    offset: tuple[int, int],
    cand: Candidate,
) -> Comparison:
    """The cell comparison of the specimen at ``pose`` (in region pixels; ``offset``: the
    region's top-left on the page)."""
    fit, angle, (lx, ly) = pose
    side = spec.mask.shape[0]
    placed = region[ly : ly + side, lx : lx + side]
    if placed.shape != spec.mask.shape:
        return Comparison(0.0, 0.0, fit, angle, cand.box, ())
    rotated = (_rotate(spec.mask, angle) > 127).astype(np.uint8) * 255
    precisions, coverage = _cells(placed, rotated)
    x0, y0 = offset[0] + lx, offset[1] + ly
    box = (float(x0), float(y0), float(x0 + side), float(y0 + side))
    score = min(precisions, default=0.0)
    detail = _detail_coverage(placed, rotated) if spec.ringed else 1.0
    return Comparison(
        score, coverage, fit, angle, _tight(rotated, box), tuple(precisions), (x0, y0), detail
    )


def _detail_coverage(cand: np.ndarray, spec: np.ndarray) -> float:
    """The share of the specimen's *detail* that the impression's ink shows: its ink without
    the frame (the pieces spanning the stamp both ways: rings, borders). Other agencies' seals
    of the same geometry share the frame and differ in the detail; a faint impression of one
    whose letters and emblem did not reach the ink mask lay on the specimen's rings in every
    cell (seed 80 c00008, a US-APHIS impression on FR-DGAL's specimen: coverage 0.37, detail
    0.19). Round and oval stamps only: genuine gappy rectangles showed as little (0.20)."""
    spec_ink = spec > 0
    on_frame = _on_frame(spec_ink)
    if on_frame is None:
        return 1.0
    detail = spec_ink & ~on_frame
    total = int(np.count_nonzero(detail))
    if total == 0:
        return 1.0
    seen = cv2.dilate((cand > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return float(np.count_nonzero(detail & seen)) / total


def _on_frame(ink: np.ndarray) -> np.ndarray | None:
    """The frame of a specimen's ink (bool): the pieces spanning ``_FRAME`` of the stamp both
    ways (rings, borders); None when there is no ink."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    box = bbox_of(ink)
    if n <= 1 or box is None:
        return None
    w, h = box[2] - box[0], box[3] - box[1]
    frame = (stats[:, cv2.CC_STAT_WIDTH] >= _FRAME * w) & (
        stats[:, cv2.CC_STAT_HEIGHT] >= _FRAME * h
    )
    frame[0] = True
    on: np.ndarray = frame[labels] & ink
    return on


def _tight(mask: np.ndarray, box: Box) -> Box:
    b = bbox_of(mask)
    if b is None:
        return box
    return (box[0] + b[0], box[1] + b[1], box[0] + b[2], box[1] + b[3])


def _distinct(cands: list[Candidate], prepared: list[_Prepared]) -> list[Candidate]:
    """Drop blobs lying close to a bigger one: fragments of the same impression."""
    reach = 0.35 * max((p.mask.shape[0] for p in prepared), default=0)
    kept: list[Candidate] = []
    for c in cands:
        if all(
            np.hypot(c.centre[0] - k.centre[0], c.centre[1] - k.centre[1]) > reach for k in kept
        ):
            kept.append(c)
    return kept


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def page_ink(rgb: np.ndarray) -> tuple[np.ndarray, list[Candidate]]:
    """The page's coloured ink mask and its candidate blobs (``find_candidates``): what
    ``check_seal`` looks at before it needs the specimens, so it can be had beforehand."""
    ink = colour_ink_mask(rgb)
    return ink, find_candidates(rgb, ink)


def _without_print(rgb: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """``ink`` without black print that ``colour_ink_mask`` took for coloured: dark pixels whose
    channels lie within ``_PRINT_SPREAD`` of each other. Its hue reads saturated only because
    it is dark; off the specimen, a printed letter's stem crossing a stamp's corner counted
    against the cell it lay in (a few pixels of a cell holding little ink: 0.88, refused)."""
    hi, lo = channel_max(rgb), channel_min(rgb)
    printed = (hi < _PRINT_DARK) & (hi.astype(np.int16) - lo < _PRINT_SPREAD)
    return np.where(printed, 0, ink).astype(np.uint8)


def check_seal(
    rgb: np.ndarray,
    specimens: Sequence[SealSpecimen],
    thresholds: SealThresholds | None = None,
    page: int = 0,
    located: tuple[np.ndarray, list[Candidate]] | None = None,
    others: Sequence[SealSpecimen] = (),
) -> SealResult:
    """The best candidate/specimen pair on a page, judged against the thresholds.

    ``located``: ``page_ink(rgb)``, when the caller had it made beforehand (the pipeline, while
    the page is read). ``others``: other agencies' registered specimens; a matched rectangle
    that fits one of them better is that agency's stamp (``_other_agency``).

    The fast pose search is tried on every pair first; only if that finds no match, or one at
    a pose that fits poorly (``_FAST_FIT``), is the exhaustive search run."""
    th = thresholds or SealThresholds()
    ink, cands = located if located is not None else page_ink(rgb)
    if not cands:
        return SealResult(found=False, page=page)
    ink = _without_print(rgb, ink)
    prepared = [p for p in (prepare_specimen(s) for s in specimens) if p is not None]
    cands = _distinct(cands, prepared)[:3]
    memo: dict[tuple[int, str], Pose] = {}
    best = _search(ink, cands, prepared, th, memo)
    judged = ink
    if best[1] is not None and not _matches(best[1], th) and best[1].score >= th.reject:
        fainter = ink.copy()
        for window in _windows(cands, prepared, ink.shape):
            fainter |= faint_ink(rgb, ink, window)
        again = _search(fainter, cands, prepared, th, {})
        if again[1] is not None and _matches(again[1], th) and again[1].detail >= th.faint_detail:
            logger.info("seal %s matched with its faint ink", again[2].id if again[2] else "?")
            best, judged = again, fainter
    _, found, chosen = best
    if found is None or chosen is None:
        return SealResult(found=True, box=cands[0].box, page=page, candidates=len(cands))
    if _matches(found, th) and not chosen.ringed:
        found = _upright(judged, found, chosen, th)
    if not _matches(found, th):
        return _judge(found, chosen, th, page, len(cands), rgb)
    rivals = _rivals_beside(found, chosen, others, judged, th)
    if rivals is None:
        rival = _other_agency(found, chosen, others, judged, th)
        return _judge(found, chosen, th, page, len(cands), rgb, rival)
    try:  # the text is checked meanwhile; its check is dropped if another agency's fits better
        text = _settled(functools.partial(_text, found, chosen, rgb))
        return _judge(found, chosen, th, page, len(cands), rgb, rivals.result(), text)
    finally:
        rivals.cancel()  # an error here: not started yet, never runs; running, dropped


def _search(
    ink: np.ndarray,
    cands: list[Candidate],
    prepared: list[_Prepared],
    th: SealThresholds,
    memo: dict[tuple[int, str], Pose],
) -> tuple[float, Comparison | None, _Prepared | None]:
    """The fast pass, and the exhaustive one where that finds no match or one at a pose that
    fits poorly (``_FAST_FIT``)."""
    best = _best(ink, cands, prepared, th, memo, exhaustive=False)
    if best[1] is None or not _matches(best[1], th) or best[1].fit < _FAST_FIT:
        best = _best(ink, cands, prepared, th, memo, exhaustive=True)
    return best


def _windows(
    cands: list[Candidate], prepared: list[_Prepared], shape: tuple[int, ...]
) -> list[tuple[int, int, int, int]]:
    """Around each candidate, the part of the page its impression can cover."""
    half = max((p.mask.shape[0] for p in prepared), default=0) // 2
    h, w = shape[:2]
    return [
        (
            max(0, int(c.box[0]) - half),
            max(0, int(c.box[1]) - half),
            min(w, int(c.box[2]) + half),
            min(h, int(c.box[3]) + half),
        )
        for c in cands
    ]


def faint_ink(rgb: np.ndarray, ink: np.ndarray, window: tuple[int, int, int, int]) -> np.ndarray:
    """Faint stamp ink in ``window`` that ``colour_ink_mask`` misses (uint8 0/255, page-sized):
    pixels whose colour lies ``_FAINT_SHARE`` of the way from the paper's to the stamp ink's
    (``ink``, its confident pixels), both in chroma and in darkness in the ink's darkest
    channel. Paper and ink levels are the window's own."""
    out = np.zeros(ink.shape, np.uint8)
    x0, y0, x1, y1 = window
    crop = rgb[y0:y1, x0:x1]
    sure = ink[y0:y1, x0:x1] > 0
    if crop.size == 0 or np.count_nonzero(sure) < _MIN_INK:
        return out
    f = crop.astype(np.float32)
    chroma = np.stack([f[..., 0] - f[..., 1], (f[..., 0] + f[..., 1]) / 2 - f[..., 2]], -1)
    bright = channel_max(crop)
    near = cv2.dilate(sure.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    paper = ~near & (bright > _PAPER_MIN)
    if np.count_nonzero(paper) < _MIN_INK:
        return out
    p, k = np.median(chroma[paper], axis=0), np.median(chroma[sure], axis=0)
    span = float(np.linalg.norm(k - p))
    if span < _MIN_CHROMA:
        return out
    towards = ((chroma - p) @ ((k - p) / span)) / span
    channel = int(np.argmin([float(crop[..., c][sure].mean()) for c in range(3)]))
    dark = 255.0 - f[..., channel]
    pd, kd = float(np.median(dark[paper])), float(np.median(dark[sure]))
    darker = (dark - pd) / max(1.0, kd - pd)
    faint = (towards > _FAINT_SHARE) & (darker > _FAINT_SHARE) & (bright >= _BLACK)
    mask = cv2.morphologyEx(faint.astype(np.uint8) * 255, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    out[y0:y1, x0:x1] = mask
    return out


def _matches(cmp: Comparison, th: SealThresholds) -> bool:
    return _enough(cmp, th) and cmp.score >= th.accept


def _enough(cmp: Comparison, th: SealThresholds) -> bool:
    """Enough of the specimen seen to judge: of its ink, and of its detail."""
    return cmp.coverage >= th.min_coverage and cmp.detail >= th.min_detail


def _best(
    ink: np.ndarray,
    cands: list[Candidate],
    prepared: list[_Prepared],
    th: SealThresholds,
    memo: dict[tuple[int, str], Pose],
    exhaustive: bool,
) -> tuple[float, Comparison | None, _Prepared | None]:
    """The first matching candidate/specimen pair in order, else the best ranked one. Once a
    pair has not matched, each pair is compared with the next one's comparison started beside
    it on the recogniser threads (``ocr.beside``; idle in the seal stage): a page whose seal is
    not its first pair's (forged, foreign, none, a specimen other than the first) compares
    about two pairs at a time. The same comparisons in the same order decide: a comparison
    started ahead for a pair then skipped or never reached (a match found first) is dropped."""
    from verification.ocr import beside

    pairs = [(n, k) for n in range(len(cands)) for k in range(len(prepared))]

    def comparison(i: int) -> Comparison:
        n, k = pairs[i]
        return compare(ink, cands[n], prepared[k], exhaustive, memo, (n, prepared[k].key))

    best: tuple[float, Comparison | None, _Prepared | None] = (-1.0, None, None)
    source: Candidate | None = None  # the candidate ``best`` was compared from
    ahead: dict[int, Future[Comparison]] = {}
    skip, compared = False, 0
    try:
        for i, (n, k) in enumerate(pairs):
            cand, spec = cands[n], prepared[k]
            if k == 0:  # a fragment of an impression already compared: all its pairs skipped
                skip = _compared(cand, best[1], source)
            if skip:
                continue
            if compared and i + 1 < len(pairs) and i + 1 not in ahead:
                started = beside(functools.partial(comparison, i + 1))
                if started is not None:
                    ahead[i + 1] = started
            this = ahead.pop(i).result() if i in ahead else comparison(i)
            compared += 1
            rank = this.score + (0.0 if _enough(this, th) else -1.0)
            if rank > best[0]:
                best, source = (rank, this, spec), cand
            if _matches(this, th) and (exhaustive or this.fit >= _FAST_FIT):
                return best  # a match is enough: the first one found is judged
        return best
    finally:
        for left in ahead.values():
            left.cancel()  # not started yet: never runs; running: its result is dropped


def _compared(cand: Candidate, best: Comparison | None, source: Candidate | None) -> bool:
    """Whether ``cand`` is a fragment of the impression ``best`` compared: it lies inside
    where the specimen sat, and so does the candidate that comparison started from. A search
    started from another blob (a blue signature beside the stamp) can reach the impression at
    a wrong pose; its own fragments are still searched from (seed 354 c00055, a genuine
    CL-SERNAPESCA rectangle: a half-turn off from the signature's blob, 0.74; from its own,
    1.0)."""
    if best is None or source is None:
        return False
    return _inside(cand.centre, best.box) and _inside(source.centre, best.box)


def _judge(
    cmp: Comparison,
    spec: _Prepared,
    th: SealThresholds,
    page: int,
    candidates: int,
    rgb: np.ndarray,
    rival: _Prepared | None = None,
    checked: Future[TextCheck] | None = None,
) -> SealResult:
    """The seal result of the best comparison. ``checked``: its text check (``_text``) made
    beforehand, taken only where the text is checked (a match no other agency's fits better)."""
    enough = _enough(cmp, th)
    match = enough and cmp.score >= th.accept
    uncertain = not match and (cmp.score >= th.reject or not enough)
    finding = "" if match else _shortfall(cmp, th, enough)
    if rival is not None:
        match, uncertain = False, True
        finding = f"another agency's registered stamp {rival.id} fits it better"
    text = None
    if match:
        text = checked.result() if checked is not None else _text(cmp, spec, rgb)
    if text is not None and text.contradicted:
        match, uncertain = False, True
        finding = text.why or "its printed text contradicts the specimen"
    return SealResult(
        found=True,
        seal_id=spec.id,
        score=max(0.0, cmp.score),
        match=match,
        box=cmp.box,
        page=page,
        candidates=candidates,
        agency_id=spec.agency_id,
        uncertain=uncertain,
        coverage=cmp.coverage,
        text_checked=text is not None and text.unconfirmed is not None,
        text_unconfirmed=(text.unconfirmed or 0) if text is not None else 0,
        finding=finding,
        stamping=stamping_print(rgb, cmp.origin, cmp.angle, spec.mask, spec.rgb) if match else "",
    )


def _shortfall(cmp: Comparison, th: SealThresholds, enough: bool) -> str:
    """Why a comparison fell short of a match, in an officer's words."""
    if cmp.coverage < th.min_coverage:
        return f"too little of the specimen's ink shows to compare (coverage {cmp.coverage:.2f})"
    if not enough:
        return f"too little of the specimen's detail shows to compare ({cmp.detail:.2f})"
    return f"its shape and ink differ from the specimen (score under {th.accept:.2f})"


def _other_agency(
    cmp: Comparison,
    spec: _Prepared,
    others: Sequence[SealSpecimen],
    ink: np.ndarray,
    th: SealThresholds,
) -> _Prepared | None:
    """Another agency's registered rectangle that the impression matched with ``spec`` (a
    rectangle) also matches and fits better, as a whole and in its detail by more than
    ``other_detail_margin`` (``_detail_fit``), compared at the impression's place (fast pose):
    that agency's stamp. Rectangles of one frame geometry pass each other's cells, since ink
    off a specimen's footprint is not counted and letters lie within a cell's tolerance of
    other letters: seed 401 c00001, a ZA-SACCI rectangle on a NO-FDIR document ('SOUTH AFRICAN
    CHAMBER OF COMMERCE' where 'DIRECTORATE OF FISHERIES' is printed, faint, its left end in an
    ink gap) matched NO-FDIR's specimen at 1.0 (fit 0.53, detail 0.40); ZA-SACCI's matches it
    at 1.0 (fit 0.59, detail 0.50). A round or oval stamp has its detail judged instead
    (``min_detail``)."""
    if spec.ringed:
        return None
    cand = _placed(cmp)
    own: tuple[float, float] | None = None
    for other in others:
        p = prepare_specimen(other)
        if p is None or p.ringed or p.agency_id == spec.agency_id:
            continue
        this = compare(ink, cand, p)
        if not _matches(this, th) or this.fit <= cmp.fit:
            continue
        own = _own_fit(ink, cmp, spec, cand) if own is None else own
        detail = _detail_fit(ink, this, p)
        if this.fit > own[0] and detail > own[1] + th.other_detail_margin:
            logger.info(
                "seal %s: the impression fits another agency's specimen %s better (fit %.3f, "
                "detail %.3f; its own %.3f, %.3f)",
                spec.id,
                p.id,
                this.fit,
                detail,
                own[0],
                own[1],
            )
            return p
    return None


def _rivals_beside(
    cmp: Comparison,
    spec: _Prepared,
    others: Sequence[SealSpecimen],
    ink: np.ndarray,
    th: SealThresholds,
) -> Future[_Prepared | None] | None:
    """``_other_agency`` started on a recogniser thread (``ocr.beside``), for the caller to check
    the match's text meanwhile; None where there is no other agency's rectangle to compare (a
    round or oval stamp) or it cannot start there (the recogniser threads still reading a
    page's lines, when both cores are busy anyway): the caller then searches first, and checks
    the text only when no rival was found, as before. Once a page's lines are read, the two
    ran one after the other on one core (seed 4 c00001: ~0.25 s of rectangles compared, then
    ~0.35 s of text check)."""
    from verification.ocr import beside

    if spec.ringed or not any(o.agency_id != spec.agency_id for o in others):
        return None
    return beside(functools.partial(_other_agency, cmp, spec, others, ink, th))


def _settled(call: Callable[[], T]) -> Future[T]:
    """``call()`` made now, its result (or exception) held in a future: raised only if asked for."""
    done: Future[T] = Future()
    try:
        done.set_result(call())
    except Exception as exc:  # noqa: BLE001 - held, raised where the result is taken
        done.set_exception(exc)
    return done


def _upright(ink: np.ndarray, cmp: Comparison, spec: _Prepared, th: SealThresholds) -> Comparison:
    """The matched rectangle's pose, or that pose turned by 180 degrees where the turned one
    matches too and its detail (text, stars: ``_detail_fit``) fits clearly better. A rectangle
    is nearly symmetric: the fast search keeps the first pose whose cells pass, and on a faint
    impression that can be the wrong half-turn, frame on frame, letters upside down (held-out
    seed 218 c00040, a genuine CL-SERNAPESCA rectangle stamped at 2.4 degrees, matched at 181.5:
    detail 0.55 there, 0.74 at 1.5). Its text would then be compared upside down, where nothing
    confirms and nothing contradicts: an imitation matched so would pass unread."""
    turned = _half_turn(ink, cmp, spec)
    if not _matches(turned, th):
        return cmp
    detail, turned_detail = _detail_fit(ink, cmp, spec), _detail_fit(ink, turned, spec)
    if turned_detail <= detail + _TURN_MARGIN:
        return cmp
    logger.info(
        "seal %s: matched at %.1f degrees, its detail fits better turned to %.1f (%.3f, %.3f)",
        spec.id,
        cmp.angle,
        turned.angle,
        detail,
        turned_detail,
    )
    return turned


def _own_fit(
    ink: np.ndarray, cmp: Comparison, spec: _Prepared, cand: Candidate
) -> tuple[float, float]:
    """The impression's fit with its matched specimen, as a whole and in its detail
    (``_detail_fit``), each the best of the matched pose, that pose turned by 180 degrees
    (``_flipped``) and the pose found afresh from ``cand``, the impression's place, as another
    agency's specimen is. A rectangle is nearly symmetric: a faint impression can match its own
    specimen at the wrong half-turn, where the frame still fits but the letters do not
    (corpus f622 c00091, a genuine CL-SERNAPESCA rectangle matched at 199.5 degrees for 19.5:
    detail 0.47 there, 0.60 the right way up), while another agency's specimen, searched
    afresh, lands the right way up."""
    poses = (cmp, _half_turn(ink, cmp, spec), compare(ink, cand, spec))
    return max(c.fit for c in poses), max(_detail_fit(ink, c, spec) for c in poses)


def _placed(cmp: Comparison) -> Candidate:
    """A candidate at the place where ``cmp`` found the impression."""
    b = cmp.box
    return Candidate(b, ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2))


def _half_turn(ink: np.ndarray, cmp: Comparison, spec: _Prepared) -> Comparison:
    """The comparison at ``cmp``'s pose turned by 180 degrees and refined (``_flipped``)."""
    cand = _placed(cmp)
    region, ox, oy = _region(ink, cand, spec.mask.shape[0])
    pose = (cmp.fit, cmp.angle, (cmp.origin[0] - ox, cmp.origin[1] - oy))
    return _at(region, spec, _flipped(region, spec, pose), (ox, oy), cand)


def _detail_fit(ink: np.ndarray, cmp: Comparison, spec: _Prepared) -> float:
    """How well the impression's ink inside the frame fits the specimen's detail (its ink off
    the frame: text, stars) at the pose of ``cmp``: the normalised correlation of both,
    slightly blurred. Unlike the cells, it sees whose letters the ink draws."""
    side = spec.mask.shape[0]
    x0, y0 = cmp.origin
    placed = np.zeros((side, side), bool)
    h, w = ink.shape
    ys, xs, ye, xe = max(0, y0), max(0, x0), min(h, y0 + side), min(w, x0 + side)
    if ye <= ys or xe <= xs:
        return 0.0
    placed[ys - y0 : ye - y0, xs - x0 : xe - x0] = ink[ys:ye, xs:xe] > 0
    rotated = (_rotate(spec.mask, cmp.angle) > 127).astype(np.uint8)
    on_frame = _on_frame(rotated > 0)
    if on_frame is None:
        return 0.0
    detail = (rotated > 0) & ~on_frame
    hull = np.zeros_like(rotated)
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(rotated)), 1)
    outline = cv2.erode(hull, np.ones((9, 9), np.uint8))
    near_frame = cv2.dilate(on_frame.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    inside = placed & (outline > 0) & ~near_frame
    a = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), 1.5)
    d = cv2.GaussianBlur(detail.astype(np.float32), (0, 0), 1.5)
    norm = float(np.sqrt(float((a * a).sum()) * float((d * d).sum())))
    return float((a * d).sum()) / norm if norm > 0 else 0.0


def _text(cmp: Comparison, spec: _Prepared, rgb: np.ndarray) -> TextCheck:
    """The printed text against the specimen's (``_seal_confirm``)."""
    view = SpecimenView(spec.id, spec.mask, spec.rgb, spec.key)
    return check_text(rgb, cmp.origin, cmp.angle, view)
