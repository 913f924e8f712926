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
