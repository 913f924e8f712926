"""Consistency of the certificate with the importer's declaration (contract declaration JSON)."""

from __future__ import annotations

import re
from typing import Any

from adapters.normalize import name_similarity
from verification.normalise import certificate_key
from verification.rules.engine import Outcome, RuleInputs, rule
from verification.rules.loader import RuleParams


def similarity(a: str, b: str) -> float:
    return name_similarity(a, b)


def _declared(inp: RuleInputs, key: str) -> Any:
    if inp.declaration is None:
        return None
    value = inp.declaration.get(key)
    return None if value in (None, "", []) else value


_PCT_EPSILON = 1e-9  # of a percent: far below a gram on any consignment, above float rounding


def _num(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _names(inp: RuleInputs, p: RuleParams, field: str, label: str) -> Outcome | None:
    declared, certified = _declared(inp, field), inp.value(field)
    if declared is None or certified is None:
        return None
    sim = similarity(str(declared), certified)
    if sim < p["name_similarity"]:
        return Outcome(
            False,
            f"{label} {certified!r} on certificate, {declared!r} declared (similarity {sim:.2f})",
            soft=not inp.confident(field, p),
        )
    return Outcome(True, f"{label} agrees (similarity {sim:.2f})")


@rule("declaration.certificate_number")
def certificate_number(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    listed = _declared(inp, "certificate_numbers")
    number = inp.value("certificate_number")
    if not listed or not number:
        return None
    keys = {certificate_key(str(x)) for x in listed}
    if certificate_key(number) not in keys:
        return Outcome(False, f"certificate {number} is not among the declared {sorted(listed)}")
    return Outcome(True, f"certificate {number} is referenced by the declaration")


@rule("declaration.consignor")
def consignor(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    return _names(inp, p, "consignor_name", "consignor")


@rule("declaration.consignee")
def consignee(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    return _names(inp, p, "consignee_name", "consignee")


@rule("declaration.origin")
def origin(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    declared, certified = _declared(inp, "origin_country"), inp.value("origin_country")
    if declared is None or certified is None:
        return None
    if str(declared).upper() != certified.upper():
        return Outcome(
            False,
            f"origin {certified} on certificate, {declared} declared",
            soft=not inp.confident("origin_country", p),
        )
    return Outcome(True, f"origin {certified} agrees")


@rule("declaration.hs_code")
def hs_code(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    declared, certified = _declared(inp, "hs_code"), inp.value("hs_code")
    if declared is None or certified is None:
        return None
    d = re.sub(r"\D", "", str(declared))
    n = min(int(p["hs_prefix_digits"]), len(d), len(certified))
    if d[:n] != certified[:n]:
        return Outcome(
            False,
            f"HS code {certified} on certificate, {d} declared (first {n} digits differ)",
            soft=not inp.confident("hs_code", p),
        )
    return Outcome(True, f"HS code {certified} agrees with {d} on {n} digits")


@rule("declaration.net_weight")
def net_weight(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    declared, certified = _num(_declared(inp, "net_weight_kg")), _num(inp.value("net_weight_kg"))
    if declared is None or certified is None or declared <= 0:
        return None
    delta = (certified - declared) / declared * 100
    tol = float(p["net_weight_tolerance_pct"])
    text = f"net weight {certified:g} kg on certificate, {declared:g} kg declared ({delta:+.1f}%)"
    # exactly at the tolerance is within it: 649636.572 kg against 636898.6 kg is +2% to the
    # gram, and 2.0000000000000107 in floating point
    if abs(delta) > tol + _PCT_EPSILON:
        return Outcome(
            False, f"{text}, tolerance {tol:g}%", soft=not inp.confident("net_weight_kg", p)
        )
    return Outcome(True, f"{text}, within {tol:g}%")


@rule("declaration.packages")
def packages(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    declared, certified = _num(_declared(inp, "packages")), _num(inp.value("packages"))
    if declared is None or certified is None:
        return None
    if declared != certified:
        return Outcome(
            False,
            f"{certified:g} packages on certificate, {declared:g} declared",
            soft=not inp.confident("packages", p),
        )
    return Outcome(True, f"{certified:g} packages agree")


@rule("declaration.containers")
def containers(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    declared, certified = _declared(inp, "container_numbers"), inp.value("container_numbers")
    if declared is None or certified is None:
        return None
    d = _container_set(declared)
    c = _container_set(certified)
    if d != c:
        extra, missing = sorted(c - d), sorted(d - c)
        return Outcome(
            False,
            f"containers differ: on certificate only {extra or '-'}, "
            f"declared only {missing or '-'}",
            soft=not inp.confident("container_numbers", p),
        )
    return Outcome(True, f"{len(c)} container number(s) agree")


@rule("declaration.certificate_reused")
def certificate_reused(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    """A certificate covers one consignment: another declaration naming it is a second use
    (the domain's "quantity management"; a split consignment is for an officer to clear)."""
    if inp.declaration is None or not inp.other_declarations:
        return None
    number = inp.value("certificate_number") or "this certificate"
    others = ", ".join(inp.other_declarations)
    return Outcome(False, f"certificate {number} is also named by declaration(s) {others}")


def _container_set(value: Any) -> set[str]:
    items = value if isinstance(value, list) else re.split(r"[,;\s]+", str(value))
    return {re.sub(r"[^0-9A-Z]", "", str(x).upper()) for x in items if str(x).strip()}
