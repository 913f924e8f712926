"""What the API and the review screen show of a review: the result, findings ordered for the
officer (failures first, authenticity before consistency), and the certificate beside the
declaration and the issuer's electronic copy."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from node.review.held import ELECTRONIC, is_electronic
from node.review.tables import ReviewRow
from node.storage.documents import iso

_SEVERITY = {"error": 0, "warning": 1, "info": 2}
_AREA = {"seal": 0, "signature": 1, "officer": 2, "certificate": 3, "validity": 4}
COMPARED = (
    "consignor_name",
    "consignee_name",
    "origin_country",
    "commodity",
    "hs_code",
    "quantity",
    "unit",
    "net_weight_kg",
    "packages",
    "port_of_entry",
    "container_numbers",
)


def ordered_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Failures first; among them errors before warnings; seal and signature findings first."""

    def key(item: tuple[int, dict[str, Any]]) -> tuple[int, int, int, int]:
        i, r = item
        area = _AREA.get(str(r.get("id", "")).split(".")[0], 9)
        return (bool(r.get("passed")), _SEVERITY.get(str(r.get("severity")), 3), area, i)

    return [r for _, r in sorted(enumerate(rules), key=key)]


def comparison(
    result: dict[str, Any],
    declaration: dict[str, Any] | None,
    copy: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Certificate field beside the declared value and the issuer's copy's; ``match`` and
    ``copy_match`` false where they differ (None: nothing to compare)."""
    if not declaration and not copy:
        return []
    fields = result.get("fields", {})
    out = []
    names = COMPARED if not copy else (*_COPY_FIRST, *COMPARED)
    for name in dict.fromkeys(names):
        cert = (fields.get(name) or {}).get("value")
        declared = (declaration or {}).get(name)
        copied = (copy or {}).get(name)
        if cert is None and declared in (None, "") and copied in (None, "", []):
            continue
        out.append(
            {
                "field": name,
                "certificate": cert,
                "declaration": declared,
                "match": _same(cert, declared, name),
                "copy": copied,
                "copy_match": _same(cert, copied, name),
            }
        )
    return out


_COPY_FIRST = ("certificate_number", "issue_date", "expiry_date", "establishment_number")


def _same(a: Any, b: Any, field: str = "") -> bool | None:
    if a in (None, "") or b in (None, ""):
        return None  # nothing to compare
    if field == "hs_code":  # agree on the digits both carry (at least the 6-digit heading)
        da, db = (re.sub(r"\D", "", str(v)) for v in (a, b))
        n = max(6, min(len(da), len(db)))
        return da[:n] == db[:n]
    try:
        fa, fb = float(str(a).replace(",", "")), float(str(b).replace(",", ""))
        return abs(fa - fb) <= 1e-6 * max(1.0, abs(fb))
    except ValueError:
        return _letters(a) == _letters(b)


def _letters(value: Any) -> str:
    """Case, spacing and punctuation do not make a difference (OCR splits words)."""
    return re.sub(r"[\W_]+", "", str(value).casefold())


def review_dict(row: ReviewRow, *, brief: bool = False) -> dict[str, Any]:
    result = row.result or {}
    out: dict[str, Any] = {
        "document_sha256": row.sha256,
        # a paper's scan, or an electronic certificate held for its own status (no pages,
        # seal nor signature: ``node.review.held``)
        "kind": ELECTRONIC if is_electronic(result) else "scan",
        "state": row.state,
        "verdict": row.verdict or None,
        "template_id": result.get("template_id"),
        "certificate_number": row.certificate_number or None,
        "seal": _seal(result.get("seal")),
        "reasons": result.get("reasons", []),
        "forwardable": row.forwardable,
        "queued_at": iso(row.queued_at),
        "reviewed_at": iso(row.reviewed_at) if row.reviewed_at else None,
        "decision": _decision(row),
    }
    if brief:
        return out
    layout = dict(row.layout or {})
    declaration = layout.pop("declaration", None)
    copy_sha = layout.pop("electronic_copy_sha256", None)
    copy = layout.pop("electronic_copy", None)
    stamping_of = layout.pop("stamping_of", None)
    out.update(
        result=_evidence_named(result),
        rules=ordered_rules(list(result.get("rules", []))),
        declaration_sha256=row.declaration_sha256 or None,
        declaration=declaration,
        electronic_copy_sha256=copy_sha,
        electronic_copy=copy,
        stamping_of=stamping_of,
        comparison=comparison(result, declaration, copy),
        layout=layout,
        submitted_by=row.submitted_by,
        error=row.error or None,
    )
    return out


def _evidence_named(result: dict[str, Any]) -> dict[str, Any]:
    """The result with its evidence files by name: a review stored by a release from before
    results kept names (``verifier.stored_result``) holds their paths on the node, which the
    API and ``review show`` must not give away after an upgrade either."""
    evidence = result.get("evidence")
    if not isinstance(evidence, dict):
        return result
    return {**result, "evidence": {k: PurePath(str(v)).name for k, v in evidence.items()}}


def _seal(seal: dict[str, Any] | None) -> dict[str, Any] | None:
    """The seal's result without its print (a queue lists many; the detail has it)."""
    return {k: v for k, v in seal.items() if k != "stamping"} if seal else seal


def _decision(row: ReviewRow) -> dict[str, Any] | None:
    if not row.decision:
        return None
    return {
        "decision": row.decision,
        "outcome": row.outcome,
        "officer": row.decided_by,
        "reason": row.reason,
        "at": iso(row.decided_at) if row.decided_at else None,
    }
