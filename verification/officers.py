"""Match the officer name read on the certificate to the agency's registered officers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
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


def as_registered(name: FieldValue, officer: OfficerSpecimen) -> FieldValue:
    """``name`` spelt as the registry spells ``officer`` where the two have the same letters,
    read without spaces and punctuation and without a lone letter before or after the name
    ("Kar i Hansen", "L.a r s Nilsen", "c Julien Laurent": a word gap or a speck, not another
    name); otherwise ``name`` as read. The raw reading is kept."""
    if not name.value:
        return name
    wanted = _letters(officer.name.split())
    if wanted not in (_letters(name.value.split()), _letters(_without_lone_ends(name.value))):
        return name
    return replace(name, value=officer.name)


def _letters(tokens: Sequence[str]) -> str:
    return "".join(ch for ch in "".join(tokens).casefold() if ch.isalpha())


def _without_lone_ends(text: str) -> list[str]:
    tokens = text.split()
    while len(tokens) > 2 and len(_letters(tokens[:1])) == 1:
        tokens = tokens[1:]
    while len(tokens) > 2 and len(_letters(tokens[-1:])) == 1:
        tokens = tokens[:-1]
    return tokens
