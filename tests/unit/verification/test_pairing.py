"""A declaration checked against a certificate accepted before it (``rules.pairing``): only the
pairing rules run, on the certificate's fields as stored or as its issuer sent them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from verification.errors import RuleSetError
from verification.results import Verdict
from verification.rules.engine import Drawn
from verification.rules.loader import DEFAULT_RULES, RuleSet, load_rules
from verification.rules.pairing import check_pairing, fields_of, same_kind

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


_SPLIT = {
    **_DECLARATION,
    "net_weight_kg": 2000.0,
    "certificate_numbers": ["AU-2026-000123", "AU-2026-9"],
}


def test_a_paper_one_of_several_certificates_is_judged_alone_as_a_part() -> None:
    """A paper's own review does not look the others up: 1220 kg of 2000 declared passes (the
    declaration check adds the parts up); more than the declared quantity does not."""
    out = _check(_SPLIT)
    [weight] = [r for r in out.rules if r.id == "declaration.net_weight"]
    assert out.verdict is Verdict.ACCEPT and weight.passed
    assert weight.message == (
        "net weight: 1220 kg on certificate, 2000 kg declared; the declaration also names "
        "AU-2026-9: the declaration check adds up those of one kind once all are here"
    )
    out = _check({**_SPLIT, "net_weight_kg": 1000.0})
    assert out.verdict is Verdict.REJECT
    assert out.reasons == [
        "declaration.net_weight: net weight: 1220 kg on certificate, 1000 kg declared "
        "(+22.0%; the declaration also names AU-2026-9)"
    ]


def test_parts_are_added_up_and_a_missing_one_is_for_an_officer() -> None:
    other = fields_of({"net_weight_kg": {"value": 780, "confidence": 0.95}})
    assert _check(_SPLIT, parts={"AU-2026-9": other}).verdict is Verdict.ACCEPT
    out = _check(_SPLIT, parts={"AU-2026-9": None})
    assert out.verdict is Verdict.REVIEW
    assert out.reasons[0].endswith("(-39.0%); AU-2026-9 named too, not on this node")


def test_a_paper_reviewed_against_a_split_declaration_has_its_quantities_judged_again() -> None:
    """Its review saw it alone (a part passes); the declaration check sees the sum."""
    other = fields_of({"net_weight_kg": {"value": 900, "confidence": 0.95}})
    out = _check(_SPLIT, parts={"AU-2026-9": other}, reviewed_against=True)
    assert out.verdict is Verdict.REJECT
    assert out.reasons[0].startswith(
        "declaration.net_weight: net weight: 2120 kg on certificates AU-2026-000123 + AU-2026-9"
    )
    assert _check(_SPLIT, reviewed_against=True).verdict is Verdict.ACCEPT  # no parts: one use


def test_a_paper_reviewed_against_a_declaration_naming_only_other_kinds_is_judged_whole() -> None:
    """The other certificates named are of another kind (an origin certificate beside it): its
    review, not knowing, passed 1220 kg of 2000 declared as a part; the declaration check,
    knowing it is the whole, does not (780 kg would have no phytosanitary certificate)."""
    assert _check(_SPLIT).verdict is Verdict.ACCEPT  # the review: a part
    out = _check(_SPLIT, parts={}, reviewed_against=True)
    assert out.verdict is Verdict.REJECT
    assert out.reasons[0].startswith(
        "declaration.net_weight: net weight: 1220 kg on certificate, 2000 kg declared (-39.0%)"
    )


def test_kinds_of_certificate_named_differently_are_one_kind() -> None:
    assert same_kind("phytosanitary", "851") and same_kind("certificate_of_origin", "Origin")
    assert same_kind("veterinary", "veterinary_health")
    assert not same_kind("phytosanitary", "origin") and not same_kind("", "")


def test_a_part_of_no_or_a_negative_quantity_is_not_added_up() -> None:
    """-220 kg on one part must not hide 1220 kg on the other against 1000 declared, nor a 0 kg
    part stand for the goods it names (a certificate alone of 0 kg is rejected too)."""
    negative = fields_of({"net_weight_kg": {"value": -220, "confidence": 0.95}})
    out = _check({**_SPLIT, "net_weight_kg": 1000.0}, parts={"AU-2026-9": negative})
    assert out.verdict is Verdict.REJECT
    assert out.reasons == [
        "declaration.net_weight: net weight: 1220 kg on certificate, 1000 kg declared "
        "(+22.0%); AU-2026-9 named too, -220 kg on it: no quantity"
    ]
    zero = fields_of({"net_weight_kg": {"value": 0, "confidence": 0.95}})
    out = _check({**_SPLIT, "net_weight_kg": 1220.0}, parts={"AU-2026-9": zero})
    assert out.verdict is Verdict.REJECT
    assert out.reasons[0].endswith("(+0.0%); AU-2026-9 named too, 0 kg on it: no quantity")


def test_a_certificate_of_no_quantity_is_no_part_of_a_split_consignment() -> None:
    """Its own review (the others not looked up) or the declaration check: 0 kg or less on
    this certificate is not a part of the declared 2000 kg."""
    stored = {**_STORED, "net_weight_kg": {"value": -5, "confidence": 0.93}}
    rest = fields_of({"net_weight_kg": {"value": 2005, "confidence": 0.95}})
    for parts in (None, {"AU-2026-9": rest}):
        out = check_pairing(
            fields_of(stored),
            _SPLIT,
            rules=load_rules(),
            certificate_type="phytosanitary",
            country="AU",
            today=_TODAY,
            parts=parts,
        )
        assert out.verdict is Verdict.REJECT, parts
        assert "-5 kg on certificate" in out.reasons[0] and "no quantity" in out.reasons[0]


def test_a_part_on_the_node_without_the_quantity_is_not_said_absent() -> None:
    """The other certificate came without a packages figure: the officer is told so, not that
    it is not on the node (he would wait for it)."""
    other = fields_of({"net_weight_kg": {"value": 780, "confidence": 0.95}})
    out = _check({**_SPLIT, "packages": 60}, parts={"AU-2026-9": other})
    assert out.verdict is Verdict.REVIEW
    assert out.reasons == [
        "declaration.packages: packages: 48 packages on certificate, 60 packages declared "
        "(-20.0%); AU-2026-9 named too, no packages on it"
    ]


def test_a_paper_one_of_several_may_carry_some_of_the_declared_containers_not_others() -> None:
    stored = {**_STORED, "container_numbers": {"value": "MSCU1234566", "confidence": 0.95}}
    declaration = {
        **_SPLIT,
        "net_weight_kg": 1220.0,
        "container_numbers": "MSCU1234566 TGHU7654320",
    }

    def check(decl):
        return check_pairing(
            fields_of(stored),
            decl,
            rules=load_rules(),
            certificate_type="phytosanitary",
            country="AU",
            today=_TODAY,
        )

    out = check(declaration)
    [rule] = [r for r in out.rules if r.id == "declaration.containers"]
    assert out.verdict is Verdict.ACCEPT and rule.message.startswith(
        "1 of the 2 declared container number(s) on this certificate"
    )
    out = check({**declaration, "container_numbers": "TGHU7654320"})
    assert out.verdict is Verdict.REJECT and out.reasons[0].startswith(
        "declaration.containers: containers on certificate only ['MSCU1234566'], not declared"
    )


def test_a_partners_origin_certificate_reads_the_rule_set_of_certificates_of_origin() -> None:
    """Templates call the kind ``certificate_of_origin`` (5% weight tolerance in the packaged
    rules), partners' documents "origin" or UN/CEFACT 861: +4.1% passes under all three."""
    rules = load_rules()
    assert rules.resolve("origin", "AU")["net_weight_tolerance_pct"] == 5.0
    assert rules.resolve("861", "AU").sets == ("default", "certificate_of_origin")
    heavier = {**_DECLARATION, "net_weight_kg": 1172.0}  # the certificate's 1220 kg is +4.1%
    for kind in ("certificate_of_origin", "origin", "861"):
        out = check_pairing(
            fields_of(_STORED),
            heavier,
            rules=rules,
            certificate_type=kind,
            country="AU",
            today=_TODAY,
        )
        assert out.verdict is Verdict.ACCEPT, (kind, out.reasons)
    assert _check(heavier).verdict is Verdict.REJECT  # phytosanitary: 2%


def test_a_certificate_named_twice_is_named_once_in_the_finding() -> None:
    twice = {**_SPLIT, "certificate_numbers": ["AU-2026-000123", "AU-2026-9", "AU 2026 9"]}
    [weight] = [r for r in _check(twice).rules if r.id == "declaration.net_weight"]
    assert "the declaration also names AU-2026-9:" in weight.message


def _partial(tmp_path: Path, extra: str = "") -> RuleSet:
    edited = tmp_path / "rules.toml"
    table = f'\n[sets."phytosanitary/AU"]\npartial_use = true\n{extra}'
    edited.write_text(DEFAULT_RULES.read_text() + table)
    return load_rules(edited)


def test_partial_use_and_its_tolerance_are_data(tmp_path: Path) -> None:
    """1,220 kg certified, 1,000 kg drawn before: 230 kg declared is 10 kg over the 220 kg
    left, within 2% of the certified weight (24.4 kg); a 0.5% tolerance (6.1 kg) refuses it.
    Without ``partial_use`` the same declaration is judged against the whole certificate."""
    drawn = Drawn(net_weight_kg=1000.0, packages=0.0, declarations=2)
    declared = {**_DECLARATION, "net_weight_kg": 230.0, "packages": None}
    out = _check(declared, rules=_partial(tmp_path), drawn=drawn, others=["CN-DEC-0 (ab)"])
    assert (out.verdict, out.reasons) == (Verdict.ACCEPT, [])
    [weight] = [r for r in out.rules if r.id == "declaration.net_weight"]
    assert weight.message == (
        "net weight: 230 kg declared, 220 kg left of 1220 kg certified "
        "(1000 kg drawn by 2 earlier declarations), within 2%"
    )
    strict = _partial(tmp_path, "net_weight_tolerance_pct = 0.5\n")
    out = _check(declared, rules=strict, drawn=drawn, others=["CN-DEC-0 (ab)"])
    assert out.verdict is Verdict.REJECT
    assert out.reasons[0] == (
        "declaration.net_weight: net weight: 230 kg declared, 220 kg left of 1220 kg "
        "certified (1000 kg drawn by 2 earlier declarations), tolerance 0.5%"
    )
    assert out.reasons[1].startswith("declaration.certificate_reused: ")
    out = _check(declared, drawn=drawn, others=["CN-DEC-0 (ab)"])  # the packaged rules
    [weight] = [r for r in out.rules if r.id == "declaration.net_weight"]
    assert "1220 kg on certificate, 230 kg declared" in weight.message


def test_a_papers_own_review_under_partial_use_passes_a_part_of_the_certificate(
    tmp_path: Path,
) -> None:
    """No other declaration looked up (``drawn`` None): 600 of 1,220 kg passes, saying the
    declaration check keeps the balance; more than certified beyond the tolerance does not."""
    rules = _partial(tmp_path)
    out = _check({**_DECLARATION, "net_weight_kg": 600.0, "packages": 20}, rules=rules)
    assert (out.verdict, out.reasons) == (Verdict.ACCEPT, [])
    [weight] = [r for r in out.rules if r.id == "declaration.net_weight"]
    assert weight.message == (
        "net weight: 600 kg declared of 1220 kg certified: partial use allowed, the "
        "declaration check tracks the balance other declarations leave"
    )
    out = _check({**_DECLARATION, "net_weight_kg": 1300.0}, rules=rules)
    assert out.reasons == [
        "declaration.net_weight: net weight: 1300 kg declared of 1220 kg certified: more than "
        "certified, tolerance 2%"
    ]


def test_partial_use_must_be_true_or_false(tmp_path: Path) -> None:
    edited = tmp_path / "rules.toml"
    edited.write_text(DEFAULT_RULES.read_text() + '\n[sets."*/KR"]\npartial_use = "yes"\n')
    with pytest.raises(RuleSetError, match="partial_use must be true or false"):
        load_rules(edited)


def test_a_declaration_naming_many_certificates_names_five_in_a_finding() -> None:
    many = [f"AU-2026-{i}" for i in range(1, 13)]
    decl = {**_SPLIT, "certificate_numbers": ["AU-2026-000123", *many]}
    out = _check(decl, parts={n: None for n in many})
    assert out.reasons[0].endswith(
        "AU-2026-1, AU-2026-10, AU-2026-11, AU-2026-12, AU-2026-2 and 7 more named too, "
        "not on this node"
    )


def test_a_whole_with_a_sibling_not_here_says_so_in_passing() -> None:
    whole = {**_SPLIT, "net_weight_kg": 1220.0}
    out = _check(whole, parts={"AU-2026-9": None})
    [weight] = [r for r in out.rules if r.id == "declaration.net_weight"]
    assert out.verdict is Verdict.ACCEPT and weight.passed
    assert weight.message.endswith("within 2%; AU-2026-9 named too, not on this node")
