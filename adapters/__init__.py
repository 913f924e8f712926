"""Partner formats in and out, and the canonical document model. Imports nothing else of ours.

Public surface (asserted by ``tests/unit/adapters/test_exported_members.py``):

* the canonical model (:mod:`adapters.canonical`): ``Certificate``, ``Declaration``, their parts,
  ``load_canonical``, ``CERTIFICATE_FIELDS``, ``DECLARATION_FIELDS``;
* the adapter interface: ``FormatAdapter``, ``Issue``, ``get_adapter``, ``detect``,
  ``known_formats``, ``parse_document`` and the ``AdapterError`` tree (``adapters.errors``);
* normalisation (:mod:`adapters.normalize`) is imported as a module: ``from adapters import
  normalize`` (``NormalizationError`` is re-exported here).

Each name is imported from its module on first use (PEP 562), so ``from adapters import
normalize`` does not load every adapter (``cusdep verify`` needs only the normalisers).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adapters import normalize
    from adapters.base import FormatAdapter, Issue
    from adapters.canonical import (
        CERTIFICATE_FIELDS,
        DECLARATION_FIELDS,
        Address,
        Attachment,
        CanonicalDocument,
        Certificate,
        Classification,
        Container,
        Declaration,
        Identifier,
        LineItem,
        Note,
        Package,
        Party,
        Reference,
        SourceInfo,
        TransportMovement,
        Treatment,
        TreatmentCharacteristic,
        load_canonical,
    )
    from adapters.errors import (
        MAX_DOCUMENT_BYTES,
        AdapterError,
        InvalidDocument,
        MalformedInput,
        Reason,
        RenderError,
        TamperedDocument,
        UnknownFormat,
        UnsafeInput,
        UnsupportedVersion,
    )
    from adapters.normalize import NormalizationError
    from adapters.registry import detect, get_adapter, known_formats, parse_document

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "AdapterError",
    "FormatAdapter",
    "InvalidDocument",
    "Issue",
    "MalformedInput",
    "Reason",
    "RenderError",
    "TamperedDocument",
    "UnknownFormat",
    "UnsafeInput",
    "UnsupportedVersion",
    "detect",
    "get_adapter",
    "known_formats",
    "parse_document",
    "CERTIFICATE_FIELDS",
    "DECLARATION_FIELDS",
    "Address",
    "Attachment",
    "CanonicalDocument",
    "Certificate",
    "Classification",
    "Container",
    "Declaration",
    "Identifier",
    "LineItem",
    "NormalizationError",
    "Note",
    "Package",
    "Party",
    "Reference",
    "SourceInfo",
    "TransportMovement",
    "Treatment",
    "TreatmentCharacteristic",
    "load_canonical",
    "normalize",
]

_HOME = {
    "normalize": "adapters.normalize",
    "MAX_DOCUMENT_BYTES": "adapters.errors",
    **dict.fromkeys(("FormatAdapter", "Issue"), "adapters.base"),
    **dict.fromkeys(
        (
            "CERTIFICATE_FIELDS",
            "DECLARATION_FIELDS",
            "Address",
            "Attachment",
            "CanonicalDocument",
            "Certificate",
            "Classification",
            "Container",
            "Declaration",
            "Identifier",
            "LineItem",
            "Note",
            "Package",
            "Party",
            "Reference",
            "SourceInfo",
            "TransportMovement",
            "Treatment",
            "TreatmentCharacteristic",
            "load_canonical",
        ),
        "adapters.canonical",
    ),
    **dict.fromkeys(
        (
            "AdapterError",
            "InvalidDocument",
            "MalformedInput",
            "Reason",
            "RenderError",
            "TamperedDocument",
            "UnknownFormat",
            "UnsafeInput",
            "UnsupportedVersion",
        ),
        "adapters.errors",
    ),
    "NormalizationError": "adapters.normalize",
    **dict.fromkeys(
        ("detect", "get_adapter", "known_formats", "parse_document"), "adapters.registry"
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'adapters' has no attribute {name!r}")
    module = importlib.import_module(home)
    value = module if home == f"adapters.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
