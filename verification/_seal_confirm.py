"""Is the printed text of an impression that matched its specimen cell by cell confirmed?

Contradictions first (``_seal_text``, ``_ring_text``): two letters legibly swapped, a letter
added that moved the rest of the line, the stars of a rectangle missing; an extra letter the
recogniser read between two letters that the pixels show side by side where the specimen prints
them is its misread (``pixels_deny_insert``), not a contradiction; nor is a ring's glyph pair
across a word space of the specimen's text (``_seal_text._word_spaces``): an imitation swaps two
letters of one word. Then positive confirmation (``_seal_letters``): an ink gap is no evidence
either way, so a swap of two neighbouring letters could hide in the letters that neither the
pixels nor the recogniser confirmed. ``TextCheck.unconfirmed`` counts the swap positions left
open in the text an imitation alters (any word of the ring, or the first inner line of a
rectangle); the rule set says how many may stay open (``seal_text_max_unconfirmed``, rule
``seal.text``).

The trade-off is real, and the default rule set chooses automation: the ink gaps of a genuine
impression hide letters as well as an imitation's. Seeds 41-45, impressions whose cells matched:
of 62 imitations with two letters swapped, none had one position or fewer open, 1 had two, 4
three; of 152 genuine impressions, 24 had one or fewer (10 none), 43 two, 62 three, 138 twelve.
Since then each pair is also judged on its visible ink (``_seal_visible``: a faint pair still
confirms, a swap seen in part contradicts, and it overrules a glyph-pair contradiction the ink
denies). Seeds 90-94 (100 genuine, 37 text imitations): genuine seals falsely contradicted 3 ->
1, open positions a little fewer (mean 5.6 -> 5.1; 55 -> 62 with five or fewer), no more
imitations contradicted. The imitations still accepted hid their swap where the stamp left no
ink, or left only one of the two letters inked (a contradiction there is not counted: counting
it stopped one more imitation and 6 genuine seals). What no pixel shows cannot be confirmed.

Why genuine positions stay open (seeds 120-124, 105 genuine impressions whose cells matched):
of 455 open positions, 318 were pairs whose better-inked glyph shows under a tenth of the strip's
full ink (a real ink gap). Outside the gaps 84% of the seals had two or fewer open; counting
them, 42%. So the open count is mostly the stamp's gaps, which no test of the pixels can close,
and an imitation whose swap falls in one is pixel-identical to a gappy genuine seal: that is why
``seal_text_max_unconfirmed`` stays ``inf`` (see rules.toml). Where ink shows, the visible test
decides more (``PairVisibility.seen``: far above the noise at a smaller share), and a pair whose
ink fits the swap better is seen by no other test (``doubted``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from verification import _background
from verification._ring_text import (
    RingReading,
    canvas_crop,
    contradiction_ops,
    read_ring,
    share_in_order,
    share_in_runs,
    short_inserts,
    short_swaps,
    word_starts,
)
from verification._seal_letters import joined_in_words, word_map, words_read
from verification._seal_spelling import (
    Strip,
    insert_not_preferred,
    preferred_swap,
    print_preferred,
    swap_not_preferred,
)
from verification._seal_text import (
    TextEvidence,
    faint_lines,
    glyphs_show_swap,
    letter_of_pair,
    line_images,
    line_pair_leans_swapped,
    line_pair_shows_print,
    line_reads,
    line_text,
    misread_lines,
    pixels_deny_insert,
    pixels_deny_ring_swap,
    pixels_hold_across,
    pixels_lean_ring_swap,
    pixels_place_ring_print,
    pixels_show_insert,
    pixels_show_swap,
    text_evidence,
)

logger = logging.getLogger(__name__)

# A ring read with this many letters or more, under this share of them in pieces of the
# specimen's text, is another stamp's (``_reads_other_text``).
_OTHER_TEXT_MIN = 10
_OTHER_TEXT_SHARE = 0.35
_OTHER_TEXT_ORDER = 0.95  # ... unless this share of them stands in its text in order


@dataclass(frozen=True)
class TextCheck:
    """What the impression's printed text says about the match.

    ``contradicted``: a legible contradiction (letters swapped or added, stars missing): the
    seal is no match. ``unconfirmed``: the swap positions (neighbouring letters within a word
    of the text an imitation alters) that neither the pixels nor the recogniser confirmed, where
    two swapped letters could hide in an ink gap; None when the text could not be looked at
    (the impression is cut by the page edge). How many may stay unconfirmed is the rule set's
    ``seal_text_max_unconfirmed`` (rule ``seal.text``)."""

    contradicted: bool
    unconfirmed: int | None
    why: str = ""  # the contradiction, in words (for the officer)


@dataclass(frozen=True)
class SpecimenView:
    """What of a specimen the text check needs (``seal._Prepared`` has it)."""

    id: str
    mask: np.ndarray
    rgb: np.ndarray
    key: str


def check_text(
    rgb: np.ndarray, origin: tuple[int, int], angle: float, spec: SpecimenView
) -> TextCheck:
    """Contradictions of the impression's text with the specimen's, and how much of it is
    confirmed (``TextCheck``)."""
    if canvas_crop(rgb, origin, spec.mask.shape[0]) is None:
        logger.info("seal %s: cut by the page edge, its text cannot be confirmed", spec.id)
        return TextCheck(False, None)
    # The recogniser's reading of a ring (None for a rectangle) runs beside the glyph evidence,
    # which decides whether it is needed (not when the pixels contradict already).
    ring_read = _background.submit(read_ring, rgb, origin, angle, spec.mask, spec.rgb, spec.key)
    ev = text_evidence(rgb, origin, angle, spec.mask, spec.rgb, ring_text=_expected(ring_read))
    if ev is None:
        return TextCheck(False, 0)  # the specimen has no text to tell apart
    why = _contradicted(ev)
    if why and _only_pairs(ev) and _recogniser_denies(ev, ring_read, spec):
        logger.info("seal %s: %s, but the recogniser prefers the print there", spec.id, why)
        why = ""
    if why:
        return _contradiction(spec.id, why)
    reads: tuple[tuple[str, str], ...] = ()
    ring: RingReading | None = None
    if ev.kind == "lines":
        reads = line_reads(ev, spec.key)
        misread = misread_lines(reads, ev)
        if misread:
            why = f"inner text contradicts the specimen ({'; '.join(misread)})"
            return _contradiction(spec.id, why)
    else:
        ring = ring_read.result()
        if ring is not None and _reads_other_text(ring):
            return _contradiction(spec.id, _other_text_says(ring))
        if ring is not None and ring.contradictions and not _ring_misread(ring, ev, spec.id):
            return _contradiction(spec.id, _ring_says(ring))
        why = "" if ring is None else _insert_shown(ring, ev) or _swap_shown(ring, ev)
        if why:
            return _contradiction(spec.id, why)
        reads = ((ring.expected_raw, ring.read_raw),) if ring is not None else ()
    why = _visibly_swapped(ev, ring) or _swap_preferred(ev, reads, ring)
    if why:
        return _contradiction(spec.id, why)
    return TextCheck(False, _unconfirmed(ev, reads[0] if reads else ("", ""), spec.id))


def _expected(ring_read: Future[RingReading | None]) -> Callable[[], str | None]:
    """The specimen's ring text as read (raw), once the recogniser has read the ring."""

    def text() -> str | None:
        ring = ring_read.result()
        return ring.expected_raw if ring is not None else None

    return text


def _ring_misread(ring: RingReading, ev: TextEvidence, spec_id: str) -> bool:
    """Whether every contradiction of the ring's reading is an extra letter read between two
    letters that the pixels show side by side where the specimen prints them
    (``pixels_deny_insert``), or in a word space whose glyphs each side sit at their places
    (``pixels_hold_across``), or that the recogniser, asked, does not hold to
    (``_insert_misread``), or two letters read swapped whose glyphs the visible ink shows
    in their printed order (``pixels_deny_ring_swap``): the recogniser's misread, not a letter
    added or two swapped."""
    ops = contradiction_ops(ring.read, ring.expected, word_starts(ring.expected_raw))
    denied = bool(ops) and all(_pixels_deny(op, at, text, ring, ev) for op, at, text in ops)
    if denied:
        logger.info(
            "seal %s: ring text read with %s, overruled: its glyphs show the print (read %r)",
            spec_id,
            "; ".join(text for _op, _at, text in ops),
            ring.read,
        )
    return denied


def _pixels_deny(op: str, at: int, text: str, ring: RingReading, ev: TextEvidence) -> bool:
    if op == "swap":  # the pixels see the print there, and the recogniser does not hold to it
        return pixels_deny_ring_swap(ev, ring.expected_raw, at) and _swap_misread(ring, at)
    return op == "insert" and (
        pixels_deny_insert(ev.confirmation, ring.expected_raw, at)
        or pixels_hold_across(ev, ring.expected_raw, at)
        or _insert_misread(ring, at, text)
    )


def _insert_misread(ring: RingReading, at: int, text: str) -> bool:
    """The recogniser, asked, does not hold to the extra letter it read (``text``: "extra 'H'
    after 'NAT'", ``contradiction_ops``; ``insert_not_preferred``)."""
    from verification.ocr import text_log_likelihoods

    found = re.match(r"extra '(.)'", text)
    if ring.strip is None or found is None:
        return False
    strip = Strip(ring.expected_raw, ring.strip, 0)
    return insert_not_preferred(strip, at, found.group(1), text_log_likelihoods)


def _swap_misread(ring: RingReading, at: int) -> bool:
    from verification.ocr import text_log_likelihoods

    if ring.strip is None:
        return False
    return swap_not_preferred(Strip(ring.expected_raw, ring.strip, 0), at, text_log_likelihoods)


def _contradiction(spec_id: str, why: str) -> TextCheck:
    logger.info("seal %s: %s", spec_id, why)
    return TextCheck(True, None, why)


def _insert_shown(ring: RingReading, ev: TextEvidence) -> str:
    """An extra letter the recogniser read with a short flank (``short_inserts``) where the
    glyphs' places step apart by a letter (``pixels_show_insert``), in words ('' if none)."""
    for at, before, after in short_inserts(ring.read, ring.expected):
        if pixels_show_insert(ev, ring.expected_raw, at, before, after):
            return (
                f"ring text read with an extra letter before {ring.expected[at : at + after]!r} "
                f"where its glyphs step apart (read {ring.read!r}, expected {ring.expected!r})"
            )
    return ""


def _swap_shown(ring: RingReading, ev: TextEvidence) -> str:
    """A swap the recogniser read with one flank only (``short_swaps``) where the pair's ink
    leans to the swap (``pixels_show_swap``), in words ('' if none)."""
    for at in short_swaps(ring.read, ring.expected):
        if pixels_show_swap(ev, ring.expected_raw, at):
            return (
                f"ring text read with {ring.expected[at : at + 2]!r} swapped beside a misread "
                f"letter, and the pair's ink fits the swap (read {ring.read!r}, expected "
                f"{ring.expected!r})"
            )
    return ""


def _visibly_swapped(ev: TextEvidence, ring: RingReading | None = None) -> str:
    """The visible ink of a pair of neighbouring letters fits them swapped clearly better
    (``_seal_visible``), where the recogniser saw no contradiction; in words ('' if not). A
    ring's pair that a wide gap parts counts where the specimen's text has it in one word
    (``joined_in_words``)."""
    conf = ev.confirmation
    if conf is None:
        return ""
    joined: frozenset[int] = frozenset()
    if ring is not None and conf.split_contradicted():
        joined = joined_in_words(conf.groups, ring.expected_raw)
    found = conf.contradicted(joined=joined)
    if not found:
        return ""
    return f"the visible ink of {len(found)} letter pair(s) of its {ev.kind} text fits them swapped"


def _only_pairs(ev: TextEvidence) -> bool:
    """Whether letter pairs fitting a swap are all the glyph evidence contradicts."""
    return (
        not ev.solids_missing
        and not ev.foreign_mark
        and not ev.layout_moved
        and ev.space_filled is None
        and ev.contradicted > 0
    )


def _recogniser_denies(
    ev: TextEvidence, ring_read: Future[RingReading | None], spec: SpecimenView
) -> bool:
    """Whether the recogniser prefers the print clearly to every swap the glyph test saw
    (``print_preferred``), each placed on the strip's text; not where the ring's reading
    contradicts the specimen itself."""
    from verification.ocr import text_log_likelihoods

    strips: list[tuple[Strip, frozenset[int]]] = []
    if ev.kind == "ring":
        ring = ring_read.result()
        if ring is None or ring.strip is None or ring.contradictions:
            return False
        strips = [(Strip(ring.expected_raw, ring.strip, 0), ev.contradicted_pairs[0])]
    else:
        images = line_images(ev)
        for n, pairs in enumerate(ev.contradicted_pairs):
            if pairs:
                expected = line_text(ev, spec.key, n) if n < len(images) else ""
                if not expected:
                    return False
                strips.append((Strip(expected, images[n], n), pairs))
    for strip, pairs in strips:
        ats = [letter_of_pair(ev, strip.line, strip.expected, k) for k in sorted(pairs)]
        if any(at is None for at in ats):
            return False
        if not print_preferred(strip, [at for at in ats if at is not None], text_log_likelihoods):
            return False
    return bool(strips)


def _swap_preferred(
    ev: TextEvidence, reads: tuple[tuple[str, str], ...], ring: RingReading | None
) -> str:
    """A swap the recogniser's likelihood prefers to the print where the pair's ink leans to
    it, or alone where the pixels do not show the print (``_seal_spelling``: a ring's
    ``pixels_place_ring_print``, a line's ``line_pair_shows_print``), in words ('' if none)."""
    from verification.ocr import text_log_likelihoods

    if ring is not None and ring.strip is not None:
        strips = [Strip(ring.expected_raw, ring.strip, 0)]
        return preferred_swap(
            strips,
            True,
            text_log_likelihoods,
            lambda s, at: (
                pixels_show_swap(ev, s.expected, at)
                or glyphs_show_swap(ev, s.expected, at)
                or pixels_lean_ring_swap(ev, s.expected, at)
            ),
            lambda s, at: pixels_place_ring_print(ev, s.expected, at),
        )
    if ev.kind != "lines":
        return ""
    faint = faint_lines(ev)
    strips = [
        Strip(expected, image, n)
        for n, ((expected, _read), image) in enumerate(zip(reads, line_images(ev), strict=False))
        if expected and n not in faint
    ]
    return preferred_swap(
        strips,
        False,
        text_log_likelihoods,
        lambda s, at: line_pair_leans_swapped(ev, s.line, s.expected, at),
        lambda s, at: line_pair_shows_print(ev, s.line, s.expected, at),
    )


def _contradicted(ev: TextEvidence) -> str:
    """What the glyph evidence alone contradicts, in words ('' if nothing)."""
    if ev.solids_missing:
        return f"none of its {ev.solids} solid marks (stars, emblem) is there"
    if ev.foreign_mark:
        return f"it shows a solid mark where the specimen has no ink ({ev.foreign} pixels)"
    if ev.layout_moved:
        return f"its {ev.kind} text sits off the specimen's places (a letter added?)"
    if ev.space_filled is not None:
        return (
            "a letter stands in a word space of its ring text, where the specimen has no ink "
            f"(after glyph {ev.space_filled}: a letter added?)"
        )
    if ev.contradicted:
        return (
            f"{ev.contradicted} of {ev.pairs} letter pairs of its {ev.kind} text fit a swap "
            "better than the specimen"
        )
    return ""


def _reads_other_text(ring: RingReading) -> bool:
    """Whether the recogniser read ``_OTHER_TEXT_MIN`` letters or more of the ring and under
    ``_OTHER_TEXT_SHARE`` of them stand in pieces of the specimen's text
    (``_ring_text.share_in_runs``): another stamp's ring whose outline, emblem and layout fit
    the specimen. Held-out 558 c00051, a US-APHIS certificate stamped with FR-DGAL's round
    seal (the same shield, two stars, rings and size), was accepted: 'UEASRVIVETENARES' was
    read (SERVICES VETERINAIRES), no piece of UNITED STATES DEPARTMENT OF AGRICULTURE APHIS PPQ,
    and no letter pair of it is a swap. Each genuine ring of 9104 and 552-558 compared with
    every other agency's die of its shape: 19 such dies matched, 17 of them at a share of 0,
    two CL-SAG ovals on CN-CCPIT's at 0.21 and 0.26; the 761 readings of genuine seals' rings
    (all of 10 letters or more) gave 0.45 at the least. A reading whose letters nearly all
    stand in the specimen's text in order (``share_in_order``, ``_OTHER_TEXT_ORDER``) is the
    specimen's own ring read through its gaps: held-out 572 c00171, a genuine CL-SAG oval read
    'COAOAYDECHE' (no run of four letters, every letter in order), was refused. Over those
    778 genuine readings the share in order was 0.79 and more; the 19 other dies' readings
    0.875 at most (0.74 but for one)."""
    read = ring.read
    if len(read) < _OTHER_TEXT_MIN or share_in_runs(read, ring.expected) >= _OTHER_TEXT_SHARE:
        return False
    return share_in_order(read, ring.expected) < _OTHER_TEXT_ORDER


def _other_text_says(ring: RingReading) -> str:
    return (
        f"its ring text reads {ring.read!r}, hardly any of it the specimen's "
        f"{ring.expected!r}: another stamp?"
    )


def _ring_says(ring: RingReading) -> str:
    return (
        f"ring text contradicts the specimen ({'; '.join(ring.contradictions)}; "
        f"read {ring.read!r}, expected {ring.expected!r})"
    )


def _unconfirmed(ev: TextEvidence, read: tuple[str, str], spec_id: str) -> int:
    conf = ev.confirmation
    if conf is None:
        return 0
    wanted, found = words_read(*read) if read[0] else ((), ())
    mapped = word_map(conf.groups, wanted)
    read_words = frozenset(g for g, w in mapped.items() if found[w])
    open_ = conf.open(read_words)
    glyphs = sum(len(g) for g in conf.groups)
    if not sum(open_):
        return 0
    logger.info(
        "seal %s: its %s text is not wholly confirmed: %d swap positions open (per word %s; %d of "
        "%d glyphs and %d pairs confirmed, %d words read)",
        spec_id,
        ev.kind,
        sum(open_),
        list(open_),
        len(conf.glyphs),
        glyphs,
        len(conf.pairs),
        len(read_words),
    )
    return sum(open_)
