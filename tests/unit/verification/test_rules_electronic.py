"""The paper against the issuer's electronic copy (``rules.electronic``): a copy that agrees
passes, an altered value rejects, a doubtful reading only reviews, and a country whose issuers
send copies has a paper without one reviewed — all by editing the rule data, not code."""

from pathlib import Path

from verification.results import FieldValue, Verdict
from verification.rules import DEFAULT_RULES, load_rules

from .test_rules import GOOD_FIELDS, _inputs, _verdict

COPY = {
    **GOOD_FIELDS,
    "certificate_number": "AU 2026 000123",  # printed with other separators on paper
    "consignor_name": "ACME FRUIT EXPORTS PTY LTD",
    "hs_code": "0808100000",
    "net_weight_kg": 1250.5,
    "packages": 48,
    "container_numbers": ["MSCU1234565"],
    "issuing_country": "AU",
}


def _required(tmp_path: Path, country: str = "AU"):
    path = tmp_path / "rules.toml"
    path.write_text(
        DEFAULT_RULES.read_text() + f'\n[sets."*/{country}"]\nelectronic_copy_required = true\n'
    )
    return load_rules(path)


def test_a_paper_that_says_what_the_issuers_copy_says_is_accepted() -> None:
    verdict, rules = _verdict(_inputs(electronic_copy=COPY))
    assert verdict is Verdict.ACCEPT
    assert rules["copy.fields"].passed and rules["copy.present"].passed
    assert "9 values agree" in rules["copy.fields"].message


def test_a_value_altered_on_paper_rejects_with_both_values_named() -> None:
    altered = {"net_weight_kg": FieldValue("12505", 0.97)}
    verdict, rules = _verdict(_inputs(fields=altered, electronic_copy=COPY, declaration=None))
    assert verdict is Verdict.REJECT
    assert not rules["copy.fields"].passed
    assert "net_weight_kg '12505' on paper, 1250.5 in the copy" in rules["copy.fields"].message


def test_a_difference_read_with_doubt_goes_to_an_officer_not_to_reject() -> None:
    doubtful = {"packages": FieldValue("43", 0.41)}
    verdict, rules = _verdict(_inputs(fields=doubtful, electronic_copy=COPY, declaration=None))
    assert verdict is Verdict.REVIEW
    assert rules["copy.fields"].severity.value == "warning"


def test_a_misread_letter_of_a_party_name_is_not_an_alteration() -> None:
    misread = {"consignee_name": FieldValue("Shanghai Fresh C0", 0.97)}
    verdict, rules = _verdict(_inputs(fields=misread, electronic_copy=COPY, declaration=None))
    assert rules["copy.fields"].passed, rules["copy.fields"].message
    assert verdict is Verdict.ACCEPT


def test_another_consignee_on_paper_rejects() -> None:
    other = {"consignee_name": FieldValue("Ningbo Import Trading Co", 0.97)}
    verdict, rules = _verdict(_inputs(fields=other, electronic_copy=COPY, declaration=None))
    assert verdict is Verdict.REJECT
    assert "consignee_name" in rules["copy.fields"].message


def test_a_doubtful_reading_equal_to_the_copy_is_confirmed_by_it() -> None:
    doubtful = {"packages": FieldValue("48", 0.52)}
    verdict, rules = _verdict(_inputs(fields=doubtful, declaration=None))
    assert verdict is Verdict.REVIEW  # without the copy: low confidence
    verdict, rules = _verdict(_inputs(fields=doubtful, declaration=None, electronic_copy=COPY))
    assert verdict is Verdict.ACCEPT
    assert "confirmed: packages" in rules["fields.confidence"].message


def test_without_a_copy_nothing_changes_by_default() -> None:
    verdict, rules = _verdict(_inputs())
    assert verdict is Verdict.ACCEPT
    assert "copy.present" not in rules and "copy.fields" not in rules


def test_where_issuers_send_copies_a_paper_without_one_is_reviewed(tmp_path: Path) -> None:
    rules_set = _required(tmp_path)
    verdict, rules = _verdict(_inputs(), rules_set)
    assert verdict is Verdict.REVIEW
    assert "none has been received for certificate AU-2026-000123" in rules["copy.present"].message
    verdict, _ = _verdict(_inputs(electronic_copy=COPY), rules_set)
    assert verdict is Verdict.ACCEPT


def test_the_requirement_is_per_issuing_country(tmp_path: Path) -> None:
    verdict, rules = _verdict(_inputs(), _required(tmp_path, "NZ"))
    assert verdict is Verdict.ACCEPT and "copy.present" not in rules


def test_the_requirement_must_be_true_or_false(tmp_path: Path) -> None:
    import pytest

    from verification.errors import RuleSetError

    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT_RULES.read_text() + '\n[sets."*/AU"]\nelectronic_copy_required = 1\n')
    with pytest.raises(RuleSetError, match="electronic_copy_required must be true or false"):
        load_rules(path)


def test_a_difference_a_misreading_explains_goes_to_an_officer() -> None:
    for name, misread in (("net_weight_kg", "1250"), ("certificate_number", "AU-2026-000128")):
        fields = {name: FieldValue(misread, 0.97)}
        verdict, rules = _verdict(_inputs(fields=fields, electronic_copy=COPY, declaration=None))
        assert verdict is Verdict.REVIEW, (name, rules["copy.fields"].message)
        assert not rules["copy.fields"].passed
        assert rules["copy.fields"].severity.value == "warning"


def test_a_paper_of_a_certificate_its_issuer_revoked_is_rejected() -> None:
    """Every value agrees with the copy, seal and signature match: the issuer withdrew the
    certificate after sending it, and the paper is no certificate any more."""
    gone = {"by": "AU-CBR", "at": "2026-12-01T08:00:00Z", "reason": "replaced by AU-2026-000124"}
    verdict, rules = _verdict(_inputs(electronic_copy={**COPY, "revoked": gone}))
    assert verdict is Verdict.REJECT
    assert rules["copy.fields"].passed and not rules["copy.revoked"].passed
    assert rules["copy.revoked"].message == (
        "AU-CBR revoked certificate AU 2026 000123: replaced by AU-2026-000124 "
        "(2026-12-01T08:00:00Z)"
    )
    assert "copy.revoked" not in _verdict(_inputs(electronic_copy=COPY))[1]


def test_a_paper_of_a_certificate_its_issuer_replaced_is_rejected_naming_the_replacement() -> None:
    """ISPM 12: the replaced certificate is no longer accepted, however well its paper agrees
    with the copy; the officer reads by what and when it was replaced."""
    gone = {
        "by": "AU-CBR",
        "at": "2026-12-06T09:30:00Z",
        "replaced_by": "AU-2026-000124",
        "replacement_sha256": "ab" * 32,
    }
    verdict, rules = _verdict(_inputs(electronic_copy={**COPY, "replaced": gone}))
    assert verdict is Verdict.REJECT
    assert rules["copy.fields"].passed and not rules["copy.replaced"].passed
    assert rules["copy.replaced"].severity.value == "error"
    assert rules["copy.replaced"].message == (
        "AU-CBR replaced certificate AU 2026 000123 by AU-2026-000124 on 2026-12-06: the "
        "replaced certificate is no longer accepted"
    )
    assert "copy.replaced" not in _verdict(_inputs(electronic_copy=COPY))[1]


def test_a_paper_whose_copy_says_withdrawn_is_rejected_naming_the_status() -> None:
    """The issuer's copy itself says the certificate does not stand (ePhyto StatusCode 40):
    however well the paper agrees with it, it is no valid certificate."""
    said = {"status": "withdrawn", "status_code": "40"}
    verdict, rules = _verdict(_inputs(electronic_copy={**COPY, "status": said}))
    assert verdict is Verdict.REJECT
    assert rules["copy.fields"].passed and not rules["copy.status"].passed
    assert rules["copy.status"].severity.value == "error"
    assert rules["copy.status"].message == (
        "the issuer's electronic copy says certificate AU 2026 000123 is withdrawn (status 40): "
        "not valid"
    )


def test_a_paper_whose_copy_is_only_provisional_goes_to_an_officer() -> None:
    said = {"status": "provisional", "status_code": "SUBMITTED"}
    verdict, rules = _verdict(_inputs(electronic_copy={**COPY, "status": said}))
    assert verdict is Verdict.REVIEW
    assert rules["copy.status"].severity.value == "warning"


def test_an_issued_or_unknown_status_of_the_copy_says_nothing() -> None:
    for said in ({"status": "issued", "status_code": "70"}, {"status": "unknown"}):
        verdict, rules = _verdict(_inputs(electronic_copy={**COPY, "status": said}))
        assert verdict is Verdict.ACCEPT and "copy.status" not in rules
