"""Canonical Certificate → UN/CEFACT SPSCertificate XML (prefixes rsm/ram/udt)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from adapters import normalize as _n
from adapters.canonical import (
    REPLACES,
    Address,
    Certificate,
    Classification,
    Container,
    LineItem,
    Note,
    Package,
    Party,
    Reference,
    TransportMovement,
    Treatment,
    TreatmentCharacteristic,
)
from adapters.status import status_code_for
from adapters.uncefact_sps._common import (
    NAMESPACES,
    OTHER_QTY_UNIT,
    OTHER_QTY_VALUE,
    TYPE_CODES,
)

_ADDRESS_LINES = ("LineOne", "LineTwo", "LineThree", "LineFour", "LineFive")
_HS = "HS"


class _Writer:
    def __init__(self, version: str) -> None:
        self.ns = NAMESPACES[version]

    def el(self, parent: etree._Element, name: str, text: Any = None, /, ns: str = "ram",
           **attrs: str | None) -> etree._Element:  # fmt: skip
        child = etree.SubElement(parent, f"{{{self.ns[ns]}}}{name}")
        if text is not None:
            child.text = _fmt(text)
        for key, value in attrs.items():
            if value is not None:
                child.set(key, value)
        return child

    def opt(self, parent: etree._Element, name: str, text: Any, /, **attrs: str | None) -> None:
        if text is not None and text != "":
            self.el(parent, name, text, "ram", **attrs)

    def datetime(self, parent: etree._Element, name: str, value: Any) -> None:
        if value is not None:
            self.el(self.el(parent, name), "DateTimeString", value.isoformat(), ns="udt")

    def notes(self, parent: etree._Element, name: str, notes: Iterable[Note]) -> None:
        for note in notes:
            node = self.el(parent, name)
            self.opt(node, "Subject", note.subject)
            self.el(node, "Content", note.content, languageID=note.language)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def complete(cert: Certificate) -> Certificate:
    """A copy whose structured parts also carry the flat fields that only exist flat
    (a canonical JSON from OCR has no parties or line items, but still renders)."""
    update: dict[str, Any] = {}
    parties = list(cert.parties)
    for role in ("consignor", "consignee"):
        name, address = getattr(cert, f"{role}_name"), getattr(cert, f"{role}_address")
        if cert.party(role) is None and (name or address):
            addr = Address(lines=[address]) if address else None
            parties.append(Party(role=role, name=name, address=addr))
    if cert.issuing_agency and cert.party("issuer") is None:
        parties.append(Party(role="issuer", name=cert.issuing_agency))
    update["parties"] = parties
    if not cert.line_items and (cert.commodity or cert.hs_code or cert.net_weight_kg is not None):
        packages = [Package(level=1, count=cert.packages)] if cert.packages is not None else []
        update["line_items"] = [
            LineItem(sequence=1, description=cert.commodity, hs_code=cert.hs_code,
                     net_weight_kg=cert.net_weight_kg, quantity=cert.quantity, unit=cert.unit,
                     origin_country=cert.origin_country, packages=packages)
        ]  # fmt: skip
    # SPS names an origin per goods line only (the reader falls back to the export country):
    # the document's own, when no line names one (a CHED's countryOfOrigin), goes on each line
    items: list[LineItem] = update.get("line_items", cert.line_items)
    origin = cert.origin_country
    if origin and origin != cert.export_country and not any(_has_origin(i) for i in items):
        update["line_items"] = [i.model_copy(update={"origin_country": origin}) for i in items]
    if not cert.containers and cert.container_numbers:
        update["containers"] = [Container(number=n) for n in cert.container_list()]
    if not cert.transport and cert.means_of_transport:
        update["transport"] = [TransportMovement(means_name=cert.means_of_transport)]
    return cert.model_copy(update=update)


def _has_origin(item: LineItem) -> bool:
    return bool(item.origin_country or item.origin_countries)


def render(cert: Certificate, version: str = "17") -> bytes:
    cert = complete(cert)
    w = _Writer(version)
    root = etree.Element(f"{{{w.ns['rsm']}}}SPSCertificate", nsmap=dict(w.ns))
    _header(w, w.el(root, "SPSExchangedDocument", ns="rsm"), cert)
    _consignment(w, w.el(root, "SPSConsignment", ns="rsm"), cert)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _header(w: _Writer, doc: etree._Element, cert: Certificate) -> None:
    w.opt(doc, "Name", cert.title)
    w.opt(doc, "ID", cert.certificate_number)
    # a UN/CEFACT 1001 code; another format's own ("CVEDA") is not one
    code = cert.type_code if (cert.type_code or "").isdigit() else None
    w.opt(doc, "TypeCode", code or TYPE_CODES.get(cert.certificate_type or ""))
    # the raw code, else the one SPS has for the canonical status (withdrawn: 40)
    w.opt(doc, "StatusCode", cert.status_code or status_code_for(cert.status))
    w.datetime(doc, "IssueDateTime", cert.issue_date)
    issuer = cert.party("issuer")
    if issuer is not None:
        _party(w, doc, "IssuerSPSParty", issuer)
    w.notes(doc, "IncludedSPSNote", cert.notes)
    _references(w, doc, cert)  # the schema's sequence: notes, references, then the signatory
    if cert.place_of_issue or cert.officer_name:
        sign = w.el(doc, "SignatorySPSAuthentication")
        if cert.place_of_issue:
            w.el(w.el(sign, "IssueSPSLocation"), "Name", cert.place_of_issue)
        if cert.officer_name:
            person = w.el(w.el(sign, "ProviderSPSParty"), "SpecifiedSPSPerson")
            w.el(person, "Name", cert.officer_name)


def _references(w: _Writer, doc: etree._Element, cert: Certificate) -> None:
    pending = [a for a in cert.attachments if a.content_base64]
    refs = list(cert.references)
    if cert.replaces and not any(_replaced(r, cert.replaces) for r in refs):
        # the replaced certificate, a referenced document of its own type (ISPM 12)
        refs.append(
            Reference(id=cert.replaces, document_code=cert.type_code, relationship=REPLACES.upper())
        )
    for ref in refs:
        node = w.el(doc, "ReferenceSPSReferencedDocument")
        if ref.issue_date is not None:
            w.el(node, "IssueDateTime", ref.issue_date.isoformat())
        w.opt(node, "TypeCode", ref.document_code)
        w.opt(node, "RelationshipTypeCode", ref.relationship)
        w.el(node, "ID", ref.id)
        att = next((a for a in pending if a.reference_id == ref.id), None)
        if att is not None:
            pending.remove(att)
            w.el(node, "AttachmentBinaryObject", att.content_base64,
                 filename=att.filename, mimeCode=att.mime_type)  # fmt: skip
        w.opt(node, "Information", ref.description)
    for n, att in enumerate(pending, start=1):  # carried on, not left out: its own reference
        node = w.el(doc, "ReferenceSPSReferencedDocument")
        w.el(node, "RelationshipTypeCode", "ZZZ")  # mutually defined, as ePhyto attachments
        w.el(node, "ID", att.reference_id or att.filename or f"attachment-{n}")
        w.el(node, "AttachmentBinaryObject", att.content_base64,
             filename=att.filename, mimeCode=att.mime_type)  # fmt: skip
        w.opt(node, "Information", att.description)


def _replaced(ref: Reference, number: str) -> bool:
    return ref.id == number and (ref.relationship or "").lower() == REPLACES


def _party(w: _Writer, parent: etree._Element, name: str, party: Party) -> None:
    node = w.el(parent, name)
    for ident in party.identifiers:
        if ident.scheme == "ID":
            w.el(node, "ID", ident.value)
    w.opt(node, "Name", party.name)
    for ident in party.identifiers:
        if ident.scheme != "ID":
            w.el(node, "TypeCode", ident.value, listName=ident.scheme)
    if party.address is not None:
        addr = w.el(node, "SpecifiedSPSAddress")
        w.opt(addr, "PostcodeCode", party.address.postcode)
        for tag, line in zip(_ADDRESS_LINES, party.address.lines, strict=False):
            w.el(addr, tag, line)
        w.opt(addr, "CityName", party.address.city)
        w.opt(addr, "CountryID", party.address.country)


def _country(w: _Writer, parent: etree._Element, name: str, code: str | None) -> None:
    if code:
        w.el(w.el(parent, name), "ID", code)


def _consignment(w: _Writer, cons: etree._Element, cert: Certificate) -> None:
    for role, tag in (("consignor", "ConsignorSPSParty"), ("consignee", "ConsigneeSPSParty")):
        party = cert.party(role)
        if party is not None:
            _party(w, cons, tag, party)
    _country(w, cons, "ExportSPSCountry", cert.export_country)
    _country(w, cons, "ReExportSPSCountry", cert.reexport_country)
    _country(w, cons, "ImportSPSCountry", cert.destination_country)
    for code in cert.transit_countries:
        _country(w, cons, "TransitSPSCountry", code)
    if cert.port_of_entry or cert.port_of_entry_code:
        port = w.el(cons, "UnloadingBaseportSPSLocation")
        w.opt(port, "ID", cert.port_of_entry_code)
        if cert.port_of_entry != cert.port_of_entry_code:
            w.opt(port, "Name", cert.port_of_entry)
    for move in cert.transport:  # main carriage before the equipment, as the schema orders
        node = w.el(cons, "MainCarriageSPSTransportMovement")
        w.opt(node, "ID", move.journey_id)
        w.opt(node, "ModeCode", move.mode_code, name=move.mode_name)
        if move.means_name:
            w.el(w.el(node, "UsedSPSTransportMeans"), "Name", move.means_name)
    for container in cert.containers:
        node = w.el(cons, "UtilizedSPSTransportEquipment")
        w.opt(node, "ID", container.number)
        for seal in container.seals:
            w.el(w.el(node, "AffixedSPSSeal"), "ID", seal)
    if cert.line_items:
        group = w.el(cons, "IncludedSPSConsignmentItem")
        for item in cert.line_items:
            _item(w, w.el(group, "IncludedSPSTradeLineItem"), item)


def _item(w: _Writer, node: etree._Element, item: LineItem) -> None:
    w.opt(node, "SequenceNumeric", item.sequence)
    descriptions = item.descriptions or (
        [Note(content=item.description)] if item.description else []
    )
    for d in descriptions:
        w.el(node, "Description", d.content, languageID=d.language)
    w.opt(node, "CommonName", item.common_name)
    w.opt(node, "ScientificName", item.scientific_name)
    w.opt(node, "IntendedUse", item.intended_use)
    w.opt(node, "NetWeightMeasure", item.net_weight_kg, unitCode="KGM")
    w.opt(node, "GrossWeightMeasure", item.gross_weight_kg, unitCode="KGM")
    volume_code = _volume_code(item.volume_unit)
    w.opt(node, "NetVolumeMeasure", item.net_volume, unitCode=volume_code)
    w.opt(node, "GrossVolumeMeasure", item.gross_volume, unitCode=volume_code)
    w.notes(node, "AdditionalInformationSPSNote", [*item.notes, *_quantity_notes(item)])
    classifications = list(item.classifications)
    if item.hs_code and not any(k.system.upper() == _HS and k.code for k in classifications):
        classifications.insert(0, Classification(system=_HS, code=item.hs_code))
    for k in classifications:
        cls = w.el(node, "ApplicableSPSClassification")
        w.el(cls, "SystemName", k.system)
        w.opt(cls, "ClassCode", k.code)
        w.opt(cls, "ClassName", k.name)
    for p in item.packages:
        pkg = w.el(node, "PhysicalSPSPackage")
        w.opt(pkg, "LevelCode", p.level)
        w.opt(pkg, "TypeCode", p.type_code)
        w.opt(pkg, "ItemQuantity", p.count)
    origins = item.origin_countries or ([item.origin_country] if item.origin_country else [])
    for i, code in enumerate(origins):
        origin = w.el(node, "OriginSPSCountry")
        w.el(origin, "ID", code)
        if i == 0 and item.origin_region:
            w.el(w.el(origin, "SubordinateSPSCountrySubDivision"), "Name", item.origin_region)
    for t in item.treatments:
        _treatment(w, w.el(node, "AppliedSPSProcess"), t)


def _volume_code(unit: str | None) -> str | None:
    """A volume's ``unitCode``: the unit's UN/ECE Rec. 20 code ("m3" → ``MTQ``); one with
    none we know is written as the source gave it (the volume is no contract field, and a
    volume without its unit, or a guessed code, would say less)."""
    return (_n.rec20_code(unit) or unit) if unit else None


def _quantity_notes(item: LineItem) -> list[Note]:
    """The item's quantity as ePhyto's "other quantity" notes, where its notes lack them (the
    reader takes quantity and unit from there)."""
    if item.quantity is None or any(n.subject == OTHER_QTY_VALUE for n in item.notes):
        return []
    unit = [Note(subject=OTHER_QTY_UNIT, content=item.unit)] if item.unit else []
    return [Note(subject=OTHER_QTY_VALUE, content=_fmt(item.quantity)), *unit]


def _treatment(w: _Writer, node: etree._Element, t: Treatment) -> None:
    w.opt(node, "TypeCode", t.type_code)
    if t.start_date or t.end_date or t.duration is not None:  # the period comes second
        period = w.el(node, "CompletionSPSPeriod")
        w.datetime(period, "StartDateTime", t.start_date)
        w.datetime(period, "EndDateTime", t.end_date)
        w.opt(period, "DurationMeasure", t.duration, unitCode=t.duration_unit)
    characteristics = list(t.characteristics) or _characteristics_from_fields(t)
    for k in characteristics:
        ch = w.el(node, "ApplicableSPSProcessCharacteristic")
        w.opt(ch, "Description", k.code)
        for text in k.texts:
            w.el(ch, "Description", text.content, languageID=text.language)
        w.opt(ch, "ValueMeasure", k.value, unitCode=k.unit)
    w.notes(node, "AdditionalInformationSPSNote", t.notes)


def _characteristics_from_fields(t: Treatment) -> list[TreatmentCharacteristic]:
    out = []
    if t.chemical:
        out.append(TreatmentCharacteristic(code="TTCH", texts=[Note(content=t.chemical)]))
    if t.concentration is not None:
        out.append(
            TreatmentCharacteristic(code="TTCO", value=t.concentration, unit=t.concentration_unit)
        )
    if t.temperature is not None:
        out.append(
            TreatmentCharacteristic(code="TTTM", value=t.temperature, unit=t.temperature_unit)
        )
    return out
