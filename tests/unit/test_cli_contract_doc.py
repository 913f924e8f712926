"""Every command line of the shipped CLI contract (docs/cli-contract.md) parses with the real
``cusdep`` parser: the contract's commands and options exist as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from node.cli import _build_parser

_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli-contract.md"


def _command_lines() -> list[str]:
    """The ``cusdep ...`` lines of the document's code blocks, continuations joined, comments
    and ``> redirections`` dropped."""
    lines: list[str] = []
    in_code = False
    for raw in _DOC.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        if raw.startswith("```"):
            in_code = not in_code
            continue
        line = raw.split("#", 1)[0].split(" > ", 1)[0].split(" ; ", 1)[0].strip()
        if in_code and line.startswith("cusdep "):
            lines.append(line)
    return lines


_PLACEHOLDERS = {
    "N": "50051",
    "M": "8080",
    "URL": "http://127.0.0.1:8545",
    "YYYY-MM-DD": "2026-01-01",
}


def _concrete(line: str) -> list[str]:
    """``[optional]`` parts used, ``a|b`` reduced to its first choice, placeholders filled."""
    line = re.sub(r"\[([^\[\]]*)\]", r"\1", line).replace("...", "x")
    words = [
        w.split("|", 1)[0] if "|" in w and not w.startswith("-") else w
        for w in shlex.split(line)[1:]
    ]
    return [_PLACEHOLDERS.get(w, w) for w in words]


def test_the_contract_lists_its_commands() -> None:
    assert len(_command_lines()) >= 30


@pytest.mark.parametrize("line", _command_lines())
def test_each_contract_line_parses(line: str) -> None:
    argv = _concrete(line)
    try:
        _build_parser([argv[0]]).parse_args(argv)
    except SystemExit as exc:  # argparse's usage error
        pytest.fail(f"{line!r} does not parse: exit {exc.code}")
