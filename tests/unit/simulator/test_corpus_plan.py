import pytest

from simulator.cases import KINDS
from simulator.corpus import DEFAULT_MIX, parse_mix, plan_kinds


def test_quotas_follow_the_mix_exactly() -> None:
    kinds = plan_kinds(100, seed=1, mix=DEFAULT_MIX)
    assert len(kinds) == 100
    assert kinds.count("genuine") == 60
    assert all(kinds.count(k) in (5, 6) for k in DEFAULT_MIX if k != "genuine")
    assert "cloned_seal" in KINDS and "cloned_seal" not in kinds  # only where a mix names it


def test_plan_is_seeded() -> None:
    assert plan_kinds(40, 1, DEFAULT_MIX) == plan_kinds(40, 1, DEFAULT_MIX)
    assert plan_kinds(40, 1, DEFAULT_MIX) != plan_kinds(40, 2, DEFAULT_MIX)


def test_parse_mix_and_unknown_kind() -> None:
    assert plan_kinds(4, 1, parse_mix("no_seal=1")) == ["no_seal"] * 4
    with pytest.raises(ValueError, match="unknown case kind"):
        plan_kinds(4, 1, {"bogus": 1.0})
    with pytest.raises(ValueError):
        parse_mix("genuine=lots")


@pytest.mark.parametrize("text", ["no_seal=-1", "genuine=nan", "genuine=inf", "genuine=-inf"])
def test_a_share_that_is_not_a_number_at_least_0_is_refused(text: str) -> None:
    """``--mix genuine=2,no_seal=-1 --count 4`` wrote 8 genuine cases beside a manifest of
    4 (the negative share took from the quotas); nan and inf failed as "cannot convert float
    NaN to integer"."""
    with pytest.raises(ValueError, match=r"must be a number >= 0"):
        parse_mix(f"genuine=2,{text}")


def test_the_cli_refuses_a_negative_share_before_writing(tmp_path, capsys) -> None:
    from node.cli import main

    out = tmp_path / "c"
    args = ["simulate", "corpus", "--out", str(out), "--count", "4", "--json"]
    assert main([*args, "--mix", "genuine=2,no_seal=-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["cusdep: error: --mix: the share of no_seal must be a number >= 0"]
    assert not out.exists()
