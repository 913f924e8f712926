"""DEFRA ALVS clearance requests (CDS → ALVS JSON) → canonical Declaration, and ALVS decisions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from adapters._collect import JsonCollector
from adapters._json import load_json, looks_like_json_object
from adapters.base import Issue
from adapters.canonical import Certificate, Declaration
from adapters.defra._common import arr, build, obj, source, text
from adapters.errors import InvalidDocument, Reason, RenderError

logger = logging.getLogger(__name__)

FORMAT_ID = "alvs-clearance-json"


class AlvsClearanceAdapter:
    """A customs clearance request as CDS sends it to ALVS/BTMS (``header`` + ``items``)."""

    format_id = FORMAT_ID
    version = "1"
    kind = "declaration"
    media_type = "application/json"

    def sniff(self, data: bytes) -> bool:
        head = data[:2048]
        return (
            looks_like_json_object(data)
            and b'"serviceHeader"' in head
            and b'"destinationSystem"' in head
            and b'"decisionNumber"' not in head
            and b'"ALVS"' in head
        )

    def parse(self, data: bytes) -> tuple[Declaration, list[Issue]]:
        value = load_json(data, format_id=FORMAT_ID)
        header = obj(value).get("header") if isinstance(value, dict) else None
        if not isinstance(header, dict) or "decisionNumber" in header or "items" not in value:
            raise InvalidDocument(
                "not an ALVS clearance request",
                [
                    Reason(
                        "expected header + items (decisions, finalisations are not declarations)",
                        "$.header",
                    )
                ],
                format_id=FORMAT_ID,
            )
        c = JsonCollector()
        fields = _read(header, arr(value.get("items")), c)
        fields["source"] = source(FORMAT_ID, self.version, data)
        return build(Declaration, fields, FORMAT_ID), c.issues

    def render(self, doc: Certificate | Declaration) -> bytes:
        raise RenderError("ALVS clearance requests are read-only here", format_id=FORMAT_ID)

    def validate(self, data: bytes) -> list[Issue]:
        return self.parse(data)[1]


def _read(header: dict[str, Any], items: list[Any], c: JsonCollector) -> dict[str, Any]:
    declarant = text(header.get("declarantId"))
    parties = []
    if declarant:
        parties.append(
            {
                "role": "declarant",
                "name": text(header.get("declarantName")),
                "identifiers": [{"scheme": "EORI", "value": declarant}],
            }
        )
    consignee = next((obj(i) for i in items if text(obj(i).get("consigneeId"))), None)
    if consignee is not None:
        parties.append(
            {
                "role": "consignee",
                "name": text(consignee.get("consigneeName")),
                "identifiers": [{"scheme": "EORI", "value": str(consignee.get("consigneeId"))}],
            }
        )
    return {
        "declaration_number": text(header.get("entryReference")),
        "version": c.integer(
            header.get("entryVersionNumber"), "$.header.entryVersionNumber", "version"
        ),
        "declaration_type": text(header.get("declarationType")),
        "lrn": text(header.get("declarationUCR")),
        "dispatch_country": c.country(
            header.get("dispatchCountryCode"), "$.header.dispatchCountryCode", "dispatch country"
        ),
        "port_of_entry": text(header.get("goodsLocationCode")),
        "arrival_date": c.date(
            header.get("arrivalDateTime"), "$.header.arrivalDateTime", "arrival"
        ),
        "destination_country": "GB",
        "parties": parties,
        "line_items": [_item(obj(i), n, c) for n, i in enumerate(items)],
    }


def _item(item: dict[str, Any], n: int, c: JsonCollector) -> dict[str, Any]:
    path = f"$.items[{n}]"
    return {
        "sequence": c.integer(item.get("itemNumber"), path + ".itemNumber", "item number"),
        "description": text(item.get("goodsDescription")),
        "hs_code": c.hs(
            item.get("taricCommodityCode"), path + ".taricCommodityCode", "commodity code"
        ),
        "net_weight_kg": c.number(item.get("itemNetMass"), path + ".itemNetMass", "net mass"),
        "origin_country": c.country(
            item.get("itemOriginCountryCode"), path + ".itemOriginCountryCode", "origin"
        ),
        "references": [
            {
                "id": text(d.get("documentReference")),
                "document_code": text(d.get("documentCode")),
                "status": text(d.get("documentStatus")),
            }
            for d in map(obj, arr(item.get("documents")))
            if text(d.get("documentReference"))
        ],
        "notes": [
            {"subject": "check", "content": t}
            for ch in map(obj, arr(item.get("checks")))
            if (t := text(ch.get("checkCode")))
        ],
    }


@dataclass(frozen=True)
class ItemDecision:
    item_number: int
    check_code: str | None
    decision_code: str | None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlvsDecision:
    """An ALVS → CDS decision message: per item and check, a decision code (e.g. C03, X00)."""

    entry_reference: str | None
    entry_version: int | None
    decision_number: int | None
    items: tuple[ItemDecision, ...] = field(default_factory=tuple)


def read_decision(data: bytes) -> AlvsDecision:
    """Parse an ALVS decision (or a finalisation, which has no items)."""
    value = load_json(data, format_id="alvs-decision-json")
    header = obj(value).get("header") if isinstance(value, dict) else None
    if (
        not isinstance(header, dict)
        or "decisionNumber" not in header
        and "finalState" not in header
    ):
        raise InvalidDocument(
            "not an ALVS decision",
            [Reason("no header.decisionNumber", "$.header")],
            format_id="alvs-decision-json",
        )
    decisions = []
    for item in map(obj, arr(value.get("items"))):
        for check in map(obj, arr(item.get("checks"))):
            reasons = tuple(t for r in arr(check.get("decisionReasons")) if (t := text(r)))
            number = item.get("itemNumber")
            decisions.append(
                ItemDecision(
                    number if isinstance(number, int) else 0,
                    text(check.get("checkCode")),
                    text(check.get("decisionCode")),
                    reasons,
                )
            )
    version, number = header.get("entryVersionNumber"), header.get("decisionNumber")
    return AlvsDecision(
        text(header.get("entryReference")),
        version if isinstance(version, int) else None,
        number if isinstance(number, int) else None,
        tuple(decisions),
    )
