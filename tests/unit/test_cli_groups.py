"""The command table that keeps ``cusdep`` start-up lazy must match what the modules register."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from node.cli import _build_parser, main
from node.cli.groups import COMMANDS


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {c.dest: str(c.help) for c in action._choices_actions}


def test_table_matches_every_registered_command_and_help() -> None:
    assert _subcommands(_build_parser()) == {name: text for name, (_m, text) in COMMANDS.items()}


def test_each_command_is_registered_by_its_module() -> None:
    for name, (module, _text) in COMMANDS.items():
        parser = _build_parser([name])
        assert name in _subcommands(parser), f"{module} does not register {name}"


def test_top_level_help_lists_commands_without_importing_them() -> None:
    code = (
        "import sys; from node.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
        "print(sorted(m for m in ('node.cli.verify', 'node.cli.api', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "verify" in out.stdout and "simulate" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_verify_does_not_load_the_database_chain_or_api_server() -> None:
    code = (
        "import sys; from node.cli import _build_parser\n"
        "_build_parser(['--home', '/nowhere', 'verify', 'x.pdf'])\n"
        "heavy = ('sqlalchemy', 'web3', 'node.cli.api', 'node.api.tokens', 'node.bootstrap')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_command_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["verfy", "x.pdf"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "invalid choice: 'verfy'" in err[0]
