"""Match the officer name read on the certificate to the agency's registered officers."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from adapters.normalize import normalize_name
from verification.ports import OfficerSpecimen
from verification.results import FieldValue


def match_officer(
    name: FieldValue | None, officers: Sequence[OfficerSpecimen]
) -> tuple[OfficerSpecimen | None, float]:
    """The closest registered officer and the name similarity in [0, 1]."""
    if name is None or not name.value or not officers:
        return None, 0.0
    scored = [(_similarity(name.value, o.name), o.id, o) for o in officers]
    score, _, best = max(scored)
    return best, score


def _similarity(read: str, registered: str) -> float:
    """Names compared without spaces (OCR drops them), in order and sorted by token."""
    a, b = normalize_name(read).split(), normalize_name(registered).split()
    ordered = SequenceMatcher(None, "".join(a), "".join(b)).ratio()
    tokens = SequenceMatcher(None, "".join(sorted(a)), "".join(sorted(b))).ratio()
    return max(ordered, tokens)
