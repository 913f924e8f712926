"""The explicit map of partner formats: ``get_adapter(id)``, ``detect(bytes)``, ``known_formats()``.

Adapters are chosen by name from :data:`_ADAPTERS` (never by dotted import strings). Aliases
are accepted for the ids partners commonly use (``ephyto``, ``sps``, ``wco``, ...).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from adapters._json import load_json, looks_like_json_object, refuse_duplicate_keys
from adapters._unknown import described
from adapters._xml import refuse_dtd, strip_bom
from adapters.base import FormatAdapter, Issue
from adapters.canonical import Certificate, Declaration
from adapters.cusdep_json import CanonicalJsonAdapter
from adapters.defra import AlvsClearanceAdapter, IpaffsChedAdapter
from adapters.errors import InvalidDocument, UnknownFormat
from adapters.openattestation import OpenAttestationAdapter
from adapters.uncefact_sps import SpsCertificateAdapter
from adapters.wco_dm import WcoDeclarationAdapter

logger = logging.getLogger(__name__)

_ADAPTERS: dict[str, Callable[[], FormatAdapter]] = {
    "uncefact-sps-xml": SpsCertificateAdapter,
    "wco-dec-xml": WcoDeclarationAdapter,
    "ipaffs-ched-json": IpaffsChedAdapter,
    "alvs-clearance-json": AlvsClearanceAdapter,
    "openattestation-v2": OpenAttestationAdapter,
    "cusdep-json": CanonicalJsonAdapter,
}
_ALIASES: dict[str, str] = {
    "ephyto": "uncefact-sps-xml",
    "ippc-ephyto-xml": "uncefact-sps-xml",
    "sps": "uncefact-sps-xml",
    "sps-xml": "uncefact-sps-xml",
    "canonical-json": "cusdep-json",
    "canonical": "cusdep-json",
    "json": "cusdep-json",
    "wco": "wco-dec-xml",
    "wco-dm": "wco-dec-xml",
    "cds": "wco-dec-xml",
    "hmrc-cds": "wco-dec-xml",
    "ipaffs": "ipaffs-ched-json",
    "ched": "ipaffs-ched-json",
    "alvs": "alvs-clearance-json",
    "openattestation": "openattestation-v2",
    "oa": "openattestation-v2",
    "tradetrust": "openattestation-v2",
}
_DETECT_ORDER: tuple[str, ...] = (
    "uncefact-sps-xml",
    "wco-dec-xml",
    "ipaffs-ched-json",
    "alvs-clearance-json",
    "openattestation-v2",
    "cusdep-json",
)


def known_formats() -> tuple[str, ...]:
    """The format ids ``get_adapter`` accepts (aliases not included)."""
    return tuple(_ADAPTERS)


def get_adapter(format_id: str) -> FormatAdapter:
    """The adapter for ``format_id`` (or an alias); ``UnknownFormat`` lists the known ids."""
    key = format_id.strip().lower()
    key = _ALIASES.get(key, key)
    factory = _ADAPTERS.get(key)
    if factory is None:
        raise UnknownFormat(
            f"unknown format {format_id!r}; known formats: {', '.join(known_formats())}"
        )
    return factory()


def detect(data: bytes) -> FormatAdapter:
    """The first adapter whose ``sniff`` accepts ``data``; ``UnknownFormat`` if none does."""
    for format_id in _DETECT_ORDER:
        adapter = _ADAPTERS[format_id]()
        if adapter.sniff(data):
            return adapter
    refuse_dtd(strip_bom(data[:65536]))  # a DTD hides the root: say so, not "unknown"
    if looks_like_json_object(data):
        refuse_duplicate_keys(data)  # as a key given twice hides what the JSON is
    raise UnknownFormat(
        f"no adapter recognises this document{described(data, strip_bom(data))}; "
        f"known formats: {', '.join(known_formats())}"
    )


def parse_document(
    data: bytes, format_id: str | None = None
) -> tuple[Certificate | Declaration, list[Issue], FormatAdapter]:
    """Parse with the named adapter, or the detected one; returns the adapter used as well."""
    adapter = get_adapter(format_id) if format_id else detect(data)
    doc, issues = adapter.parse(data)
    return doc, [*issues, *_document_issues(doc)], adapter


def parse_declaration(
    data: bytes, format_id: str | None = None
) -> tuple[Declaration, list[Issue], FormatAdapter]:
    """A customs declaration in any format an adapter reads, values checked by its model;
    canonical JSON that does not say what it is (the contract's declaration JSON has no
    ``doc_type``) is taken as a declaration. ``InvalidDocument`` if it is something else.

    The one reading of a declaration: the API's intake, ``cusdep verify --declaration`` and
    ``cusdep eval`` all take theirs through here."""
    adapter = get_adapter(format_id) if format_id else detect(data)
    if isinstance(adapter, CanonicalJsonAdapter):
        doc, issues = adapter.parse(data, kind="declaration")
    else:
        doc, issues = adapter.parse(data)
    if not isinstance(doc, Declaration):
        raise InvalidDocument(
            f"this document is a {doc.doc_type}, not a declaration", format_id=adapter.format_id
        )
    return doc, [*issues, *_document_issues(doc)], adapter


def _document_issues(doc: Certificate | Declaration) -> list[Issue]:
    """What the canonical model says of a document whatever its format: a quantity left
    untotalled because some lines have none (``quantity_not_totalled``)."""
    why = doc.quantity_not_totalled()
    return [Issue(why, "warning", "line_items")] if why else []


def declaration_fields(data: bytes) -> dict[str, Any]:
    """A declaration (``parse_declaration``) as the review compares a paper with it: its
    contract fields, normalised (``"1,200 kg"`` -> 1200.0), over the keys of a JSON object
    (kept for what the vocabulary does not name)."""
    doc, _issues, _adapter = parse_declaration(data)
    obj = load_json(data) if looks_like_json_object(data) else None
    return {**(obj if isinstance(obj, dict) else {}), **doc.flat()}
