"""Input checks for registry submissions: ids, countries, dates, specimen images, templates."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from typing import Any

from PIL import Image, UnidentifiedImageError

from node.errors import InputError, LimitExceeded
from verification.errors import TemplateError
from verification.templates import parse_template

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_SPECIMEN_BYTES = 10 * 1024 * 1024
MAX_SPECIMEN_PIXELS = 16_000_000


def record_id(value: str, what: str = "--id") -> str:
    if not _ID.match(value):
        raise InputError(f"{what} must be 1-64 letters, digits, '.', '_' or '-', got {value!r}")
    return value


def country(value: str, what: str = "--country") -> str:
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
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as err:
        raise InputError(f"{what} must be a date YYYY-MM-DD, got {value!r}") from err
    if day < _EPOCH:  # the chain holds seconds since 1970 (uint64)
        raise InputError(f"{what} must be on or after {_EPOCH}, got {value!r}")
    moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min, dt.UTC)
    return int(moment.timestamp())


_EPOCH = dt.date(1970, 1, 1)


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


def template_json(data: bytes) -> dict[str, Any]:
    """Parse and check a template in the contract's format; errors name the offending key."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"template is not valid JSON: {err}") from err
    if not isinstance(doc, dict):
        raise InputError("template must be a JSON object")
    for key in ("id", "certificate_type", "issuing_country", "agency", "titles", "fields"):
        if key not in doc:
            raise InputError(f"template: missing key {key!r}")
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
