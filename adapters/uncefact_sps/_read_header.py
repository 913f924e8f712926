"""SPSExchangedDocument + SPSConsignment (header, parties, countries, transport) → dicts."""

from __future__ import annotations

from typing import Any

from adapters._attachments import read_content
from adapters._collect import Collector
from adapters._xml import XNode
from adapters.status import canonical_status
from adapters.uncefact_sps._common import CERTIFICATE_TYPES

_ADDRESS_LINES = ("LineOne", "LineTwo", "LineThree", "LineFour", "LineFive")


def read_header(doc: XNode, c: Collector) -> dict[str, Any]:
    # the date is the DateTimeString, or the IssueDateTime's own text when it has none (read
    # once: an unreadable one is one warning, at the element that holds it)
    stamp = doc.child("IssueDateTime/DateTimeString") or doc.child("IssueDateTime")
    out: dict[str, Any] = {
        "title": doc.text("Name"),
        "certificate_number": doc.text("ID"),
        "type_code": doc.text("TypeCode"),
        "status_code": doc.text("StatusCode"),
        "issue_date": c.date(stamp, "issue date"),
        "notes": [_note(n) for n in doc.children("IncludedSPSNote") if n.text("Content")],
    }
    out["certificate_type"] = CERTIFICATE_TYPES.get(out["type_code"] or "")
    if canonical_status(out["status_code"]) == "unknown":
        c.warn(f"StatusCode {out['status_code']!r} is not an ePhyto status known here: kept", doc)
    if out["certificate_number"] is None:
        c.warn("certificate number (SPSExchangedDocument/ID) is missing", doc)
    issuer = doc.child("IssuerSPSParty")
    if issuer is not None and issuer.text("Name"):
        out["parties"] = [_party("issuer", issuer, c)]
    sign = doc.child("SignatorySPSAuthentication")
    if sign is not None:
        out["place_of_issue"] = sign.text("IssueSPSLocation/Name")
        out["officer_name"] = sign.text("ProviderSPSParty/SpecifiedSPSPerson/Name")
    out["references"], out["attachments"] = _references(doc, c)
    return out


def _note(node: XNode) -> dict[str, Any]:
    content = node.child("Content")
    return {
        "subject": node.text("Subject"),
        "content": node.text("Content"),
        "language": content.attr("languageID") if content is not None else None,
    }


def notes(node: XNode, name: str) -> list[dict[str, Any]]:
    return [_note(n) for n in node.children(name) if n.text("Content")]


def _party(role: str, node: XNode, c: Collector) -> dict[str, Any]:
    identifiers = [
        {"scheme": n.attr("listName") or n.attr("schemeID") or n.name, "value": n.text()}
        for n in [*node.children("ID"), *node.children("TypeCode")]
        if n.text()
    ]
    party: dict[str, Any] = {"role": role, "name": node.text("Name"), "identifiers": identifiers}
    addr = node.child("SpecifiedSPSAddress")
    if addr is not None:
        address = {
            "lines": [t for t in (addr.text(n) for n in _ADDRESS_LINES) if t],
            "city": addr.text("CityName"),
            "postcode": addr.text("PostcodeCode"),
            "country": c.country(addr.child("CountryID"), f"{role} address country"),
        }
        if any(address.values()):
            party["address"] = address
    return party


def _references(doc: XNode, c: Collector) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    refs: list[dict[str, Any]] = []
    attachments: list[dict[str, Any]] = []
    for node in doc.children("ReferenceSPSReferencedDocument"):
        ref_id = node.text("ID")
        if ref_id:
            refs.append(
                {
                    "id": ref_id,
                    "document_code": node.text("TypeCode"),
                    "relationship": node.text("RelationshipTypeCode"),
                    "issue_date": c.date(node.child("IssueDateTime"), "reference issue date"),
                    "description": node.text("Information"),
                }
            )
        for blob in node.children("AttachmentBinaryObject"):
            attachments.append(_attachment(blob, ref_id, node.text("Information"), c))
    return refs, attachments


def _attachment(blob: XNode, ref_id: str | None, info: str | None, c: Collector) -> dict[str, Any]:
    """An attachment; its content only when it is base64 (undecodable, it is a warning and
    left out: never carried on, or written out, as it came)."""
    fields, problem = read_content(blob.el.text or "", blob.attr("mimeCode"))
    if problem:
        c.warn(problem, blob)
    return {"filename": blob.attr("filename"), "description": info, "reference_id": ref_id,
            **fields}  # fmt: skip


def read_consignment(cons: XNode, c: Collector) -> dict[str, Any]:
    out: dict[str, Any] = {"parties": []}
    for role, name in (("consignor", "ConsignorSPSParty"), ("consignee", "ConsigneeSPSParty")):
        node = cons.child(name)
        if node is not None:
            out["parties"].append(_party(role, node, c))
    out["export_country"] = c.country(cons.child("ExportSPSCountry/ID"), "export country")
    out["reexport_country"] = c.country(cons.child("ReExportSPSCountry/ID"), "re-export country")
    out["destination_country"] = c.country(cons.child("ImportSPSCountry/ID"), "import country")
    out["transit_countries"] = [
        code
        for n in cons.children("TransitSPSCountry/ID")
        if (code := c.country(n, "transit country"))
    ]
    port = cons.child("UnloadingBaseportSPSLocation")
    if port is not None:
        out["port_of_entry"] = port.text("Name") or port.text("ID")
        out["port_of_entry_code"] = port.text("ID")
    out["transport"] = [_movement(m) for m in cons.children("MainCarriageSPSTransportMovement")]
    out["transport"] = [t for t in out["transport"] if any(v for k, v in t.items() if k != "role")]
    out["containers"] = [
        {"number": _container(e, c), "seals": e.texts("AffixedSPSSeal/ID")}
        for e in cons.children("UtilizedSPSTransportEquipment")
        if e.text("ID") or e.texts("AffixedSPSSeal/ID")
    ]
    return out


def _movement(node: XNode) -> dict[str, Any]:
    mode = node.child("ModeCode")
    return {
        "role": "main-carriage",
        "mode_code": node.text("ModeCode"),
        "mode_name": mode.attr("name") if mode is not None else None,
        "means_name": node.text("UsedSPSTransportMeans/Name"),
        "journey_id": node.text("ID"),
    }


def _container(node: XNode, c: Collector) -> str | None:
    from adapters import normalize as _n

    number = node.text("ID")
    if number and not _n.is_valid_container_number(number):
        c.warn(f"container number {number!r} fails the ISO 6346 check digit", node)
    return number
