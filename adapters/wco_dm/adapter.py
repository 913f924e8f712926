"""WCO Data Model 3.6 declarations (HMRC CDS "DMS" customisation) → canonical Declaration."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from lxml import etree
from pydantic import ValidationError

from adapters._collect import Collector
from adapters._xml import XNode, parse_xml, refuse_non_xml_text, root_namespace
from adapters.base import Issue
from adapters.canonical import Certificate, Declaration
from adapters.errors import InvalidDocument, Reason, RenderError, UnsupportedVersion
from adapters.wco_dm._read import read_declaration
from adapters.wco_dm._render import render
from adapters.wco_dm._schema import validate_element

logger = logging.getLogger(__name__)

FORMAT_ID = "wco-dec-xml"
WCO = "urn:wco:datamodel:WCO:"
DEC_NS = WCO + "DEC-DMS:2"
METADATA_NS = WCO + "DocumentMetaData-DMS:2"
RES_NS = WCO + "RES-DMS:2"


def _accept(namespace: str | None) -> bool:
    return namespace == DEC_NS


class WcoDeclarationAdapter:
    """A WCO DM declaration: ``MetaData`` + ``Declaration``, a bare ``Declaration``, or HMRC's
    ``submitDeclarationRequest`` wrapper. Byte-order marks are accepted; the DE 2/3 documents
    (``AdditionalDocument``: category + type code, e.g. N853) become references."""

    format_id = FORMAT_ID
    version = "3.6"
    kind = "declaration"
    media_type = "application/xml"

    def sniff(self, data: bytes) -> bool:
        ns = root_namespace(data) or ""
        if ns.startswith(WCO):
            return RES_NS.encode() not in data[:4096]
        return b"submitDeclarationRequest" in data[:2048] and DEC_NS.encode() in data[:8192]

    def parse(self, data: bytes) -> tuple[Declaration, list[Issue]]:
        root = parse_xml(data, format_id=FORMAT_ID)
        dec = self._declaration(root)
        c = Collector()
        fields = read_declaration(XNode(dec, _accept), c)
        moves = fields["transport"] + fields.pop("transport_extra", [])
        fields["transport"] = [t for t in moves if any(v for k, v in t.items() if k != "role")]
        meta = self._metadata(root)
        fields["source"] = {
            "format_id": FORMAT_ID,
            "format_version": meta.get("version") or self.version,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        return _build(fields), c.issues

    def _declaration(self, root: etree._Element) -> etree._Element:
        found = root if etree.QName(root).localname == "Declaration" else None
        if found is None:
            found = next(root.iter(f"{{{DEC_NS}}}Declaration"), None)
        if found is None:
            _refuse_other_version(root)
        if found is None or etree.QName(found).namespace != DEC_NS:
            why = (
                "a WCO response/notification (RES), not a declaration"
                if _is_notification(root)
                else f"no {{{DEC_NS}}}Declaration element"
            )
            raise InvalidDocument(
                "not a WCO DM declaration",
                [Reason(why, "/" + etree.QName(root).localname, root.sourceline)],
                format_id=FORMAT_ID,
            )
        return found

    def _metadata(self, root: etree._Element) -> dict[str, Any]:
        meta = (
            root
            if etree.QName(root).localname == "MetaData"
            else next(root.iter(f"{{{METADATA_NS}}}MetaData"), None)
        )
        if meta is None:
            return {}
        node = XNode(meta, lambda ns: ns == METADATA_NS)
        return {
            "version": node.text("WCODataModelVersionCode"),
            "country": node.text("ResponsibleCountryCode"),
        }

    def render(self, doc: Certificate | Declaration) -> bytes:
        if not isinstance(doc, Declaration):
            raise RenderError("a WCO declaration cannot carry a certificate", format_id=FORMAT_ID)
        refuse_non_xml_text(doc, format_id=FORMAT_ID)
        rendered = render(doc)
        problems = self.validate(rendered)
        if problems:  # e.g. a value longer than the CDS schema allows
            reasons = [Reason(i.message, i.path, i.line) for i in problems]
            raise RenderError(
                "declaration does not fit the WCO DMS schema", reasons, format_id=FORMAT_ID
            )
        return rendered

    def validate(self, data: bytes) -> list[Issue]:
        """XSD validation against the shipped HMRC CDS schemas (DEC-DMS:2 + metadata)."""
        root = parse_xml(data, format_id=FORMAT_ID)
        target = root
        if etree.QName(root).localname not in ("MetaData", "Declaration"):
            meta = next(root.iter(f"{{{METADATA_NS}}}MetaData"), None)
            target = meta if meta is not None else self._declaration(root)
        notification = next(root.iter(f"{{{RES_NS}}}Response"), None) is not None
        return validate_element(target, notification=notification)


def _refuse_other_version(root: etree._Element) -> None:
    """A ``Declaration`` in another WCO namespace (``DEC-DMS:3``, a non-DMS ``DEC``) is a
    version we do not read: ``UnsupportedVersion`` naming it, not "no declaration"."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        q = etree.QName(el)
        if q.localname == "Declaration" and (q.namespace or "").startswith(WCO):
            raise UnsupportedVersion(
                f"WCO declaration namespace {q.namespace!r} is not supported (supported: {DEC_NS})",
                [Reason(q.namespace or "", "/" + q.localname, el.sourceline)],
                format_id=FORMAT_ID,
            )


def _is_notification(root: etree._Element) -> bool:
    """HMRC notifications: a (namespace-less in the samples) MetaData with WCOTypeName RES."""
    for el in root.iter():
        if isinstance(el.tag, str):
            name = etree.QName(el).localname
            if name == "Response" or (name == "WCOTypeName" and (el.text or "").strip() == "RES"):
                return True
    return False


def _build(fields: dict[str, Any]) -> Declaration:
    try:
        return Declaration.model_validate(fields)
    except ValidationError as err:
        reasons = [Reason(e["msg"], "/".join(str(p) for p in e["loc"])) for e in err.errors()]
        raise InvalidDocument(
            "values do not fit the canonical model", reasons, format_id=FORMAT_ID
        ) from None
