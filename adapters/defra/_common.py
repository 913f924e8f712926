"""Small helpers shared by the DEFRA JSON readers (IPAFFS CHEDs, ALVS clearance requests)."""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ValidationError

from adapters._json import json_path
from adapters.errors import InvalidDocument, Reason


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
