"""The UN/CEFACT SPS certificate (ePhyto) adapter: sniff, parse, render, validate."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from pydantic import ValidationError

from adapters._attachments import refuse_invalid
from adapters._collect import Collector
from adapters._xml import XNode, parse_xml, refuse_non_xml_text, root_namespace
from adapters.base import Issue
from adapters.canonical import Certificate, Declaration
from adapters.errors import InvalidDocument, Reason, RenderError, UnsupportedVersion
from adapters.uncefact_sps._common import (
    FORMAT_ID,
    ROOT_PREFIX,
    SUPPORTED_VERSIONS,
    is_uncefact,
    root_version,
)
from adapters.uncefact_sps._read_header import read_consignment, read_header
from adapters.uncefact_sps._read_items import read_items
from adapters.uncefact_sps._render import render
from adapters.uncefact_sps.envelope import HUB_NS, envelope_issues, is_envelope, open_envelope

logger = logging.getLogger(__name__)


class SpsCertificateAdapter:
    """UN/CEFACT ``SPSCertificate`` XML as sent through the IPPC ePhyto Hub (versions 17 and 8).

    Elements are found by namespace URI and local name; prefixes never matter. ``render`` writes
    version ``render_version`` (17 unless told) with prefixes rsm/ram/udt.
    """

    format_id = FORMAT_ID
    version = "17"
    kind = "certificate"
    media_type = "application/xml"

    def __init__(self, render_version: str = "17") -> None:
        if render_version not in SUPPORTED_VERSIONS:
            raise UnsupportedVersion(f"cannot write SPSCertificate:{render_version}")
        self.render_version = render_version

    def sniff(self, data: bytes) -> bool:
        ns = root_namespace(data) or ""
        return ns.startswith(ROOT_PREFIX) or (ns == HUB_NS and b"SPSCertificate" in data[:65536])

    def parse(self, data: bytes) -> tuple[Certificate, list[Issue]]:
        root = parse_xml(data, format_id=FORMAT_ID)
        if is_envelope(root):
            return self._parse_envelope(root, data)
        version = self._check_root(root)
        c = Collector()
        node = XNode(root, is_uncefact)
        fields = self._read(node, c)
        fields["source"] = {
            "format_id": FORMAT_ID,
            "format_version": version,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        return _build(fields), c.issues

    def _parse_envelope(self, root: Any, data: bytes) -> tuple[Certificate, list[Issue]]:
        """An ePhyto Hub envelope: parse the certificate inside, check the header against it."""
        header, content = open_envelope(root, FORMAT_ID)
        if is_envelope(parse_xml(content, format_id=FORMAT_ID)):
            raise InvalidDocument("nested ePhyto Hub envelopes", format_id=FORMAT_ID)
        cert, issues = self.parse(content)
        if cert.source is not None:  # the anchored hash is the one of the bytes received
            cert.source.sha256 = hashlib.sha256(data).hexdigest()
            cert.source.format_version = f"{cert.source.format_version} (hub envelope)"
        return cert, [*envelope_issues(header, cert), *issues]

    def _check_root(self, root: Any) -> str:
        from lxml import etree

        q = etree.QName(root)
        version = root_version(q.namespace)
        if q.localname != "SPSCertificate" or not (q.namespace or "").startswith(ROOT_PREFIX):
            raise InvalidDocument(
                "not a UN/CEFACT SPSCertificate",
                [Reason(f"root element is {{{q.namespace}}}{q.localname}", "/", root.sourceline)],
                format_id=FORMAT_ID,
            )
        if version not in SUPPORTED_VERSIONS:
            raise UnsupportedVersion(
                f"SPSCertificate version {q.namespace[len(ROOT_PREFIX) :]!r} is not supported "
                f"(supported: {', '.join(SUPPORTED_VERSIONS)})",
                [Reason(q.namespace or "", "/SPSCertificate", root.sourceline)],
                format_id=FORMAT_ID,
            )
        return version

    def _read(self, root: XNode, c: Collector) -> dict[str, Any]:
        doc, cons = root.child("SPSExchangedDocument"), root.child("SPSConsignment")
        missing = [
            n for n, v in (("SPSExchangedDocument", doc), ("SPSConsignment", cons)) if v is None
        ]
        if missing:
            raise InvalidDocument(
                "mandatory parts missing",
                [Reason(f"no {m}", f"/SPSCertificate/{m}", root.line) for m in missing],
                format_id=FORMAT_ID,
            )
        assert doc is not None and cons is not None
        fields = read_header(doc, c)
        consignment = read_consignment(cons, c)
        fields["parties"] = fields.get("parties", []) + consignment.pop("parties")
        fields.update(consignment)
        fields["line_items"] = read_items(cons, c)
        fields["issuing_country"] = fields.get("reexport_country") or fields.get("export_country")
        return fields

    def render(self, doc: Certificate | Declaration) -> bytes:
        if not isinstance(doc, Certificate):
            raise RenderError("an SPS certificate cannot carry a declaration", format_id=FORMAT_ID)
        refuse_non_xml_text(doc, format_id=FORMAT_ID)
        refuse_invalid(doc.attachments, format_id=FORMAT_ID)
        return render(doc, self.render_version)

    def validate(self, data: bytes) -> list[Issue]:
        """No official XSD ships with us (SOURCES.md): the parse's issues, and an error for
        each part the schema requires of a certificate that the document lacks (its number,
        issue date, type, status, consignor, consignee, export and import country, the
        signatory)."""
        doc, issues = self.parse(data)
        missing = [what for what, value in _required(doc) if value in (None, "", [])]
        return [
            *issues,
            *(
                Issue(f"required by the SPS schema and missing: {what}", "error")
                for what in missing
            ),
        ]


def _required(doc: Certificate) -> list[tuple[str, Any]]:
    """What SPSExchangedDocument and SPSConsignment require, as the canonical model holds it."""
    return [
        ("certificate number (ID)", doc.certificate_number),
        ("issue date (IssueDateTime)", doc.issue_date),
        ("type (TypeCode)", doc.type_code),
        ("status (StatusCode)", doc.status_code),
        ("consignor (ConsignorSPSParty)", doc.consignor_name),
        ("consignee (ConsigneeSPSParty)", doc.consignee_name),
        ("export country (ExportSPSCountry)", doc.export_country),
        ("import country (ImportSPSCountry)", doc.destination_country),
        ("signatory (SignatorySPSAuthentication)", doc.officer_name),
    ]


def _build(fields: dict[str, Any]) -> Certificate:
    try:
        return Certificate.model_validate(fields)
    except ValidationError as err:
        reasons = [Reason(e["msg"], "/".join(str(p) for p in e["loc"])) for e in err.errors()]
        raise InvalidDocument(
            "values do not fit the canonical model", reasons, format_id=FORMAT_ID
        ) from None
