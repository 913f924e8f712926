"""``cusdep`` command line. Thin: each command parses, calls one service method, prints.

Errors are translated here once: a ``CusdepError`` (or a usage error) becomes one line on stderr
and its exit status: 2 for bad input or a refusal, 75 (``EX_TEMPFAIL``) for a chain or database
that does not answer (SQLAlchemy's ``OperationalError`` as ``DatabaseUnavailable``). Command
groups live one per module and register their sub-parsers.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

from node.errors import CusdepError, database_unavailable

logger = logging.getLogger(__name__)

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"cusdep: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv`` naming a known command only that command's module is imported
    (the others get a help-only stub), else every command module is."""
    from node.cli import groups

    parser = _Parser(prog="cusdep", description="cross-border customs data exchange node")
    parser.add_argument("--home", help="data directory (default: $CUSDEP_HOME or ~/.cusdep)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    command = _command(argv, groups.COMMANDS) if argv is not None else None
    if argv is not None and command is None:  # `cusdep`, `cusdep --help`, or a typo
        for name, (_module, text) in groups.COMMANDS.items():
            sub.add_parser(name, help=text, add_help=False)
        return parser
    for group in groups.modules(command):
        group.register(sub)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """Give each sub-command without a description its one-line help as one, so that
    ``cusdep init --help`` says what the command does, not only its options; and let each
    command take ``--home`` after its name as well as before it."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {c.dest: c.help for c in action._choices_actions}
        for name, sub in action.choices.items():
            if sub.description is None and helps.get(name):
                sub.description = str(helps[name])
            if not any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
                sub.add_argument(  # `cusdep registry list --home X` as `cusdep --home X ...`
                    "--home", default=argparse.SUPPRESS, help="data directory (as before it)"
                )
            _describe(sub)


class _Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for (start-up
    of every other command stays as it was)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kw: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("cusdep-node")
        except PackageNotFoundError:  # run from a source tree that was never installed
            text = "unknown (not installed)"
        sys.stdout.write(f"cusdep {text}\n")
        parser.exit(0)


def _command(argv: Sequence[str], commands: Mapping[str, object]) -> str | None:
    """The command word in ``argv`` (after the global options), if it is a known one."""
    rest = list(argv)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option == "--home" and rest:
            rest.pop(0)
    return rest[0] if rest and rest[0] in commands else None


def main(argv: Sequence[str] | None = None) -> int:
    code, _args = _main(argv)
    return code


def run() -> NoReturn:
    """The ``cusdep`` and ``python -m node`` entry: ``main``, then exit. A command that left
    nothing running (it sets ``args.leave_at_once``: ``cusdep verify``) ends the process at
    once after a success: output flushed and logging shut down, ``os._exit`` skips the
    interpreter's teardown (freeing the OCR sessions and some two thousand modules one by one
    took ~0.8 s after the review's output)."""
    os.umask(0o077)  # what a node writes (database, documents, quarantine) is its user's alone
    code, args = _main(None)
    if code == 0 and getattr(args, "leave_at_once", False):
        leave(code)
    raise SystemExit(code)


def leave(code: int) -> NoReturn:
    """Flush what the process wrote and exit without the interpreter's teardown."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    logging.shutdown()
    os._exit(code)


def _main(argv: Sequence[str] | None) -> tuple[int, argparse.Namespace]:
    argv = sys.argv[1:] if argv is None else argv
    parser = _build_parser(argv)
    args = parser.parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    if getattr(args, "json_logs", False):  # a served node: JSON lines for its log collector
        from node.logging import configure

        configure(level)
    else:
        logging.basicConfig(
            level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr
        )
    if not args.verbose:  # Pillow logs what it finds wrong in a damaged image: the error says it
        logging.getLogger("PIL").setLevel(logging.CRITICAL)
    try:
        code: int = args.func(args)
        return code, args
    except CusdepError as err:
        sys.stderr.write(f"cusdep: error: {err.roll_up()}\n")
        return err.exit_status, args
    except BrokenPipeError:
        return _reader_left(), args
    except Exception as err:
        unavailable = database_unavailable(err)
        if unavailable is None:
            raise
        sys.stderr.write(f"cusdep: error: {unavailable.message}\n")
        return unavailable.exit_status, args
    except KeyboardInterrupt:
        return 130, args


def _reader_left() -> int:
    """Exit status when the reader of our output went away (``cusdep messages | head``): no
    traceback; stdout pointed at /dev/null so the interpreter's last flush stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1
