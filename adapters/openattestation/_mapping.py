"""Unsalted OpenAttestation/TradeTrust ``data`` → canonical Certificate fields."""

from __future__ import annotations

from typing import Any

from adapters import normalize as _n
from adapters._attachments import read_content
from adapters._collect import JsonCollector


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = " ".join(str(value).split())
    return text or None


def _tail(identifier: Any) -> str | None:
    """``"wfa.org.au:coo:WBC208899"`` → ``"WBC208899"`` (scheme-prefixed UN/CEFACT ids)."""
    text = _s(identifier)
    return text.rsplit(":", 1)[-1] if text else None


def to_certificate(data: dict[str, Any], c: JsonCollector) -> dict[str, Any]:
    fields = _origin_certificate(data, c) if "supplyChainConsignment" in data else _generic(data, c)
    fields["attachments"] = _attachments(data.get("attachments"), c)
    return fields


def _attachments(raw: Any, c: JsonCollector) -> list[dict[str, Any]]:
    """OA v2 ``attachments[]`` (``filename``, ``type``, ``data`` in base64; unsalted by the
    caller) as the canonical attachments, their content checked as every partner reader
    checks it (``read_content``): not base64, a warning and left out; not its declared
    type, a warning (and refused by any renderer). One the holder obfuscated has no data."""
    out = []
    for i, item in enumerate(_l(raw)):
        att = _d(item)
        path = f"$.data.attachments[{i}]"
        entry: dict[str, Any] = {
            "filename": _s(att.get("filename")),
            "mime_type": _s(att.get("type")),
        }
        data = att.get("data")
        if isinstance(data, str) and data.strip():
            fields, problem = read_content(data, entry["mime_type"])
            entry.update(fields)
            if problem:
                c.warn(problem, path)
        elif data is not None:
            c.warn("attachment data is not base64 text; left out", path)
        if any(v is not None for v in entry.values()):
            out.append(entry)
    return out


def _kind(name: str | None) -> str | None:
    lowered = (name or "").lower()
    for marker, kind in (
        ("origin", "origin"),
        ("bill_of_lading", "bill-of-lading"),
        ("bill of lading", "bill-of-lading"),
        ("invoice", "invoice"),
    ):
        if marker in lowered:
            return kind
    return None


def _address(addr: dict[str, Any], c: JsonCollector, path: str) -> dict[str, Any]:
    lines = [
        t for k in ("line1", "line2", "line3", "streetAddress", "street") if (t := _s(addr.get(k)))
    ]
    country = addr.get("countryCode") or addr.get("country")
    return {
        "lines": lines,
        "city": _s(addr.get("cityName") or addr.get("city")),
        "postcode": _s(addr.get("postcode") or addr.get("postalCode")),
        "country": c.country(country, path + ".country", "country") if country else None,
    }


def _party(role: str, raw: Any, c: JsonCollector, path: str) -> dict[str, Any] | None:
    party = _d(raw)
    name = _s(party.get("name")) or _s(_d(party.get("company")).get("name"))
    if not name:
        return None
    addr = _d(party.get("postalAddress") or party.get("address")) or party
    ids = [{"scheme": "id", "value": v} for v in [_s(party.get("iD") or party.get("id"))] if v]
    return {"role": role, "name": name, "address": _address(addr, c, path), "identifiers": ids}


def _origin_certificate(data: dict[str, Any], c: JsonCollector) -> dict[str, Any]:
    cons = _d(data.get("supplyChainConsignment"))
    move = _d(cons.get("mainCarriageTransportMovement"))
    unloading = _d(cons.get("unloadingBaseportLocation"))
    items = [
        _trade_line(line, c)
        for group in _l(cons.get("includedConsignmentItems"))
        for line in _l(_d(group).get("tradeLineItems"))
    ]
    return {
        "certificate_number": _tail(data.get("iD")),
        "title": _s(data.get("name")),
        "certificate_type": "origin",
        "status_code": _s(data.get("status")),
        "issue_date": c.date(data.get("issueDateTime"), "$.data.issueDateTime", "issue date"),
        "place_of_issue": _s(_d(data.get("issueLocation")).get("name")),
        "issuing_agency": _s(_d(data.get("issuer")).get("name")),
        "export_country": c.country(
            _d(cons.get("exportCountry")).get("code"), "$.data.exportCountry", "export"
        ),
        "destination_country": c.country(
            _d(cons.get("importCountry")).get("code"), "$.data.importCountry", "import"
        ),
        "parties": [
            p
            for role, key in (("consignor", "exporter"), ("consignee", "importer"))
            if (p := _party(role, cons.get(key), c, f"$.data.{key}"))
        ]
        + [p for p in [_party("issuer", data.get("issuer"), c, "$.data.issuer")] if p],
        "port_of_entry": _s(unloading.get("name")),
        "port_of_entry_code": _tail(unloading.get("iD")),
        "transport": [
            {
                "means_name": _s(_d(move.get("usedTransportMeans")).get("name")),
                "journey_id": _tail(move.get("iD")),
            }
        ]
        if move
        else [],
        "line_items": items,
        "references": [{"id": _s(data.get("iD")), "relationship": "document-id"}]
        if _s(data.get("iD"))
        else [],
        "notes": [
            {"subject": "freeTradeAgreement", "content": t}
            for t in [_s(data.get("freeTradeAgreement"))]
            if t
        ],
    }


def _trade_line(raw: Any, c: JsonCollector) -> dict[str, Any]:
    line = _d(raw)
    product = _d(line.get("tradeProduct"))
    tariff = _d(product.get("harmonisedTariffCode"))
    packages = _l(line.get("transportPackages"))
    gross = [v for p in packages if (v := _gross_kg(_d(p).get("grossWeight"), c)) is not None]
    return {
        "sequence": c.integer(
            line.get("sequenceNumber"), "$.data.tradeLineItems.sequenceNumber", "sequence"
        ),
        "description": _s(product.get("description")),
        "hs_code": c.hs(tariff.get("classCode"), "$.data.harmonisedTariffCode", "HS code"),
        "classifications": [
            {
                "system": "HS",
                "code": _s(tariff.get("classCode")),
                "name": _s(tariff.get("className")),
            }
        ]
        if tariff
        else [],
        "origin_country": c.country(
            _d(product.get("originCountry")).get("code"), "$.data.originCountry", "origin"
        ),
        "gross_weight_kg": round(sum(gross), 6) if gross else None,
        "packages": [{"level": 1, "count": len(packages)}] if packages else [],
    }


def _gross_kg(raw: Any, c: JsonCollector) -> float | None:
    text = _s(raw)
    if not text:
        return None
    try:
        value, unit = _n.parse_quantity(text)
        return _n.to_kg(value, unit)
    except _n.NormalizationError:
        c.warn(f"gross weight: cannot read {text!r}", "$.data.transportPackages.grossWeight")
        return None


def _generic(data: dict[str, Any], c: JsonCollector) -> dict[str, Any]:
    template = _s(_d(data.get("$template")).get("name"))
    title = _s(data.get("name")) or template
    issuers = [_d(i) for i in _l(data.get("issuers"))]
    goods = _d(data.get("consignment"))
    quantity = _d(goods.get("quantity"))
    parties = [
        p
        for role, key in (
            ("consignor", "shipper"),
            ("consignor", "billFrom"),
            ("consignee", "consignee"),
            ("consignee", "billTo"),
            ("consignee", "recipient"),
        )
        if (p := _party(role, data.get(key), c, f"$.data.{key}"))
    ]
    parties += [{"role": "issuer", "name": n} for i in issuers if (n := _s(i.get("name")))]
    out: dict[str, Any] = {
        "certificate_number": _s(data.get("id")) or _s(data.get("blNumber")) or _s(data.get("iD")),
        "title": title,
        "certificate_type": _kind(title) or _kind(template),
        "issue_date": c.date(data.get("date") or data.get("issueDateTime"), "$.data.date", "date"),
        "parties": _dedupe(parties),
        "issuing_agency": next((p["name"] for p in parties if p["role"] == "issuer"), None),
        "commodity": _s(goods.get("description")),
        "origin_country": c.country(
            goods.get("countryOfOrigin"), "$.data.consignment.countryOfOrigin", "origin"
        )
        if goods.get("countryOfOrigin")
        else None,
        "destination_country": c.country(
            goods.get("countryOfFinalDestination"),
            "$.data.consignment.countryOfFinalDestination",
            "destination",
        )
        if goods.get("countryOfFinalDestination")
        else None,
        "means_of_transport": _s(goods.get("outgoingVehicleNo")),
        "quantity": c.number(
            quantity.get("value"), "$.data.consignment.quantity.value", "quantity"
        ),
        "unit": _s(quantity.get("unit")),
    }
    return out


def _dedupe(parties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for p in parties:
        if p["role"] not in seen or p["role"] == "issuer":
            seen.add(p["role"])
            out.append(p)
    return out
