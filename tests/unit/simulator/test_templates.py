"""Every layout's template is valid contract JSON and extraction-friendly."""

import datetime as dt
import random
import re

import pytest

from simulator.extras import sections
from simulator.layouts import LAYOUTS, NUMBER_FORMATS, SPLIT, template_json
from simulator.values import _certificate_number

CANONICAL = {
    "certificate_number", "issue_date", "expiry_date", "place_of_issue", "consignor_name",
    "consignor_address", "consignee_name", "consignee_address", "origin_country",
    "destination_country", "commodity", "hs_code", "quantity", "unit", "net_weight_kg",
    "packages", "means_of_transport", "container_numbers", "port_of_entry",
    "establishment_number", "officer_name",
}  # fmt: skip


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def test_coverage_of_types_layouts_countries_and_languages() -> None:
    assert len(LAYOUTS) >= 12
    assert len({lay.certificate_type for lay in LAYOUTS}) >= 5
    assert len({lay.country for lay in LAYOUTS}) >= 8
    assert {lay.style for lay in LAYOUTS} == {"boxes", "lines", "table"}
    assert sum(1 for lay in LAYOUTS if lay.alt_labels) >= 4  # bilingual forms
    assert any(lay.date_order == "MDY" for lay in LAYOUTS)


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda lay: lay.id)
def test_template_validates_with_the_contract_parsers(layout) -> None:
    from node.registry.validate import template_json as node_check
    from verification.templates import parse_template

    doc = template_json(layout)
    assert set(doc) <= {
        "id",
        "certificate_type",
        "issuing_country",
        "agency",
        "titles",
        "fields",
        "date_order",
    }
    parsed = parse_template(doc)
    assert set(parsed.output_names()) <= CANONICAL
    import json

    assert node_check(json.dumps(doc).encode())["id"] == layout.id
    if layout.date_order == "MDY":
        assert doc["date_order"] == "MDY"
    else:
        assert "date_order" not in doc
    for f in doc["fields"]:
        assert ("split_lines" in f) == (f["name"] in SPLIT)
        assert ("pattern" in f) == (f["name"] == "certificate_number")


@pytest.mark.parametrize("country", sorted(NUMBER_FORMATS))
def test_every_certificate_number_fits_its_registered_format(country) -> None:
    rng = random.Random(country)
    for key in ("phyto", "vet", "health", "catch", "coo"):
        for year in (2024, 2026):
            number = _certificate_number(rng, country, key, dt.date(year, 3, 4))
            assert re.fullmatch(NUMBER_FORMATS[country], number), number


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda lay: lay.id)
def test_labels_are_unambiguous(layout) -> None:
    """No label of one field is contained in a label of another, or in other printed text."""
    import datetime as dt
    import random

    labels = {
        n: [_compact(x) for x in [layout.labels[n], *layout.alt_labels.get(n, ())]]
        for n in layout.field_names()
    }
    for name, mine in labels.items():
        for other, theirs in labels.items():
            if other != name:
                for a in mine:
                    assert not any(a in b for b in theirs), (name, other, a)
    prose = [layout.statement, layout.subtitle, *layout.titles, "Signature and official stamp"]
    for seed in range(6):
        for head, lines in sections(
            layout.certificate_type, layout.country, dt.date(2026, 10, 1), random.Random(seed)
        ):
            prose += [head, *lines]
    for text in prose:
        for name, mine in labels.items():
            assert not any(a in _compact(text) for a in mine), (name, text)
