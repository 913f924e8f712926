"""WCO DM 3.6 (DMS) Declaration element → canonical Declaration fields."""

from __future__ import annotations

from typing import Any

from adapters import normalize as _n
from adapters._collect import Collector
from adapters._xml import XNode

_ROLES = (
    ("Exporter", "exporter"),
    ("Declarant", "declarant"),
    ("Agent", "agent"),
    ("Carrier", "carrier"),
    ("GoodsShipment/Importer", "importer"),
    ("GoodsShipment/Consignee", "consignee"),
    ("GoodsShipment/Consignor", "consignor"),
    ("GoodsShipment/Buyer", "buyer"),
    ("GoodsShipment/Seller", "seller"),
)


def read_declaration(dec: XNode, c: Collector) -> dict[str, Any]:
    shipment = dec.child("GoodsShipment")
    out: dict[str, Any] = {
        "declaration_number": dec.text("ID") or dec.text("FunctionalReferenceID"),
        "lrn": dec.text("FunctionalReferenceID"),
        "declaration_type": dec.text("TypeCode"),
        "function_code": dec.text("FunctionCode"),
        "issue_date": _date(dec.child("IssueDateTime/DateTimeString"), c),
        "packages": c.integer(dec.child("TotalPackageQuantity"), "total packages"),
        "parties": [
            p for path, role in _ROLES for n in dec.children(path) if (p := _party(role, n, c))
        ],
        "references": [_document(d) for d in dec.children("AdditionalDocument") if d.text("ID")],
        "transport": [_means(t, "border") for t in dec.children("BorderTransportMeans")],
    }
    if shipment is not None:
        out.update(_shipment(shipment, c))
    if not _exporting(out["declaration_type"]) and out.get("goods_location"):
        out["port_of_entry"] = out["goods_location"]
    return out


def _exporting(type_code: str | None) -> bool:
    """An export (EX) declaration's goods location is where the goods leave from, not where
    they enter: it is no port of entry."""
    return (type_code or "").upper().startswith("EX")


def _date(node: XNode | None, c: Collector) -> Any:
    text = node.text() if node is not None else None
    if text and len(text) >= 8 and text[:8].isdigit():
        text = text[:8]
    return c.value(_n.parse_date, text, node, "issue date")


def _party(role: str, node: XNode, c: Collector) -> dict[str, Any] | None:
    party: dict[str, Any] = {"role": role, "name": node.text("Name"), "identifiers": []}
    if ident := node.text("ID"):
        party["identifiers"].append({"scheme": "EORI", "value": ident})
    addr = node.child("Address")
    if addr is not None:
        party["address"] = {
            "lines": addr.texts("Line"),
            "city": addr.text("CityName"),
            "postcode": addr.text("PostcodeID"),
            "country": c.country(addr.child("CountryCode"), f"{role} country"),
        }
    return party if party["name"] or party["identifiers"] or party.get("address") else None


def _document(node: XNode) -> dict[str, Any]:
    code = (node.text("CategoryCode") or "") + (node.text("TypeCode") or "")
    return {
        "id": node.text("ID"),
        "document_code": code or None,
        "status": node.text("LPCOExemptionCode"),
        "description": node.text("Name"),
    }


def _means(node: XNode, role: str) -> dict[str, Any]:
    return {
        "role": role,
        "mode_code": node.text("ModeCode"),
        "means_name": node.text("Name"),
        "journey_id": node.text("ID"),
        "nationality": node.text("RegistrationNationalityCode"),
    }


def _shipment(ship: XNode, c: Collector) -> dict[str, Any]:
    out: dict[str, Any] = {
        "destination_country": c.country(ship.child("Destination/CountryCode"), "destination"),
        "dispatch_country": c.country(ship.child("ExportCountry/ID"), "export country"),
        "line_items": [_item(i, c) for i in ship.children("GovernmentAgencyGoodsItem")],
    }
    if out["destination_country"] is None:
        out["destination_country"] = _items_destination(ship, c)
    cons = ship.child("Consignment")
    containers = _containers(ship)
    if containers:
        out["containers"] = containers
    if cons is not None:
        out["transport_extra"] = [
            *(_means(t, "arrival") for t in cons.children("ArrivalTransportMeans")),
            *(_means(t, "departure") for t in cons.children("DepartureTransportMeans")),
        ]
        location = cons.child("GoodsLocation")
        if location is not None:
            out["goods_location"] = location.text("Name") or location.text("ID")
    if not out["line_items"]:
        c.warn("no goods items (GovernmentAgencyGoodsItem)", ship)
    return out


def _containers(ship: XNode) -> list[dict[str, Any]]:
    """The shipment's containers: those of its consignment and those its goods items declare
    (DE 7/10 may sit at either level), each number once."""
    found = [
        *ship.children("Consignment/TransportEquipment"),
        *ship.children("GovernmentAgencyGoodsItem/Commodity/TransportEquipment"),
    ]
    out: dict[str, dict[str, Any]] = {}
    for e in found:
        number = e.text("ID")
        if number and number not in out:
            out[number] = {"number": number, "seals": e.texts("Seal/ID")}
    return list(out.values())


def _items_destination(ship: XNode, c: Collector) -> str | None:
    """The destination the goods items declare (DE 5/8 at item level) when the shipment
    declares none: the one country they all name."""
    nodes = ship.children("GovernmentAgencyGoodsItem/Destination/CountryCode")
    codes = {code for n in nodes if (code := c.country(n, "destination"))}
    if len(codes) > 1:
        c.warn(f"goods items name {len(codes)} destinations; none taken", ship)
        return None
    return codes.pop() if codes else None


def _item(node: XNode, c: Collector) -> dict[str, Any]:
    commodity = node.child("Commodity")
    item: dict[str, Any] = {
        "sequence": c.integer(node.child("SequenceNumeric"), "item sequence"),
        "references": [_document(d) for d in node.children("AdditionalDocument") if d.text("ID")],
        "notes": [
            {"subject": "AI", "content": t}
            for t in node.texts("AdditionalInformation/StatementCode")
        ],
        "packages": [
            {
                "type_code": p.text("TypeCode"),
                "count": c.integer(p.child("QuantityQuantity"), "package quantity"),
                "marks": p.text("MarksNumbersID"),
            }
            for p in node.children("Packaging")
        ],
    }
    origins = sorted(node.children("Origin"), key=lambda o: o.text("TypeCode") not in (None, "1"))
    read = [c.country(o.child("CountryCode"), "origin") for o in origins]
    codes = [code for code in read if code]
    # the non-preferential origin (type 1, DE 5/15), read or not: a preferential origin (DE
    # 5/16) is another statement and never stands in for it
    plain = bool(origins) and origins[0].text("TypeCode") in (None, "1")
    item["origin_country"] = read[0] if plain else None
    item["origin_countries"] = codes
    if commodity is not None:
        item.update(_commodity(commodity, c))
    return item


def _commodity(node: XNode, c: Collector) -> dict[str, Any]:
    classes = [
        {"system": k.text("IdentificationTypeCode") or "?", "code": k.text("ID")}
        for k in node.children("Classification")
        if k.text("ID")
    ]
    by_type: dict[str, str] = {str(k["system"]): k["code"] or "" for k in classes}
    code = by_type.get("TSP", "") + (by_type.get("TRC", "") if "TSP" in by_type else "")
    measure = node.child("GoodsMeasure")
    out: dict[str, Any] = {
        "description": node.text("Description"),
        "classifications": classes,
        "hs_code": c.value(_n.hs_code, code or None, node, "commodity code"),
    }
    if measure is not None:
        out["net_weight_kg"] = _mass(measure.child("NetNetWeightMeasure"), c)
        out["gross_weight_kg"] = _mass(measure.child("GrossMassMeasure"), c)
        out.update(_tariff_quantity(measure.child("TariffQuantity"), c))
    return out


def _tariff_quantity(node: XNode | None, c: Collector) -> dict[str, Any]:
    """DE 6/2 (WCO 130) supplementary units: the quantity in the unit customs asks for
    (``unitCode`` when given; HMRC leaves it out: the commodity code's supplementary unit)."""
    value = c.number(node, "tariff quantity")
    if value is None or node is None:
        return {}
    if value < 0:
        c.warn(f"tariff quantity: {value:g} is no quantity; left out", node)
        return {}
    return {"quantity": value, "unit": node.attr("unitCode")}


def _mass(node: XNode | None, c: Collector) -> float | None:
    value = c.number(node, "mass")
    if value is None or node is None:
        return None
    try:
        return _n.to_kg(value, node.attr("unitCode") or "KGM")
    except _n.NormalizationError:
        c.warn(f"unit {node.attr('unitCode')!r} is not a unit of mass", node)
        return None
