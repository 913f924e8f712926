"""The canonical model: contract vocabulary, normalisation on input, flat fields derived."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from adapters.canonical import (
    CERTIFICATE_FIELDS,
    DECLARATION_FIELDS,
    Address,
    Certificate,
    Container,
    Declaration,
    LineItem,
    Package,
    Party,
    Reference,
    TransportMovement,
    load_canonical,
)

CONTRACT_DECLARATION = """
{"declaration_number": "...", "consignor_name": "...", "consignee_name": "...",
 "origin_country": "AU", "commodity": "...", "hs_code": "080810", "quantity": 1200,
 "unit": "kg", "net_weight_kg": 1200.0, "packages": 48, "port_of_entry": "Shanghai",
 "container_numbers": "MSCU1234565", "arrival_date": "2026-11-20",
 "certificate_numbers": ["AU-2026-000123"]}
"""


def test_contract_declaration_example_loads_as_is() -> None:
    data = json.loads(CONTRACT_DECLARATION)
    doc = load_canonical(data)
    assert isinstance(doc, Declaration)
    assert doc.flat() == {**data, "quantity": 1200.0}
    assert doc.arrival_date == date(2026, 11, 20)
    assert list(doc.flat()) == [k for k in DECLARATION_FIELDS if k in data]


def test_vocabulary_fields_exist_on_certificate() -> None:
    assert set(CERTIFICATE_FIELDS) <= set(Certificate.model_fields)
    assert set(DECLARATION_FIELDS) <= set(Declaration.model_fields)
    assert len(CERTIFICATE_FIELDS) == 21


def test_flat_values_are_normalised() -> None:
    cert = Certificate(
        issue_date="12 March 2026",
        expiry_date="12.04.2026",
        origin_country="Australia",
        destination_country="CHN",
        hs_code="0808.10",
        net_weight_kg="1,250.50 kg",
        packages="48",
        container_numbers="mscu1234565; csqu3054383",
    )
    assert cert.issue_date == date(2026, 3, 12)
    assert cert.expiry_date == date(2026, 4, 12)
    assert (cert.origin_country, cert.destination_country) == ("AU", "CN")
    assert cert.hs_code == "080810"
    assert cert.net_weight_kg == 1250.5
    assert cert.packages == 48
    assert cert.container_numbers == "MSCU1234565, CSQU3054383"
    assert cert.container_list() == ["MSCU1234565", "CSQU3054383"]


def test_bad_value_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="unknown country"):
        Certificate(origin_country="Atlantis")
    with pytest.raises(ValidationError, match="not a date"):
        Certificate(issue_date="soon")


def _structured() -> Certificate:
    return Certificate(
        parties=[
            Party(role="consignor", name="Orchard Pty Ltd",
                  address=Address(lines=["1 Farm Road"], city="Hobart", country="AUS")),
            Party(role="consignee", name="Shanghai Fruit Co", address=Address(city="Shanghai")),
        ],
        line_items=[
            LineItem(description="Fresh apples", hs_code="0808.10", net_weight_kg=1000,
                     origin_country="AU", packages=[Package(level=1, count=40)]),
            LineItem(description="Fresh pears", hs_code="080830", net_weight_kg="250.5",
                     packages=[Package(count=8), Package(level=2, count=400)]),
        ],
        containers=[Container(number="csqu 305438-3", seals=["S1"])],
        transport=[TransportMovement(mode_code="1", means_name="MSC Anna", journey_id="V12")],
    )  # fmt: skip


def test_flat_fields_derive_from_structured_parts() -> None:
    cert = _structured()
    assert cert.consignor_name == "Orchard Pty Ltd"
    assert cert.consignor_address == "1 Farm Road, Hobart"
    assert cert.consignee_name == "Shanghai Fruit Co"
    assert cert.commodity == "Fresh apples"
    assert cert.hs_code == "080810"
    assert cert.origin_country == "AU"
    assert cert.net_weight_kg == 1250.5
    assert cert.packages == 48
    assert cert.container_numbers == "CSQU3054383"
    assert cert.means_of_transport == "MSC Anna V12"
    assert cert.inconsistencies() == []


def test_given_flat_field_wins_and_is_reported_inconsistent() -> None:
    data = _structured().model_dump()
    data.update(net_weight_kg=1200, hs_code="080890")
    cert = Certificate.model_validate(data)
    assert cert.net_weight_kg == 1200.0
    problems = cert.inconsistencies()
    assert any(p.startswith("net_weight_kg: 1200.0 given, 1250.5") for p in problems)
    assert any(p.startswith("hs_code: '080890' given") for p in problems)


def test_declaration_certificate_numbers_from_references() -> None:
    decl = Declaration(
        references=[Reference(id="GBCHD2024.5249429", document_code="N853")],
        line_items=[LineItem(references=[Reference(id="CHEDPP.GB.2024.1", document_code="N851")])],
    )
    assert decl.certificate_numbers == ["GBCHD2024.5249429", "CHEDPP.GB.2024.1"]


def test_json_round_trip_and_ordering() -> None:
    cert = _structured()
    out = cert.to_json_dict()
    assert list(out)[:3] == ["doc_type", "consignor_name", "consignor_address"]
    assert out["line_items"][1]["packages"][1] == {"level": 2, "count": 400}
    again = load_canonical(json.loads(json.dumps(out)))
    assert again == cert
    assert isinstance(load_canonical({"certificate_number": "X"}), Certificate)


def test_unknown_top_level_keys_are_ignored_but_parts_are_strict() -> None:
    assert Certificate.model_validate({"certificate_number": "A", "x_extension": 1}).flat() == {
        "certificate_number": "A"
    }
    with pytest.raises(ValidationError):
        Party.model_validate({"role": "consignor", "nmae": "typo"})


def test_non_finite_and_huge_numbers_are_validation_errors() -> None:
    for bad in (
        {"packages": float("inf")},
        {"net_weight_kg": float("nan")},
        {"packages": "9" * 400},
    ):
        with pytest.raises(ValidationError):
            Certificate.model_validate(bad)
    with pytest.raises(ValidationError):
        Package(count=float("-inf"))


def test_a_quantity_total_only_when_every_line_has_one_in_that_unit() -> None:
    """A total of some lines is no total: a certificate of 33 of one line and nothing said of
    the other gave "33" as the consignment's quantity."""
    lines = [{"sequence": 1, "quantity": 20, "unit": "kg"}, {"sequence": 2, "description": "x"},
             {"sequence": 3, "quantity": 13, "unit": "KGM"}]  # fmt: skip
    partial = Certificate(line_items=lines)
    assert (partial.quantity, partial.unit) == (None, None)
    assert partial.quantity_not_totalled() == (
        "no total quantity: line item 2 has no quantity (20 kg on item 1, 13 kg on item 3)"
    )
    full = Certificate(line_items=[lines[0], lines[2]])  # "KGM" is kg: one unit
    assert (full.quantity, full.unit) == (33.0, "kg") and full.quantity_not_totalled() is None
    # lines in different units add up to nothing: said, naming them (kg and pieces, a unit
    # and none); lines all without a unit (supplementary units) are no gap to name
    mixed = Certificate(line_items=[lines[0], {"quantity": 3, "unit": "pcs"}, {}])
    assert mixed.quantity is None and mixed.quantity_not_totalled() == (
        "no total quantity: the lines are in different units (20 kg on item 1, 3 pcs on item 2)"
    )
    some = Certificate(line_items=[lines[0], {"sequence": 2, "quantity": 4}])
    assert some.quantity is None and some.quantity_not_totalled() == (
        "no total quantity: the lines are in different units (20 kg on item 1, "
        "4 (no unit) on item 2)"
    )
    unitless = Certificate(line_items=[{"quantity": 10}, {"quantity": 100}])
    assert unitless.quantity is None and unitless.quantity_not_totalled() is None
    # a total the document gives is its own: kept, nothing to say
    given = Certificate(quantity=40, unit="kg", line_items=lines)
    assert given.quantity == 40.0 and given.quantity_not_totalled() is None
    unnumbered = Certificate(line_items=[{}, {}, {"quantity": 5, "unit": "t"}])
    assert unnumbered.quantity_not_totalled() == (
        "no total quantity: line items 1, 2 have no quantity (5 t on item 3)"
    )
