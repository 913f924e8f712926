"""Canonical Declaration → WCO DM 3.6 (HMRC CDS DMS) ``MetaData`` + ``Declaration`` XML.

Writes what the canonical model carries, in the schema's element order; the result validates
against the shipped XSDs. Used for round trips and by the simulator to produce declarations.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from adapters import normalize as _n
from adapters.canonical import (
    Address,
    Container,
    Declaration,
    LineItem,
    Package,
    Party,
    Reference,
    TransportMovement,
)

DEC_NS = "urn:wco:datamodel:WCO:DEC-DMS:2"
MD_NS = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
_PARTY_AT_HEADER = (("Declarant", "declarant"), ("Exporter", "exporter"))


def _el(
    parent: etree._Element, name: str, text: Any = None, ns: str = DEC_NS, **attrs: str
) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{name}", **attrs)
    if text is not None:
        child.text = _fmt(text)
    return child


def _opt(parent: etree._Element, name: str, text: Any, **attrs: str) -> None:
    if text is not None and text != "":
        _el(parent, name, text, **attrs)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def complete(doc: Declaration) -> Declaration:
    """A copy whose structured parts also carry values that exist only as flat fields (the
    contract's Declaration JSON has no goods items or parties), so they survive rendering."""
    update: dict[str, Any] = {}
    parties = list(doc.parties)
    for role in ("consignor", "consignee"):
        name, address = getattr(doc, f"{role}_name"), getattr(doc, f"{role}_address")
        if name and doc.party(role) is None and doc.party(_ALT[role]) is None:
            lines = [address] if address else []
            parties.append(
                Party(role=role, name=name, address=Address(lines=lines) if lines else None)
            )
    update["parties"] = parties
    if not doc.line_items and (
        doc.hs_code or doc.net_weight_kg is not None or doc.commodity or doc.quantity is not None
    ):
        refs = [Reference(id=n) for n in doc.certificate_numbers]
        packages = [Package(count=doc.packages)] if doc.packages is not None else []
        update["line_items"] = [
            LineItem(sequence=1, description=doc.commodity, hs_code=doc.hs_code,
                     net_weight_kg=doc.net_weight_kg, quantity=doc.quantity, unit=doc.unit,
                     origin_country=doc.origin_country,
                     references=refs, packages=packages)
        ]  # fmt: skip
    if not doc.containers and doc.container_numbers:
        update["containers"] = [Container(number=n) for n in doc.container_list()]
    return doc.model_copy(update=update)


_ALT = {"consignor": "exporter", "consignee": "importer"}


def render(doc: Declaration, country: str = "GB", agency: str = "HMRC") -> bytes:
    doc = complete(doc)
    meta = etree.Element(f"{{{MD_NS}}}MetaData", nsmap={"md": MD_NS, None: DEC_NS})
    for name, value in (("WCODataModelVersionCode", "3.6"), ("WCOTypeName", "DEC"),
                        ("ResponsibleCountryCode", country), ("ResponsibleAgencyName", agency),
                        ("AgencyAssignedCustomizationVersionCode", "v2.1")):  # fmt: skip
        _el(meta, name, value, ns=MD_NS)
    dec = _el(meta, "Declaration")
    _header(dec, doc)
    return bytes(etree.tostring(meta, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _header(dec: etree._Element, doc: Declaration) -> None:
    _opt(dec, "FunctionCode", doc.function_code or "9")
    _opt(dec, "FunctionalReferenceID", doc.lrn or doc.declaration_number)
    if doc.declaration_number and doc.declaration_number != (doc.lrn or doc.declaration_number):
        _el(dec, "ID", doc.declaration_number)
    if doc.issue_date is not None:
        issued = _el(dec, "IssueDateTime")
        _el(
            issued,
            "DateTimeString",
            doc.issue_date.strftime("%Y%m%d") + "000000Z",
            formatCode="304",
        )
    _opt(dec, "TypeCode", doc.declaration_type)
    _opt(dec, "GoodsItemQuantity", len(doc.line_items) or None)
    _opt(dec, "TotalPackageQuantity", doc.packages)
    for ref in doc.references:
        _document(dec, ref, header=True)
    _header_party(dec, "Agent", doc.party("agent"))
    for move in (t for t in doc.transport if t.role == "border"):
        _means(dec, "BorderTransportMeans", move, nationality=True)
    _header_party(dec, "Declarant", doc.party("declarant"))
    _header_party(dec, "Exporter", doc.party("exporter"))
    _shipment(_el(dec, "GoodsShipment"), doc)


def _header_party(dec: etree._Element, tag: str, party: Party | None) -> None:
    if party is not None:
        _party(dec, tag, party)


def _means(
    parent: etree._Element, tag: str, move: TransportMovement, nationality: bool = False
) -> None:
    node = _el(parent, tag)
    _opt(node, "Name", move.means_name)
    _opt(node, "ID", move.journey_id)
    if nationality:
        _opt(node, "RegistrationNationalityCode", move.nationality)
    _opt(node, "ModeCode", move.mode_code)


def _document(parent: etree._Element, ref: Reference, header: bool = False) -> None:
    node = _el(parent, "AdditionalDocument")
    code = ref.document_code or ""
    _opt(node, "CategoryCode", code[:1] or None)
    _el(node, "ID", ref.id)
    if not header:
        _opt(node, "Name", ref.description)
    _opt(node, "TypeCode", code[1:] or None)
    if not header:
        _opt(node, "LPCOExemptionCode", ref.status)


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    node = _el(parent, tag)
    _opt(node, "Name", party.name)
    eori = next((i.value for i in party.identifiers if i.scheme == "EORI"), None)
    _opt(node, "ID", eori)
    if party.address is not None and any(party.address.model_dump().values()):
        addr = _el(node, "Address")
        _opt(addr, "CityName", party.address.city)
        _opt(addr, "CountryCode", party.address.country)
        _opt(addr, "Line", ", ".join(party.address.lines) or None)
        _opt(addr, "PostcodeID", party.address.postcode)


def _shipment(ship: etree._Element, doc: Declaration) -> None:
    _shipment_party(ship, "Consignee", doc.party("consignee"))
    moves = [t for t in doc.transport if t.role in ("arrival", "departure")]
    location = doc.goods_location or doc.port_of_entry
    if doc.containers or location or moves:
        cons = _el(ship, "Consignment")
        _opt(cons, "ContainerCode", "1" if doc.containers else None)
        for role in ("arrival", "departure"):
            for move in (t for t in moves if t.role == role):
                _means(cons, role.capitalize() + "TransportMeans", move)
        if location:
            _el(_el(cons, "GoodsLocation"), "Name", location)
        for i, container in enumerate((c for c in doc.containers if c.number), start=1):
            eq = _el(cons, "TransportEquipment")
            _el(eq, "SequenceNumeric", i)
            _el(eq, "ID", container.number)
            for n, seal in enumerate(container.seals, start=1):
                sealed = _el(eq, "Seal")
                _el(sealed, "SequenceNumeric", n)
                _el(sealed, "ID", seal)
    _shipment_party(ship, "Consignor", doc.party("consignor"))
    if doc.destination_country:
        _el(_el(ship, "Destination"), "CountryCode", doc.destination_country)
    if doc.dispatch_country:
        _el(_el(ship, "ExportCountry"), "ID", doc.dispatch_country)
    for n, item in enumerate(doc.line_items, start=1):
        _item(_el(ship, "GovernmentAgencyGoodsItem"), item, n)
    _shipment_party(ship, "Importer", doc.party("importer"))


def _shipment_party(ship: etree._Element, tag: str, party: Party | None) -> None:
    if party is not None:
        _party(ship, tag, party)


def _item(node: etree._Element, item: LineItem, n: int) -> None:
    _el(node, "SequenceNumeric", item.sequence if item.sequence is not None else n)
    for ref in item.references:
        _document(node, ref)
    for note in item.notes:
        if note.subject == "AI":
            _el(_el(node, "AdditionalInformation"), "StatementCode", note.content)
    commodity = _el(node, "Commodity")
    _opt(commodity, "Description", item.description)
    for k in _classifications(item):
        cls = _el(commodity, "Classification")
        _el(cls, "ID", k[1])
        _el(cls, "IdentificationTypeCode", k[0])
    tariff = _tariff_quantity(item)
    if item.gross_weight_kg is not None or item.net_weight_kg is not None or tariff:
        measure = _el(commodity, "GoodsMeasure")
        _opt(measure, "GrossMassMeasure", item.gross_weight_kg)
        _opt(measure, "NetNetWeightMeasure", item.net_weight_kg)
        if tariff:
            _el(measure, "TariffQuantity", tariff[0], **tariff[1])
    others = list(item.origin_countries)
    if item.origin_country in others:
        others.remove(item.origin_country)
    typed = [(item.origin_country, "1")] if item.origin_country else []
    for code, type_code in [*typed, *((code, "2") for code in others)]:
        origin = _el(node, "Origin")
        _el(origin, "CountryCode", code)
        _el(origin, "TypeCode", type_code)
    for i, pkg in enumerate(item.packages, start=1):
        p = _el(node, "Packaging")
        _el(p, "SequenceNumeric", i)
        _opt(p, "MarksNumbersID", pkg.marks)
        _opt(p, "QuantityQuantity", pkg.count)
        _opt(p, "TypeCode", pkg.type_code)


def _tariff_quantity(item: LineItem) -> tuple[float, dict[str, str]] | None:
    """(quantity, its ``unitCode`` attribute, if any) for DE 6/2; the unit as its UN/ECE Rec. 20
    code ("kg" → ``KGM``). None when the item has no quantity, or a unit with no Rec. 20 code
    we know ("cartons"): a quantity written without its unit would read as the
    commodity code's supplementary unit, and a code is not guessed, so both are left out
    (``cusdep convert`` says so)."""
    if item.quantity is None:
        return None
    if item.unit is None:
        return item.quantity, {}
    code = _n.rec20_code(item.unit)
    return (item.quantity, {"unitCode": code}) if code else None


def _classifications(item: LineItem) -> list[tuple[str, str]]:
    given = [(k.system, k.code) for k in item.classifications if k.code and k.system != "?"]
    if given or not item.hs_code:
        return given
    code = item.hs_code
    return [("TSP", code[:8])] + ([("TRC", code[8:10])] if len(code) > 8 else [])
