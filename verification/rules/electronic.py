"""The paper against the issuer's electronic copy of the same certificate.

An issuing authority on the exchange sends its certificates electronically as well, signed by
its node; the paper original that travels with the goods must say what the copy says. The
copy is the strongest check there is on a paper certificate: a value altered after issue
differs from it, and a counterfeit (a forged seal included, even one whose altered letters the
stamp's ink gaps hide) has no copy at all. Hence two rules:

* ``copy.fields`` (error): every value the verdict rests on that both the paper and the copy
  carry agrees — names and free text on letters and digits, numbers as numbers, dates and
  countries exactly, HS codes on their digits, container numbers as a set. A difference in a
  value read with low confidence, or one a misreading explains (a number within the weight
  tolerance, text one character off), is only a warning: an officer looks.
* ``copy.revoked`` (error): the issuer revoked the certificate after sending its copy (a
  partner's revocation of the document it sent): the paper is of a withdrawn certificate.
* ``copy.replaced`` (error): the issuer replaced the certificate by a new one (ISPM 12: the
  replacement has a new number; the replaced certificate is no longer accepted).
* ``copy.status`` (error): the copy's own status says the certificate does not stand
  (``adapters.status``: withdrawn, rejected or replaced, e.g. ePhyto StatusCode 40, an IPAFFS
  CHED ``CANCELLED``); one only provisional (a CHED ``SUBMITTED``, not yet validated) is a
  warning: an officer looks.
* ``copy.present`` (warning): where the rule set says the issuing country sends copies
  (``electronic_copy_required = true``), a paper without one goes to an officer. It is a
  warning, not an error, because the copy may still be on its way: a node re-reviews the paper
  when the copy arrives.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.normalize import name_similarity
from adapters.status import NOT_VALID, describe
from verification.rules.corroboration import same_value
from verification.rules.engine import Outcome, RuleInputs, rule
from verification.rules.loader import RuleParams

COMPARED = (
    "certificate_number",
    "issue_date",
    "expiry_date",
    "consignor_name",
    "consignee_name",
    "origin_country",
    "hs_code",
    "net_weight_kg",
    "packages",
    "container_numbers",
    "establishment_number",
)
"""The values compared: those the verdict rests on (the officer's name is the signature's
business, and free text such as the commodity may be worded differently on paper)."""


_PARTIES = ("consignor_name", "consignee_name")


def agrees(name: str, value: str, theirs: Any, p: RuleParams) -> bool:
    """Whether a value read from the paper says what the copy says: party names as similar as
    the declaration's must be (``name_similarity``: a letter misread is not an alteration), an
    HS code printed to fewer digits than the copy holds on those it has, the rest exactly."""
    if name in _PARTIES:
        return name_similarity(value, str(theirs)) >= p["name_similarity"]
    if name == "hs_code":
        x, y = re.sub(r"\D", "", value), re.sub(r"\D", "", str(theirs))
        n = min(len(x), len(y))
        return n >= 4 and x[:n] == y[:n]
    return same_value(name, value, theirs)


def _near(value: str, theirs: Any, p: RuleParams) -> bool:
    """A difference a misreading explains (a lost decimal, one character): a number within the
    declaration's weight tolerance, or text one edit away. Alterations move values further
    (held-out 414-417: weights altered by 15-55%); a genuine paper read "12337" for
    "12,337.2" was rejected before this."""
    try:
        a, b = float(value), float(theirs)
    except (TypeError, ValueError):
        return _one_edit(_compact(value), _compact(str(theirs)))
    return b != 0 and abs(a - b) / abs(b) * 100 <= float(p["net_weight_tolerance_pct"])


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).upper()


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def copied(inp: RuleInputs, name: str) -> Any:
    """The copy's value of ``name`` (None where there is no copy or it has no such value)."""
    if inp.electronic_copy is None:
        return None
    value = inp.electronic_copy.get(name)
    return None if value in (None, "", []) else value


@rule("copy.present")
def present(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    if inp.electronic_copy is not None:
        number = copied(inp, "certificate_number") or "?"
        return Outcome(True, f"the issuer's electronic copy of certificate {number} is at hand")
    if not p.values.get("electronic_copy_required", False):
        return None
    number = inp.value("certificate_number") or "(number not read)"
    return Outcome(
        False,
        f"issuers in {inp.country or '?'} send an electronic copy of every certificate; "
        f"none has been received for certificate {number}",
    )


@rule("copy.revoked")
def revoked(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    """The issuer revoked (withdrew) the certificate after sending it: the paper of a revoked
    certificate is no certificate (its copy carries ``revoked``: ``{"by", "at", "reason"}``)."""
    gone = inp.electronic_copy.get("revoked") if inp.electronic_copy is not None else None
    if not gone:
        return None
    number = copied(inp, "certificate_number") or inp.value("certificate_number") or "?"
    reason = f": {gone['reason']}" if gone.get("reason") else ""
    return Outcome(
        False,
        f"{gone.get('by') or 'the issuer'} revoked certificate {number}{reason} "
        f"({gone.get('at') or 'date not recorded'})",
    )


@rule("copy.replaced")
def replaced(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    """The issuer replaced the certificate: its paper is no longer accepted (the copy carries
    ``replaced``: ``{"by", "at", "replaced_by", "replacement_sha256"}``)."""
    gone = inp.electronic_copy.get("replaced") if inp.electronic_copy is not None else None
    if not gone:
        return None
    number = copied(inp, "certificate_number") or inp.value("certificate_number") or "?"
    on = str(gone.get("at") or "")[:10] or "a date not recorded"
    return Outcome(
        False,
        f"{gone.get('by') or 'the issuer'} replaced certificate {number} by "
        f"{gone.get('replaced_by') or '?'} on {on}: the replaced certificate is no longer "
        "accepted",
    )


@rule("copy.status")
def status(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    """The copy's own status (its ``status``: ``{"status", "status_code", "replaced_by"}``)
    says the certificate is not valid: withdrawn, rejected or replaced (an error), or not
    issued yet (provisional: a warning)."""
    said = inp.electronic_copy.get("status") if inp.electronic_copy is not None else None
    if not isinstance(said, dict) or said.get("status") not in NOT_VALID:
        return None
    number = copied(inp, "certificate_number") or inp.value("certificate_number") or "?"
    return Outcome(
        False,
        f"the issuer's electronic copy says certificate {number} is {describe(said)}: not valid",
        soft=said.get("status") == "provisional",
    )


@rule("copy.fields")
def fields(inp: RuleInputs, p: RuleParams) -> Outcome | None:
    if inp.electronic_copy is None:
        return None
    differ: list[str] = []
    doubtful = True
    compared = 0
    for name in COMPARED:
        value, theirs = inp.value(name), copied(inp, name)
        if value is None or theirs is None:
            continue
        compared += 1
        if not agrees(name, value, theirs, p):
            differ.append(f"{name} {value!r} on paper, {theirs!r} in the copy")
            doubtful = doubtful and (not inp.confident(name, p) or _near(value, theirs, p))
    if differ:
        return Outcome(
            False,
            "the paper differs from the issuer's electronic copy: " + "; ".join(differ),
            soft=doubtful,
        )
    if compared == 0:
        return Outcome(False, "no value of the paper could be compared with the issuer's copy")
    return Outcome(True, f"{compared} values agree with the issuer's electronic copy")
