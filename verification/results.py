"""Result types; ``VerificationResult.to_json()`` is the ``cusdep verify --json`` contract shape.

Contract keys (never renamed): document_sha256, template_id, fields{name: {value, confidence}},
seal{found, seal_id, score, match}, signature{found, officer_id, score, match},
rules[{id, passed, severity, message}], verdict, elapsed_ms. Extra keys: reasons, evidence,
stage_ms, pages, tamper{checked, suspicious, scores}, rectified, photos_not_flat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from verification.ports import Box


class Verdict(StrEnum):
    ACCEPT = "accept"
    REVIEW = "review"
    REJECT = "reject"


class Severity(StrEnum):
    ERROR = "error"  # failing it rejects the document
    WARNING = "warning"  # failing it sends the document to an officer
    INFO = "info"  # recorded only


@dataclass
class FieldValue:
    value: str | None
    confidence: float
    raw: str = ""
    box: Box | None = None
    page: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "confidence": round(self.confidence, 3)}


@dataclass
class SealResult:
    found: bool = False
    seal_id: str | None = None
    score: float = 0.0
    match: bool = False
    box: Box | None = None
    page: int = 0
    candidates: int = 0
    agency_id: str | None = None  # agency of the best-matching specimen
    uncertain: bool = False
    coverage: float = 0.0  # share of the specimen's ink seen in the impression
    # a matching impression's printed text: looked at (not cut by the page edge), and how many
    # places two swapped letters could hide in an ink gap (``_seal_confirm.TextCheck``)
    text_checked: bool = False
    text_unconfirmed: int = 0
    finding: str = ""  # why an impression that was compared is no match (for the officer)
    # a matching impression's print (``verification.stamping``: its ink over the die, hex)
    stamping: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "seal_id": self.seal_id,
            "score": round(self.score, 3),
            "match": self.match,
            "uncertain": self.uncertain,
            "coverage": round(self.coverage, 3),
            "text_checked": self.text_checked,
            "text_unconfirmed": self.text_unconfirmed,
            "finding": self.finding,
            "stamping": self.stamping,
        }


@dataclass
class SignatureResult:
    found: bool = False
    officer_id: str | None = None
    score: float = 0.0
    match: bool = False
    box: Box | None = None
    page: int = 0
    uncertain: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "officer_id": self.officer_id,
            "score": round(self.score, 3),
            "match": self.match,
            "uncertain": self.uncertain,
        }


@dataclass
class TamperResult:
    """Background-step scores of the checked value boxes and how far their print departs from
    the page's other values (``styles``); ``suspicious`` are over either threshold."""

    checked: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    suspicious: list[str] = field(default_factory=list)
    boxes: dict[str, Box] = field(default_factory=dict)
    page: int = 0
    styles: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": list(self.checked),
            "suspicious": list(self.suspicious),
            "scores": {k: round(v, 2) for k, v in self.scores.items()},
            "styles": {k: round(v, 2) for k, v in self.styles.items()},
        }


@dataclass(frozen=True)
class RuleResult:
    id: str
    passed: bool
    severity: Severity
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "passed": self.passed,
            "severity": str(self.severity),
            "message": self.message,
        }


@dataclass
class VerificationResult:
    document_sha256: str
    template_id: str | None
    fields: dict[str, FieldValue]
    seal: SealResult
    signature: SignatureResult
    rules: list[RuleResult]
    verdict: Verdict
    elapsed_ms: int
    reasons: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    stage_ms: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    stage_peak_kb: dict[str, int] = field(default_factory=dict)  # only when tracemalloc runs
    tamper: TamperResult = field(default_factory=TamperResult)
    # pages photographed at an angle and made flat before review (``rectify.Rectified``),
    # each ``{"page", "corners", "photo_size", "size", "paper", "aspect"}``
    rectified: list[dict[str, Any]] = field(default_factory=list)
    # pages whose frame is a camera's but whose paper was not found: used as they came, seen
    # at an angle (``intake.Page.unflattened_photo``)
    photos_not_flat: list[int] = field(default_factory=list)
    # the template's certificate type and issuing country ("" when no template was found): the
    # rule set a declaration that comes later is checked against the paper's fields with
    certificate_type: str = ""
    issuing_country: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "document_sha256": self.document_sha256,
            "template_id": self.template_id,
            "certificate_type": self.certificate_type,
            "issuing_country": self.issuing_country,
            "fields": {name: _typed(name, fv.to_json()) for name, fv in self.fields.items()},
            "seal": self.seal.to_json(),
            "signature": self.signature.to_json(),
            "rules": [r.to_json() for r in self.rules],
            "verdict": str(self.verdict),
            "elapsed_ms": self.elapsed_ms,
            "reasons": list(self.reasons),
            "evidence": dict(self.evidence),
            "stage_ms": dict(self.stage_ms),
            "pages": self.pages,
            "tamper": self.tamper.to_json(),
            "rectified": [dict(r) for r in self.rectified],
            "photos_not_flat": list(self.photos_not_flat),
        }


# The contract's vocabulary: these values are numbers (``packages`` a whole one) in JSON.
_NUMBERS = frozenset({"net_weight_kg", "quantity", "packages"})


def _typed(name: str, field: dict[str, Any]) -> dict[str, Any]:
    """``field`` (``FieldValue.to_json``) with a numeric value as a JSON number: 42950, 12.5.
    A value that does not read as one (kept doubtful by the normaliser) stays the text read."""
    value = field.get("value")
    if name not in _NUMBERS or not isinstance(value, str):
        return field
    try:
        number = float(value)
    except ValueError:
        return field
    if not math.isfinite(number):
        return field
    return {**field, "value": int(number) if number.is_integer() else number}
