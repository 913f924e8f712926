"""``cusdep simulate traffic`` checks its options before it makes a directory or starts
anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.cli import main


@pytest.mark.parametrize("nodes", ["1", "11"])
def test_a_node_count_out_of_range_is_refused_first(
    nodes: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "traffic"
    assert main(["simulate", "traffic", "--nodes", nodes, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["cusdep: error: --nodes must be between 2 and 10"]
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--rate", "nan", "--rate must be more than 0 and at most 1000"),
        ("--rate", "inf", "--rate must be more than 0 and at most 1000"),
        ("--duration", "1e300", "--duration must be more than 0 and at most 86400"),
        ("--drain-timeout", "-1", "--drain-timeout must be more than 0"),
    ],
)
def test_a_rate_or_time_out_of_range_is_refused_first(
    option: str, value: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "traffic"
    assert main(["simulate", "traffic", option, value, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("--count", "99999999999999999999", "--count must be 1-10000"),  # grew to GBs
        ("--count", "10001", "--count must be 1-10000"),
        ("--count", "0", "--count must be 1-10000"),
        ("--workers", "100000", "--workers must be 1-64"),
    ],
)
def test_a_corpus_size_out_of_range_is_refused_first(
    option: str, value: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "corpus"
    assert main(["simulate", "corpus", "--out", str(out), option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    assert not out.exists()


def test_an_out_that_is_a_file_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out FILE`` was a NotADirectoryError traceback (exit 1)."""
    out = tmp_path / "notes.txt"
    out.write_text("mine\n")
    assert main(["simulate", "traffic", "--nodes", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"cusdep: error: {out}: not a directory"]
    assert out.read_text() == "mine\n"
