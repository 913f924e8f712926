"""Small helpers shared by the DEFRA JSON readers (IPAFFS CHEDs, ALVS clearance requests)."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ValidationError

from adapters import normalize as _n
from adapters._json import json_path
from adapters.base import Issue
from adapters.errors import InvalidDocument, Reason


class JsonCollector:
    """Like the XML collector: a value that cannot be read becomes a warning with its JSON path."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def warn(self, message: str, path: str) -> None:
        self.issues.append(Issue(message, "warning", path))

    def _try(self, fn: Any, raw: Any, path: str, what: str) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            self.warn(f"{what}: unexpected {type(raw).__name__}", path)
            return None
        try:
            return fn(raw)
        except (ValueError, TypeError, ArithmeticError):
            self.warn(f"{what}: cannot read {str(raw)[:60]!r}", path)
            return None

    def number(self, raw: Any, path: str, what: str) -> float | None:
        return self._try(_n.parse_number, raw, path, what)  # type: ignore[no-any-return]

    def integer(self, raw: Any, path: str, what: str) -> int | None:
        value = self.number(raw, path, what)
        return int(round(value)) if value is not None and abs(value) < 1e15 else None

    def date(self, raw: Any, path: str, what: str) -> Any:
        if isinstance(raw, str) and len(raw) > 10 and raw[4:5] == "-":
            raw = raw[:10]
        return self._try(_n.parse_date, raw, path, what)

    def country(self, raw: Any, path: str, what: str) -> str | None:
        return self._try(_n.country_code, raw, path, what)  # type: ignore[no-any-return]

    def hs(self, raw: Any, path: str, what: str) -> str | None:
        return self._try(_n.hs_code, raw, path, what)  # type: ignore[no-any-return]


def text(value: Any) -> str | None:
    """A JSON scalar as stripped text, None for null/empty/containers."""
    if value is None or isinstance(value, dict | list) or isinstance(value, bool):
        return None
    out = " ".join(str(value).split())
    return out or None


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def arr(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def source(format_id: str, version: str, data: bytes) -> dict[str, Any]:
    return {
        "format_id": format_id,
        "format_version": version,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def build(model: type[BaseModel], fields: dict[str, Any], format_id: str) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        reasons = [Reason(e["msg"], json_path(e["loc"])) for e in err.errors()]
        raise InvalidDocument(
            "values do not fit the canonical model", reasons, format_id=format_id
        ) from None
