"""XSD validation against the shipped HMRC CDS WCO DM 3.6 schemas (Apache-2.0, see schema/)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from lxml import etree

from adapters.base import Issue
from adapters.errors import InvalidDocument

logger = logging.getLogger(__name__)

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
_DECLARATION_XSD = SCHEMA_DIR / "declaration" / "cusdep_all.xsd"
_NOTIFICATION_XSD = SCHEMA_DIR / "notification" / "WCO_RES_2_DMS.xsd"
_METADATA_NOTIFICATION_XSD = SCHEMA_DIR / "notification" / "DocumentMetaData_2_DMS.xsd"


@functools.cache
def _schema(path: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    try:
        return etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSchemaParseError, OSError) as err:  # packaging problem, not bad input
        raise InvalidDocument(f"schema {path.name} cannot be loaded: {err}") from None


def validate_element(root: etree._Element, *, notification: bool = False) -> list[Issue]:
    """Schema errors of ``root`` (a MetaData or Declaration element) as issues; [] if valid."""
    path = _NOTIFICATION_XSD if notification else _DECLARATION_XSD
    if notification and etree.QName(root).localname == "MetaData":
        path = _METADATA_NOTIFICATION_XSD
    schema = _schema(path)
    doc = etree.ElementTree(root) if root.getparent() is None else _detached(root)
    if schema.validate(doc):
        return []
    return [
        Issue(" ".join(e.message.split()), "error", e.path or None, e.line or None)
        for e in schema.error_log
    ]


def _detached(root: etree._Element) -> etree._ElementTree:
    """Validate an inner element (e.g. MetaData inside HMRC's submitDeclarationRequest)."""
    import copy

    return etree.ElementTree(copy.deepcopy(root))
