"""``cusdep --version`` and the help a newcomer reads: every option of the registry, review,
token, anchor and trace commands says what it takes, and every command says what it does."""

from __future__ import annotations

import argparse
from importlib.metadata import version

import pytest

from node.cli import _build_parser, main


def _sub(parser: argparse.ArgumentParser, *path: str) -> argparse.ArgumentParser:
    for name in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


_DOCUMENTED = [
    ("registry", "add-agency"),
    ("registry", "add-seal"),
    ("registry", "add-officer"),
    ("registry", "revoke"),
    ("registry", "list"),
    ("templates", "add"),
    ("templates", "list"),
    ("review", "queue"),
    ("review", "show"),
    ("review", "decide"),
    ("review", "checks"),
    ("review", "decide-check"),
    ("review", "prune-pages"),
    ("token", "issue"),
    ("token", "revoke"),
    ("token", "list"),
    ("anchor",),
    ("trace",),
]


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"cusdep {version('cusdep-node')}\n"


@pytest.mark.parametrize("path", _DOCUMENTED, ids=" ".join)
def test_every_option_has_a_help_text(path: tuple[str, ...]) -> None:
    parser = _sub(_build_parser([path[0]]), *path)
    bare = [a.dest for a in parser._actions if not a.help]
    assert bare == [], f"cusdep {' '.join(path)}: no help for {bare}"


@pytest.mark.parametrize("command", ["init", "anchor", "verify", "registry", "review"])
def test_each_command_describes_itself(command: str) -> None:
    assert _sub(_build_parser([command]), command).description


def test_specimen_help_names_formats_and_the_assumed_resolution() -> None:
    seal = _sub(_build_parser(["registry"]), "registry", "add-seal")
    text = next(a.help for a in seal._actions if a.dest == "image")
    assert text is not None and "PNG" in text and "300 dpi" in text


def test_arrival_date_help_names_the_declaration_first() -> None:
    verify = _sub(_build_parser(["verify"]), "verify")
    text = next(a.help for a in verify._actions if a.dest == "arrival_date")
    assert text is not None and text.index("declaration") < text.index("today")
