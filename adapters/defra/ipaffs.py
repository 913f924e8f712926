"""DEFRA IPAFFS CHED notifications (CHED-A/-P/-D/-PP JSON) → canonical Certificate."""

from __future__ import annotations

import logging
from typing import Any

from adapters._collect import JsonCollector
from adapters._json import load_json, looks_like_json_object
from adapters.base import Issue
from adapters.canonical import Certificate, Declaration
from adapters.defra._common import arr, build, obj, source, text
from adapters.errors import InvalidDocument, Reason, RenderError
from adapters.status import canonical_status

logger = logging.getLogger(__name__)

FORMAT_ID = "ipaffs-ched-json"
CHED_TYPES = {"CVEDA": "ched-a", "CVEDP": "ched-p", "CED": "ched-d", "CHEDPP": "ched-pp"}
_PARTIES = (
    ("consignor", "consignor"),
    ("consignee", "consignee"),
    ("importer", "importer"),
    ("placeOfDestination", "destination"),
    ("personResponsible", "responsible"),
)


class IpaffsChedAdapter:
    """A UK IPAFFS Common Health Entry Document notification (JSON, as BTMS receives it)."""

    format_id = FORMAT_ID
    version = "1"
    kind = "certificate"
    media_type = "application/json"

    def sniff(self, data: bytes) -> bool:
        return looks_like_json_object(data) and b'"partOne"' in data

    def parse(self, data: bytes) -> tuple[Certificate, list[Issue]]:
        value = load_json(data, format_id=FORMAT_ID)
        if not isinstance(value, dict) or not isinstance(value.get("partOne"), dict):
            raise InvalidDocument(
                "not an IPAFFS CHED",
                [Reason("no partOne object", "$.partOne")],
                format_id=FORMAT_ID,
            )
        c = JsonCollector()
        fields = _read(value, c)
        fields["source"] = source(FORMAT_ID, self.version, data)
        return build(Certificate, fields, FORMAT_ID), c.issues

    def render(self, doc: Certificate | Declaration) -> bytes:
        raise RenderError("IPAFFS notifications are read-only here", format_id=FORMAT_ID)

    def validate(self, data: bytes) -> list[Issue]:
        return self.parse(data)[1]


def _commodities(raw: Any, c: JsonCollector) -> dict[str, Any]:
    """``partOne.commodities``, an object; anything else is said, not read as no goods."""
    if raw is not None and not isinstance(raw, dict):
        c.warn(
            f"commodities: not an object ({type(raw).__name__}): no goods read",
            "$.partOne.commodities",
        )
    return obj(raw)


def _read(ched: dict[str, Any], c: JsonCollector) -> dict[str, Any]:
    one = ched["partOne"]
    goods = _commodities(one.get("commodities"), c)
    ched_type = text(ched.get("type"))
    out: dict[str, Any] = {
        "certificate_number": text(ched.get("referenceNumber")),
        "type_code": ched_type,
        "certificate_type": CHED_TYPES.get(ched_type or ""),
        "status_code": text(ched.get("status")),
        "replaces": text(ched.get("replaces")),  # the notification this one replaced
        "replaced_by": text(ched.get("replacedBy")),  # the one that replaced it
        "issue_date": c.date(
            one.get("submissionDate"), "$.partOne.submissionDate", "submission date"
        ),
        "parties": [p for key, role in _PARTIES if (p := _party(role, one.get(key), key, c))],
        "origin_country": c.country(
            goods.get("countryOfOrigin"), "$.partOne.commodities.countryOfOrigin", "origin"
        ),
        "export_country": c.country(
            goods.get("consignedCountry"), "$.partOne.commodities.consignedCountry", "consigned"
        ),
        "destination_country": "GB",
        "port_of_entry": text(one.get("pointOfEntry")) or text(one.get("portOfEntry")),
        "net_weight_kg": c.number(
            goods.get("totalNetWeight"), "$.partOne.commodities.totalNetWeight", "net weight"
        ),
        "packages": c.integer(
            goods.get("numberOfPackages"), "$.partOne.commodities.numberOfPackages", "packages"
        ),
        "line_items": _items(goods, c),
        "containers": [
            {
                "number": text(s.get("containerNumber")),
                "seals": [x for x in [text(s.get("sealNumber"))] if x],
            }
            for s in map(obj, arr(one.get("sealsContainers")))
        ],
        "transport": _transport(one),
        "references": _references(ched, one, c) + _transport_documents(one),
        "notes": _notes(ched, goods),
        "officer_name": _official(obj(ched.get("partTwo"))),
    }
    establishments = _establishments(one, c)
    if establishments:
        out["parties"] += establishments
        out["establishment_number"] = establishments[0]["identifiers"][0]["value"]
    if canonical_status(out["status_code"]) == "unknown":
        c.warn(
            f"status {out['status_code']!r} is not an IPAFFS status known here: kept", "$.status"
        )
    if out["certificate_number"] is None:
        c.warn("CHED reference number is missing (draft notification)", "$.referenceNumber")
    return out


def _party(role: str, raw: Any, key: str, c: JsonCollector) -> dict[str, Any] | None:
    party = obj(raw)
    name = text(party.get("companyName")) or text(party.get("name"))
    if not name:
        return None
    addr = obj(party.get("address"))
    lines = [
        t for k in ("addressLine1", "addressLine2", "addressLine3") if (t := text(addr.get(k)))
    ]
    if isinstance(party.get("address"), list):
        lines = [t for t in map(text, party["address"]) if t]
    # a person responsible names its country; an economic operator's address carries it as
    # its ISO code (``EconomicOperator.address.countryISOCode`` in the IPAFFS schema)
    where, raw_country = (
        (f"$.partOne.{key}.country", party.get("country"))
        if party.get("country")
        else (f"$.partOne.{key}.address.countryISOCode", addr.get("countryISOCode"))
    )
    country = c.country(raw_country, where, f"{role} country") if raw_country else None
    ids = [
        {"scheme": "TRACES", "value": str(v)}
        for v in (party.get("tracesId"), party.get("tracesID"))
        if v
    ]
    return {
        "role": role,
        "name": name,
        "address": {
            "lines": lines,
            "city": text(addr.get("city")),
            "postcode": text(addr.get("postalZipCode")),
            "country": country,
        },
        "identifiers": ids,
    }


def _items(goods: dict[str, Any], c: JsonCollector) -> list[dict[str, Any]]:
    params: dict[Any, list[dict[str, Any]]] = {}
    for p in map(obj, arr(goods.get("complementParameterSet"))):
        params.setdefault(text(p.get("complementID")), []).append(
            {str(k.get("key")): k.get("data") for k in map(obj, arr(p.get("keyDataPair")))}
        )
    items = []
    for i, comp in enumerate(map(obj, arr(goods.get("commodityComplement")))):
        path = f"$.partOne.commodities.commodityComplement[{i}]"
        data_sets: list[dict[str, Any]] = params.get(text(comp.get("complementID")), [{}])
        weights = [
            w
            for d in data_sets
            if (w := c.number(d.get("netweight"), path, "net weight")) is not None
        ]
        counts = [
            n
            for d in data_sets
            if (n := c.integer(d.get("number_package"), path, "packages")) is not None
        ]
        quantities = [q for d in data_sets if (q := _quantity(d, path, c)) is not None]
        items.append(
            {
                "sequence": i + 1,
                "description": text(comp.get("commodityDescription"))
                or text(comp.get("speciesName")),
                "scientific_name": text(comp.get("speciesName")),
                "hs_code": c.hs(comp.get("commodityID"), path + ".commodityID", "commodity code"),
                "classifications": [{"system": "CN", "code": text(comp.get("commodityID"))}]
                if comp.get("commodityID")
                else [],
                "net_weight_kg": round(sum(weights), 6) if weights else None,
                "quantity": round(float(sum(quantities)), 6) if quantities else None,
                "unit": "head"
                if any(d.get("number_animal") for d in data_sets)
                else (text(data_sets[0].get("type_quantity")) if quantities else None),
                "packages": [
                    {
                        "level": 1,
                        "count": sum(counts),
                        "type_code": text(data_sets[0].get("type_package")),
                    }
                ]
                if counts
                else [],
            }
        )
    return items


def _quantity(data: dict[str, Any], path: str, c: JsonCollector) -> float | None:
    """A count of animals is whole; a plant-health quantity is in its ``type_quantity``
    (kilograms, stems, litres): 12.5 kg was read as 12."""
    if data.get("number_animal"):
        return c.integer(data["number_animal"], path, "quantity")
    return c.number(data.get("quantity"), path, "quantity")


def _establishments(one: dict[str, Any], c: JsonCollector) -> list[dict[str, Any]]:
    """The approved establishments of origin (CHED-P/-A: ``veterinaryInformation.
    establishmentsOfOrigin``), each with its approval number: the contract's
    ``establishment_number`` is the first one's."""
    out = []
    found = arr(obj(one.get("veterinaryInformation")).get("establishmentsOfOrigin"))
    for i, e in enumerate(map(obj, found)):
        number = text(e.get("approvalNumber"))
        if not number:
            continue
        path = f"$.partOne.veterinaryInformation.establishmentsOfOrigin[{i}].country"
        country = c.country(e.get("country"), path, "establishment country")
        out.append(
            {
                "role": "establishment",
                "name": text(e.get("name")),
                "address": {"country": country} if country else None,
                "identifiers": [{"scheme": "approval number", "value": number}],
            }
        )
    return out


_MEANS = ("meansOfTransport", "meansOfTransportFromEntryPoint")


def _transport(one: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key in _MEANS:
        means = obj(one.get(key))
        if means.get("type") or means.get("id"):
            out.append({"mode_name": text(means.get("type")), "means_name": text(means.get("id"))})
    return out


def _transport_documents(one: dict[str, Any]) -> list[dict[str, Any]]:
    """The transport documents (``MeansOfTransport.document``: a bill of lading, an air
    waybill) as references; the means' ``id`` is the vessel, flight or vehicle itself."""
    docs = (text(obj(one.get(key)).get("document")) for key in _MEANS)
    return [{"id": d, "document_code": "transport document"} for d in docs if d]


def _official(two: dict[str, Any]) -> str | None:
    """The official who signed Part II: the control authority's official veterinarian, or
    the official inspector (plant health)."""
    for person in (
        obj(obj(two.get("controlAuthority")).get("officialVeterinarian")),
        obj(two.get("officialInspector")),
    ):
        name = " ".join(t for k in ("firstName", "lastName") if (t := text(person.get(k))))
        if name:
            return name
    return text(two.get("officialVeterinarian"))


def _references(
    ched: dict[str, Any], one: dict[str, Any], c: JsonCollector
) -> list[dict[str, Any]]:
    refs = []
    docs = arr(obj(one.get("veterinaryInformation")).get("accompanyingDocuments")) + arr(
        one.get("accompanyingDocuments")
    )
    for i, d in enumerate(map(obj, docs)):
        if text(d.get("documentReference")):
            refs.append(
                {
                    "id": text(d.get("documentReference")),
                    "document_code": text(d.get("documentType")),
                    "issue_date": c.date(
                        d.get("documentIssueDate"),
                        f"$.partOne.accompanyingDocuments[{i}]",
                        "document date",
                    ),
                }
            )
    for e in map(obj, arr(ched.get("externalReferences"))):
        if text(e.get("reference")):
            refs.append(
                {
                    "id": text(e.get("reference")),
                    "document_code": text(e.get("system")),
                    "relationship": "external",
                }
            )
    return refs


def _notes(ched: dict[str, Any], goods: dict[str, Any]) -> list[dict[str, Any]]:
    notes = []
    decision = obj(ched.get("partTwo")).get("decision")
    if isinstance(decision, dict) and text(decision.get("decision")):
        notes.append({"subject": "decision", "content": text(decision.get("decision"))})
    if text(goods.get("temperature")):
        notes.append({"subject": "temperature", "content": text(goods.get("temperature"))})
    return notes
