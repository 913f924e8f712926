"""A declaration checked against a certificate reviewed or received before it came.

A paper accepted before its declaration arrived, or an issuer's electronic certificate, is
checked against the declaration when it comes: the declaration rules (consignor, consignee,
origin, HS code, net weight, packages, containers, the certificate's number), validity on the
declared arrival date, and whether another declaration already names the certificate (or,
where its rule set allows partial use, whether the earlier declarations left enough of its
quantity). The certificate's authenticity is not judged again (its review or its issuer did
that); only the pairing is, with the rule set of the certificate's type and issuing country.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from verification.results import FieldValue, RuleResult, SealResult, SignatureResult, Verdict
from verification.rules.engine import Drawn, RuleInputs, evaluate
from verification.rules.loader import RuleSet, certificate_kind
from verification.verdict import decide

# the checks of a pairing: the declaration's, and the certificate's validity on arrival
_PAIRING = ("declaration.", "validity.expiry")
# what a paper's review against the declaration did not judge: a second use, and the quantities
# of a consignment split under several certificates or drawn from a certificate several
# declarations share (the review saw this one alone, and no other declaration)
_REUSE = "declaration.certificate_reused"
_SPLIT = ("declaration.net_weight", "declaration.packages")


@dataclass(frozen=True)
class Pairing:
    verdict: Verdict
    reasons: list[str]
    rules: list[RuleResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": str(self.verdict),
            "reasons": list(self.reasons),
            "rules": [r.to_json() for r in self.rules],
        }


def check_pairing(
    certificate: Mapping[str, FieldValue],
    declaration: Mapping[str, Any],
    *,
    rules: RuleSet,
    certificate_type: str,
    country: str,
    today: dt.date,
    others: Sequence[str] = (),
    parts: Mapping[str, Mapping[str, FieldValue] | str | None] | None = None,
    drawn: Drawn | None = None,
    reviewed_against: bool = False,
) -> Pairing:
    """Check ``declaration`` against the fields of a certificate (``others``: the numbers of
    the other declarations naming it; ``parts``: the other certificates of its kind the
    declaration names, ``RuleInputs.parts``; ``drawn``: what the earlier declarations drew on
    it, where its rule set allows partial use, ``RuleInputs.drawn``). ``reviewed_against``:
    the certificate is a paper whose review was against this declaration, and was accepted so:
    what that review compared stands (an officer may have accepted it over a difference), only
    a second use is judged, and the quantities where the declaration names other certificates
    too or draws on a balance."""
    params = rules.resolve(certificate_type, country)
    inputs = RuleInputs(
        fields=certificate,
        certificate_type=certificate_type,
        country=country,
        agency=None,
        officer=None,
        officer_similarity=0.0,
        seal=SealResult(),
        signature=SignatureResult(),
        today=today,
        arrival_date=arrival_date(declaration),
        declaration=declaration,
        other_declarations=tuple(others),
        parts=parts,
        drawn=drawn,
    )
    results = evaluate(inputs, params, only=lambda rule_id: rule_id.startswith(_PAIRING))
    # parts of another kind only ({}) too: its review, seeing other certificates named, judged
    # it as a part (at most the declared quantity); as the whole it must equal it
    again = (_REUSE, *_SPLIT) if parts is not None or drawn is not None else (_REUSE,)
    judged = [r for r in results if not reviewed_against or r.id in again]
    verdict, reasons = decide(judged)
    failed_first = sorted(results, key=lambda r: r.passed)
    return Pairing(verdict, reasons, failed_first)


def partial_use(rules: RuleSet, certificate_type: str, country: str) -> bool:
    """Whether a certificate of this type and issuing country may be drawn on by several
    declarations (rules.toml ``partial_use``): its pairs are then judged on the balance the
    earlier declarations left (``RuleInputs.drawn``)."""
    return bool(rules.resolve(certificate_type, country).values.get("partial_use", False))


def fields_of(values: Mapping[str, Any], confidence: float | None = None) -> dict[str, FieldValue]:
    """Fields as the rules read them, from ``{name: {"value", "confidence"}}`` (a review's
    stored fields) or, with ``confidence``, from ``{name: value}`` (an electronic
    certificate's contract fields, read as they were sent)."""
    out: dict[str, FieldValue] = {}
    for name, item in values.items():
        if confidence is None:
            if not isinstance(item, Mapping):
                continue
            value, conf = item.get("value"), float(item.get("confidence") or 0.0)
        else:
            value, conf = item, confidence
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value is None or value == "" or isinstance(value, Mapping | bool):
            continue
        out[name] = FieldValue(_text(value), conf)
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def arrival_date(declaration: Mapping[str, Any] | None) -> dt.date | None:
    """The declared arrival date (contract ``arrival_date``, YYYY-MM-DD), or None."""
    try:
        return dt.date.fromisoformat(str((declaration or {}).get("arrival_date") or ""))
    except ValueError:
        return None


def same_kind(a: str, b: str) -> bool:
    """Whether two certificate types name one kind (two phytosanitary certificates may split
    a consignment; a phytosanitary and an origin certificate each cover all of it). A type not
    known is of no kind (``kind_known``)."""
    ka, kb = (certificate_kind(t) for t in (a, b))
    return bool(ka) and ka == kb


def kind_known(certificate_type: str) -> bool:
    """Whether a certificate's type was told (an issuer's type code the node does not name,
    a paper whose type was not read: not), so whether it is another kind can be known."""
    return bool(certificate_kind(certificate_type))
