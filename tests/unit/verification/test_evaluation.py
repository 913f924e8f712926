"""Scoring of `cusdep eval`: normalised comparison and the summary rates."""

import json

import pytest

from node.cli import main
from verification.evaluation import CaseOutcome, _same, summarise, write_report


def test_values_compare_normalised():
    assert _same("1250.5", 1250.5) == (True, True)
    assert _same("Acme  Fruit, Ltd", "acme fruit,ltd") == (True, True)
    assert _same("PacificRim Grain", "Pacific Rim Grain") == (False, True)
    assert _same(None, "x") == (False, False)
    assert _same("167", 167) == (True, True)


def _o(kind, verdict, acceptable, **kw):
    return CaseOutcome(
        case=kind, kind=kind, acceptable=acceptable, verdict=verdict, seconds=1.0, **kw
    )


def test_summary_rates():
    outcomes = [
        _o(
            "genuine",
            "accept",
            ["accept"],
            fields={"a": True, "b": False},
            fields_loose={"a": True, "b": True},
            seal_genuine=True,
            seal_match=True,
        ),
        _o(
            "genuine",
            "review",
            ["accept"],
            fields={"a": True},
            fields_loose={"a": True},
            seal_genuine=True,
            seal_match=False,
        ),
        _o("forged_seal", "accept", ["reject", "review"], seal_genuine=False, seal_match=True),
        _o("no_seal", "reject", ["reject"]),
        _o("expired", "error", ["reject"], error="crash: ValueError: x"),
    ]
    s = summarise(outcomes)
    assert s["field_exact_match"] == round(2 / 3, 4)
    assert s["field_match_ignoring_spacing"] == 1.0
    assert s["automation_rate"] == 0.5
    assert s["verdict_false_accept_rate"] == round(1 / 3, 4)
    assert s["seal_genuine_accepted"] == 0.5
    assert s["seal_forged_or_foreign_rejected"] == 0.0
    assert s["crashes"] == 1


def test_seal_text_limits_say_what_a_stricter_rule_set_would_have_done():
    outcomes = [
        _o("genuine", "accept", ["accept"], seal_match=True, seal_text_checked=True),
        _o(
            "genuine",
            "accept",
            ["accept"],
            seal_match=True,
            seal_text_checked=True,
            seal_text_unconfirmed=4,
        ),
        _o(
            "forged_seal",
            "accept",
            ["reject", "review"],
            seal_match=True,
            seal_text_checked=True,
            seal_text_unconfirmed=2,
        ),
        _o("forged_seal", "accept", ["reject", "review"], seal_match=True),  # text not seen
        _o("field_altered", "accept", ["review"], seal_match=False),
    ]
    limits = summarise(outcomes)["seal_text_limits"]
    assert limits["0"] == {"automation_rate": 0.5, "verdict_false_accept_rate": round(1 / 3, 4)}
    assert limits["2"]["verdict_false_accept_rate"] == round(2 / 3, 4)
    assert limits["5"]["automation_rate"] == 1.0


def test_imitations_hidden_in_ink_gaps_are_counted_apart():
    outcomes = [
        _o("forged_seal", "accept", ["reject", "review"], seal_genuine=False, seal_match=True),
        _o(
            "forged_seal",
            "accept",
            ["reject", "review"],
            seal_genuine=False,
            seal_match=True,
            seal_hidden=True,
        ),
        _o("foreign_seal", "reject", ["reject"], seal_genuine=False, seal_match=False),
    ]
    s = summarise(outcomes)
    assert s["seal_forged_or_foreign_rejected"] == round(1 / 3, 4)
    assert s["seal_forged_or_foreign_rejected_where_visible"] == 0.5
    assert s["seal_imitations_hidden_in_ink_gaps"] == 1
    assert s["verdict_false_accepts_hidden_in_ink_gaps"] == 1


def test_report_files(tmp_path):
    outcomes = [_o("genuine", "accept", ["accept"], fields={"a": True}, fields_loose={"a": True})]
    paths = write_report(outcomes, summarise(outcomes), tmp_path / "r")
    assert [p.name for p in paths] == ["report.json", "report.md", "report.png"]
    assert json.loads(paths[0].read_text())["summary"]["automation_rate"] == 1.0
    assert (
        "Automation" in paths[1].read_text() and "seal_text_max_unconfirmed" in paths[1].read_text()
    )
    assert paths[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_eval_on_a_non_corpus_is_bad_input(tmp_path, capsys):
    assert main(["eval", str(tmp_path)]) == 2
    assert "not a simulator corpus" in capsys.readouterr().err


def test_only_certificates_the_issuer_issued_have_an_electronic_copy():
    from verification.evaluation import issuer_copy

    fields = {"certificate_number": "NZ26/1", "net_weight_kg": 12.5}
    for kind in ("genuine", "field_altered", "expired", "declaration_mismatch", "no_seal"):
        copy = issuer_copy({"kind": kind, "fields": fields, "issuing_country": "NZ"})
        assert copy == {**fields, "issuing_country": "NZ"}, kind
    for kind in ("forged_seal", "foreign_seal", "unregistered_officer"):
        assert issuer_copy({"kind": kind, "fields": fields, "issuing_country": "NZ"}) is None
    altered = {"field": "net_weight_kg", "original_value": 10.0, "altered_value": 12.5}
    copy = issuer_copy({"kind": "field_altered", "fields": fields, "alteration": altered})
    assert copy is not None and copy["net_weight_kg"] == 10.0  # what was issued


def test_seals_copied_from_another_certificate_are_counted_and_so_are_false_claims():
    copied = "seal.unique: seal impression is the very stamping on certificate AU-1"
    outcomes = [
        _o("cloned_seal", "reject", ["reject", "review"], reasons=[copied]),
        _o("cloned_seal", "accept", ["reject", "review"], reasons=[]),
        _o("genuine", "reject", ["accept"], reasons=[copied]),
        _o("genuine", "accept", ["accept"]),
    ]
    s = summarise(outcomes)
    assert s["seal_copies_told"] == 0.5
    assert s["seal_copies_claimed_elsewhere"] == 1
    assert summarise([_o("genuine", "accept", ["accept"])])["seal_copies_told"] is None


def test_a_case_whose_declaration_has_a_value_of_the_wrong_type_is_not_reviewed(tmp_path):
    # read as the node reads a declaration: "heavy" is refused, not a weight rule left out
    from verification.evaluation import _run_case

    case = tmp_path / "cases" / "c1"
    case.mkdir(parents=True)
    (case / "truth.json").write_text(json.dumps({"kind": "genuine", "expected_verdict": "accept"}))
    (case / "declaration.json").write_text(json.dumps({"net_weight_kg": "heavy"}))

    class Unused:
        def verify(self, *_a, **_k):
            raise AssertionError("reviewed against a declaration that does not read")

    out = _run_case(Unused(), case, use_pdf=False)  # type: ignore[arg-type]
    assert out.verdict == "error"
    assert "declaration.json refused" in out.error and "'heavy'" in out.error


def test_cli_eval_checks_its_out_before_the_evaluation(tmp_path, capsys):
    # a file at --out was a traceback after the whole evaluation had run
    (tmp_path / "corpus" / "cases").mkdir(parents=True)
    taken = tmp_path / "report.txt"
    taken.write_text("mine")
    assert main(["eval", str(tmp_path / "corpus"), "--out", str(taken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists and is not a directory" in err
    assert taken.read_text() == "mine"
    under = taken / "sub"  # a file on the way to it
    assert main(["eval", str(tmp_path / "corpus"), "--out", str(under)]) == 2
    assert "cannot create a directory" in capsys.readouterr().err


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_cli_eval_limit_below_one_is_bad_input(tmp_path, capsys, limit):
    # --limit -1 sliced the case list ([:-1]): every case but the last, scored as the corpus
    (tmp_path / "corpus" / "cases").mkdir(parents=True)
    code = main(["eval", str(tmp_path / "corpus"), "--limit", limit, "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err == f"cusdep: error: --limit must be at least 1, got {limit}\n"
    assert not (tmp_path / "r").exists()


def test_cli_eval_out_where_no_directory_can_be_made_is_bad_input(tmp_path, capsys):
    # as root os.access() allows /proc: the report's mkdir failed after the whole evaluation
    (tmp_path / "corpus" / "cases").mkdir(parents=True)
    assert main(["eval", str(tmp_path / "corpus"), "--out", "/proc/cusdep-report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out /proc/cusdep-report: cannot create a directory" in err


def test_signatures_in_another_hand_are_counted_apart_from_genuine_ones():
    outcomes = [
        _o(
            "forged_signature",
            "reject",
            ["reject", "review"],
            signature_match=False,
            variant="stand_in",
        ),
        _o(
            "forged_signature",
            "review",
            ["reject", "review"],
            signature_match=False,
            variant="imitation",
        ),
        _o(
            "forged_signature",
            "accept",
            ["reject", "review"],
            signature_match=True,
            variant="imitation",
        ),
        _o(
            "forged_signature",
            "error",
            ["reject"],
            error="crash: ValueError: x",
            variant="imitation",
        ),
        _o("genuine", "accept", ["accept"], signature_match=True),
        _o("unregistered_officer", "reject", ["reject"], signature_match=False),
    ]
    s = summarise(outcomes)
    assert s["signature_forged_rejected"] == round(2 / 3, 4)
    # the copies apart from the stand-ins (a crash is neither refused nor accepted)
    assert s["signature_copies_rejected"] == 0.5 and s["signature_stand_ins_rejected"] == 1.0
    assert s["signature_genuine_accepted"] == 1.0
    assert s["verdict_false_accept_rate"] == round(1 / 5, 4)
    assert summarise(outcomes[4:])["signature_forged_rejected"] is None
    assert summarise(outcomes[4:])["signature_copies_rejected"] is None
