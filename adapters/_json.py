"""Safe JSON reading shared by the JSON adapters (UTF-8 with or without BOM).

A key given twice in one object (``{"netWeight": 10, "netWeight": 1000}``) is refused
(``UnsafeInput`` naming the key and its path): ``json`` would keep the last value in silence,
another reader the first, so the document means what the reader makes of it."""

from __future__ import annotations

import functools
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
    seen: list[bool] = []
    try:
        value = json.loads(text, object_pairs_hook=functools.partial(_unique_keys, seen))
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
    if seen:
        _refuse_duplicates(value, format_id)
    return value


class _DuplicateKey(UnsafeInput):
    """A key given twice (code ``adapters.unsafe``: an ambiguity a reader must not settle)."""


class _Duplicated(dict[str, Any]):
    """A JSON object that had keys more than once (``twice``), kept only to be named."""

    twice: list[str]


def _unique_keys(seen: list[bool], pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    twice: list[str] = []
    for key, value in pairs:
        if key in out and key not in twice:
            twice.append(key)
        out[key] = value
    if not twice:
        return out
    seen.append(True)
    marked = _Duplicated(out)
    marked.twice = twice
    return marked


def _refuse_duplicates(value: Any, format_id: str | None) -> None:
    """``UnsafeInput`` naming each key given twice (with its JSON path), first ones first."""
    reasons: list[Reason] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, _Duplicated):
            reasons += [
                Reason(f"key {k!r} given more than once", json_path((*loc, k))) for k in node.twice
            ]
        stack.extend(reversed([((*loc, k), v) for k, v in _children(node)]))
    raise _DuplicateKey(
        "duplicate key in a JSON object: the document is ambiguous", reasons, format_id=format_id
    )


def _children(node: Any) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        return list(node.items())
    return list(enumerate(node)) if isinstance(node, list) else []


def refuse_duplicate_keys(data: bytes) -> None:
    """``UnsafeInput`` if ``data`` is JSON with a key given twice; nothing else is said here
    (detection calls it before "no adapter recognises this": a sniffer that read the JSON
    and met the duplicate could only say no)."""
    try:
        load_json(data)
    except _DuplicateKey:
        raise
    except (MalformedInput, UnsafeInput):
        pass


def looks_like_json_object(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def json_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic/JSON location as ``$.a.b[0].c``."""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
