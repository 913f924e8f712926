"""IncludedSPSTradeLineItem (goods lines) and AppliedSPSProcess (treatments) → canonical dicts."""

from __future__ import annotations

from typing import Any

from adapters import normalize as _n
from adapters._collect import Collector
from adapters._xml import XNode
from adapters.uncefact_sps._common import OTHER_QTY_UNIT, OTHER_QTY_VALUE
from adapters.uncefact_sps._read_header import notes


def read_items(cons: XNode, c: Collector) -> list[dict[str, Any]]:
    items = [
        _item(node, c)
        for group in cons.children("IncludedSPSConsignmentItem")
        for node in group.children("IncludedSPSTradeLineItem")
    ]
    if not items:
        c.warn("no trade line items (IncludedSPSTradeLineItem)", cons)
    return items


def _item(node: XNode, c: Collector) -> dict[str, Any]:
    descriptions = [
        {"content": n.text(), "language": n.attr("languageID")}
        for n in node.children("Description")
        if n.text()
    ]
    item: dict[str, Any] = {
        "sequence": c.integer(node.child("SequenceNumeric"), "sequence number"),
        "description": descriptions[0]["content"] if descriptions else None,
        "descriptions": descriptions,
        "common_name": node.text("CommonName"),
        "scientific_name": node.text("ScientificName"),
        "intended_use": node.text("IntendedUse"),
        "classifications": _classifications(node),
        "notes": notes(node, "AdditionalInformationSPSNote"),
        "packages": [_package(p, c) for p in node.children("PhysicalSPSPackage")],
        "treatments": [_treatment(t, c) for t in node.children("AppliedSPSProcess")],
    }
    item["hs_code"] = next(
        (
            c.value(_n.hs_code, k["code"], node, "HS code")
            for k in item["classifications"]
            if k["system"].upper() == "HS" and k["code"]
        ),
        None,
    )
    item["net_weight_kg"] = _mass(node.child("NetWeightMeasure"), c, "net weight")
    item["gross_weight_kg"] = _mass(node.child("GrossWeightMeasure"), c, "gross weight")
    item["net_volume"] = c.number(node.child("NetVolumeMeasure"), "net volume")
    item["gross_volume"] = c.number(node.child("GrossVolumeMeasure"), "gross volume")
    volume = node.child("NetVolumeMeasure") or node.child("GrossVolumeMeasure")
    item["volume_unit"] = volume.attr("unitCode") if volume is not None else None
    item.update(_origin(node, c))
    item.update(_other_quantity(item["notes"], node, c))
    return item


def _classifications(node: XNode) -> list[dict[str, Any]]:
    out = []
    for k in node.children("ApplicableSPSClassification"):
        system = k.text("SystemName")
        if system:
            out.append({"system": system, "code": k.text("ClassCode"), "name": k.text("ClassName")})
    return out


def _mass(node: XNode | None, c: Collector, what: str) -> float | None:
    value = c.number(node, what)
    if value is None or node is None:
        return None
    unit = node.attr("unitCode") or "KGM"
    try:
        return _n.to_kg(value, unit)
    except _n.NormalizationError:
        c.warn(f"{what}: unit {unit!r} is not a unit of mass", node)
        return None


def _package(node: XNode, c: Collector) -> dict[str, Any]:
    return {
        "level": c.integer(node.child("LevelCode"), "package level"),
        "type_code": node.text("TypeCode"),
        "count": c.integer(node.child("ItemQuantity"), "package quantity"),
    }


def _origin(node: XNode, c: Collector) -> dict[str, Any]:
    origins = node.children("OriginSPSCountry")
    codes = [code for o in origins if (code := c.country(o.child("ID"), "origin country"))]
    region = next(
        (r for o in origins if (r := o.text("SubordinateSPSCountrySubDivision/Name"))), None
    )
    return {
        "origin_country": codes[0] if codes else None,
        "origin_countries": codes,
        "origin_region": region,
    }


def _other_quantity(item_notes: list[dict[str, Any]], node: XNode, c: Collector) -> dict[str, Any]:
    by_subject = {n["subject"]: n["content"] for n in item_notes}
    value = by_subject.get(OTHER_QTY_VALUE)
    if value is None:
        return {}
    return {
        "quantity": c.value(_n.parse_number, value, node, "quantity (OQV)"),
        "unit": by_subject.get(OTHER_QTY_UNIT),
    }


_CHEMICAL, _CONCENTRATION, _TEMPERATURE = "TTCH", "TTCO", "TTTM"


def _treatment(node: XNode, c: Collector) -> dict[str, Any]:
    characteristics = [
        _characteristic(k, c) for k in node.children("ApplicableSPSProcessCharacteristic")
    ]
    by_code = {k["code"]: k for k in reversed(characteristics) if k["code"]}
    period = node.child("CompletionSPSPeriod")
    duration = period.child("DurationMeasure") if period is not None else None
    out: dict[str, Any] = {
        "type_code": node.text("TypeCode"),
        "characteristics": characteristics,
        "notes": notes(node, "AdditionalInformationSPSNote"),
        "start_date": c.date(period.child("StartDateTime/DateTimeString"), "treatment start")
        if period is not None
        else None,
        "end_date": c.date(period.child("EndDateTime/DateTimeString"), "treatment end")
        if period is not None
        else None,
        "duration": c.number(duration, "treatment duration"),
        "duration_unit": duration.attr("unitCode") if duration is not None else None,
    }
    chemicals = [
        t["content"] for k in characteristics if k["code"] == _CHEMICAL for t in k["texts"]
    ]
    out["chemical"] = ", ".join(chemicals) or None
    for code, key in ((_CONCENTRATION, "concentration"), (_TEMPERATURE, "temperature")):
        if found := by_code.get(code):
            out[key], out[f"{key}_unit"] = found["value"], found["unit"]
    return out


def _characteristic(node: XNode, c: Collector) -> dict[str, Any]:
    descs = node.children("Description")
    code = descs[0].text() if descs and descs[0].attr("languageID") is None else None
    texts = descs[1:] if code is not None else descs
    value_node = node.child("ValueMeasure")
    return {
        "code": code,
        "texts": [
            {"content": t.text(), "language": t.attr("languageID")} for t in texts if t.text()
        ],
        "value": c.number(value_node, "treatment value"),
        "unit": value_node.attr("unitCode") if value_node is not None else None,
    }
