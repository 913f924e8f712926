"""Is the printed text of an impression that matched its specimen cell by cell confirmed?

Contradictions first (``_seal_text``, ``_ring_text``): two letters legibly swapped, a letter
added that moved the rest of the line, the stars of a rectangle missing. Then positive
confirmation (``_seal_letters``): an ink gap is no evidence either way, so a swap of two
neighbouring letters could hide in the letters that neither the pixels nor the recogniser
confirmed. The text that an imitation alters (any word of the ring, or the first inner line
of a rectangle) may leave at most ``max_open`` such swap positions open (one: a swap placed
anywhere in a text of 30-50 letters is then seen with probability 97% or more; only an ink gap
over exactly the two swapped letters lets one through); else the seal is not a match but
uncertain (an officer looks).

The cost is real: the ink gaps of a genuine impression hide letters as well as an
imitation's. Seeds 41-45, impressions whose cells matched: of 62 imitations with two letters
swapped none had one position or fewer open; of 152 genuine impressions, 24 had (10 none).
With the recogniser's contradictions, no text imitation of 70 was accepted (24 before), and 24
of 160 genuine seals were (148 before): the others go to an officer. Nearly all the letters
left open in genuine impressions show no contrast at all (ink gaps), so sharper pixel tests
would not bring them back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from verification._ring_text import RingReading, canvas_crop, read_ring
from verification._seal_letters import word_map, words_read
from verification._seal_text import TextEvidence, line_reads, misread_lines, text_evidence

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfirmThresholds:
    # Calibrated on corpus seeds 41-45 (seal stage: genuine impressions and imitations with
    # two neighbouring letters swapped; per case pairs / confirmed / open positions recorded).
    # Open positions allowed -> genuine / swapped passing (of 152 / 62): 0 -> 10 / 0,
    # 1 -> 24 / 0, 2 -> 43 / 1, 3 -> 62 / 4. 2 would also pass a swap under an ink gap of
    # three letters (tests/unit/verification/test_seal_text.py), so 1.
    max_open: int = 1


@dataclass(frozen=True)
class SpecimenView:
    """What of a specimen the text check needs (``seal._Prepared`` has it)."""

    id: str
    mask: np.ndarray
    rgb: np.ndarray
    key: str


def text_confirmed(
    rgb: np.ndarray,
    origin: tuple[int, int],
    angle: float,
    spec: SpecimenView,
    th: ConfirmThresholds | None = None,
) -> bool:
    """True when the impression's text agrees with the specimen's and is confirmed enough
    that a swap of two neighbouring letters would have been seen."""
    th = th or ConfirmThresholds()
    if canvas_crop(rgb, origin, spec.mask.shape[0]) is None:
        logger.info("seal %s: cut by the page edge, its text cannot be confirmed", spec.id)
        return False
    ev = text_evidence(rgb, origin, angle, spec.mask, spec.rgb)
    if ev is None:
        return True  # the specimen has no text to tell apart
    if _contradicted(ev, spec.id):
        return False
    reads: tuple[tuple[str, str], ...] = ()
    if ev.kind == "lines":
        reads = line_reads(ev, spec.key)
        misread = misread_lines(reads)
        if misread:
            logger.info(
                "seal %s: inner text contradicts the specimen (%s)", spec.id, "; ".join(misread)
            )
            return False
    else:
        ring = read_ring(rgb, origin, angle, spec.mask, spec.rgb, spec.key)
        if ring is not None and ring.contradictions:
            _log_ring(spec.id, ring)
            return False
        reads = ((ring.expected_raw, ring.read_raw),) if ring is not None else ()
    return _confirmed(ev, reads[0] if reads else ("", ""), spec.id, th)


def _contradicted(ev: TextEvidence, spec_id: str) -> bool:
    if ev.solids_missing:
        logger.info(
            "seal %s: none of its %d solid marks (stars, emblem) is there", spec_id, ev.solids
        )
        return True
    if ev.layout_moved:
        logger.info(
            "seal %s: its %s text sits off the specimen's places (a letter added?)",
            spec_id,
            ev.kind,
        )
        return True
    if ev.contradicted:
        logger.info(
            "seal %s: %d of %d glyph pairs of its %s text fit a swap better than the specimen",
            spec_id,
            ev.contradicted,
            ev.pairs,
            ev.kind,
        )
        return True
    return False


def _log_ring(spec_id: str, ring: RingReading) -> None:
    logger.info(
        "seal %s: ring text contradicts the specimen (%s; read %r, expected %r)",
        spec_id,
        "; ".join(ring.contradictions),
        ring.read,
        ring.expected,
    )


def _confirmed(
    ev: TextEvidence, read: tuple[str, str], spec_id: str, th: ConfirmThresholds
) -> bool:
    conf = ev.confirmation
    if conf is None:
        return True
    wanted, found = words_read(*read) if read[0] else ((), ())
    mapped = word_map(conf.groups, wanted)
    read_words = frozenset(g for g, w in mapped.items() if found[w])
    open_ = conf.open(read_words)
    glyphs = sum(len(g) for g in conf.groups)
    if sum(open_) <= th.max_open:
        return True
    logger.info(
        "seal %s: its %s text is not confirmed: %d swap positions open (per word %s; %d of "
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
    return False
