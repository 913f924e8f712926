"""Verdict policy: any failed error rule rejects, any failed warning sends to review.

An accept needs every applicable rule to pass; when the pipeline is unsure (uncertain seal or
signature, a low-confidence reading) the rule is a warning, so the result is review, never
accept.
"""

from __future__ import annotations

from collections.abc import Sequence

from verification.results import RuleResult, Severity, Verdict


def decide(
    rules: Sequence[RuleResult], extra_review: Sequence[str] = ()
) -> tuple[Verdict, list[str]]:
    errors = [r for r in rules if not r.passed and r.severity is Severity.ERROR]
    warnings = [r for r in rules if not r.passed and r.severity is Severity.WARNING]
    if errors:
        return Verdict.REJECT, [f"{r.id}: {r.message}" for r in errors + warnings]
    if warnings or extra_review:
        return Verdict.REVIEW, [f"{r.id}: {r.message}" for r in warnings] + list(extra_review)
    return Verdict.ACCEPT, []
