"""IPPC ePhyto Hub envelopes (``{http://ephyto.ippc.int/HUB.Entities}Envelope``).

The Hub carries a certificate as the escaped XML text of ``Content`` under a header (From, To,
CertificateType, CertificateStatus, NPPOCertificateNumber). :func:`open_envelope` unwraps it;
:func:`envelope_issues` checks the header against the certificate inside (domain brief 3.4:
envelope vs content consistency); :func:`wrap_envelope` builds one for sending.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from adapters._xml import XNode
from adapters.base import Issue
from adapters.canonical import Certificate
from adapters.errors import InvalidDocument, Reason

HUB_NS = "http://ephyto.ippc.int/HUB.Entities"
_FIELDS = ("From", "To", "CertificateType", "CertificateStatus", "NPPOCertificateNumber")


@dataclass(frozen=True)
class EnvelopeHeader:
    sender: str | None
    recipient: str | None
    certificate_type: str | None
    certificate_status: str | None
    certificate_number: str | None
    hub_delivery_number: str | None = None


def is_envelope(root: etree._Element) -> bool:
    q = etree.QName(root)
    return bool(q.localname == "Envelope" and q.namespace == HUB_NS)


def open_envelope(root: etree._Element, format_id: str) -> tuple[EnvelopeHeader, bytes]:
    node = XNode(root, lambda ns: ns == HUB_NS)
    header = EnvelopeHeader(
        node.text("From"), node.text("To"), node.text("CertificateType"),
        node.text("CertificateStatus"), node.text("NPPOCertificateNumber"),
        node.text("hubDeliveryNumber"),
    )  # fmt: skip
    content = node.child("Content")
    if content is None or not (content.el.text or "").strip():
        raise InvalidDocument(
            "ePhyto Hub envelope without Content",
            [Reason("no certificate in the envelope", "/Envelope/Content", root.sourceline)],
            format_id=format_id,
        )
    return header, (content.el.text or "").strip().encode("utf-8")


def envelope_issues(header: EnvelopeHeader, cert: Certificate) -> list[Issue]:
    """Header values that disagree with the certificate inside the envelope."""
    checks = (
        ("From", header.sender, cert.issuing_country),
        ("To", header.recipient, cert.destination_country),
        ("CertificateType", header.certificate_type, cert.type_code),
        ("CertificateStatus", header.certificate_status, cert.status_code),
        ("NPPOCertificateNumber", header.certificate_number, cert.certificate_number),
    )
    return [
        Issue(
            f"envelope {name} {given!r} but certificate says {inside!r}",
            "error",
            f"/Envelope/{name}",
        )
        for name, given, inside in checks
        if given is not None
        and inside is not None
        and given.strip().upper() != inside.strip().upper()
    ]


def wrap_envelope(certificate_xml: bytes, header: EnvelopeHeader) -> bytes:
    """An Envelope carrying ``certificate_xml`` as escaped Content (as the Hub expects)."""
    root = etree.Element(f"{{{HUB_NS}}}Envelope", nsmap={"hub": HUB_NS})
    values = (header.sender, header.recipient, header.certificate_type,
              header.certificate_status, header.certificate_number)  # fmt: skip
    for name, value in zip(_FIELDS, values, strict=True):
        etree.SubElement(root, f"{{{HUB_NS}}}{name}").text = value or ""
    etree.SubElement(root, f"{{{HUB_NS}}}Content").text = certificate_xml.decode("utf-8")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
