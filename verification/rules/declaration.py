"""Consistency of the certificate with the importer's declaration (contract declaration JSON)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
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
    tol = float(p["net_weight_tolerance_pct"])
    soft = not inp.confident("net_weight_kg", p)
    if (balance := _balance_of(inp, p, "net_weight_kg")) is not None:
        return _against_balance(balance, soft)
    if _other_certificates(inp):
        return _quantity(inp, p, _Measure("net_weight_kg", "net weight", " kg", tol))
    if _partial_use(p):
        return _part_of_certified(_weight(tol), declared, certified, soft)
    delta = (certified - declared) / declared * 100
    text = f"net weight {certified:g} kg on certificate, {declared:g} kg declared ({delta:+.1f}%)"
    if not _within(delta, tol):
        return Outcome(False, f"{text}, tolerance {tol:g}%", soft=soft)
    return Outcome(True, f"{text}, within {tol:g}%")


@rule("declaration.packages")
def packages(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    declared, certified = _num(_declared(inp, "packages")), _num(inp.value("packages"))
    if declared is None or certified is None:
        return None
    soft = not inp.confident("packages", p)
    if (balance := _balance_of(inp, p, "packages")) is not None:
        return _against_balance(balance, soft)
    if _other_certificates(inp) and declared > 0:
        return _quantity(inp, p, _PACKAGES)
    if _partial_use(p):
        return _part_of_certified(_PACKAGES, declared, certified, soft)
    if declared != certified:
        return Outcome(
            False,
            f"{certified:g} packages on certificate, {declared:g} declared",
            soft=soft,
        )
    return Outcome(True, f"{certified:g} packages agree")


def _within(delta_pct: float, tolerance_pct: float) -> bool:
    # exactly at the tolerance is within it: 649636.572 kg against 636898.6 kg is +2% to the
    # gram, and 2.0000000000000107 in floating point
    return abs(delta_pct) <= tolerance_pct + _PCT_EPSILON


@dataclass(frozen=True)
class _Measure:
    field: str
    label: str
    unit: str
    tolerance_pct: float


def _quantity(inp: RuleInputs, p: RuleParams, m: _Measure) -> Outcome:
    """A declaration naming several certificates may split its consignment under those of one
    kind: their quantities' sum is compared with the declared one, once all are on the node
    (``RuleInputs.parts``). Until then this one, with those here, must not exceed it, and less
    is for an officer (the rest may never come: goods without a certificate)."""
    declared, certified = float(_declared(inp, m.field)), float(inp.value(m.field) or 0)
    soft = not inp.confident(m.field, p)
    if certified <= 0:
        return _no_quantity(m, certified, declared, _other_certificates(inp), soft)
    if inp.parts is None:  # a paper's own review: the others are not looked up
        return _one_of_several(m, certified, declared, _other_certificates(inp), soft)
    total, summed, missing, empty = certified, [inp.value("certificate_number") or "?"], [], []
    for number, fields in sorted(inp.parts.items()):
        part = fields.get(m.field) if isinstance(fields, Mapping) else None
        value = _num(part.value) if part is not None else None
        if part is None or value is None:
            missing.append((number, _uncounted(fields, m)))
            continue
        soft = soft or part.confidence < p["min_field_confidence"]
        if value <= 0:  # not added: -220 kg would hide as much over-certified on another
            empty.append(f"{number} named too, {value:g}{m.unit} on it: no quantity")
            continue
        total, summed = total + value, [*summed, number]
    on = f"certificates {_few(summed, ' + ')}" if len(summed) > 1 else "certificate"
    delta = (total - declared) / declared * 100
    text = f"{m.label}: {total:g}{m.unit} on {on}, {declared:g}{m.unit} declared ({delta:+.1f}%)"
    if empty:
        return Outcome(False, "; ".join([text, *empty]), soft=soft)
    if missing and delta < 0 and not _within(delta, m.tolerance_pct):
        # the rest may be on those not here: nothing contradicts the declaration yet
        return Outcome(False, "; ".join([text, *_named_too(missing)]), True)
    if not _within(delta, m.tolerance_pct):
        return Outcome(False, f"{text}, tolerance {m.tolerance_pct:g}%", soft=soft)
    # all of it here: those not counted are of another kind, or will make it too much
    return Outcome(True, "; ".join([f"{text}, within {m.tolerance_pct:g}%", *_named_too(missing)]))


_PACKAGES = _Measure("packages", "packages", " packages", 0.0)


def _weight(tolerance_pct: float) -> _Measure:
    return _Measure("net_weight_kg", "net weight", " kg", tolerance_pct)


def _partial_use(p: RuleParams) -> bool:
    """Whether the rule set lets several declarations draw on one certificate (partial
    shipments written off against it; rules.toml ``partial_use``)."""
    return bool(p.values.get("partial_use", False))


@dataclass(frozen=True)
class _Balance:
    """A declared quantity against what the earlier declarations left of the certified one."""

    m: _Measure
    declared: float
    certified: float
    drawn: float
    counted: int  # earlier declarations whose quantity is in ``drawn``
    unknown: int  # earlier declarations whose quantity is not known

    @property
    def left(self) -> float:
        return self.certified - self.drawn

    @property
    def over(self) -> bool:
        """Declared more than is left, beyond the tolerance (a share of the certified quantity:
        the weighing differs per shipment, not per what is left)."""
        slack = max(self.certified, 0.0) * (self.m.tolerance_pct + _PCT_EPSILON) / 100
        return self.declared - self.left > slack + 1e-9

    def text(self) -> str:
        u = self.m.unit
        left = f"{self.left:g}{u} left" if self.left > 0 else "nothing left"
        if self.counted:
            s = "s" if self.counted != 1 else ""
            drawn = f"{self.drawn:g}{u} drawn by {self.counted} earlier declaration{s}"
        else:
            drawn = "nothing drawn by earlier declarations"
        declared = f"{self.m.label}: {self.declared:g}{u} declared"
        return f"{declared}, {left} of {self.certified:g}{u} certified ({drawn})"

    def tolerance(self, word: str) -> str:
        return f", {word} {self.m.tolerance_pct:g}%" if self.m.tolerance_pct else ""

    def not_known(self) -> str:
        s = "s" if self.unknown != 1 else ""
        return (
            f"; {self.unknown} more earlier declaration{s} naming it, {self.m.label} not known "
            "on this node (indexed before the node recorded quantities, or none declared)"
        )


def _balance_of(inp: RuleInputs, p: RuleParams, name: str) -> _Balance | None:
    """The declared quantity ``name`` against the certificate's balance, where its rule set
    allows partial use and the declaration check looked up what earlier declarations drew
    (``RuleInputs.drawn``), else None."""
    if inp.drawn is None or not _partial_use(p):
        return None
    declared, certified = _num(_declared(inp, name)), _num(inp.value(name))
    if declared is None or certified is None or declared < 0:
        return None
    if name == "net_weight_kg":
        m = _weight(float(p["net_weight_tolerance_pct"]))
    else:
        m = _PACKAGES
    drawn, counted, unknown = inp.drawn.of(name)
    return _Balance(m, declared, certified, drawn, counted, unknown)


def _against_balance(b: _Balance, soft: bool) -> Outcome:
    """Partial use: the declaration draws at most what the earlier ones left (a certificate
    used for more than it certifies is a forgery's sign). Earlier declarations whose quantity is
    not known leave the balance not known: for an officer, told how many."""
    if b.over:
        unknown = b.not_known() if b.unknown else ""
        return Outcome(False, f"{b.text()}{b.tolerance('tolerance')}{unknown}", soft=soft)
    if b.unknown:
        return Outcome(False, f"{b.text()}{b.not_known()}: the balance is not known", soft=True)
    return Outcome(True, f"{b.text()}{b.tolerance('within')}")


def _part_of_certified(m: _Measure, declared: float, certified: float, soft: bool) -> Outcome:
    """Partial use, judged without the other declarations (a paper's own review): a part of
    the certified quantity passes, more than all of it (beyond the tolerance) does not."""
    text = f"{m.label}: {declared:g}{m.unit} declared of {certified:g}{m.unit} certified"
    slack = max(certified, 0.0) * (m.tolerance_pct + _PCT_EPSILON) / 100
    if declared - certified > slack + 1e-9:
        tolerance = f", tolerance {m.tolerance_pct:g}%" if m.tolerance_pct else ""
        return Outcome(False, f"{text}: more than certified{tolerance}", soft=soft)
    return Outcome(
        True,
        f"{text}: partial use allowed, the declaration check tracks the balance other "
        "declarations leave",
    )


def _overdrawn(inp: RuleInputs, p: RuleParams) -> bool:
    balances = (_balance_of(inp, p, name) for name in ("net_weight_kg", "packages"))
    return any(b is not None and b.over for b in balances)


def _uncounted(fields: Mapping[str, Any] | str | None, m: _Measure) -> str:
    """Why a part named is not added up: not here, here but not counted (``RuleInputs.parts``),
    or without the quantity (an officer told "not on this node" would wait for it)."""
    if fields is None:
        return "not on this node"
    if isinstance(fields, str):
        return fields
    return f"no {m.label} on it"


def _named_too(missing: list[tuple[str, str]]) -> list[str]:
    """One clause for each reason ("B, C named too, not on this node"), in the parts' order."""
    by_why: dict[str, list[str]] = {}
    for number, why in missing:
        by_why.setdefault(why, []).append(number)
    return [f"{_few(numbers)} named too, {why}" for why, numbers in by_why.items()]


def _one_of_several(
    m: _Measure, certified: float, declared: float, others: list[str], soft: bool
) -> Outcome:
    """This certificate, one of several the declaration names, judged alone: at most the
    declared quantity (a part of it, or all of it where the others are of another kind)."""
    also = f"the declaration also names {_few(others)}"
    delta = (certified - declared) / declared * 100
    text = f"{m.label}: {certified:g}{m.unit} on certificate, {declared:g}{m.unit} declared"
    if delta > m.tolerance_pct + _PCT_EPSILON:
        return Outcome(False, f"{text} ({delta:+.1f}%; {also})", soft=soft)
    return Outcome(
        True,
        f"{text}; {also}: the declaration check adds up those of one kind once all are here",
    )


def _no_quantity(
    m: _Measure, certified: float, declared: float, others: list[str], soft: bool
) -> Outcome:
    """This certificate names 0 or less of the goods: no part of the declared quantity (alone,
    the same certificate fails the declaration by -100% or more)."""
    also = f"the declaration also names {_few(others)}"
    text = f"{m.label}: {certified:g}{m.unit} on certificate, {declared:g}{m.unit} declared"
    return Outcome(False, f"{text}: no quantity ({also})", soft=soft)


_FEW = 5  # certificates named in a finding; the rest counted (a declaration may name 50)


def _few(numbers: list[str], sep: str = ", ") -> str:
    """The first ``_FEW`` numbers, then how many more."""
    if len(numbers) <= _FEW:
        return sep.join(numbers)
    return f"{sep.join(numbers[:_FEW])} and {len(numbers) - _FEW} more"


def _other_certificates(inp: RuleInputs) -> list[str]:
    """The certificate numbers the declaration names besides this certificate's; none unless
    it names this one (a number not read, or not named: judged as the whole)."""
    listed = _declared(inp, "certificate_numbers")
    own = certificate_key(inp.value("certificate_number") or "")
    if not isinstance(listed, list) or not own:
        return []
    keys: dict[str, str] = {}  # each certificate once, as first spelled
    for number in listed:
        keys.setdefault(certificate_key(str(number)), str(number))
    return [n for k, n in keys.items() if k != own] if own in keys else []


@rule("declaration.containers")
def containers(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    declared, certified = _declared(inp, "container_numbers"), inp.value("container_numbers")
    if declared is None or certified is None:
        return None
    d = _container_set(declared)
    c = _container_set(certified)
    if d != c and _other_certificates(inp):
        return _split_containers(inp, p, d, c)
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
    (the domain's "quantity management"; a split consignment is for an officer to clear).
    Where its rule set allows partial use, drawing on it again is no finding while the balance
    holds (``net_weight``, ``packages`` judge it); beyond it, the earlier ones are named."""
    if inp.declaration is None or not inp.other_declarations:
        return None
    number = inp.value("certificate_number") or "this certificate"
    others = ", ".join(inp.other_declarations)
    if inp.drawn is not None and _partial_use(p) and not _overdrawn(inp, p):
        return Outcome(
            True,
            f"certificate {number} is also named by declaration(s) {others}: partial use, "
            "within the balance",
        )
    return Outcome(False, f"certificate {number} is also named by declaration(s) {others}")


def _split_containers(inp: RuleInputs, p: RuleParams, d: set[str], c: set[str]) -> Outcome:
    """A consignment split under several certificates is split by container too: each
    certificate's containers must be declared, and every declared one on one of those of its
    kind (``RuleInputs.parts``; a paper's own review sees this one alone)."""
    soft = not inp.confident("container_numbers", p)
    if c - d:
        text = f"containers on certificate only {sorted(c - d)}, not declared"
        return Outcome(False, f"{text} (the declaration also names other certificates)", soft=soft)
    if inp.parts is None:
        also = _few(_other_certificates(inp))
        return Outcome(
            True,
            f"{len(c)} of the {len(d)} declared container number(s) on this certificate; the "
            f"declaration also names {also}: its check looks for the rest on those",
        )
    covered, missing = set(c), []
    for number, fields in sorted(inp.parts.items()):
        part = fields.get("container_numbers") if isinstance(fields, Mapping) else None
        if part is None:
            missing.append((number, _uncounted(fields, _CONTAINERS)))
            continue
        covered |= _container_set(part.value)
        soft = soft or part.confidence < p["min_field_confidence"]
    if not d - covered:
        return Outcome(True, f"the {len(d)} declared container number(s) are on the certificates")
    text = f"declared containers on none of the certificates here: {sorted(d - covered)}"
    if missing:  # they may be on those not counted
        return Outcome(False, "; ".join([text, *_named_too(missing)]), soft=True)
    return Outcome(False, text, soft=soft)


_CONTAINERS = _Measure("container_numbers", "container numbers", "", 0.0)


def _container_set(value: Any) -> set[str]:
    items = value if isinstance(value, list) else re.split(r"[,;\s]+", str(value))
    return {re.sub(r"[^0-9A-Z]", "", str(x).upper()) for x in items if str(x).strip()}
