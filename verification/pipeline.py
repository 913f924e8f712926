"""The review pipeline: intake, OCR, template, fields, seal, signature, rules, verdict.

``Pipeline.verify`` is synchronous and CPU-bound: the node runs it in an executor. The OCR
models are loaded once per process (``verification.ocr``); specimens are prepared once and
cached by content. Bad input raises ``DocumentError``; no registered template raises
``UnknownTemplate``; everything else ends in a verdict.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from verification import _background
from verification._issuer import issued_in, its_own, not_registered, poorly_fitting
from verification._stamp_lines import without_stamp_fragments
from verification.errors import TiedTemplates
from verification.evidence import save_evidence
from verification.extraction import extract_fields
from verification.imaging import colour_ink_mask
from verification.intake import IntakeLimits, load_pages
from verification.ocr import RapidOcrEngine
from verification.officers import as_registered, match_officer
from verification.orientation import read_upright
from verification.ports import Box, OcrEngine, OcrLine, SpecimenSource
from verification.results import (
    FieldValue,
    SealResult,
    SignatureResult,
    TamperResult,
    VerificationResult,
)
from verification.rules import RuleInputs, RuleParams, RuleSet, evaluate, load_rules
from verification.rules.corroboration import as_declared
from verification.seal import Candidate, SealThresholds, check_seal, page_ink
from verification.signature import SignatureThresholds, check_signature
from verification.stamping import StampingHistory, StampingSeen, closest
from verification.tamper import check_tamper
from verification.templates import Template, detect, fit, parse_templates
from verification.verdict import decide

logger = logging.getLogger(__name__)


@dataclass
class PipelineConfig:
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    seal: SealThresholds = field(default_factory=SealThresholds)
    signature: SignatureThresholds = field(default_factory=SignatureThresholds)
    establishments: Mapping[str, frozenset[str]] = field(default_factory=dict)


_PageInk = tuple[np.ndarray, list[Candidate]]


@dataclass(frozen=True)
class _Context:
    """What the review is checked against besides the registry."""

    declaration: Mapping[str, Any] | None
    arrival_date: date | None
    electronic_copy: Mapping[str, Any] | None
    stampings: StampingHistory | None = None


@dataclass
class _Run:
    pages: list[np.ndarray] = field(default_factory=list)
    lines: list[list[OcrLine]] = field(default_factory=list)
    # pages that look photographed (a camera's frame) but were not made flat (``intake``)
    askew: frozenset[int] = frozenset()
    # each page's seal ink (``seal.page_ink``), made while it is read, with the page it was made
    # from: a page turned upright before reading is another array, and is looked at afresh
    seal_ink: list[tuple[np.ndarray, Future[_PageInk]]] = field(default_factory=list)
    # a page's seal compared while its lower lines were read, for the agency its header named
    # (``Pipeline._seal_ahead``): page -> (agency, result)
    early_seal: dict[int, tuple[str, SealResult]] = field(default_factory=dict)
    # the registered templates and their detection hints, parsed once a run (``_catalogue``)
    catalogue: tuple[list[Template], dict[str, list[str]]] | None = None
    stage_ms: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    _mark: float = field(default_factory=time.perf_counter)

    stage_peak_kb: dict[str, int] = field(default_factory=dict)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stage_ms[stage] = self.stage_ms.get(stage, 0) + round((now - self._mark) * 1000)
        self._mark = now
        if tracemalloc.is_tracing():  # benches trace memory; the node does not
            peak = tracemalloc.get_traced_memory()[1] // 1024
            self.stage_peak_kb[stage] = max(self.stage_peak_kb.get(stage, 0), peak)
            tracemalloc.reset_peak()


def utc_today() -> date:
    """The node's day: the UTC date, as the registry's validity days are, whatever time zone
    the host is set to (``date.today()`` at a host on America/Los_Angeles rejected a paper
    New Zealand issued that morning, a host on Pacific/Auckland accepted it)."""
    return datetime.now(UTC).date()


class Pipeline:
    def __init__(
        self,
        source: SpecimenSource,
        *,
        ocr: OcrEngine | None = None,
        rules: RuleSet | None = None,
        config: PipelineConfig | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.source = source
        self.ocr = ocr or RapidOcrEngine()
        self.rules = rules or load_rules()
        self.config = config or PipelineConfig()
        self.today = today or utc_today

    def verify(
        self,
        data: bytes,
        *,
        declaration: Mapping[str, Any] | None = None,
        arrival_date: date | None = None,
        evidence_dir: Path | None = None,
        electronic_copy: Mapping[str, Any] | None = None,
        stampings: StampingHistory | None = None,
    ) -> VerificationResult:
        """Review one paper certificate: ``declaration`` is the importer's (contract JSON),
        ``electronic_copy`` the issuer's copy of the same certificate (contract field names),
        ``stampings`` the prints of each die on certificates reviewed before (``seal.unique``)."""
        run = _Run()
        sha = hashlib.sha256(data).hexdigest()
        pages = load_pages(data, self.config.limits)
        run.pages = [p.image for p in pages]
        run.askew = frozenset(p.index for p in pages if p.unflattened_photo)
        run.lap("intake")
        run.seal_ink = [(img, _background.submit(page_ink, img)) for img in run.pages]
        for i, img in enumerate(run.pages):  # a page fed upside down or sideways is turned
            ahead = functools.partial(self._seal_ahead, run, i)
            run.pages[i], lines = read_upright(img, self.ocr, while_reading=ahead)
            run.lines.append(lines)
        run.lap("ocr")
        template, fields = self._read(run)
        result = self._judge(
            run,
            sha,
            template,
            fields,
            _Context(declaration, arrival_date, electronic_copy, stampings),
        )
        if evidence_dir is not None:
            result.evidence = save_evidence(result, run.pages, evidence_dir)
            run.lap("evidence")
        result.rectified = [
            {"page": p.index, **p.rectified.to_json()} for p in pages if p.rectified is not None
        ]
        result.photos_not_flat = sorted(run.askew)
        result.stage_ms = dict(run.stage_ms)
        result.stage_peak_kb = dict(run.stage_peak_kb)
        result.elapsed_ms = round((time.perf_counter() - run.started) * 1000)
        return result

    # ---- stages ---------------------------------------------------------------------------
    def _read(self, run: _Run) -> tuple[Template, dict[str, FieldValue]]:
        templates, hints = self._catalogue(run)
        all_lines = [ln for page in run.lines for ln in page]
        tie: TiedTemplates | None = None
        try:
            template, _score = detect(all_lines, templates, hints)
        except TiedTemplates as err:  # the fields read with the first may tell which
            template, tie = err.tied[0], err
        run.lap("template")
        fields = self._extract(run, template)
        country = issued_in(fields)
        if country is not None and country != (template.issuing_country or country):
            own = its_own(template, country, templates)
            if not own:  # the only templates of its title are other countries'
                raise not_registered(template, country)
            logger.info("page read as %s is %s's: read again with its own", template.id, country)
            template, _score = detect(all_lines, own, hints)
            fields = self._extract(run, template)
        elif tie is not None and (country is None or _same_country(tie, country)):
            raise tie
        _fits_well(all_lines, template, fields)
        run.lap("fields")
        return template, fields

    def _extract(self, run: _Run, template: Template) -> dict[str, FieldValue]:
        fields: dict[str, FieldValue] = {}
        for i, (img, lines) in enumerate(zip(run.pages, run.lines, strict=True)):
            printed = without_stamp_fragments(lines, img, self._stamps(run, i, img))
            for name, fv in extract_fields(printed, template, img.shape[1], page=i).items():
                if fields.get(name) is None or fields[name].value is None:
                    fields[name] = fv
        return fields

    def _catalogue(self, run: _Run) -> tuple[list[Template], dict[str, list[str]]]:
        """The registered templates and each one's detection hints, parsed on the run's first
        need (the early seal guess or the template stage) and kept for the rest of it."""
        if run.catalogue is None:
            templates = parse_templates(self.source.templates())
            run.catalogue = templates, {t.id: self._hints(t) for t in templates}
        return run.catalogue

    def _hints(self, t: Template) -> list[str]:
        agency = self.source.agency(t.agency) if t.agency else None
        return [agency.name] if agency and agency.name else []

    def _judge(
        self,
        run: _Run,
        sha: str,
        template: Template,
        fields: dict[str, FieldValue],
        context: _Context,
    ) -> VerificationResult:
        declaration = context.declaration
        agency = self.source.agency(template.agency)
        officer, similarity = match_officer(
            fields.get("officer_name"), self.source.officers(template.agency)
        )
        name_fv = fields.get("officer_name")
        if name_fv is not None and officer is not None:
            fields["officer_name"] = name_fv = as_registered(name_fv, officer)
        if declaration and "net_weight_kg" in fields:
            fields["net_weight_kg"] = as_declared(
                fields["net_weight_kg"], declaration.get("net_weight_kg")
            )
        # The tamper strips need only the fields: measured on a background thread meanwhile.
        country = template.issuing_country or (agency.country if agency else "")
        params = self.rules.resolve(template.certificate_type, country)
        tampering = _background.submit(
            self._tamper, run, fields, params.values.get("tamper_fields", ()), params
        )
        seal = self._seal(run, template)
        run.lap("seal")
        page = name_fv.page if name_fv is not None else 0
        signature = check_signature(
            run.pages[page],
            run.lines[page],
            officer,
            name_fv.box if name_fv is not None else None,
            self.config.signature,
            exclude=[seal.box] if seal.box is not None and seal.page == page else [],
            page=page,
        )
        run.lap("signature")
        seal = _not_the_signature(seal, signature)
        if not seal.found and _colourless(run.pages):
            seal, signature = _inconclusive(seal, signature, _IN_GREY)
        elif seal.found and not seal.match and seal.page in run.askew:
            seal, signature = _inconclusive(seal, signature, _ASKEW)
        elif seal.found and not seal.match and (lost := self._unusable_seals(template.agency)):
            seal, signature = _inconclusive(seal, signature, _unusable(template.agency, lost))
        elif seal.found and not seal.match:
            seal = self._revoked_die(run, seal, template.agency)
        tamper = tampering.result()
        run.lap("tamper")  # the wait for it, if any
        number = fields.get("certificate_number")
        inputs = RuleInputs(
            fields=fields,
            certificate_type=template.certificate_type,
            country=country,
            agency=agency,
            officer=officer,
            officer_similarity=similarity,
            seal=seal,
            signature=signature,
            today=self.today(),
            arrival_date=context.arrival_date,
            declaration=declaration,
            electronic_copy=context.electronic_copy,
            certificate_number_used=self._used(number),
            establishments=self.config.establishments,
            tamper=tamper,
            stamping_seen=_seen(seal, number, context.stampings),
            askew_pages=run.askew,
        )
        rules = evaluate(inputs, params)
        extra = [] if agency is not None else [f"agency {template.agency} is not registered"]
        verdict, reasons = decide(rules, extra)
        run.lap("rules")
        return VerificationResult(
            document_sha256=sha,
            template_id=template.id,
            fields=fields,
            seal=seal,
            signature=signature,
            rules=rules,
            verdict=verdict,
            elapsed_ms=0,
            reasons=reasons,
            pages=len(run.pages),
            tamper=tamper,
            certificate_type=template.certificate_type,
            issuing_country=country,
        )

    def _used(self, number: FieldValue | None) -> bool:
        if number is None or not number.value:
            return False
        return self.source.is_certificate_number_used(number.value)

    def _tamper(
        self, run: _Run, fields: dict[str, FieldValue], names: Any, params: RuleParams
    ) -> TamperResult:
        """Strip and print-style scores of the listed value boxes, on the (first) page they were
        read from."""
        limit = float(params.values.get("tamper_score", 3.0))
        style_limit = float(params.values.get("tamper_style_score", math.inf))
        pages = sorted({fv.page for n, fv in fields.items() if n in names})
        if not pages:
            return TamperResult()
        i = pages[0]
        return check_tamper(run.pages[i], fields, names, limit, style_limit=style_limit, page=i)

    def _seal(self, run: _Run, template: Template) -> SealResult:
        best = SealResult()
        for i, img in enumerate(run.pages):
            early = run.early_seal.get(i)
            if early is not None and early[0] == template.agency:
                res = early[1]  # compared while the page was read, for this agency
            else:
                res = self._page_seal(run, i, img, template.agency)
            if res.found and (not best.found or res.score > best.score):
                best = res
        return best

    def _stamps(self, run: _Run, i: int, img: np.ndarray) -> list[Box]:
        """The boxes of page ``i``'s coloured-ink blobs (``page_ink``): where a stamp's own
        letters may be read."""
        if i < len(run.seal_ink) and run.seal_ink[i][0] is img:
            return [c.box for c in run.seal_ink[i][1].result()[1]]
        return [c.box for c in page_ink(img)[1]]

    def _revoked_die(self, run: _Run, seal: SealResult, agency: str | None) -> SealResult:
        """A seal that matches none of the agency's live specimens but one it revoked (a
        stolen or lost die) is named as that one (an issuing agency's audit: it read "does not
        match AU-DAFF's specimens", naming another seal)."""
        revoked = {r.specimen.id: r for r in self.source.revoked_seals(agency)} if agency else {}
        if not revoked:
            return seal
        img = run.pages[seal.page]
        specimens = [r.specimen for r in revoked.values()]
        again = check_seal(img, specimens, self.config.seal, page=seal.page)
        if not again.match or again.seal_id not in revoked:
            return seal
        was = revoked[again.seal_id]
        when = f" on {was.revoked_on.isoformat()}" if was.revoked_on else ""
        why = f" ({was.reason})" if was.reason else ""
        finding = f"the seal is {again.seal_id}, which {agency} revoked{when}{why}"
        return replace(seal, seal_id=again.seal_id, box=again.box, finding=finding)

    def _unusable_seals(self, agency: str | None) -> Sequence[str]:
        return self.source.unusable_seals(agency) if agency else ()

    def _page_seal(self, run: _Run, i: int, img: np.ndarray, agency: str) -> SealResult:
        specimens = self.source.seals(agency)
        others = [s for s in self.source.seals(None) if s.agency_id != agency]
        found = None
        if i < len(run.seal_ink) and run.seal_ink[i][0] is img:
            found = run.seal_ink[i][1].result()
        return check_seal(img, specimens, self.config.seal, page=i, located=found, others=others)

    def _seal_ahead(self, run: _Run, i: int, img: np.ndarray, top: list[OcrLine]) -> None:
        """While page ``i``'s lower lines are read (the recogniser threads busy with them), its
        seal is compared on this thread for the agency of the template its topmost lines name
        (header and title: the same agency as the whole page's template on 84 of 84 simulator
        pages). The seal depends on the page and the agency only, so ``_seal`` takes this result
        when the whole page's template is that agency's, and compares afresh otherwise (or
        when this went wrong: the error, if any, is raised there)."""
        try:
            guess, _score = detect(top, *self._catalogue(run))
            run.early_seal[i] = (guess.agency, self._page_seal(run, i, img, guess.agency))
        except Exception:  # noqa: BLE001 - no guess (or a failed one): ``_seal`` compares
            logger.debug("no seal compared while page %d was read", i, exc_info=True)


# A page the best template reads fewer than half the fields of, and fits less than this well
# (its title and labels alone): another issuer's form (``_issuer.poorly_fitting``). Seed 532
# with only AU's and NZ's templates registered: other countries' pages fit theirs 0.52-0.63
# (5-8 of 19 fields read); the right template fits every page of the corpus 0.99 or more.
_FITS_WELL = 0.8


def _fits_well(lines: list[OcrLine], template: Template, fields: dict[str, FieldValue]) -> None:
    read = sum(1 for fv in fields.values() if fv.value)
    if 2 * read >= len(fields):
        return
    score = fit(lines, template)
    if score < _FITS_WELL:
        raise poorly_fitting(template, score, read, len(fields))


def _same_country(tie: TiedTemplates, country: str) -> bool:
    """Whether more than one of the tied templates is ``country``'s (two layouts of one
    issuer): the page's country does not tell them apart."""
    return sum(t.issuing_country == country for t in tie.tied) > 1


# A "seal" that shows this little of the specimen's ink, posed over the officer's signature,
# is the signature's coloured ink (blue ink on a paper without a stamp), not an impression:
# seeds 478-479, the 20 papers without a seal put 61-100% of the signature inside the posed
# specimen at 0.09-0.16 coverage; 60 genuine seals, none around the signature, 0.33 at least.
_SIGNATURE_COVERAGE = 0.2
_SIGNATURE_INSIDE = 0.5


def _not_the_signature(seal: SealResult, signature: SignatureResult) -> SealResult:
    """No seal at all where the only coloured ink compared was the signature's."""
    if not seal.found or seal.match or seal.coverage >= _SIGNATURE_COVERAGE:
        return seal
    if seal.box is None or signature.box is None or seal.page != signature.page:
        return seal
    if _share_inside(signature.box, seal.box) < _SIGNATURE_INSIDE:
        return seal
    finding = "the only coloured ink found is the officer's signature"
    return SealResult(found=False, page=seal.page, candidates=seal.candidates, finding=finding)


def _colourless(pages: list[np.ndarray]) -> bool:
    """No page shows any plainly coloured ink (``colour_ink_mask``): a grey or black-and-white
    scan (or fax, or photocopy), where a stamp's ink cannot be told from print."""
    return not any(np.count_nonzero(colour_ink_mask(img)) for img in pages)


# A page without colour tells no seal and no signature's ink (a robustness audit of ``verify``:
# a genuine certificate scanned in grey, 1-bit, G4 fax or 16-bit grey was rejected for "no
# official seal impression found").
_IN_GREY = (
    "the scan shows no colour at all, as a grey or black-and-white scan, fax or photocopy does: "
    "a stamp's ink cannot be told from print; have the paper scanned in colour"
)
# A seal that does not match on a photographed page seen at an angle is no evidence of a
# forgery (held-out photos 513 c00041 and c00042, genuine certificates on a light desk whose
# page was not found, were rejected for seals "unlike the specimen", scores 0.24 and 0.04).
_ASKEW = (
    "the page is a photograph (a camera's frame) whose paper could not be found to make it flat "
    "(on a surface about as light as the paper), so it is seen at an angle and its seal cannot be "
    "compared; photograph it on a darker surface, or scan it"
)


def _unusable(agency: str, seals: Sequence[str]) -> str:
    """A seal that matches none of the agency's usable specimens, where this node holds
    others it cannot use: no evidence against the paper (an auditor's finding: a genuine paper
    was rejected, "seal does not match", for a specimen file altered in the node's store)."""
    return (
        f"this node cannot use {len(seals)} of {agency}'s registered seal specimens "
        f"({', '.join(sorted(seals))}: the stored file no longer has the SHA-256 the chain "
        "holds, or is lost), so the seal cannot be compared with them; the node's operator "
        "restores the specimen (registry export / import from the agency's bundle)"
    )


def _inconclusive(
    seal: SealResult, signature: SignatureResult, why: str
) -> tuple[SealResult, SignatureResult]:
    """The page cannot settle its seal (nor a signature that did not match): the officer
    decides (review), with the reason ``why``, instead of a reject for a seal that may be
    genuine (``_IN_GREY``, ``_ASKEW``)."""
    seal = replace(seal, uncertain=True, finding=why)
    if not signature.match:
        signature = replace(signature, uncertain=True)
    return seal, signature


def _share_inside(inner: Box, outer: Box) -> float:
    """The share of box ``inner``'s area that lies inside ``outer``."""
    width = min(inner[2], outer[2]) - max(inner[0], outer[0])
    height = min(inner[3], outer[3]) - max(inner[1], outer[1])
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return max(0.0, width) * max(0.0, height) / area if area > 0 else 0.0


def _seen(
    seal: SealResult, number: FieldValue | None, stampings: StampingHistory | None
) -> StampingSeen | None:
    """The closest earlier print of the matched die on another certificate (None where no
    history is kept or the seal did not match)."""
    if stampings is None or not seal.match or not seal.stamping or seal.seal_id is None:
        return None
    own = number.value if number is not None and number.value else ""
    return closest(seal.stamping, own, stampings(seal.seal_id))


def verify_document(data: bytes, source: SpecimenSource, **kwargs: Any) -> VerificationResult:
    """One-shot helper: ``Pipeline(source).verify(data, **kwargs)``."""
    return Pipeline(source).verify(data, **kwargs)
