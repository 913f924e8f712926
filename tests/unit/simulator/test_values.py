"""Printed values normalise (with the adapters' helpers) to exactly the ground truth."""

import datetime as dt
import random

import pytest

from adapters import normalize as N
from simulator.iso6346 import is_valid
from simulator.layouts import LAYOUTS
from simulator.values import format_date, make_values


def _normalise(field: str, text: str, order: str):
    if field in ("issue_date", "expiry_date"):
        return N.parse_date(text, order).isoformat()
    if field == "net_weight_kg":
        return N.to_kg(*N.parse_quantity(text))
    if field == "packages":
        return int(N.parse_number(text))
    if field == "hs_code":
        return N.hs_code(text)
    if field in ("origin_country", "destination_country"):
        return N.country_code(text)
    if field == "container_numbers":
        return N.container_numbers(text, check=True)
    return text


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda lay: lay.id)
def test_printed_values_normalise_to_truth(layout) -> None:
    for seed in range(40):
        v = make_values(random.Random(seed), layout, dt.date(2026, 9, 1) + dt.timedelta(seed))
        assert set(layout.field_names()) - {"officer_name"} == set(v.printed)
        for field, lines in v.printed.items():
            if field in ("consignor", "consignee"):
                assert v.truth[f"{field}_name"] == lines[0]
                assert v.truth[f"{field}_address"] == ", ".join(lines[1:])
                continue
            assert len(lines) == 1
            assert _normalise(field, lines[0], layout.date_order) == v.truth[field], field


def test_containers_are_valid_and_mdy_only_where_declared() -> None:
    for seed in range(200):
        layout = LAYOUTS[seed % len(LAYOUTS)]
        v = make_values(random.Random(seed), layout, dt.date(2026, 10, 13))
        assert all(is_valid(c) for c in v.truth["container_numbers"].split(", "))
        assert v.extra["date_style"].startswith("mdy") == (layout.date_order == "MDY")


def test_date_styles() -> None:
    day = dt.date(2026, 3, 12)
    assert [format_date(day, s) for s in ("dmy_slash", "dmy_long", "iso", "dmy_dot")] == [
        "12/03/2026",
        "12 March 2026",
        "2026-03-12",
        "12.03.2026",
    ]
    assert format_date(day, "mdy_slash") == "03/12/2026"
