"""A declaration checked against a certificate accepted before it (``rules.pairing``): only the
pairing rules run, on the certificate's fields as stored or as its issuer sent them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from verification.results import Verdict
from verification.rules.loader import DEFAULT_RULES, load_rules
from verification.rules.pairing import check_pairing, fields_of

_TODAY = dt.date(2026, 12, 5)
_STORED = {  # a review's stored fields, numbers as JSON numbers
    "certificate_number": {"value": "AU-2026-000123", "confidence": 0.97},
    "issue_date": {"value": "2026-11-01", "confidence": 0.95},
    "consignor_name": {"value": "Orchard Exports Pty Ltd", "confidence": 0.95},
    "net_weight_kg": {"value": 1220, "confidence": 0.93},
    "packages": {"value": 48, "confidence": 0.9},
}
_DECLARATION = {
    "declaration_number": "CN-DEC-1",
    "consignor_name": "ORCHARD EXPORTS PTY. LTD.",
    "net_weight_kg": 1200.0,
    "packages": 48,
    "arrival_date": "2026-12-04",
    "certificate_numbers": ["AU 2026 000123"],
}


def _check(declaration=None, rules=None, **kw):
    return check_pairing(
        fields_of(_STORED),
        declaration or _DECLARATION,
        rules=rules or load_rules(),
        certificate_type="phytosanitary",
        country="AU",
        today=_TODAY,
        **kw,
    )


def test_only_the_pairing_rules_run_and_an_agreeing_declaration_is_consistent() -> None:
    out = _check()
    assert (out.verdict, out.reasons) == (Verdict.ACCEPT, [])
    ids = {r.id for r in out.rules}
    assert ids == {
        "declaration.certificate_number",
        "declaration.consignor",
        "declaration.net_weight",
        "declaration.packages",
        "validity.expiry",
    }


def test_a_certificate_expired_on_the_declared_arrival_is_inconsistent() -> None:
    late = {**_DECLARATION, "arrival_date": "2027-02-15"}  # issued 1 Nov + 90 days
    out = _check(late)
    assert out.verdict is Verdict.REJECT
    assert out.reasons == [
        "validity.expiry: expired on 2027-01-30 (issue date + 90 days), arrival 2027-02-15"
    ]


def test_another_declaration_naming_the_certificate_is_for_an_officer() -> None:
    out = _check(others=["CN-DEC-0 (abcdef012345)"])
    assert out.verdict is Verdict.REVIEW and out.rules[0].id == "declaration.certificate_reused"
    assert "also named by declaration(s) CN-DEC-0 (abcdef012345)" in out.reasons[0]


def test_the_tolerance_is_data_for_a_pairing_too(tmp_path: Path) -> None:
    """+1.7% passes the default 2%; a 1% tolerance for AU phytosanitary refuses the pair."""
    edited = tmp_path / "rules.toml"
    edited.write_text(
        DEFAULT_RULES.read_text() + '\n[sets."phytosanitary/AU"]\nnet_weight_tolerance_pct = 1.0\n'
    )
    out = _check(rules=load_rules(edited))
    assert out.verdict is Verdict.REJECT and "tolerance 1%" in out.reasons[0]


def test_an_electronic_certificates_fields_are_read_as_sent() -> None:
    sent = {
        "certificate_number": "AU-1",
        "net_weight_kg": 1200.0,
        "packages": 48,
        "container_numbers": ["MSCU1234565", "TGHU0000001"],
        "consignee_name": "",
        "treatments": {"kind": "cold"},
    }
    fields = fields_of(sent, confidence=1.0)
    assert {k: (v.value, v.confidence) for k, v in fields.items()} == {
        "certificate_number": ("AU-1", 1.0),
        "net_weight_kg": ("1200", 1.0),
        "packages": ("48", 1.0),
        "container_numbers": ("MSCU1234565, TGHU0000001", 1.0),
    }
