"""The ink of one OCR line: its quad straightened and binarised, toner specks removed.

Shared by ``verification.spacing`` (word gaps) and ``verification._marks`` (specks read as
punctuation, hyphens the model dropped).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

SPECK_AREA = 0.0045  # blobs with less ink (line heights squared) are toner specks
_LETTER = 0.25  # blobs at least this tall (line heights) are letters (a comma: 0.21)
_NEAR_LETTERS = 5  # letters whose feet give the baseline at a place
_FAINT = 0.5  # a faint mark: darker than this share of the way from Otsu's cut to the paper
_BAND = (0.15, 0.85)  # rows of the line used for the ink profile (skips neighbours' tails)


@dataclass(frozen=True)
class Blob:
    """One connected ink component, in crop pixels."""

    x: int
    y: int
    w: int
    h: int
    area: int


@dataclass(frozen=True)
class InkLine:
    """The straightened, binarised crop of one OCR line."""

    ink: np.ndarray  # (h, w) 1 where ink
    profile: np.ndarray  # (w,) any ink in the middle band of the column
    height: float
    x0: float  # page x of the crop's left edge
    scale: float  # crop columns per page pixel
    grey: np.ndarray | None = None  # (h, w) the straightened grey crop
    cut: float = 128.0  # the grey level below which ``ink`` is ink (Otsu's)

    def column(self, x: float) -> int:
        return round((x - self.x0) * self.scale)

    @functools.cached_property
    def blobs(self) -> tuple[Blob, ...]:
        """Every ink component of the line, left to right."""
        _n, _labels, stats, _c = cv2.connectedComponentsWithStats(self.ink.astype(np.uint8))
        return tuple(sorted((Blob(*map(int, s)) for s in stats[1:]), key=lambda b: b.x))

    @functools.cached_property
    def letters(self) -> tuple[Blob, ...]:
        """The letter-sized blobs of the line, left to right."""
        return tuple(b for b in self.blobs if b.h >= _LETTER * self.height)

    def faint_blobs(self, a: int, b: int) -> tuple[Blob, ...]:
        """Components in crop columns [a, b) of the grey crop cut halfway between Otsu's level
        and the paper, that hold no pixel of ``ink`` (a faintly printed full stop, which Otsu's
        cut leaves smaller than a speck), in crop pixels."""
        if self.grey is None:
            return ()
        a, b = max(0, a), min(self.grey.shape[1], b)
        if b - a < 1:
            return ()
        part = self.grey[:, a:b]
        paper = float(np.percentile(self.grey, 90))
        level = self.cut + _FAINT * max(0.0, paper - self.cut)
        faint = (part < level).astype(np.uint8)
        n, labels, stats, _c = cv2.connectedComponentsWithStats(faint)
        inked = np.zeros(n, dtype=bool)
        inked[np.unique(labels[self.ink[:, a:b] > 0])] = True
        return tuple(
            Blob(int(s[0]) + a, int(s[1]), int(s[2]), int(s[3]), int(s[4]))
            for i, s in enumerate(stats)
            if i > 0 and not inked[i]
        )

    def baseline(self, x: float) -> float | None:
        """The letters' feet near crop column ``x`` (median foot of the nearest letter-sized
        blobs: a slanted scan tilts the baseline along the line), in line heights from the
        crop's top; None with too few letters to tell."""
        letters = self.letters
        if len(letters) < _NEAR_LETTERS:
            return None
        near = sorted(letters, key=lambda b: abs(b.x + b.w / 2 - x))[:_NEAR_LETTERS]
        return float(np.median([(b.y + b.h) / self.height for b in near]))

    def gaps(self, xs: Sequence[float]) -> list[float]:
        """For each two neighbouring page x in ``xs`` (ascending), the widest ink-free run of
        columns between them, in line heights."""
        return [(b - a) / self.height for a, b in self.runs(xs)]

    def runs(self, xs: Sequence[float]) -> list[tuple[int, int]]:
        """For each two neighbouring page x in ``xs`` (ascending), the widest ink-free run of
        columns between them, as [start, end) crop columns (start == end where they touch)."""
        if len(xs) < 2:
            return []
        edges = np.diff(np.concatenate(([0], (~self.profile).astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        cols = np.clip(np.array([self.column(x) for x in xs]), 0, None)
        mid = (cols[:-1] + cols[1:]) // 2
        if starts.size == 0:
            return [(int(m), int(m)) for m in mid]
        lo = np.maximum(starts[None, :], cols[:-1, None])
        widths = np.minimum(ends[None, :], cols[1:, None]) - lo
        best = widths.argmax(axis=1)
        out = []
        for k, j in enumerate(best):
            width = int(widths[k, j])
            start = int(lo[k, j]) if width > 0 else int(mid[k])
            out.append((start, start + max(width, 0)))
        return out


def ink_line(
    quad: Sequence[tuple[float, float]], gray: np.ndarray, tail: float = 0.0
) -> InkLine | None:
    """The line under ``quad`` (page pixels) on the grey page; None when too small to measure.
    ``tail``: line heights of page taken in past the quad's right edge (a box that cuts a full
    stop after the last letter)."""
    if len(quad) != 4:
        return None
    q = np.array(quad, dtype=np.float32)
    width = float(np.linalg.norm(q[1] - q[0]))
    height = float(np.linalg.norm(q[3] - q[0]))
    if width < 4 or height < 4:
        return None
    if tail > 0:
        step = (q[1] - q[0]) / width * tail * height
        q[1] += step
        q[2] += step
        width += tail * height
    w, h = round(width), round(height)
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    crop = cv2.warpPerspective(
        gray, cv2.getPerspectiveTransform(q, target), (w, h), borderValue=255
    )
    cut, bw = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    bw = _without_specks(bw, height)
    top = int(h * _BAND[0])
    band = bw[top : max(int(h * _BAND[1]), top + 1)]
    scale = w / max(1.0, float(q[1][0] - q[0][0]))
    return InkLine(bw, band.sum(axis=0) > 0, height, float(q[0][0]), scale, crop, float(cut))


def _without_specks(bw: np.ndarray, height: float) -> np.ndarray:
    """The binary crop without blobs smaller than a printed full stop (toner specks)."""
    n, labels, stats, _c = cv2.connectedComponentsWithStats(bw)
    small = stats[:, cv2.CC_STAT_AREA] < SPECK_AREA * height * height
    small[0] = False
    if n <= 1 or not small.any():
        return bw
    return np.where(small[labels], 0, bw).astype(bw.dtype)
