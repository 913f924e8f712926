"""Partner formats in and out, and the canonical document model. Imports nothing else of ours.

Public surface (asserted by ``tests/unit/adapters/test_exported_members.py``):

* the canonical model (:mod:`adapters.canonical`): ``Certificate``, ``Declaration``, their parts,
  ``load_canonical``, ``CERTIFICATE_FIELDS``, ``DECLARATION_FIELDS``;
* normalisation (:mod:`adapters.normalize`) is imported as a module: ``from adapters import
  normalize`` (``NormalizationError`` is re-exported here).
"""

from adapters import normalize
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
    load_canonical,
)
from adapters.normalize import NormalizationError

__all__ = [
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
    "load_canonical",
    "normalize",
]
