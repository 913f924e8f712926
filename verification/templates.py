"""Certificate templates (contract JSON format): model, validation with clear errors, detection.

A template names its titles and, per field, the labels printed before the value. Detection
scores each registered template on the page's OCR lines: title found (fuzzy) and the share of
field labels found. See ``verification.extraction`` for how values are read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz.distance import Indel

from adapters.normalize import country_names, strip_accents
from verification.errors import TemplateError, TiedTemplates, UnknownTemplate
from verification.ports import OcrLine

logger = logging.getLogger(__name__)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_REQUIRED = ("id", "certificate_type", "titles", "fields")
_MIN_SCORE = 0.45
_TIE = 0.02  # templates scoring this close are told apart by the page's country (``_by_country``)
_EPS = 1e-9  # float slack between the two ratio computations
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    labels: tuple[str, ...]
    split_lines: tuple[str, ...] = ()
    pattern: str = ""  # a regular expression the normalised value matches in full (its format)


@dataclass(frozen=True)
class Template:
    id: str
    certificate_type: str
    issuing_country: str
    agency: str
    titles: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    date_order: str = "DMY"

    def output_names(self) -> list[str]:
        names: list[str] = []
        for spec in self.fields:
            names.extend(spec.split_lines or (spec.name,))
        return names


def compact(text: str) -> str:
    """Lower-case letters and digits only, accents dropped ("Expéditeur" is "expediteur", as
    the OCR may read it either way; it was "expditeur"): how labels and titles are compared."""
    return _NOT_ALNUM.sub("", strip_accents(text).casefold())


def parse_template(obj: Any) -> Template:
    """Validate one template JSON object; TemplateError names the offending path."""
    if not isinstance(obj, Mapping):
        raise TemplateError("template: must be a JSON object")
    tid = obj.get("id", "?")
    for key in _REQUIRED:
        if key not in obj:
            raise TemplateError(f"template {tid}: missing key {key!r}")
    if not isinstance(tid, str) or not _ID.match(tid):
        raise TemplateError(f"template {tid!r}: id must match {_ID.pattern}")
    titles = _strings(obj["titles"], f"template {tid}: titles")
    fields = obj["fields"]
    if not isinstance(fields, list) or not fields:
        raise TemplateError(f"template {tid}: fields must be a non-empty list")
    specs = tuple(_field(f, f"template {tid}: fields[{i}]") for i, f in enumerate(fields))
    _unique([n for s in specs for n in (s.split_lines or (s.name,))], f"template {tid}: fields")
    order = obj.get("date_order", "DMY")
    if order not in ("DMY", "MDY", "YMD"):
        raise TemplateError(f"template {tid}: date_order must be DMY, MDY or YMD, not {order!r}")
    return Template(
        id=tid,
        certificate_type=_str(obj["certificate_type"], f"template {tid}: certificate_type"),
        issuing_country=str(obj.get("issuing_country", "")).upper(),
        agency=str(obj.get("agency", "")),
        titles=titles,
        fields=specs,
        date_order=order,
    )


def parse_templates(objs: Iterable[Any]) -> list[Template]:
    templates = [parse_template(o) for o in objs]
    _unique([t.id for t in templates], "templates")
    return templates


def _field(obj: Any, where: str) -> FieldSpec:
    if not isinstance(obj, Mapping):
        raise TemplateError(f"{where}: must be an object with name and labels")
    name = obj.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise TemplateError(f"{where}: name must be snake_case, not {name!r}")
    labels = _strings(obj.get("labels"), f"{where} ({name}): labels")
    split = obj.get("split_lines", [])
    split_t = _strings(split, f"{where} ({name}): split_lines") if split else ()
    if split_t and len(split_t) != 2:
        raise TemplateError(f"{where} ({name}): split_lines must name exactly two fields")
    for n in split_t:
        if not _NAME.match(n):
            raise TemplateError(f"{where} ({name}): split_lines name {n!r} is not snake_case")
    return FieldSpec(name=name, labels=labels, split_lines=split_t, pattern=_pattern(obj, where))


def _pattern(obj: Mapping[str, Any], where: str) -> str:
    """The field's ``pattern``: a regular expression its one normalised value matches in full."""
    pattern = obj.get("pattern", "")
    name = obj.get("name")
    if pattern == "":
        return ""
    if not isinstance(pattern, str):
        raise TemplateError(f"{where} ({name}): pattern must be a string")
    if obj.get("split_lines"):
        raise TemplateError(f"{where} ({name}): pattern cannot be used with split_lines")
    try:
        re.compile(pattern)
    except re.error as err:
        raise TemplateError(
            f"{where} ({name}): pattern is not a regular expression: {err}"
        ) from None
    return pattern


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise TemplateError(f"{where}: must be a non-empty list of strings")
    for v in value:
        if not isinstance(v, str) or not v.strip():
            raise TemplateError(f"{where}: {v!r} is not a usable string")
        if not compact(v):  # "发货人": labels are found by their Latin letters and digits
            raise TemplateError(
                f"{where}: {v!r} has no Latin letter or digit to find it by (give the "
                "label's Latin wording too, as bilingual certificates print it)"
            )
    return tuple(value)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{where}: must be a non-empty string")
    return value


def _unique(names: Sequence[str], where: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise TemplateError(f"{where}: {n!r} appears twice")
        seen.add(n)


# ---- detection --------------------------------------------------------------------------------
def detect(
    lines: Sequence[OcrLine],
    templates: Sequence[Template],
    hints: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Template, float]:
    """The best-scoring template; UnknownTemplate when none scores well enough.

    ``hints`` maps a template id to extra phrases (e.g. its agency's name) that break ties
    between templates sharing a title and labels.
    """
    if not templates:
        raise UnknownTemplate("no templates registered")
    look = _Lookups([compact(line.text) for line in lines])
    joined = look.joined
    hints = hints or {}
    scored = sorted(
        ((_score(t, look) + _bonus(t.id, hints.get(t.id, ()), joined), t.id, t) for t in templates),
        reverse=True,
    )
    best_score, _, best = scored[0]
    logger.debug("template scores: %s", [(s, i) for s, i, _ in scored[:3]])
    if best_score < _MIN_SCORE:
        raise UnknownTemplate(f"no registered template matches (best {best.id}: {best_score:.2f})")
    tied = [t for s, _, t in scored if best_score - s < _TIE]
    if len(tied) > 1:
        best = _by_country(tied, joined)
    return best, best_score


def fit(lines: Sequence[OcrLine], template: Template) -> float:
    """How well ``template``'s title and labels fit the page alone (0..1): without the bonus
    of its form number printed or its agency's name, which name a template without telling
    whether its labels are this page's."""
    return _score(template, _Lookups([compact(line.text) for line in lines]))


def _by_country(tied: Sequence[Template], joined: str) -> Template:
    """Of templates that score alike (same title, same labels, their agencies' names not on the
    page), the one whose issuing country the page names most often: its header, the exporter's
    address, the origin (seed 200 c00036, a New Zealand phytosanitary certificate, was taken for
    the US form of the same wording, sorted first, and rejected). TiedTemplates when that
    does not tell them apart either: the fields may (``_issuer``), else an officer picks."""
    counts = sorted(((_mentions(t.issuing_country, joined), t.id, t) for t in tied), reverse=True)
    if counts[0][0] == counts[1][0]:
        ids = ", ".join(t.id for t in tied)
        raise TiedTemplates(f"the page matches several templates alike ({ids})", tuple(tied))
    return counts[0][2]


def _mentions(country: str, joined: str) -> int:
    keys = {compact(n) for n in country_names(country)} | {compact(country)}
    keys = {k for k in keys if len(k) >= 4}  # "nz", "us": too short to count in running text
    return sum(joined.count(k) for k in keys)


class _Lookups:
    """One page's titles and labels found, each looked up once: registered templates share
    most of their titles and labels (the international model certificates are printed alike
    in every country), and the fuzzy look-up is most of detection's time (``bench/templates.py``:
    with 100 templates, 14 distinct layouts)."""

    def __init__(self, page: list[str]) -> None:
        self.page, self.joined = page, "".join(page)
        self._titles: dict[str, float] = {}
        self._labels: dict[str, float] = {}

    def title(self, title: str) -> float:
        key = compact(title)
        if key not in self._titles:
            self._titles[key] = _fuzzy_in(key, self.page)
        return self._titles[key]

    def label(self, label: str) -> float:
        key = compact(label)
        if key not in self._labels:
            self._labels[key] = _label_found(key, self.page, self.joined)
        return self._labels[key]


def _score(t: Template, look: _Lookups) -> float:
    title = max((look.title(x) for x in t.titles), default=0.0)
    labels = [max(look.label(lb) for lb in f.labels) for f in t.fields]
    label_share = sum(labels) / len(labels)
    return 0.4 * title + 0.6 * label_share


def _hint_bonus(phrases: Sequence[str], joined: str) -> float:
    keys = [compact(p) for p in phrases if len(compact(p)) >= 4]
    return 0.05 * sum(1 for k in keys if k in joined)


def _bonus(template_id: str, phrases: Sequence[str], joined: str) -> float:
    """A form number printed on the page ("Form AU-PHYTO-2025") identifies the layout."""
    key = compact(template_id)
    printed = 0.3 if len(key) >= 6 and key in joined else 0.0
    return printed + _hint_bonus(phrases, joined)


def _label_found(label: str, page: list[str], joined: str) -> float:
    if label in joined:
        return 1.0
    return 0.8 if len(label) >= 8 and _fuzzy_in(label, page, floor=0.85) >= 0.85 else 0.0


def _fuzzy_in(needle: str, page: list[str], floor: float = 0.0) -> float:
    """The best ``difflib`` ratio of ``needle`` against a page line of about its length (1.0
    when a line contains it); with ``floor``, a best below ``floor`` may come out lower still.

    difflib's matching blocks are one common subsequence, so its ratio never exceeds the
    Indel (longest common subsequence) similarity that rapidfuzz computes in C: lines are
    tried best bound first, and difflib runs only while a line's bound can still win."""
    if any(needle in text for text in page):
        return 1.0
    slack = max(3, len(needle) // 3)
    near = [text for text in page if abs(len(text) - len(needle)) <= slack]
    bounds = sorted(((Indel.normalized_similarity(needle, t), t) for t in near), reverse=True)
    best = 0.0
    matcher = SequenceMatcher(None, "", needle)  # caches the needle's index
    for bound, text in bounds:
        if bound + _EPS <= max(best, floor):
            break
        matcher.set_seq1(text)
        best = max(best, matcher.ratio())
    return best
