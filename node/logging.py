"""Structured logs: one JSON object per line on stderr, configured once by ``node run`` (one-shot
commands log plain lines for a person, with ``-v``).

``configure(level="INFO")`` installs the handler on the root logger (uvicorn's and grpc's loggers
propagate to it). ``bind(doc_sha256=..., peer=..., op_id=...)`` adds fields to every record
logged inside the ``with`` block (contextvars, so per task). Libraries never call ``configure``.
A URL's password (``postgresql://user:pw@host``, an RPC URL's) and the secret of an API token
(``cdp_<id>_<secret>``) are masked in every line, whoever logged them (web3 logs its RPC URL).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

_FIELDS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "cusdep_log", default=None
)
# uvicorn adds a copy of some messages with ANSI colour codes for terminals
_RESERVED = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "color_message"}
# uvicorn's general log is named "uvicorn.error" for history's sake: its start and stop lines
# are not errors, and an operator grepping for "error" should not find them
_RENAMED = {"uvicorn.error": "uvicorn"}
_SECRETS = (
    # a URL's password, "/" in it too (``postgresql://u:se/cret@h/db``, as SQLAlchemy takes
    # it), but not a port followed by a path that has an "@" (``http://h:8545/@scope``)
    (re.compile(r"(\b[a-zA-Z][\w+.-]*://[^/\s:@]*):(?!\d+/)[^@\s?#]+@"), r"\1:***@"),
    (re.compile(r"\b((?:password|passwd|pwd|secret|token)=)[^&\s]+", re.IGNORECASE), r"\1***"),
    (re.compile(r"\b(cdp_[0-9a-f]+_)[\w-]+"), r"\1***"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": _RENAMED.get(record.name, record.name),
            "msg": redact(record.getMessage()),
        }
        out.update(_FIELDS.get() or {})
        out.update(
            (k, redact(v) if isinstance(v, str) else v)
            for k, v in vars(record).items()
            if k not in _RESERVED and not k.startswith("_")
        )
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, default=str, ensure_ascii=False)


def configure(level: str | int = "INFO", *, stream: TextIO | None = None) -> logging.Handler:
    """Replace the root logger's handlers with one JSON-lines handler. Idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_cusdep", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._cusdep = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler


@contextlib.contextmanager
def bind(**fields: Any) -> Iterator[None]:
    token = _FIELDS.set({**(_FIELDS.get() or {}), **fields})
    try:
        yield
    finally:
        _FIELDS.reset(token)
