"""The country a page says it was issued in: its origin and its exporter's address agreeing."""

from __future__ import annotations

import pytest

from verification._issuer import issued_in, its_own, not_registered
from verification.results import FieldValue
from verification.templates import Template, parse_template


def _fields(origin: str | None, address: str | None) -> dict[str, FieldValue]:
    return {
        "origin_country": FieldValue(origin, 0.9),
        "consignor_address": FieldValue(address, 0.9),
    }


@pytest.mark.parametrize(
    ("origin", "address", "country"),
    [
        ("NZ", "34 Packhouse Lane, Hastings 4120, New Zealand", "NZ"),
        ("US", "1200 Harbor Blvd, Oakland CA, United States of America", "US"),
        ("NZ", "34 Packhouse Lane, Hastings 4120, Australia", None),  # a trader abroad
        ("AU", "34 Packhouse Lane, Hastings 4120, New Zealand", None),  # goods of elsewhere
        (None, "34 Packhouse Lane, Hastings 4120, New Zealand", None),  # origin not read
        ("NZ", None, None),
        ("NZ", "34 Packhouse Lane Hastings New Zealand", None),  # no comma: no tail to trust
        ("NZ", "12 Main St, Auckland, NZ", None),  # a two-letter tail: a postcode? a state?
        ("NZ", "34 Packhouse Lane, Hastings 4120, New Zeal@nd", None),  # misread tail
    ],
)
def test_the_origin_and_the_exporters_country_must_agree(
    origin: str | None, address: str | None, country: str | None
) -> None:
    assert issued_in(_fields(origin, address)) == country


def _template(tid: str, country: str, kind: str = "phytosanitary") -> Template:
    return parse_template(
        {
            "id": tid,
            "certificate_type": kind,
            "issuing_country": country,
            "titles": ["PHYTOSANITARY CERTIFICATE"],
            "fields": [{"name": "origin_country", "labels": ["Place of origin"]}],
        }
    )


def test_its_own_are_the_same_kind_of_certificate_of_that_country() -> None:
    us, nz, nz_vet = (
        _template("US-P", "US"),
        _template("NZ-P", "NZ"),
        _template("NZ-V", "NZ", "vet"),
    )
    assert its_own(us, "NZ", [us, nz, nz_vet]) == [nz]
    assert its_own(us, "AU", [us, nz, nz_vet]) == []


def test_the_error_names_the_country_the_closest_template_and_what_to_do() -> None:
    err = not_registered(_template("US-P", "US"), "NZ")
    assert err.code == "verification.template.unknown"
    assert err.message == (
        "the page is a certificate of New Zealand (its origin and its exporter's address say "
        "so) and no template of NZ fits it; the closest, US-P, is for US: register NZ's template"
    )
