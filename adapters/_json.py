"""Safe JSON reading shared by the JSON adapters (UTF-8 with or without BOM)."""

from __future__ import annotations

import json
from typing import Any

from adapters.errors import MAX_DOCUMENT_BYTES, MalformedInput, Reason, UnsafeInput


def load_json(data: bytes, *, format_id: str | None = None) -> Any:
    """Bytes → JSON value, or ``MalformedInput``/``UnsafeInput`` naming the line."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnsafeInput(f"document larger than {MAX_DOCUMENT_BYTES} bytes", format_id=format_id)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise MalformedInput(
            "not UTF-8 text",
            [Reason(str(err), line=data[: err.start].count(b"\n") + 1)],
            format_id=format_id,
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise MalformedInput(
            "not valid JSON", [Reason(err.msg, line=err.lineno)], format_id=format_id
        ) from None
    except RecursionError:
        raise UnsafeInput("JSON nested too deeply", format_id=format_id) from None
    except ValueError as err:  # e.g. integer string longer than Python's limit
        raise UnsafeInput(
            "JSON value out of range", [Reason(str(err))], format_id=format_id
        ) from None


def looks_like_json_object(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def json_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic/JSON location as ``$.a.b[0].c``."""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
