"""What the officer sees: finding order and the certificate/declaration comparison."""

from __future__ import annotations

from node.review.view import comparison, ordered_rules


def test_failures_first_errors_before_warnings_seal_before_declaration() -> None:
    rules = [
        {"id": "declaration.net_weight", "passed": False, "severity": "error"},
        {"id": "fields.required", "passed": True, "severity": "error"},
        {"id": "officer.valid", "passed": False, "severity": "warning"},
        {"id": "seal.agency", "passed": False, "severity": "error"},
    ]
    assert [r["id"] for r in ordered_rules(rules)] == [
        "seal.agency",
        "declaration.net_weight",
        "officer.valid",
        "fields.required",
    ]


def test_comparison_ignores_ocr_spacing_and_hs_detail_but_marks_real_differences() -> None:
    result = {
        "fields": {
            "commodity": {"value": "Barley grain (Hordeu m vulgare)"},
            "hs_code": {"value": "100390"},
            "consignee_name": {"value": "PT Cape PointFresh Produce"},
            "net_weight_kg": {"value": "38200"},
            "packages": {"value": "764"},
        }
    }
    declaration = {
        "commodity": "Barley grain (Hordeum vulgare)",
        "hs_code": "10039090",
        "consignee_name": "PT Atlas Meat Packers",
        "net_weight_kg": 38200.0,
        "packages": 760,
        "quantity": 38200,
    }
    rows = {r["field"]: r["match"] for r in comparison(result, declaration)}
    assert rows == {
        "consignee_name": False,
        "commodity": True,
        "hs_code": True,
        "quantity": None,
        "net_weight_kg": True,
        "packages": False,
    }
    assert comparison(result, None) == []


def test_comparison_sets_the_issuers_copy_beside_the_certificate() -> None:
    result = {
        "fields": {
            "certificate_number": {"value": "AU-2026-1"},
            "net_weight_kg": {"value": "16599"},
            "consignee_name": {"value": "Shanghai Fresh Co"},
        }
    }
    copy = {
        "certificate_number": "AU 2026 1",
        "net_weight_kg": 13025.0,
        "consignee_name": "SHANGHAI FRESH CO",
        "container_numbers": ["MSCU1234565"],
    }
    rows = {
        r["field"]: (r["match"], r["copy_match"], r["copy"]) for r in comparison(result, None, copy)
    }
    assert rows == {
        "certificate_number": (None, True, "AU 2026 1"),
        "consignee_name": (None, True, "SHANGHAI FRESH CO"),
        "net_weight_kg": (None, False, 13025.0),  # printed over the issued value
        "container_numbers": (None, None, ["MSCU1234565"]),  # not read on paper
    }
    assert [r["field"] for r in comparison(result, None, copy)][0] == "certificate_number"
