"""Template detection and extraction with many registered templates, against the corpus's own.

    .venv/bin/python bench/templates.py CORPUS_DIR [--count N] [--catalogues 100 200]

The reference system reads 100 certificate types from 42 countries. A simulator corpus has
14 templates from 10 countries; this bench registers, beside them, templates of other
countries that copy each of them (the same title and labels: the model certificates of the
IPPC, the WOAH and the rules of origin are printed alike the world over; each with its own
id, country, agency and agency name), up to each catalogue size, and reviews the same
documents with each catalogue, interleaved document by document. Prints per catalogue: the
template chosen right (the corpus's truth), field exact-match, verdicts that differ from the
corpus-only run, and seconds per page in the template and field stages and in all.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from adapters.normalize import country_names
from verification import BundleSpecimenSource, Pipeline
from verification import evaluation as ev
from verification.ocr import RapidOcrEngine
from verification.ports import Agency

# Countries whose agencies have no template in a simulator corpus (ISO 3166 alpha-2): with
# the corpus's ten, 52 countries.
OTHERS = (
    "AR", "AT", "BD", "BE", "CA", "CH", "CO", "CR", "DE", "DK", "EC", "EG", "ES", "ET", "FI",
    "GB", "GR", "GT", "ID", "IE", "IL", "IN", "IT", "JP", "KE", "KR", "LK", "MA", "MX", "MY",
    "NL", "PE", "PH", "PK", "PL", "PT", "SE", "SG", "TR", "UA", "UY", "VN",
)  # fmt: skip


class Catalogue(BundleSpecimenSource):
    """The corpus's registry with ``size`` templates: its own, then copies for other countries
    (round robin over its templates, then over the countries), each with its agency."""

    def __init__(self, corpus: Path, size: int) -> None:
        super().__init__(corpus)
        own = list(super().templates())
        self._many: list[Mapping[str, Any]] = [*own, *_copies(own, max(0, size - len(own)))]
        self._extra = {
            t["agency"]: Agency(t["agency"], t["issuing_country"], _agency_name(t))
            for t in self._many[len(own) :]
        }

    def templates(self) -> Sequence[Mapping[str, Any]]:
        return list(self._many)

    def agency(self, agency_id: str) -> Agency | None:
        return self._extra.get(agency_id) or super().agency(agency_id)


def _copies(own: list[Mapping[str, Any]], count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(count):
        model = own[i % len(own)]
        country = OTHERS[(i // len(own) + i) % len(OTHERS)]
        kind = str(model["id"]).split("-")[1]
        out.append(
            {
                **model,
                "id": f"{country}-{kind}-{2020 + i // len(OTHERS)}",
                "issuing_country": country,
                "agency": f"{country}-{kind}-AGENCY",
            }
        )
    return out


def _agency_name(template: Mapping[str, Any]) -> str:
    names = country_names(str(template["issuing_country"]))
    country = max(names, key=len) if names else str(template["issuing_country"])
    return f"National {str(template['certificate_type']).replace('_', ' ')} authority of {country}"


class Run:
    def __init__(self, size: int, pipe: Pipeline) -> None:
        self.size, self.pipe = size, pipe
        self.chosen: list[bool] = []
        self.fields: list[bool] = []
        self.verdicts: list[str] = []
        self.template_s: list[float] = []
        self.fields_s: list[float] = []
        self.total_s: list[float] = []

    def review(self, case: Path) -> None:
        truth = json.loads((case / "truth.json").read_text())
        arrival = date.fromisoformat(truth["arrival_date"])
        self.pipe.today = lambda: arrival
        decl = json.loads((case / "declaration.json").read_text())
        data = (case / truth["files"]["scan"]).read_bytes()
        res = self.pipe.verify(data, declaration=decl, arrival_date=arrival)
        pages = max(1, res.pages)
        self.chosen.append(res.template_id == truth["template_id"])
        self.verdicts.append(res.verdict)
        self.template_s.append(res.stage_ms.get("template", 0) / 1000 / pages)
        self.fields_s.append(res.stage_ms.get("fields", 0) / 1000 / pages)
        self.total_s.append(res.elapsed_ms / 1000 / pages)
        out = ev.CaseOutcome(case.name, str(truth.get("kind")), [], "", 0.0)
        ev._score(out, res, truth)
        self.fields.extend(out.fields.values())


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else 0.0


def report(runs: list[Run]) -> None:
    base = runs[0].verdicts
    print("| templates | countries | template right | fields exact | verdicts changed "
          "| template s p50/p95 | fields s p50/p95 | page s p50/p95 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in runs:
        countries = len({t["issuing_country"] for t in r.pipe.source.templates()})
        changed = sum(a != b for a, b in zip(base, r.verdicts, strict=True))
        print(
            f"| {r.size} | {countries} | {sum(r.chosen)}/{len(r.chosen)} "
            f"| {100 * sum(r.fields) / max(1, len(r.fields)):.1f}% | {changed} "
            f"| {_pct(r.template_s, 0.5):.3f} / {_pct(r.template_s, 0.95):.3f} "
            f"| {_pct(r.fields_s, 0.5):.3f} / {_pct(r.fields_s, 0.95):.3f} "
            f"| {_pct(r.total_s, 0.5):.2f} / {_pct(r.total_s, 0.95):.2f} |"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="a corpus from `cusdep simulate corpus`")
    ap.add_argument("--count", type=int, default=20, help="documents to review (default 20)")
    ap.add_argument(
        "--catalogues",
        type=int,
        nargs="+",
        default=[100, 200],
        help="catalogue sizes besides the corpus's own (default 100 200)",
    )
    args = ap.parse_args()
    ocr = RapidOcrEngine()
    ocr.warm_up()
    own = len(BundleSpecimenSource(args.corpus).templates())
    sizes = [own, *[n for n in args.catalogues if n > own]]
    runs = [Run(n, Pipeline(Catalogue(args.corpus, n), ocr=ocr)) for n in sizes]
    for i, case in enumerate(ev.case_dirs(args.corpus)[: args.count]):
        for r in runs if i % 2 == 0 else reversed(runs):
            r.review(case)
        sys.stderr.write(
            f"{case.name} " + " ".join(f"{r.size}:{r.total_s[-1]:.2f}s" for r in runs) + "\n"
        )
    report(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
