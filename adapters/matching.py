"""Certificate ↔ declaration matching: the rules BTMS-style border systems apply.

* :func:`normalize_reference` — one key for a reference however a system prints it:
  ``CHEDP.GB.2024.5249429`` (IPAFFS) and ``GBCHD2024.5249429`` (CDS, DE 2/3) → ``GB20245249429``.
* :func:`commodity_prefix_match` — the certificate's (shorter) HS/CN code must be a prefix of the
  declared (longer) commodity code, on at least ``min_digits`` digits.
* :func:`match_declaration` — per declaration item: reference found, commodity prefix, origin,
  and net mass totals per certificate (declared ≤ certified × (1 + tolerance)).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Literal

from adapters.canonical import CERTIFICATE_DOCUMENT_CODES, Certificate, Declaration, LineItem

logger = logging.getLogger(__name__)

__all__ = [
    "ItemMatch",
    "MatchResult",
    "Outcome",
    "commodity_prefix_match",
    "match_declaration",
    "unquoted_certificates",
    "normalize_reference",
]

Outcome = Literal["match", "mismatch", "no-match"]

_CHED = re.compile(
    r"^(?:CHEDPP|CHEDP|CHEDA|CHEDD|CVEDP|CVEDA|CED|IMP)?([A-Z]{2})(?:CHD|CHED)?(\d{4})(\d+)$"
)


def normalize_reference(reference: str) -> str:
    """A comparison key: upper case, no punctuation, CHED type prefixes and ``CHD`` dropped."""
    compact = re.sub(r"[^A-Z0-9]", "", reference.upper())
    m = _CHED.match(compact)
    return f"{m[1]}{m[2]}{m[3]}" if m else compact


def commodity_prefix_match(
    certified: str | None, declared: str | None, min_digits: int = 4
) -> bool:
    """True when the shorter code is a prefix of the longer one, over at least ``min_digits``."""
    a, b = re.sub(r"\D", "", certified or ""), re.sub(r"\D", "", declared or "")
    short, long_ = sorted((a, b), key=len)
    return len(short) >= min_digits and long_.startswith(short)


@dataclass
class ItemMatch:
    """The outcome for one declaration item against the certificates it quotes."""

    item_number: int | None
    reference: str | None
    certificate_number: str | None
    outcome: Outcome
    reasons: list[str] = field(default_factory=list)


@dataclass
class MatchResult:
    declaration_number: str | None
    items: list[ItemMatch]

    @property
    def outcome(self) -> Outcome:
        outcomes = {i.outcome for i in self.items}
        if not outcomes or outcomes == {"no-match"}:
            return "no-match"
        return "match" if outcomes == {"match"} else "mismatch"


def _certificate_refs(item: LineItem) -> list[str]:
    return [
        r.id
        for r in item.references
        if r.document_code is None or r.document_code in CERTIFICATE_DOCUMENT_CODES
    ]


def match_declaration(
    declaration: Declaration,
    certificates: list[Certificate],
    *,
    tolerance: float = 0.02,
    min_digits: int = 4,
) -> MatchResult:
    """Match every declaration item that quotes a certificate against ``certificates``."""
    index = {
        normalize_reference(c.certificate_number): c for c in certificates if c.certificate_number
    }
    items: list[ItemMatch] = []
    declared_mass: dict[str, float] = {}
    for item in declaration.line_items:
        refs: list[str | None] = [*_certificate_refs(item)] or [None]
        for ref in refs:
            cert = index.get(normalize_reference(ref)) if ref else None
            match = _check_item(item, ref, cert, min_digits)
            if cert is not None and ref is not None and item.net_weight_kg is not None:
                key = normalize_reference(ref)
                declared_mass[key] = declared_mass.get(key, 0.0) + item.net_weight_kg
            items.append(match)
    _check_totals(items, index, declared_mass, tolerance)
    return MatchResult(declaration.declaration_number, items)


def _check_item(
    item: LineItem, ref: str | None, cert: Certificate | None, min_digits: int
) -> ItemMatch:
    if ref is None:
        return ItemMatch(item.sequence, None, None, "no-match", ["item quotes no certificate"])
    if cert is None:
        return ItemMatch(item.sequence, ref, None, "no-match", [f"no certificate {ref}"])
    reasons: list[str] = []
    certified_codes = [li.hs_code for li in cert.line_items if li.hs_code]
    if not certified_codes and cert.hs_code:
        certified_codes = [cert.hs_code]
    if not any(commodity_prefix_match(code, item.hs_code, min_digits) for code in certified_codes):
        reasons.append(
            f"commodity {item.hs_code} not covered by {', '.join(map(str, certified_codes))}"
        )
    if item.origin_country and cert.origin_country and item.origin_country != cert.origin_country:
        reasons.append(f"origin {item.origin_country} declared, {cert.origin_country} certified")
    outcome: Outcome = "mismatch" if reasons else "match"
    return ItemMatch(item.sequence, ref, cert.certificate_number, outcome, reasons)


def _check_totals(
    items: list[ItemMatch],
    index: dict[str, Certificate],
    declared: dict[str, float],
    tolerance: float,
) -> None:
    for key, mass in declared.items():
        certified = index[key].net_weight_kg
        if certified is None or mass <= certified * (1 + tolerance) + 1e-9:
            continue
        reason = f"net mass {mass:g} kg declared, {certified:g} kg certified"
        for item in items:
            if item.reference and normalize_reference(item.reference) == key:
                item.reasons.append(reason)
                item.outcome = "mismatch"


def unquoted_certificates(
    certificates: list[Certificate], declarations: list[Declaration]
) -> list[Certificate]:
    """Certificates that no declaration item quotes (under the normalised reference)."""
    quoted = {
        normalize_reference(ref)
        for d in declarations
        for item in d.line_items
        for ref in _certificate_refs(item)
    }
    return [
        c
        for c in certificates
        if not c.certificate_number or normalize_reference(c.certificate_number) not in quoted
    ]
