"""Input checks for registry submissions: ids, countries, names, dates, specimen images,
templates. The registry's one set of checks: ``RegistryService`` runs them on every write
(CLI, REST), and ``registry import`` on a whole bundle before it writes anything.

Messages name the record's field (``id``, ``name``, ``image``, ``valid_from``), not a CLI flag
or a JSON key of one edge; a caller checking several records prefixes its own (``officer
'AU-O1': valid_to``).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import unicodedata
from typing import Any, Literal

from PIL import Image, UnidentifiedImageError

from node.errors import InputError, LimitExceeded
from verification.errors import TemplateError
from verification.templates import parse_template

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_SPECIMEN_BYTES = 10 * 1024 * 1024
MAX_SPECIMEN_PIXELS = 16_000_000
MAX_NAME = 200  # an agency's or officer's name (the REST schemas' limit too)
MAX_REASON = 500  # a revocation's reason, written on chain
# not text: control characters (newline, tab, C0/C1), lone surrogates (bytes that were not
# UTF-8, decoded with ``surrogateescape``: no JSON or UTF-8 encoder takes them), and the line
# and paragraph separators
_NOT_TEXT = frozenset({"Cc", "Cs", "Zl", "Zp"})
TEMPLATE_KEYS = frozenset(
    {"id", "certificate_type", "issuing_country", "agency", "titles", "fields", "date_order"}
)
TEMPLATE_FIELD_KEYS = frozenset({"name", "labels", "split_lines", "pattern"})


def record_id(value: str, what: str = "id") -> str:
    if not _ID.match(value):
        raise InputError(f"{what} must be 1-64 letters, digits, '.', '_' or '-', got {value!r}")
    return value


def text(value: str, what: str, limit: int = MAX_NAME) -> str:
    """``value`` stripped: one line of 1 to ``limit`` characters of valid Unicode."""
    v = value.strip()
    if not v:
        raise InputError(f"{what} must not be empty")
    if len(v) > limit:
        raise InputError(f"{what} must be at most {limit} characters, got {len(v)}")
    for i, ch in enumerate(v):
        category = unicodedata.category(ch)
        if category in _NOT_TEXT:
            kind = "invalid Unicode (not UTF-8 text)" if category == "Cs" else "a control character"
            raise InputError(
                f"{what} must be one line of text: character {i + 1} is {kind}, U+{ord(ch):04X}"
            )
    return v


def _at(where: str, name: str) -> str:
    return f"{where}: {name}" if where else name


def agency(agency_id: str, country_code: str, name: str, where: str = "") -> dict[str, str]:
    """An agency's fields, checked and normalised (country upper case, name stripped)."""
    record_id(agency_id, _at(where, "id"))
    return {
        "id": agency_id,
        "country": country(country_code, _at(where, "country")),
        "name": text(name, _at(where, "name")),
    }


def officer(
    officer_id: str,
    name: str,
    valid_from: str | None,
    valid_to: str | None,
    where: str = "",
) -> tuple[str, int, int]:
    """An officer's name (stripped) and validity (unix seconds, 0 open), checked."""
    record_id(officer_id, _at(where, "id"))
    clean = text(name, _at(where, "name"))
    start, end = validity(valid_from, valid_to, where)
    return clean, start, end


def validity(valid_from: str | None, valid_to: str | None, where: str = "") -> tuple[int, int]:
    """An officer's validity as unix seconds (0 open): from the start of ``valid_from`` to the
    end of ``valid_to`` (YYYY-MM-DD, UTC), checked."""
    start = date_bound(valid_from, _at(where, "valid_from"), end_of_day=False)
    end = date_bound(valid_to, _at(where, "valid_to"), end_of_day=True)
    if end and end < start:
        raise InputError(f"{_at(where, 'valid_to')} {valid_to} is before valid_from {valid_from}")
    return start, end


def country(value: str, what: str = "country") -> str:
    v = value.strip().upper()
    if len(v) != 2 or not v.isalpha() or not v.isascii() or not _assigned(v):
        raise InputError(f"{what} must be an ISO 3166 alpha-2 code, got {value!r}")
    return v


def _assigned(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code assigned to a country ("AB", "XX", "ZZ" are not)."""
    from adapters.normalize import NormalizationError, country_code

    try:
        return country_code(code) == code
    except NormalizationError:
        return False


def date_bound(value: str | None, what: str, *, end_of_day: bool) -> int:
    """A YYYY-MM-DD date as a UTC unix timestamp (start or end of that day); None -> 0 (open)."""
    if not value:
        return 0
    # only YYYY-MM-DD: Python's fromisoformat also takes "20240101" and "2024-W01-1", which
    # would be stored, shown and shared with partners in that other form
    if not _DAY.fullmatch(value):
        raise InputError(f"{what} must be a date YYYY-MM-DD, got {value!r}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as err:
        raise InputError(f"{what} must be a date YYYY-MM-DD, got {value!r}: {err}") from None
    if day < _EPOCH:  # the chain holds seconds since 1970 (uint64)
        raise InputError(f"{what} must be on or after {_EPOCH}, got {value!r}")
    moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min, dt.UTC)
    return int(moment.timestamp())


_EPOCH = dt.date(1970, 1, 1)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def specimen_image(data: bytes, what: str) -> str:
    """Check a specimen is a decodable PNG/JPEG/TIFF of sane size; returns its media type."""
    if not data:
        raise InputError(f"{what}: empty file")
    if len(data) > MAX_SPECIMEN_BYTES:
        raise LimitExceeded(f"{what}: {len(data)} bytes, more than {MAX_SPECIMEN_BYTES}")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_SPECIMEN_PIXELS:
                raise LimitExceeded(f"{what}: {img.width}x{img.height} pixels is too large")
            fmt = (img.format or "").upper()
            img.verify()  # structure and checksums ...
        with Image.open(io.BytesIO(data)) as img:
            img.load()  # ... and every pixel: a truncated JPEG passes verify() alone
    except Image.DecompressionBombError:
        raise LimitExceeded(f"{what}: too many pixels (a decompression bomb?)") from None
    except UnidentifiedImageError:  # its message is the stream's repr: nothing to add
        raise InputError(f"{what}: not a PNG, JPEG or TIFF image") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise InputError(f"{what}: not a readable PNG, JPEG or TIFF image") from err
    if fmt not in {"PNG", "JPEG", "TIFF"}:
        raise InputError(f"{what}: {fmt or 'unknown'} images are not accepted (PNG, JPEG, TIFF)")
    return {"PNG": "image/png", "JPEG": "image/jpeg", "TIFF": "image/tiff"}[fmt]


def specimen(data: bytes, what: str, kind: Literal["seal", "signature"]) -> str:
    """``specimen_image``, and a specimen the review can compare with: ink, and enough of it
    (``verification.seal.specimen_fault``, ``verification.signature.specimen_fault``: the
    review's own reading of a specimen's ink). Returns the media type."""
    media_type = specimen_image(data, what)
    if kind == "seal":
        from verification.seal import specimen_fault
    else:
        from verification.signature import specimen_fault
    fault = specimen_fault(data)
    if fault:
        raise InputError(f"{what}: {fault}")
    return media_type


def specimen_warnings(data: bytes, what: str) -> list[str]:
    """What an officer registering this (valid) specimen should know: an image that records
    no resolution is read at 300 dpi, and its stamp's size — which the comparison checks — is
    only right if it was scanned at that."""
    with Image.open(io.BytesIO(data)) as img:
        dpi = img.info.get("dpi")
    if dpi and 50 <= float(dpi[0]) <= 1200:
        return []
    return [
        f"{what}: the image records no resolution, so it is read as 300 dpi; "
        "a scan made at another resolution should be saved with its dpi"
    ]


def template_json(data: bytes, *, known_keys_only: bool = True) -> dict[str, Any]:
    """Parse and check a template in the contract's format; errors name the offending key.

    ``known_keys_only``: refuse a key the contract does not define (``TEMPLATE_KEYS``,
    ``TEMPLATE_FIELD_KEYS``), a misspelt ``date_ordr`` or ``patern`` that would otherwise be
    registered and silently not used. Off for a partner's template arriving by registry sync
    (``node.registry.apply``): a newer node may define more, and what is not known is not read.
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"template is not valid JSON: {err}") from err
    if not isinstance(doc, dict):
        raise InputError("template must be a JSON object")
    for key in ("id", "certificate_type", "issuing_country", "agency", "titles", "fields"):
        if key not in doc:
            raise InputError(f"template: missing key {key!r}")
    if known_keys_only:
        _known_keys(doc)
    _strings_are_text(doc, "template")
    text(str(doc["certificate_type"]), "template: certificate_type")
    record_id(str(doc["id"]), "template id")
    country(str(doc["issuing_country"]), "template issuing_country")
    record_id(str(doc["agency"]), "template agency")
    if not isinstance(doc["titles"], list) or not all(
        isinstance(t, str) and t for t in doc["titles"]
    ):
        raise InputError("template: 'titles' must be a non-empty list of strings")
    _fields(doc["fields"])
    if doc.get("date_order", "DMY") not in {"DMY", "MDY", "YMD"}:
        raise InputError("template: 'date_order' must be DMY, MDY or YMD")
    try:
        parse_template(doc)  # what the review reads of it (labels, patterns) must be usable
    except TemplateError as err:
        raise InputError(str(err.message)) from None
    return doc


def _known_keys(doc: dict[str, Any]) -> None:
    unknown = sorted(set(doc) - TEMPLATE_KEYS)
    if unknown:
        raise InputError(
            f"template: unknown key {unknown[0]!r} (a template has "
            f"{', '.join(sorted(TEMPLATE_KEYS))})"
        )
    fields = doc["fields"]
    for i, field in enumerate(fields if isinstance(fields, list) else []):
        extra = sorted(set(field) - TEMPLATE_FIELD_KEYS) if isinstance(field, dict) else []
        if extra:
            raise InputError(
                f"template: fields[{i}] has unknown key {extra[0]!r} (a field has "
                f"{', '.join(sorted(TEMPLATE_FIELD_KEYS))})"
            )


def _strings_are_text(value: Any, where: str) -> None:
    """Every string of the template (keys too) valid Unicode without control characters: a
    lone surrogate (``"\\udcff"`` in the JSON) cannot be encoded back to UTF-8 anywhere."""
    if isinstance(value, str):
        bad = next((ch for ch in value if unicodedata.category(ch) in _NOT_TEXT), None)
        if bad is not None:
            raise InputError(
                f"{where}: {value[:40]!r} is not one line of valid text (U+{ord(bad):04X})"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _strings_are_text(key, where)
            _strings_are_text(item, f"{where}: {key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _strings_are_text(item, f"{where}[{i}]")


@functools.cache
def _vocabulary() -> frozenset[str]:
    """What a template may extract: the contract's certificate vocabulary (a field with
    ``split_lines`` is named freely; its two parts must be of the vocabulary)."""
    from adapters import CERTIFICATE_FIELDS  # the canonical model: loaded only for templates

    return frozenset(CERTIFICATE_FIELDS)


def _fields(fields: Any) -> None:
    if not isinstance(fields, list) or not fields:
        raise InputError("template: 'fields' must be a non-empty list")
    for i, field in enumerate(fields):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            raise InputError(f"template: fields[{i}] needs a string 'name'")
        labels = field.get("labels")
        if (
            not isinstance(labels, list)
            or not labels
            or not all(isinstance(x, str) for x in labels)
        ):
            raise InputError(f"template: fields[{i}] ({field['name']}) needs a list of 'labels'")
        split = field.get("split_lines")
        if split is not None and (not isinstance(split, list) or len(split) != 2):
            raise InputError(f"template: fields[{i}] 'split_lines' must name two fields")
        for name in split or [field["name"]]:
            if name not in _vocabulary():
                raise InputError(
                    f"template: fields[{i}] names {name!r}, not a field of the vocabulary "
                    "(docs/cli-contract.md: certificate_number, issue_date, ...)"
                )
    _labels_unique(fields)


def _labels_unique(fields: list[dict[str, Any]]) -> None:
    """No label for two fields: the review reads one printed label as one field's, so the
    other would read nothing, or the same value (a label copied and not edited)."""
    from verification.layout import label_key  # how the review matches labels

    owner: dict[str, tuple[int, str]] = {}
    for i, field in enumerate(fields):
        for label in field["labels"]:
            first = owner.setdefault(label_key(label), (i, label))
            if first[0] != i:
                raise InputError(
                    f"template: fields[{i}] ({field['name']}) has the label {label!r}, as "
                    f"fields[{first[0]}] ({fields[first[0]]['name']}) has {first[1]!r}: "
                    "each printed label may name one field only"
                )
