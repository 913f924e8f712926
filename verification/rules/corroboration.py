"""Whether a read value is confirmed by something other than the recogniser's confidence.

A value read with low OCR confidence need not send a document to review when the value is
confirmed independently: it equals what the importer declared (names compared on letters and
digits, case-insensitively; numbers as numbers; certificate numbers among the declared
ones), or, for container numbers, every ISO 6346 check digit holds (and no listed item was
left unread or restored by a guess that its check digit decides). A misreading would have to
turn into exactly the declared value (or a valid check digit) to pass, so nothing misread is
accepted on this ground; a value that differs stays doubtful.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from adapters.normalize import is_valid_container_number
from verification.normalise import (
    ambiguous_number,
    format_number,
    partial_containers,
    repaired_containers,
)
from verification.results import FieldValue

_NAMES = ("consignor_name", "consignee_name", "origin_country", "commodity", "port_of_entry")


def corroborated(name: str, fv: FieldValue, declaration: Mapping[str, Any] | None) -> bool:
    value = str(fv.value)
    if name == "container_numbers" and partial_containers(fv.raw):
        return False  # an item was misread: the numbers read are not the whole list
    if name == "container_numbers" and _check_digits(value) and not repaired_containers(fv.raw):
        return True  # a restored doubled letter is valid by construction: the declaration decides
    if not declaration:
        return False
    if name == "certificate_number":
        listed = declaration.get("certificate_numbers") or []
        return _compact(value) in {_compact(str(x)) for x in listed}
    declared = declaration.get(name)
    if declared in (None, "", []):
        return False
    same = _COMPARE.get(name, same_text)
    return same(value, declared)


def corroborated_by_copy(name: str, fv: FieldValue, copy: Mapping[str, Any] | None) -> bool:
    """The value equals the issuer's electronic copy of the certificate (``rules.electronic``)."""
    theirs = None if copy is None else copy.get(name)
    return theirs not in (None, "", []) and same_value(name, str(fv.value), theirs)


def same_value(name: str, value: str, other: Any) -> bool:
    """``value`` (as read) says what ``other`` says: numbers as numbers, container numbers as
    a set, the rest on letters and digits, case-insensitively."""
    return _COMPARE.get(name, same_text)(value, other)


def as_declared(fv: FieldValue, declared: Any) -> FieldValue:
    """A weight whose print leaves its separators ambiguous (``normalise.ambiguous_number``:
    "18.659.900 kg" is 18,659.900 with the comma read as a dot, or 18 million in thousands
    dots) read the way that equals the declared weight exactly, when its reading a thousand
    times smaller or larger does: the digits read agree, only the separators are chosen. Its
    confidence stays low; ``corroborated`` then confirms it by the declaration."""
    if fv.value is None or not ambiguous_number(fv.raw or ""):
        return fv
    try:
        read, wanted = float(fv.value), float(declared)
    except (TypeError, ValueError):
        return fv
    for other in (read / 1000, read * 1000):
        if wanted > 0 and math.isclose(other, wanted, rel_tol=1e-9):
            return replace(fv, value=format_number(other))
    return fv


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def same_text(value: str, declared: Any) -> bool:
    return bool(_compact(value)) and _compact(value) == _compact(str(declared))


def _same_number(value: str, declared: Any) -> bool:
    try:
        return abs(float(value) - float(declared)) < 1e-6
    except (TypeError, ValueError):
        return False


def _same_containers(value: str, declared: Any) -> bool:
    items = declared if isinstance(declared, list) else re.split(r"[,;\s]+", str(declared))
    return {_compact(x) for x in value.split(",")} == {_compact(str(x)) for x in items if x}


def _check_digits(value: str) -> bool:
    numbers = [_compact(x).upper() for x in value.split(",") if x.strip()]
    return bool(numbers) and all(is_valid_container_number(x) for x in numbers)


_COMPARE: dict[str, Callable[[str, Any], bool]] = {
    "net_weight_kg": _same_number,
    "packages": _same_number,
    "container_numbers": _same_containers,
    "hs_code": same_text,
    **dict.fromkeys(_NAMES, same_text),
}
