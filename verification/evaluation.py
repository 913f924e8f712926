"""``cusdep eval``: run the review pipeline over a simulator corpus and score it.

Corpus layout (``cusdep simulate corpus``): ``registry/`` (the bundle) and
``cases/<id>/{scan.jpg|scan.png, certificate.pdf, declaration.json, truth.json}``. Metrics:
per-field exact match (normalised values; free text compared case- and space-insensitively
as well), seal and signature accept/reject rates, verdict false-accept rate on bad cases,
automation rate (genuine -> accept), p50/p95 seconds per document, crashes.
``write_report`` writes ``report.json``, ``report.md`` and ``report.png`` (matplotlib, lazily).
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from verification.bundle import BundleSpecimenSource
from verification.errors import DocumentError, UnknownTemplate
from verification.normalise import format_number
from verification.pipeline import Pipeline, utc_today
from verification.results import VerificationResult

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass
class CaseOutcome:
    case: str
    kind: str
    acceptable: list[str]
    verdict: str
    seconds: float
    template_ok: bool = False
    fields: dict[str, bool] = field(default_factory=dict)  # name -> exact match
    fields_loose: dict[str, bool] = field(default_factory=dict)
    field_errors: list[tuple[str, Any, Any]] = field(default_factory=list)
    seal_genuine: bool | None = None  # truth: a registered seal of the issuing agency
    seal_match: bool = False
    seal_score: float = 0.0
    seal_text_checked: bool = False
    seal_text_unconfirmed: int = 0  # swap positions left open in ink gaps (``seal.text``)
    # truth: an imitation that differs from the genuine seal only where the stamp left no ink
    # (the simulator's ``imitation_difference_px`` is 0): no test of the pixels can see it
    seal_hidden: bool = False
    officer_registered: bool | None = None
    signature_match: bool = False
    signature_score: float = 0.0
    variant: str | None = None  # truth: the case kind's variant (a forged signature's hand)
    error: str | None = None  # crash (traceback summary) or bad input
    reasons: list[str] = field(default_factory=list)


ISSUED_KINDS = frozenset({"genuine", "declaration_mismatch", "field_altered", "expired", "no_seal"})
"""Case kinds whose certificate the issuing agency really issued (``electronic_copies``): the
rest (a forged or another agency's seal, an impostor's signature) are counterfeits, of which
the issuer holds no copy. A field-altered case's copy holds the value issued, not the one
printed over it."""


def issuer_copy(truth: Mapping[str, Any]) -> dict[str, Any] | None:
    """The issuer's electronic copy of a case's certificate, or None for a counterfeit."""
    if truth.get("kind") not in ISSUED_KINDS:
        return None
    copy = {**(truth.get("fields") or {}), "issuing_country": truth.get("issuing_country")}
    altered = truth.get("alteration") or {}
    if altered.get("field"):  # the truth holds the value printed over the issued one
        copy[altered["field"]] = altered.get("original_value")
    return copy


def case_dirs(corpus: Path) -> list[Path]:
    cases = corpus / "cases"
    if not cases.is_dir():
        raise FileNotFoundError(f"{corpus}: no cases/ directory (not a simulator corpus)")
    return sorted(p for p in cases.iterdir() if (p / "truth.json").exists())


def evaluate_corpus(
    corpus: Path,
    *,
    pipeline: Pipeline | None = None,
    use_pdf: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    electronic_copies: bool = False,
) -> list[CaseOutcome]:
    """``electronic_copies``: review each paper against its issuer's electronic copy
    (``issuer_copy``), as where the issuing country sends them over the exchange."""
    pipe = pipeline or Pipeline(BundleSpecimenSource(corpus))
    dirs = case_dirs(corpus)[:limit]
    outcomes = []
    seen = _Stampings()  # every matched seal's print, as a node keeps them (``seal.unique``)
    for i, case in enumerate(dirs):
        outcomes.append(_run_case(pipe, case, use_pdf, electronic_copies, seen))
        if progress is not None:
            progress(i + 1, len(dirs), case.name)
    return outcomes


def _scan(case: Path, use_pdf: bool) -> Path:
    if use_pdf:
        return case / "certificate.pdf"
    return next((p for p in (case / "scan.jpg", case / "scan.png") if p.exists()), case / "scan")


class _Stampings:
    """The prints of the seals reviewed so far, by die: (certificate number read, print)."""

    def __init__(self) -> None:
        self._by_seal: dict[str, list[tuple[str, str]]] = {}

    def __call__(self, seal_id: str) -> list[tuple[str, str]]:
        return list(self._by_seal.get(seal_id, ()))

    def add(self, result: VerificationResult) -> None:
        s = result.seal
        if s.match and s.stamping and s.seal_id:
            number = result.fields.get("certificate_number")
            read = number.value if number is not None and number.value else ""
            self._by_seal.setdefault(s.seal_id, []).append((read, s.stamping))


def _review_earlier(pipe: Pipeline, case: Path, seen: _Stampings) -> None:
    """The certificate a ``cloned_seal`` case's seal was copied from, reviewed first."""
    earlier = next(case.glob("earlier.*"), None)
    if earlier is not None:
        seen.add(pipe.verify(earlier.read_bytes(), stampings=seen))


def _run_case(
    pipe: Pipeline,
    case: Path,
    use_pdf: bool,
    copies: bool = False,
    seen: _Stampings | None = None,
) -> CaseOutcome:
    truth = json.loads((case / "truth.json").read_text(encoding="utf-8"))
    declaration, refused = _declaration(case / "declaration.json")
    arrival = date.fromisoformat(truth["arrival_date"]) if truth.get("arrival_date") else None
    out = CaseOutcome(
        case=case.name,
        kind=str(truth.get("kind", "?")),
        acceptable=list(truth.get("acceptable_verdicts") or [truth.get("expected_verdict")]),
        verdict="error",
        seconds=0.0,
        seal_genuine=_seal_genuine(truth),
        seal_hidden=(truth.get("seal") or {}).get("imitation_difference_px") == 0,
        officer_registered=(truth.get("signature") or {}).get("registered"),
        variant=truth.get("variant"),
    )
    started = time.perf_counter()
    if refused:  # reviewed against values of the wrong type, a rule would silently not run
        out.error = refused
        return out
    try:
        pipe.today = (lambda: arrival) if arrival else utc_today  # review happens on arrival
        if seen is not None:
            _review_earlier(pipe, case, seen)
        result = pipe.verify(
            _scan(case, use_pdf).read_bytes(),
            declaration=declaration,
            arrival_date=arrival,
            electronic_copy=issuer_copy(truth) if copies else None,
            stampings=seen,
        )
        if seen is not None:
            seen.add(result)
    except (DocumentError, UnknownTemplate) as err:
        out.verdict, out.error = "review", f"{err.code}: {err.message}"
    except Exception as err:  # noqa: BLE001 - a crash is a measured outcome here
        out.error = f"crash: {type(err).__name__}: {err} @ {traceback.format_exc(limit=-1)}"
        logger.exception("case %s crashed", case.name)
    else:
        _score(out, result, truth)
    out.seconds = time.perf_counter() - started
    return out


def _refused(forged: list[CaseOutcome], variant: str) -> float | None:
    """The share of the forged signatures of ``variant`` not taken for the officer's."""
    of = [o for o in forged if o.variant == variant]
    return _rate(sum(not o.signature_match for o in of), len(of))


def _seal_genuine(truth: Mapping[str, Any]) -> bool | None:
    seal = truth.get("seal") or {}
    if not seal.get("present"):
        return None
    return bool(seal.get("registered")) and seal.get("agency_id") == truth.get("agency_id")


def _score(out: CaseOutcome, result: VerificationResult, truth: Mapping[str, Any]) -> None:
    out.verdict = str(result.verdict)
    out.reasons = list(result.reasons)
    out.template_ok = result.template_id == truth.get("template_id")
    out.seal_match, out.seal_score = result.seal.match, result.seal.score
    out.seal_text_checked = result.seal.text_checked
    out.seal_text_unconfirmed = result.seal.text_unconfirmed
    out.signature_match, out.signature_score = result.signature.match, result.signature.score
    if out.kind == "field_altered":
        return  # the printed values differ from the truth on purpose
    for name, expected in (truth.get("fields") or {}).items():
        got = result.fields.get(name)
        value = got.value if got is not None else None
        exact, loose = _same(value, expected)
        out.fields[name], out.fields_loose[name] = exact, loose
        if not exact:
            out.field_errors.append((name, value, expected))


def canonical(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(float(value))
    text = re.sub(r"\s+", " ", str(value)).strip()
    text = re.sub(r"\s*([,;:/])\s*", r"\1 ", text).strip()
    return text.casefold()


def _same(got: Any, expected: Any) -> tuple[bool, bool]:
    a, b = canonical(got), canonical(expected)
    if a is None or b is None:
        return a == b, a == b
    if a == b:
        return True, True
    try:
        if abs(float(a) - float(b)) < 1e-6:
            return True, True
    except ValueError:
        pass
    return False, re.sub(r"[\W_]+", "", a) == re.sub(r"[\W_]+", "", b)


# ---- summary ----------------------------------------------------------------------------------
def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, round(q * (len(s) - 1)))], 3)


def summarise(outcomes: list[CaseOutcome]) -> dict[str, Any]:
    fields = [v for o in outcomes for v in o.fields.values()]
    loose = [v for o in outcomes for v in o.fields_loose.values()]
    per_field: dict[str, list[bool]] = {}
    for o in outcomes:
        for name, ok in o.fields.items():
            per_field.setdefault(name, []).append(ok)
    genuine = [o for o in outcomes if o.kind == "genuine"]
    bad = [o for o in outcomes if "accept" not in o.acceptable]
    seal_gen = [o for o in outcomes if o.seal_genuine is True and o.error is None]
    seal_bad = [o for o in outcomes if o.seal_genuine is False and o.error is None]
    sig_gen = [o for o in genuine if o.error is None]
    sig_forged = [o for o in outcomes if o.kind == "forged_signature" and o.error is None]
    copies = [o for o in outcomes if o.kind == "cloned_seal"]
    secs = [o.seconds for o in outcomes if o.error is None or not o.error.startswith("crash")]
    kinds: dict[str, dict[str, int]] = {}
    for o in outcomes:
        kinds.setdefault(o.kind, {}).setdefault(o.verdict, 0)
        kinds[o.kind][o.verdict] += 1
    return {
        "documents": len(outcomes),
        "field_exact_match": _rate(sum(fields), len(fields)),
        "field_match_ignoring_spacing": _rate(sum(loose), len(loose)),
        "fields_compared": len(fields),
        "per_field": {k: _rate(sum(v), len(v)) for k, v in sorted(per_field.items())},
        "template_detected": _rate(sum(o.template_ok for o in outcomes), len(outcomes)),
        "seal_genuine_accepted": _rate(sum(o.seal_match for o in seal_gen), len(seal_gen)),
        "seal_forged_or_foreign_rejected": _rate(
            sum(not o.seal_match for o in seal_bad), len(seal_bad)
        ),
        "seal_forged_or_foreign_rejected_where_visible": _rate(
            sum(not o.seal_match for o in seal_bad if not o.seal_hidden),
            sum(not o.seal_hidden for o in seal_bad),
        ),
        "seal_imitations_hidden_in_ink_gaps": sum(o.seal_hidden for o in seal_bad),
        "seal_copies_told": _rate(sum(_copied(o) for o in copies), len(copies)),
        "seal_copies_claimed_elsewhere": sum(
            _copied(o) for o in outcomes if o.kind != "cloned_seal"
        ),
        "signature_genuine_accepted": _rate(sum(o.signature_match for o in sig_gen), len(sig_gen)),
        "signature_forged_rejected": _rate(
            sum(not o.signature_match for o in sig_forged), len(sig_forged)
        ),
        "signature_copies_rejected": _refused(sig_forged, "imitation"),
        "signature_stand_ins_rejected": _refused(sig_forged, "stand_in"),
        "verdict_false_accept_rate": _rate(sum(o.verdict == "accept" for o in bad), len(bad)),
        "verdict_false_accepts_hidden_in_ink_gaps": sum(
            o.verdict == "accept" and o.seal_hidden for o in bad
        ),
        "automation_rate": _rate(sum(o.verdict == "accept" for o in genuine), len(genuine)),
        "verdict_as_expected": _rate(
            sum(o.verdict in o.acceptable for o in outcomes), len(outcomes)
        ),
        "seconds_p50": _pct(secs, 0.5),
        "seconds_p95": _pct(secs, 0.95),
        "seconds_mean": round(statistics.fmean(secs), 3) if secs else None,
        "crashes": sum(1 for o in outcomes if o.error and o.error.startswith("crash")),
        "bad_input_or_unknown_template": sum(
            1 for o in outcomes if o.error and not o.error.startswith("crash")
        ),
        "verdicts_by_kind": kinds,
        "seal_text_limits": _text_limits(genuine, bad),
    }


_LIMITS = (0, 1, 2, 3, 5, 8, 12)


def _text_limits(genuine: list[CaseOutcome], bad: list[CaseOutcome]) -> dict[str, Any]:
    """Automation and false accepts had the rule set's ``seal_text_max_unconfirmed`` been each
    of ``_LIMITS`` (or the run's own limit, where that is lower): an accepted document whose
    matching seal left more letters unconfirmed would have gone to review."""

    def kept(o: CaseOutcome, limit: int) -> bool:
        if o.verdict != "accept" or not o.seal_match:
            return o.verdict == "accept"
        return o.seal_text_checked and o.seal_text_unconfirmed <= limit

    return {
        str(k): {
            "automation_rate": _rate(sum(kept(o, k) for o in genuine), len(genuine)),
            "verdict_false_accept_rate": _rate(sum(kept(o, k) for o in bad), len(bad)),
        }
        for k in _LIMITS
    }


def write_report(outcomes: list[CaseOutcome], summary: Mapping[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / "report.png"]
    paths[0].write_text(
        json.dumps({"summary": summary, "cases": [asdict(o) for o in outcomes]}, indent=2) + "\n",
        encoding="utf-8",
    )
    paths[1].write_text(_markdown(outcomes, summary), encoding="utf-8")
    _chart(summary, paths[2])
    return paths


def _copied(o: CaseOutcome) -> bool:
    """Whether the review found the paper's seal to be the stamping on another certificate."""
    return any(r.startswith("seal.unique") for r in o.reasons)


def _fmt(v: Any) -> str:
    return "-" if v is None else (f"{v:.1%}" if isinstance(v, float) and v <= 1 else str(v))


_HEADLINE = [
    ("field_exact_match", "Field exact match (normalised)", ">= 98%"),
    ("field_match_ignoring_spacing", "Field match ignoring spacing/punctuation", ""),
    ("template_detected", "Template detected", ""),
    ("seal_genuine_accepted", "Seal: genuine accepted", ">= 99%"),
    ("seal_forged_or_foreign_rejected", "Seal: forged or foreign rejected", ">= 99%"),
    (
        "seal_forged_or_foreign_rejected_where_visible",
        "Seal: forged or foreign rejected, of those whose difference reached the paper",
        "",
    ),
    ("seal_imitations_hidden_in_ink_gaps", "Seal: imitations hidden wholly in ink gaps", ""),
    ("seal_copies_told", "Seal: copied from another certificate, told (seal.unique)", ""),
    (
        "seal_copies_claimed_elsewhere",
        "Seal: other papers whose seal was taken for a copy",
        "0",
    ),
    ("signature_genuine_accepted", "Signature: genuine accepted", ""),
    ("signature_forged_rejected", "Signature: another's hand under an officer's name, refused", ""),
    ("signature_copies_rejected", "... the officer's signature copied freehand, refused", ""),
    ("signature_stand_ins_rejected", "... the name signed in the signer's own hand, refused", ""),
    ("verdict_false_accept_rate", "Verdict false-accept rate (bad cases)", "<= 0.5%"),
    (
        "verdict_false_accepts_hidden_in_ink_gaps",
        "Verdict false accepts that are imitations hidden in ink gaps",
        "",
    ),
    ("automation_rate", "Automation (genuine -> accept)", ">= 90%"),
    ("verdict_as_expected", "Verdict as expected", ""),
]


def _markdown(outcomes: list[CaseOutcome], s: Mapping[str, Any]) -> str:
    lines = [
        "# cusdep eval",
        "",
        f"{s['documents']} documents.",
        "",
        "| metric | value | target |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {_fmt(s[key])} | {target} |" for key, label, target in _HEADLINE]
    lines += [
        f"| Seconds per document p50 / p95 | {s['seconds_p50']} / {s['seconds_p95']} | "
        "p95 <= 3 s |",
        f"| Crashes | {s['crashes']} | 0 |",
        "",
        "## Per field",
        "",
        "| field | exact match |",
        "|---|---|",
    ]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in s["per_field"].items()]
    lines += [
        "",
        "## Seal text: other limits for `seal_text_max_unconfirmed`",
        "",
        "| limit | automation | false accept |",
        "|---|---|---|",
    ]
    lines += [
        f"| {k} | {_fmt(v['automation_rate'])} | {_fmt(v['verdict_false_accept_rate'])} |"
        for k, v in s["seal_text_limits"].items()
    ]
    lines += ["", "## Verdicts by case kind", "", "| kind | verdicts |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(s["verdicts_by_kind"].items())]
    wrong = [o for o in outcomes if o.verdict not in o.acceptable]
    lines += ["", f"## Unexpected verdicts ({len(wrong)})", ""]
    lines += [
        f"- {o.case} ({o.kind}): {o.verdict}, expected {'/'.join(o.acceptable)}"
        + (f" — {o.error}" if o.error else "")
        + "".join(f"\n  - {r}" for r in o.reasons[:4])
        for o in wrong
    ]
    return "\n".join(lines) + "\n"


def _chart(s: Mapping[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [(k, label) for k, label, _ in _HEADLINE if s.get(k) is not None]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    ax1.barh([label for _, label in keys], [s[k] for k, _ in keys], color="#3b6ea8")
    ax1.set_xlim(0, 1)
    ax1.set_title("Review accuracy")
    fields = s["per_field"]
    ax2.barh(list(fields), [v or 0 for v in fields.values()], color="#6aa84f")
    ax2.set_xlim(0, 1)
    ax2.set_title("Per-field exact match")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _declaration(path: Path) -> tuple[dict[str, Any] | None, str]:
    """A case's declaration as the node reads one (values of their types, normalised), or
    why it is refused."""
    from adapters.errors import AdapterError
    from adapters.registry import declaration_fields

    if not path.exists():
        return None, ""
    try:
        return declaration_fields(path.read_bytes()), ""
    except AdapterError as err:
        return None, f"declaration.json refused: {err}"
