"""Our own canonical JSON as a format: the round-trip reference and the partial-document path."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from pydantic import ValidationError

from adapters._attachments import refuse_invalid
from adapters._json import json_path, load_json, looks_like_json_object
from adapters.base import Issue
from adapters.canonical import (
    CERTIFICATE_FIELDS,
    DECLARATION_FIELDS,
    Certificate,
    Declaration,
    load_canonical,
)
from adapters.errors import InvalidDocument, Reason

logger = logging.getLogger(__name__)

FORMAT_ID = "cusdep-json"
_KNOWN = set(CERTIFICATE_FIELDS) | set(DECLARATION_FIELDS) | {"doc_type"}


class CanonicalJsonAdapter:
    """Canonical JSON (the contract's field vocabulary plus structured parts)."""

    format_id = FORMAT_ID
    version = "1"
    kind = "certificate"
    media_type = "application/json"

    def sniff(self, data: bytes) -> bool:
        if not looks_like_json_object(data):
            return False
        try:
            value = load_json(data)
        except Exception:  # noqa: BLE001 - sniffing never raises
            return False
        return isinstance(value, dict) and bool(_KNOWN & value.keys())

    def parse(
        self, data: bytes, kind: str | None = None
    ) -> tuple[Certificate | Declaration, list[Issue]]:
        """``kind``: what the document is taken as when it does not say (no ``doc_type``)."""
        value = load_json(data, format_id=FORMAT_ID)
        if not isinstance(value, dict):
            raise InvalidDocument("canonical JSON must be an object", format_id=FORMAT_ID)
        if not _KNOWN & value.keys():
            raise InvalidDocument(
                "not a canonical document: none of its keys is a canonical field",
                [Reason(f"keys: {', '.join(sorted(value)[:8]) or 'none'}", "$")],
                format_id=FORMAT_ID,
            )
        try:
            doc = load_canonical(value, kind)
        except ValidationError as err:
            reasons = [Reason(_said(e), json_path(e["loc"])) for e in err.errors()]
            raise InvalidDocument(
                "not a canonical document", reasons, format_id=FORMAT_ID
            ) from None
        known = set(type(doc).model_fields)
        issues = [
            Issue(f"unknown field {key!r} ignored", "warning", f"$.{key}")
            for key in value
            if key not in known
        ]
        refuse_invalid(doc.attachments, format_id=FORMAT_ID)
        if doc.source is None:
            doc.source = _source(data)
        return doc, issues

    def render(self, doc: Certificate | Declaration) -> bytes:
        refuse_invalid(doc.attachments, format_id=FORMAT_ID)
        return (json.dumps(doc.to_json_dict(), indent=2, ensure_ascii=False) + "\n").encode()

    def validate(self, data: bytes) -> list[Issue]:
        _, issues = self.parse(data)
        return issues


def _said(error: Any) -> str:
    """A validation error's message with the value refused, unless the message names it."""
    got = repr(error.get("input"))
    got = got if len(got) <= 40 else got[:37] + "..."
    return error["msg"] if got in error["msg"] else f"{error['msg']}, got {got}"


def _source(data: bytes):  # type: ignore[no-untyped-def]
    from adapters.canonical import SourceInfo

    return SourceInfo(
        format_id=FORMAT_ID, format_version="1", sha256=hashlib.sha256(data).hexdigest()
    )
