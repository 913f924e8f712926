"""Ring text of round and oval stamps: unwrap the text band, read it, compare with the specimen.

Pixel similarity cannot see two adjacent letters swapped in 3 mm ring text; reading can. The
band between the outer ring and the inner ring is found on the specimen (radial ink density in
the stamp's own elliptical coordinates) and unwrapped into a straight strip starting at the
bottom and running clockwise, so the text reads left to right; the OCR recogniser (RapidOCR's
PP-OCR recognition model, no detection needed) reads it. The specimen is read once.

The impression is unwrapped in the specimen's frame (after the pose search), with its centre
and size re-fitted on its own outer ring (scan shear and the pose's pixel error would otherwise
cut the letters). Black overprint (a signature, printed text) is removed first.

Ink gaps make letters disappear, which proves nothing; what proves an imitation is a letter
that is legible and *wrong*: two letters of the specimen's text read in swapped order, or a
letter read between two letters that are adjacent on the specimen, each flanked by correctly
read letters (``contradictions``).
"""

from __future__ import annotations

import difflib
import functools
import logging
from dataclasses import dataclass, field

import cv2
import numpy as np

from verification._reread import widened
from verification.imaging import channel_max, channel_min, colour_ink_mask

logger = logging.getLogger(__name__)

_ROWS = 40  # strip height in pixels
_FLANK = 3  # correctly read letters needed on each side of a contradiction
_SHORT_FLANK = 2  # ... on the short side of an extra letter the pixels decide (``short_inserts``)
_NEAR = 2  # letters: how far a transposed window may lie from where the alignment put it
_RUN = 3  # letters read in the text's order that count as a piece of it (``share_in_runs``)
_BLACK_MAX = 110  # a pixel with every channel below this is black ink, not stamp ink
_GREY_SAT = 14  # HSV saturation (of 255) under which a pixel well darker than paper is print
_PRINT_STEP = 24  # ... well darker: this many levels of the ink's channel


@dataclass(frozen=True)
class Band:
    a: float  # semi-axes of the stamp (pixels, specimen canvas)
    b: float
    s_out: float  # outer and inner edge of the text band, in units of the semi-axes
    s_in: float


@dataclass(frozen=True)
class RingReading:
    expected: str  # the specimen's ring text (letters only)
    read: str  # the impression's (letters only)
    contradictions: tuple[str, ...] = ()
    expected_raw: str = ""  # as the recogniser gave them (spaces between words)
    read_raw: str = ""
    strip: np.ndarray | None = field(default=None, compare=False, repr=False)  # as read

    @property
    def legible(self) -> int:
        return len(self.read)


def band_of(mask: np.ndarray) -> Band | None:
    """The text band of an elliptical stamp (canvas-centred ``mask``); None if not elliptical."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 200:
        return None
    cx, cy = mask.shape[1] / 2, mask.shape[0] / 2
    a = max(xs.max() - cx, cx - xs.min())
    b = max(ys.max() - cy, cy - ys.min())
    s = np.hypot((xs - cx) / a, (ys - cy) / b)
    if np.mean(s > 1.03) > 0.01:  # ink in the corners: a rectangle
        return None
    hist, edges = np.histogram(s, bins=105, range=(0.0, 1.05))
    centres = (edges[:-1] + edges[1:]) / 2
    density = hist / np.maximum(centres, 0.05)
    outer = float(centres[np.argmax(np.where(centres > 0.85, density, 0))])
    inner = float(centres[np.argmax(np.where((centres > 0.5) & (centres < 0.85), density, 0))])
    if outer - inner < 0.12:
        return None
    return Band(float(a), float(b), outer, inner)


def unwrap(
    img: np.ndarray,
    centre: tuple[float, float],
    band: Band,
    s_range: tuple[float, float],
    rows: int = _ROWS,
    width: int | None = None,
) -> np.ndarray:
    """The elliptical annulus ``s_range`` (outer first) as a strip, from the bottom clockwise
    (``width`` columns; by default about one per pixel of the band's middle)."""
    s_mid = (s_range[0] + s_range[1]) / 2
    width = width or max(16, int(np.pi * (band.a + band.b) * s_mid))
    th = np.pi / 2 + np.linspace(0, 2 * np.pi, width, endpoint=False)
    ss = np.linspace(s_range[0], s_range[1], rows)
    mx = centre[0] + band.a * ss[:, None] * np.cos(th)[None, :]
    my = centre[1] + band.b * ss[:, None] * np.sin(th)[None, :]
    return cv2.remap(img, mx.astype(np.float32), my.astype(np.float32), cv2.INTER_LINEAR)


def ink_channel(rgb: np.ndarray, ink_mask: np.ndarray) -> int:
    """The colour channel in which the stamp ink is darkest (most contrast on white)."""
    sel = ink_mask > 0
    if not np.any(sel):
        return 0
    return int(np.argmin([float(rgb[..., k][sel].mean()) for k in range(3)]))


def ink_darkness(rgb: np.ndarray, channel: int) -> np.ndarray:
    """Stamp ink as darkness in ``channel`` (uint8, 0 = paper), black overprint removed."""
    dark = 255 - rgb[..., channel]
    black = channel_max(rgb) < _BLACK_MAX
    out = dark.copy()
    out[black] = 0
    return out


def print_removed(rgb: np.ndarray, dark: np.ndarray) -> np.ndarray:
    """``dark`` (``ink_darkness`` of ``rgb``) with black and grey print over a coloured stamp
    filled in from the ink around it (``cv2.inpaint``); ``dark`` itself where there is none, or
    no ink is plainly coloured (a black stamp). Grey: unsaturated and well darker than the
    paper; stamp ink that dark keeps its colour however faint.

    Type crossing a ring hides its ink there, and its anti-aliased edges, which
    ``ink_darkness`` leaves, read as letters: held-out seed 486 c00042, the 'A' of an officer's
    name typed into a ring's word space, read as an extra letter. ``read_ring`` reads the ring
    so only where its first reading contradicts the specimen, and takes that reading only where
    it contradicts nothing: the recogniser reads a whole strip in context, and a ring read
    without the print over it can lose a letter elsewhere (seed 240 c00018: the "O" of an
    imitation's "OFE", whose step the first reading shows)."""
    print_ = print_mask(rgb, dark)
    if not print_.any():
        return dark
    return cv2.inpaint(dark, cv2.dilate(print_, np.ones((3, 3), np.uint8)), 3, cv2.INPAINT_TELEA)


def print_mask(rgb: np.ndarray, dark: np.ndarray) -> np.ndarray:
    """Where black or grey print lies over ``rgb`` (uint8, 1 = print; ``dark``: its
    ``ink_darkness``); nothing where no ink is plainly coloured (a black stamp)."""
    if not colour_ink_mask(rgb).any():
        return np.zeros(dark.shape, np.uint8)
    paper = int(np.median(dark))
    low, high = channel_min(rgb).astype(np.int32), channel_max(rgb).astype(np.int32)
    grey = (low * 255 >= (255 - _GREY_SAT) * high) & (dark > paper + _PRINT_STEP)
    return (grey | (high < _BLACK_MAX)).astype(np.uint8)


def fit_ring(
    mask: np.ndarray, centre: tuple[float, float], band: Band
) -> tuple[float, float, float]:
    """(cx, cy, scale) of the impression's outer ring near ``centre`` (binary ink ``mask``).

    The ring's radius per angle block is fitted by s(θ) = s0 + dx·cosθ/a + dy·sinθ/b."""
    ss = np.linspace(band.s_out + 0.08, band.s_out - 0.08, 48)
    strip = unwrap(mask, centre, band, (ss[0], ss[-1]), rows=len(ss)).astype(np.float32)
    blocks = 72
    w = strip.shape[1] // blocks
    th_all = np.pi / 2 + np.linspace(0, 2 * np.pi, strip.shape[1], endpoint=False)
    design, target, weight = [], [], []
    for k in range(blocks):
        profile = np.convolve(strip[:, k * w : (k + 1) * w].sum(axis=1), np.ones(5) / 5, "same")
        if profile.max() < 255 * w * 0.3:
            continue
        i = int(np.argmax(profile))
        th = th_all[k * w + w // 2]
        design.append([1.0, np.cos(th) / band.a, np.sin(th) / band.b])
        target.append(ss[i])
        weight.append(np.sqrt(profile[i]))
    if len(target) < 12:
        return centre[0], centre[1], 1.0
    wts = np.asarray(weight)
    sol, *_ = np.linalg.lstsq(
        np.asarray(design) * wts[:, None], np.asarray(target) * wts, rcond=None
    )
    s0, dx, dy = (float(v) for v in sol)
    if abs(dx) > 8 or abs(dy) > 8 or not 0.9 < s0 / band.s_out < 1.1:
        return centre[0], centre[1], 1.0
    return centre[0] + dx, centre[1] + dy, s0 / band.s_out


def text_strip(darkness: np.ndarray, centre: tuple[float, float], band: Band) -> np.ndarray:
    """The text band as black-on-white BGR for the recogniser."""
    pad = 0.02
    strip = unwrap(darkness, centre, band, (band.s_out + pad, band.s_in + pad)).astype(np.float32)
    lo, hi = float(np.percentile(strip, 50)), float(np.percentile(strip, 99))
    norm = np.clip((strip - lo) / max(hi - lo, 1.0) * 255.0, 0, 255)
    grey = (255 - norm).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def recognise(strip: np.ndarray) -> str:
    """Letters (A-Z) read in the strip by the PP-OCR recogniser."""
    return letters(read_raw(strip))


def read_raw(strip: np.ndarray) -> str:
    """The strip's text as the PP-OCR recogniser reads it (spaces, punctuation and all)."""
    from verification.ocr import read_line

    return read_line(strip)[0]


def letters(text: str) -> str:
    return "".join(ch for ch in text.upper() if "A" <= ch <= "Z")


def share_in_runs(read: str, expected: str, run: int = _RUN) -> float:
    """The share of the letters ``read`` that stand in runs of ``run`` or more read in the
    order of the ``expected`` letters (the ring's text taken round twice: a reading may begin
    anywhere on it); 1.0 where nothing was read. A genuine impression read through its ink
    gaps gives pieces of its own words; another stamp's text gives next to none."""
    if not read:
        return 1.0
    matcher = difflib.SequenceMatcher(None, read, expected + expected, autojunk=False)
    return sum(b.size for b in matcher.get_matching_blocks() if b.size >= run) / len(read)


def share_in_order(read: str, expected: str) -> float:
    """The share of the letters ``read`` that stand in the order of the ``expected`` letters,
    whatever lies between them (the longest common subsequence with the ring's text taken round
    twice, over the letters read); 1.0 where nothing was read. A genuine ring read through wide
    ink gaps may keep no run of its words whole ('COAOAYDECHE' for SERVICIO AGRICOLA Y
    GANADERO CHILE) but every letter it reads stands in order."""
    if not read:
        return 1.0
    text = expected + expected
    prev = [0] * (len(text) + 1)
    for ch in read:
        cur = [0]
        for j, other in enumerate(text):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1] / len(read)


@functools.lru_cache(maxsize=256)
def _cached_specimen_text(key: str, strip_bytes: bytes, shape: tuple[int, int, int]) -> str:
    del key
    return read_raw(np.frombuffer(strip_bytes, np.uint8).reshape(shape))


def cached_text(key: str, strip: np.ndarray) -> str:
    """``read_raw(strip)`` read once per ``key`` (a specimen's id, digest and part)."""
    return _cached_specimen_text(key, strip.tobytes(), strip.shape)


def specimen_text(key: str, darkness: np.ndarray, band: Band, wide: bool = False) -> str:
    """The specimen's ring text as read (raw), once per specimen (``key``: id and digest), its
    strip ``wide`` or not (``_reread.widened``: stretched along the text)."""
    centre = (darkness.shape[1] / 2, darkness.shape[0] / 2)
    strip = text_strip(darkness, centre, band)
    if wide:
        strip = widened(strip)
    return _cached_specimen_text(key, strip.tobytes(), strip.shape)


def specimen_reading(key: str, darkness: np.ndarray, band: Band) -> str:
    """The specimen's ring text as read (raw), or as read widened where that holds the same
    words with one or more more between its first and last (``_words_inside``): the
    recogniser can leave a one-letter word out of the specimen's own text, as
    ``ring_contradictions`` knows. Held-out 573 c00046, a genuine BR-MAPA oval whose "E
    PECUARIA" lay at an ink gap's edge: against the specimen read "AGRICULTURA PECUARIA" the
    recogniser preferred the swap 'EPCUARIA' by 9.4 nats, past any pixel's say. Over the ring
    dies of the worlds of seeds 552-573 and 9101 the widened reading counts for BR-MAPA's of
    570 and 573 only, each read without its "E"; of their 21 seals only c00046's outcome
    changes."""
    raw = specimen_text(key, darkness, band)
    wide = specimen_text(key, darkness, band, wide=True)
    return wide if _words_inside(raw, wide) else raw


def _words_inside(raw: str, wide: str) -> bool:
    """Whether the letter words of ``wide`` are those of ``raw`` with one or more more
    standing between its first word and its last (none before or after them: a ring's star
    can read as a letter at either end)."""
    have = [w for w in (letters(x) for x in raw.split()) if w]
    more = [w for w in (letters(x) for x in wide.split()) if w]
    if not have or len(more) <= len(have):
        return False
    i, added = 0, False
    for word in more:
        if i < len(have) and word == have[i]:
            i += 1
        elif 0 < i < len(have):
            added = True
        else:
            return False
    return i == len(have) and added


def ring_contradictions(read: str, key: str, spec_dark: np.ndarray, band: Band) -> tuple[str, ...]:
    """``contradictions`` of the impression's letters ``read`` with the specimen's, where the
    specimen read again widened (``_reread.WIDEN``) contradicts them too: the recogniser can leave a
    one-letter word out of the specimen's own text ("AGRICULTURA PECUARIA" for "AGRICULTURA E
    PECUARIA", seed 171), and a genuine impression read with it had an "extra 'E'". The second
    reading is made only when the first finds a contradiction."""
    raw = specimen_text(key, spec_dark, band)
    found = contradictions(read, letters(raw), word_starts(raw))
    wide = specimen_text(key, spec_dark, band, wide=True) if found else ""
    if found and not contradictions(read, letters(wide), word_starts(wide)):
        return ()
    return found


def contradictions(
    read: str, expected: str, starts: frozenset[int] = frozenset()
) -> tuple[str, ...]:
    """Legible letters that contradict the expected text (see the module docstring)."""
    return tuple(text for _op, _at, text in contradiction_ops(read, expected, starts))


def word_starts(raw: str) -> frozenset[int]:
    """Indices into ``letters(raw)`` of the letters that begin a word (the first excepted)."""
    out, n, inside = set(), 0, False
    for ch in raw.upper():
        if "A" <= ch <= "Z":
            if not inside and n:
                out.add(n)
            n, inside = n + 1, True
        else:
            inside = False
    return frozenset(out)


def contradiction_ops(
    read: str, expected: str, starts: frozenset[int] = frozenset(), ends: bool = False
) -> tuple[tuple[str, int, str], ...]:
    """(op, place, description) of each contradiction: "swap" (two letters of ``expected``
    read in swapped order; place: the index of the first in ``expected``) or "insert" (an extra
    letter read; place: the index in ``expected`` of the letter read after it); place -1 where
    the reading's place in ``expected`` is ambiguous. With ``ends``, also "end-swap": a swap
    at an end of the reading (``_at_reading_end``), which the caller must check on the pixels.

    A swap needs correctly read letters around it (``_FLANK`` in all, at least one on each
    side; each end of the text counts as two); an extra letter, which OCR noise produces more
    easily, needs ``_FLANK`` on each side and never counts at the ends. A swap inside one word
    (``starts``: where the words of ``expected`` begin, ``word_starts``) also counts with one
    letter lost in an ink gap between it and the letters read on either side
    (``_across_a_gap``)."""
    ops = _align(read, expected)
    places = _places(ops, expected)
    found: list[tuple[str, int, str]] = []
    for i, (op, r, e) in enumerate(ops):
        if op not in ("swap", "insert"):
            continue
        before = _matched_run(ops[:i][::-1])
        rest = ops[i + 1 :]
        after = _matched_run(rest)
        if op == "swap":  # the ends of the text count as two letters read
            if all(o == "insert" for o, _r, _e in rest[after:]) and (
                0 <= places[i] == len(expected) - 2 - after or (not after and places[i] == -1)
            ):
                after += 2
            if all(o in ("insert", "skip") for o, _r, _e in ops[: i - before]) and (
                places[i] == before or (not before and places[i] == -1)
            ):
                before += 2
            if min(before, after) >= 1 and before + after >= _FLANK:
                found.append(("swap", places[i], f"{e!r} read as {r!r}"))
            elif _across_a_gap(ops, i, places[i], starts):
                found.append(("swap", places[i], f"{e!r} read as {r!r} beside an ink gap"))
            elif ends and _at_reading_end(ops, i, places[i], starts):
                found.append(("end-swap", places[i], f"{e!r} read as {r!r} at the reading's end"))
        elif min(before, after) >= _FLANK and not _balanced_in_word(ops, i, places, starts):
            found.append(("insert", places[i], f"extra {r!r} after {_context(ops[:i])!r}"))
    seen = {text for _op, _at, text in found}
    for window in transposed_windows(read, expected, _read_places(ops, places), _swapped(ops)):
        if window[2] not in seen:
            seen.add(window[2])
            found.append(window)
    return tuple(found)


def short_inserts(read: str, expected: str) -> tuple[tuple[int, int, int], ...]:
    """(place, letters read before, letters read after) of each extra letter read with
    ``_SHORT_FLANK`` correctly read letters or more on each side and ``_FLANK`` on one, but
    fewer on the other than ``contradiction_ops`` asks: the recogniser's word alone cannot
    tell it from a misread, the glyphs' places can (``_seal_text.pixels_show_insert``).
    Place: the index in ``expected`` of the letter read after it. Seed 240 c00018, an
    imitation "KINGDOM OFE THAILAND" read 'OFETHAI' (KINGDOM under a signature): two letters
    before the E, four after."""
    ops = _align(read, expected)
    places = _places(ops, expected)
    found: list[tuple[int, int, int]] = []
    for i, (op, _r, _e) in enumerate(ops):
        if op != "insert" or places[i] < 0:
            continue
        before, after = _matched_run(ops[:i][::-1]), _matched_run(ops[i + 1 :])
        if _SHORT_FLANK <= min(before, after) < _FLANK <= max(before, after):
            found.append((places[i], before, after))
    return tuple(found)


def short_swaps(read: str, expected: str) -> tuple[int, ...]:
    """Places (index in ``expected`` of the first letter) of each swap read with ``_FLANK``
    correctly read letters or more on one side and none on the other (a letter misread or
    lost right beside it), which ``contradiction_ops`` does not count: the recogniser's word
    alone cannot tell it from a misread, the swapped pair's ink can
    (``_seal_text.pixels_show_swap``). Held-out seed 268 c00017, an imitation "DEPARTMNET"
    read 'DEPARTMNE' then 'RO' for "T OF" under the officer's printed name; over 2,259 ring
    readings of seeds 110-115, 150-155 and 224-241 one genuine ring read so (231 c00050)."""
    ops = _align(read, expected)
    places = _places(ops, expected)
    found: list[int] = []
    for i, (op, _r, _e) in enumerate(ops):
        if op != "swap" or places[i] < 0:
            continue
        before, after = _matched_run(ops[:i][::-1]), _matched_run(ops[i + 1 :])
        if min(before, after) == 0 and max(before, after) >= _FLANK:
            found.append(places[i])
    return tuple(found)


def transposed_windows(
    read: str, expected: str, at: list[int], swapped: list[bool]
) -> list[tuple[str, int, str]]:
    """Swaps seen in a stretch of the reading on its own: two letters of ``expected`` read in
    swapped order with correctly read letters right around them (at least one on each side,
    ``_FLANK`` in all), where that stretch of the reading does not occur in ``expected`` as
    printed. The alignment (``_align``) explains the whole reading at once, and a misread or
    gap just after the swap can make it place the reading so that the swap loses its flanks:
    seed 443 c00049, an imitation "COMMRECE" read 'COMMRECAINN', was aligned as "E" in a gap
    and 'EC' for "CE" (flanks 'R' and 'A'), not as 'RE' for "ER" between 'COMM' and 'C'; seed
    503 c00094, a ring "AGRICLUTURE" read 'AGRICLUTCE', as "U" in a gap and 'UT' for "TU", not
    'LU' for "UL" between 'AGRIC' and 'T'. Only a stretch in which the alignment itself read a
    swap (``swapped``, per letter of the reading) counts: one it explains by ink gaps alone is
    how a genuine impression reads too (seed 531 c00050, a genuine BR-MAPA ring read
    'PECUAIRASIL' for "PECUARIA BRASIL": "R", "A" and "B" in gaps, not 'IR' for "RI" between
    'CUA' and 'A'). Place: as in ``contradiction_ops`` (-1 where the stretch of ``expected``
    occurs more than once)."""
    found: list[tuple[str, int, str]] = []
    for i in range(1, len(read) - 2):
        a, b = read[i], read[i + 1]
        if a == b:
            continue
        for j in range(1, len(expected) - 2):
            if expected[j] != b or expected[j + 1] != a or abs(j - at[i]) > _NEAR:
                continue
            before = _common(read[:i][::-1], expected[:j][::-1])
            after = _common(read[i + 2 :], expected[j + 2 :])
            if min(before, after) < 1 or before + after < _FLANK:
                continue
            if read[i - before : i + 2 + after] in expected:
                continue  # the reading fits the printed text there as well
            if not any(swapped[i - before : i + 2 + after]):
                continue  # the alignment explains that stretch by ink gaps alone
            window = expected[j - before : j + 2 + after]
            place = j if expected.count(window) == 1 else -1
            found.append(("swap", place, f"{b + a!r} read as {a + b!r}"))
    return found


def _read_places(ops: list[tuple[str, str, str]], places: list[int]) -> list[int]:
    """Per letter of the reading, the index in the expected text the alignment put it at (an
    inserted letter: that of the next expected letter; the reading's place unknown: a huge
    number, so that no window is near it)."""
    out: list[int] = []
    for (_op, r, e), place in zip(ops, places, strict=True):
        for k in range(len(r)):
            out.append(place + min(k, max(len(e) - 1, 0)) if place >= 0 else 10**9)
    return out


def _swapped(ops: list[tuple[str, str, str]]) -> list[bool]:
    """Per letter of the reading, whether the alignment read it in a swap."""
    return [op == "swap" for op, r, _e in ops for _ in r]


def _common(x: str, y: str) -> int:
    """Length of the common start of ``x`` and ``y``."""
    n = 0
    for p, q in zip(x, y, strict=False):
        if p != q:
            break
        n += 1
    return n


def _places(ops: list[tuple[str, str, str]], expected: str) -> list[int]:
    """Per op of an alignment (``_align``), the index in ``expected`` of its first expected
    letter: the ops consume a run of ``expected`` (the reading may start anywhere in it), found
    where it occurs once; -1 throughout where it does not."""
    run = "".join(e for _op, _r, e in ops)
    start = expected.find(run)
    if not run or start < 0 or expected.find(run, start + 1) >= 0:
        return [-1] * len(ops)
    out, at = [], start
    for _op, _r, e in ops:
        out.append(at)
        at += len(e)
    return out


def _context(ops: list[tuple[str, str, str]]) -> str:
    return "".join(r for _op, r, _e in ops[-_FLANK:])


def _matched_run(ops: list[tuple[str, str, str]], gaps: int = 0) -> int:
    """Letters read correctly at the start of ``ops``, over at most ``gaps`` letters lost."""
    n = 0
    for op, _r, _e in ops:
        if op == "skip" and gaps > 0:
            gaps -= 1
            continue
        if op != "match":
            break
        n += 1
    return n


def _across_a_gap(ops: list[tuple[str, str, str]], i: int, at: int, starts: frozenset[int]) -> bool:
    """The swap ``ops[i]`` at ``at`` in ``expected`` is flanked as ``contradiction_ops`` asks
    once one letter lost on each side is passed over, and lies inside one word. An imitation
    swaps two letters of one word; where its stamp fades the recogniser can lose the letters
    right beside the swap: seed 220 c00012, an imitation "AGRCIULTURE" read 'GCIUTU' ("R" and
    "L" lost), accepted before. A genuine impression read a swap so only across two words
    (seed 401 c00087, 'NACIONADLPESCA' for "NACIONAL DE PESCA") or with two letters lost
    beside it (seed 213 c00056, 'AFACN' for "AFRICAN"), among 1047 impressions of genuine seals
    that matched their specimen (seeds 213, 214, 217-220, 350-358, 400-403); none is
    contradicted so, and 2 of the 35 imitations that matched are (220 c00012, 402 c00048)."""
    if at < 0 or not starts or at + 1 in starts:
        return False
    before = _matched_run(ops[:i][::-1], gaps=1)
    after = _matched_run(ops[i + 1 :], gaps=1)
    return min(before, after) >= 1 and before + after >= _FLANK


def _balanced_in_word(
    ops: list[tuple[str, str, str]], i: int, places: list[int], starts: frozenset[int]
) -> bool:
    """The extra letter ``ops[i]`` is read strictly inside one word of the expected text (a
    letter of that word read right before it and after it), and that word has as many of its
    letters lost as it has letters read extra: the word is read no longer than printed, so the
    extra letter is the recogniser's misread of the letters there (a letter read twice, its
    neighbour lost), not a letter added. A letter added to a die lengthens its word, and on a
    ring re-spaces every glyph after it (``GlyphCheck.layout_moved``, judged before the
    reading). Seed 223 c00058, a genuine CN-CCPIT ring read 'CORUNCL' for "COUNCIL" (an R
    read for the U, the U then read, the I lost), and seed 221 c00075 read the same way."""
    at = places[i]
    if at <= 0 or not starts or at in starts:
        return False
    lo = max((s for s in starts if s <= at), default=0)
    hi = min((s for s in starts if s > at), default=1 << 30)
    inside = [op for (op, _r, _e), p in zip(ops, places, strict=True) if lo <= p < hi]
    return 0 < inside.count("insert") <= inside.count("skip")


def _at_reading_end(
    ops: list[tuple[str, str, str]], i: int, at: int, starts: frozenset[int]
) -> bool:
    """The swap ``ops[i]`` at ``at`` in ``expected`` lies inside one word and ends the reading
    (nothing read after it) or begins it, with ``_FLANK`` letters read right on its other
    side. The recogniser stops where the ink fades, so an imitation's swap can be the last
    thing it reads: seed 222 c00019, a rectangle's "INDUSTIRES" read 'INDUSTIR' ("E", "S"
    faint). The alignment also reads a swap so where a fragment read across a wide gap happens
    to fit two letters in swapped order (seed 217 c00007, a genuine "MINISTRY FOR PRIMARY"
    read 'MIARY': the 'MI' of "MINISTRY", placed as the "IM" of "PRIMARY"), so this is only a
    candidate: ``_seal_text.misread_lines`` counts it where the pixels show that pair inked
    and fitting the swap."""
    if at < 0 or at + 1 in starts:
        return False
    rest, head = ops[i + 1 :], ops[:i]
    if all(op in ("insert", "skip") for op, _r, _e in rest):
        return _matched_run(head[::-1]) >= _FLANK
    if all(op in ("insert", "skip") for op, _r, _e in head):
        return _matched_run(rest) >= _FLANK
    return False


# An ink gap hides a run of neighbouring letters: the first letter of a run not read costs
# ``skip_open``, each further one ``skip_more`` (affine gap costs), so a reading's fragments
# are placed where they lie contiguously. With one flat skip cost, "CULUTRA" read from an
# imitation of "...ACUICULTURA" had its letters spread over two places at the cost of three
# skips, not four (seed 203 c00053: the swap "UT" lost its flanking letters), and
# "FRANCIAS...VICES" a tie put the S after the gap (c00084).
_COST = {
    "match": 0.0,
    "skip_open": 0.5,
    "skip_more": 0.15,
    "insert": 1.0,
    "sub": 1.0,
    "swap": 0.9,
}


def _align(read: str, expected: str) -> list[tuple[str, str, str]]:
    """Cheapest edit script from ``expected`` to ``read``: match, skip (a letter not read: an
    ink gap; a run of them is cheaper than as many apart), insert (a letter read that is not
    expected), sub, swap (adjacent transposition). Letters of ``expected`` before and after the
    read part are skipped for free."""
    n, m = len(read), len(expected)
    inf = float("inf")
    # cost[0]: the last op consumed a letter read (or none yet); cost[1]: it was a skip.
    cost = np.full((2, n + 1, m + 1), inf)
    back: dict[tuple[int, int, int], tuple[int, int, int, str]] = {}
    cost[0, 0, :] = 0.0  # reading may start anywhere in the expected text
    for i in range(1, n + 1):
        cost[0, i, 0] = i * _COST["insert"]
        back[(0, i, 0)] = (0, i - 1, 0, "insert")
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            skips = [
                (cost[0, i, j - 1] + _COST["skip_open"], 0),
                (cost[1, i, j - 1] + _COST["skip_more"], 1),
            ]
            c, k = min(skips)
            cost[1, i, j] = c
            back[(1, i, j)] = (k, i, j - 1, "skip")
            steps = [
                (
                    _best(cost, i - 1, j - 1) + (0.0 if read[i - 1] == expected[j - 1] else 1.0),
                    i - 1,
                    j - 1,
                    "match" if read[i - 1] == expected[j - 1] else "sub",
                ),
                (_best(cost, i - 1, j) + _COST["insert"], i - 1, j, "insert"),
            ]
            if (
                i > 1
                and j > 1
                and read[i - 1] == expected[j - 2]
                and read[i - 2] == expected[j - 1]
                and read[i - 1] != read[i - 2]
            ):
                steps.append((_best(cost, i - 2, j - 2) + _COST["swap"], i - 2, j - 2, "swap"))
            c, pi, pj, op = min(steps, key=lambda s: s[0])
            cost[0, i, j] = c
            back[(0, i, j)] = (_state(cost, pi, pj), pi, pj, op)
    ends = np.minimum(cost[0, n, :], cost[1, n, :])
    j = int(np.argmin(ends))  # reading may end anywhere too
    k, i = _state(cost, n, j), n
    ops: list[tuple[str, str, str]] = []
    while i > 0:
        pk, pi, pj, op = back[(k, i, j)]
        if op == "swap":
            ops.append(("swap", read[i - 2 : i], expected[j - 2 : j]))
        elif op in ("match", "sub"):
            ops.append((op, read[i - 1], expected[j - 1]))
        elif op == "insert":
            ops.append(("insert", read[i - 1], ""))
        else:
            ops.append(("skip", "", expected[j - 1]))
        k, i, j = pk, pi, pj
    return ops[::-1]


def _best(cost: np.ndarray, i: int, j: int) -> float:
    return float(min(cost[0, i, j], cost[1, i, j]))


def _state(cost: np.ndarray, i: int, j: int) -> int:
    """The cheaper way to have reached (i, j): 0 after a letter read, 1 after a skip."""
    return 0 if cost[0, i, j] <= cost[1, i, j] else 1


def read_ring(
    page: np.ndarray,
    origin: tuple[int, int],
    angle: float,
    spec_mask: np.ndarray,
    spec_rgb: np.ndarray,
    key: str,
) -> RingReading | None:
    """Read the impression's ring text at the pose (``origin``: canvas top-left on ``page``,
    ``angle``: specimen rotation) and compare it with the specimen's; None if the specimen has
    no ring text or the impression is cut by the page edge."""
    band = band_of(spec_mask)
    if band is None:
        return None
    side = spec_mask.shape[0]
    crop = canvas_crop(page, origin, side)
    if crop is None:
        return None
    channel = ink_channel(spec_rgb, spec_mask)
    spec_dark = ink_darkness(spec_rgb, channel)
    expected_raw = specimen_reading(key, spec_dark, band)
    expected = letters(expected_raw)
    if len(expected) < 6:
        return None
    dark = ink_darkness(crop, channel)
    ink = _rotate(colour_ink_mask(crop), -angle)
    cx, cy, scale = fit_ring(ink, (side / 2, side / 2), band)
    fitted = Band(band.a * scale, band.b * scale, band.s_out, band.s_in)
    strip = text_strip(_rotate(dark, -angle), (cx, cy), fitted)
    raw = read_raw(strip)
    read = letters(raw)
    found = ring_contradictions(read, key, spec_dark, band)
    if found:  # the print's, if it goes with the print (``print_removed``)
        clean = print_removed(crop, dark)
        if clean is not dark:
            strip2 = text_strip(_rotate(clean, -angle), (cx, cy), fitted)
            raw2 = read_raw(strip2)
            if not ring_contradictions(letters(raw2), key, spec_dark, band):
                return RingReading(expected, letters(raw2), (), expected_raw, raw2, strip2)
    return RingReading(expected, read, found, expected_raw, raw, strip)


def _rotate(img: np.ndarray, angle: float) -> np.ndarray:
    side = img.shape[0]
    m = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (side, side), flags=cv2.INTER_LINEAR)


def canvas_crop(page: np.ndarray, origin: tuple[int, int], side: int) -> np.ndarray | None:
    """The ``side`` x ``side`` square of ``page`` whose top-left is ``origin`` (a specimen
    canvas placed at its pose); None when the page edge cuts it."""
    x0, y0 = origin
    crop = page[max(0, y0) : y0 + side, max(0, x0) : x0 + side]
    if x0 < 0 or y0 < 0 or crop.shape[:2] != (side, side):
        return None
    return crop
