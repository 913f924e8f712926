"""A one-shot command that needs a chain that does not answer: ONE stderr line (the chain's
warning at start came first, then the same error again as the command's), and exit 75
(EX_TEMPFAIL), not 2: the input was fine, the chain is down (docs/cli-contract.md, exit
statuses); a script tells "fix the input" from "try again later"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from node.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["anchor", "DOC", "--json"],
        ["registry", "add-agency", "--id", "AU-DAFF", "--country", "AU", "--name", "D"],
    ],
)
def test_an_unreachable_chain_is_one_line(home: Path, tmp_path: Path, argv: list[str]) -> None:
    init = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    assert main(init) == 0
    doc = tmp_path / "doc.txt"
    doc.write_text("a document")
    proc = subprocess.run(
        [sys.executable, "-m", "node", *[str(doc) if a == "DOC" else a for a in argv]],
        capture_output=True,
        text=True,
        env={**os.environ, "CUSDEP_HOME": str(home)},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 75, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("cusdep: error: chain RPC unreachable")


def test_bad_input_is_still_exit_2_with_the_chain_down(home: Path) -> None:
    """Bad input is found before the chain is asked: exit 2, as the contract says."""
    init = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    assert main(init) == 0
    assert main(["trace", "not-a-sha256", "--json"]) == 2
