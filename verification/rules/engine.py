"""Rule inputs, the check registry (id -> function) and ``evaluate``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from verification.ports import Agency, OfficerSpecimen
from verification.results import (
    FieldValue,
    RuleResult,
    SealResult,
    Severity,
    SignatureResult,
    TamperResult,
)
from verification.rules.loader import RuleParams

if TYPE_CHECKING:
    from verification.stamping import StampingSeen

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Drawn:
    """What the earlier declarations naming a certificate drew on it, where its rule set allows
    partial use (``partial_use``): their declared quantities added up, the latest version of
    each declaration number once. ``*_unknown``: how many of them have no such quantity on the
    node (indexed before it recorded quantities, or none declared), so not in the sum."""

    net_weight_kg: float = 0.0
    packages: float = 0.0
    declarations: int = 0
    net_weight_unknown: int = 0
    packages_unknown: int = 0

    def of(self, name: str) -> tuple[float, int, int]:
        """(drawn, declarations counted in it, declarations not known) of a quantity field."""
        if name == "net_weight_kg":
            drawn, unknown = self.net_weight_kg, self.net_weight_unknown
        else:
            drawn, unknown = self.packages, self.packages_unknown
        return drawn, self.declarations - unknown, unknown


@dataclass
class RuleInputs:
    fields: Mapping[str, FieldValue]
    certificate_type: str
    country: str
    agency: Agency | None
    officer: OfficerSpecimen | None
    officer_similarity: float
    seal: SealResult
    signature: SignatureResult
    today: date
    arrival_date: date | None = None
    declaration: Mapping[str, Any] | None = None
    certificate_number_used: bool = False
    establishments: Mapping[str, frozenset[str]] = field(default_factory=dict)
    tamper: TamperResult | None = None
    # the issuer's electronic copy of this certificate (contract field names), if one came
    electronic_copy: Mapping[str, Any] | None = None
    # the closest earlier print of the matched die on another certificate, where the node keeps
    # them (None: no history consulted)
    stamping_seen: StampingSeen | None = None
    # the other declarations on the node naming this certificate, by their numbers (a
    # declaration checked against a certificate already accepted: ``rules.pairing``)
    other_declarations: tuple[str, ...] = ()
    # a consignment the declaration splits under several certificates of this one's kind: the
    # other certificates it names, each with its fields, or None where it is not on the node
    # (yet), or why it is here but not counted (revoked, its type not known); those found of
    # another kind are left out. None: not looked up (a paper's own review; the declaration
    # check, ``rules.pairing``, adds them up when all are here)
    parts: Mapping[str, Mapping[str, FieldValue] | str | None] | None = None
    # the certificate drawn on by earlier declarations, its rule set allowing partial use and
    # the declaration naming no other of its kind (the declaration check, ``rules.pairing``).
    # None: not looked up (a paper's own review), or partial use is not allowed
    drawn: Drawn | None = None
    # pages of a photograph whose paper was not found to make it flat (seen at an angle): a
    # value read there is not trusted for an automatic verdict (held-out 528 c00044: the
    # consignor's address read as its name rejected a genuine paper)
    askew_pages: frozenset[int] = frozenset()

    def value(self, name: str) -> str | None:
        fv = self.fields.get(name)
        return fv.value if fv is not None else None

    def confident(self, name: str, params: RuleParams) -> bool:
        fv = self.fields.get(name)
        if fv is None or fv.page in self.askew_pages:
            return False
        return fv.confidence >= params["min_field_confidence"]


@dataclass(frozen=True)
class Outcome:
    passed: bool
    message: str
    soft: bool = False  # failed on an uncertain reading: at most a warning


Check = Callable[[RuleInputs, RuleParams], Outcome | None]
_CHECKS: dict[str, Check] = {}


def rule(rule_id: str) -> Callable[[Check], Check]:
    def deco(fn: Check) -> Check:
        _CHECKS[rule_id] = fn
        return fn

    return deco


def rule_ids() -> list[str]:
    _load_checks()
    return list(_CHECKS)


def evaluate(
    inputs: RuleInputs, params: RuleParams, only: Callable[[str], bool] | None = None
) -> list[RuleResult]:
    """Run every enabled check (of those ``only`` keeps); a check returning None does not
    apply (e.g. no declaration)."""
    _load_checks()
    results = []
    for rule_id, check in _CHECKS.items():
        if rule_id in params.disabled or (only is not None and not only(rule_id)):
            continue
        outcome = check(inputs, params)
        if outcome is None:
            continue
        severity = params.severity_of(rule_id)
        if outcome.soft and not outcome.passed and severity is Severity.ERROR:
            severity = Severity.WARNING
        results.append(RuleResult(rule_id, outcome.passed, severity, outcome.message))
    return results


def _load_checks() -> None:
    from verification.rules import checks, declaration, electronic  # noqa: F401  (registers the checks)
