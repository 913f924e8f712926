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
    key = _key(name.value)
    scored = [(SequenceMatcher(None, key, _key(o.name)).ratio(), o.id, o) for o in officers]
    score, _, best = max(scored)
    return best, score


def _key(text: str) -> str:
    return "".join(sorted(normalize_name(text).split()))
