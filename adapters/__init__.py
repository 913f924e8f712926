"""Partner formats in and out, and the canonical document model. Imports nothing else of ours.

Public surface (asserted by ``tests/unit/adapters/test_exported_members.py``):

* the canonical model (:mod:`adapters.canonical`): ``Certificate``, ``Declaration``, their parts,
  ``load_canonical``, ``CERTIFICATE_FIELDS``, ``DECLARATION_FIELDS``;
* the adapter interface: ``FormatAdapter``, ``Issue``, ``get_adapter``, ``detect``,
  ``known_formats``, ``parse_document`` and the ``AdapterError`` tree (``adapters.errors``);
* normalisation (:mod:`adapters.normalize`) is imported as a module: ``from adapters import
  normalize`` (``NormalizationError`` is re-exported here).
"""

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
