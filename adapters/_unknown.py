"""What a document no adapter recognises looks like, for the one line that refuses it.

An integrator who feeds cusdep a file of the wrong kind learns which kind it is: an empty file,
a scan, an XML document named by its root element (a WCO response: customs' answer to a
declaration, not a document), a JSON document of a kind seen beside the partner formats
(a GVMS goods movement, an ALVS decision, a W3C verifiable credential) or named by its
top-level keys. Nothing here raises."""

from __future__ import annotations

import json
import re
from typing import Any

_SCANS = (
    (b"%PDF", "a PDF: a scan for the review pipeline, not a partner format"),
    (b"\x89PNG", "a PNG image: a scan for the review pipeline, not a partner format"),
    (b"\xff\xd8\xff", "a JPEG image: a scan for the review pipeline, not a partner format"),
    (b"II*\x00", "a TIFF image: a scan for the review pipeline, not a partner format"),
    (b"MM\x00*", "a TIFF image: a scan for the review pipeline, not a partner format"),
)
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_WCO_TYPE = re.compile(rb"<(?:\w+:)?WCOTypeName>\s*(\w+)\s*<")
_W3C_CREDENTIALS = (
    "https://www.w3.org/2018/credentials/v1",
    "https://www.w3.org/ns/credentials/v2",
)
_KEYS_SHOWN = 6


def described(data: bytes, text: bytes) -> str:
    """`` (it is ...)`` for the refusal of ``data`` (``text``: it as UTF-8), or ""."""
    what = _kind(data, text)
    return f" (it is {what})" if what else ""


def _kind(data: bytes, text: bytes) -> str:
    if not data.strip():
        return "an empty file"
    scan = next((kind for magic, kind in _SCANS if data.startswith(magic)), None)
    if scan:
        return scan
    head = text.lstrip()
    if head.startswith(b"<"):
        return _xml_kind(head)
    if head.startswith((b"{", b"[")):
        return _json_kind(text) if _utf8(data) else _NOT_UTF8
    return ""


_NOT_UTF8 = "JSON not encoded in UTF-8: save it as UTF-8, as RFC 8259 asks of JSON between systems"


def _utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 (a byte-order mark allowed): not UTF-16 (a BOM, or the NUL
    bytes of ASCII text in it), not Latin-1 or another 8-bit code page."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:64]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _xml_kind(head: bytes) -> str:
    root = _ROOT.search(head)
    if root is None:
        return ""
    name = root.group(2).decode("ascii", "replace")
    wco = _WCO_TYPE.search(head) if name == "MetaData" else None
    if wco is not None and wco.group(1) == b"RES":
        return "a WCO response (WCOTypeName RES): customs' notification about a declaration"
    return f"an XML document whose root element is {name}"


def _json_kind(text: bytes) -> str:
    try:
        value: Any = json.loads(text)
    except ValueError:  # not JSON at all: the adapters said why
        return ""
    if not isinstance(value, dict):
        return f"a JSON {type(value).__name__.replace('list', 'array')}, not an object"
    context = value.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if any(c in _W3C_CREDENTIALS for c in contexts):
        return "a W3C verifiable credential of a kind cusdep does not read"
    if "GmrId" in value:
        return "a GVMS goods movement reference (GMR), not a certificate or a declaration"
    header = value.get("serviceHeader")
    if isinstance(header, dict) and "decisionNumber" in (value.get("header") or {}):
        return f"a decision from {header.get('sourceSystem') or 'a border system'}, not a clearance"
    keys = list(value)[:_KEYS_SHOWN]
    more = ", ..." if len(value) > _KEYS_SHOWN else ""
    return (
        f"a JSON object with the keys {', '.join(keys)}{more}" if keys else "an empty JSON object"
    )
