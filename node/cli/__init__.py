"""``cusdep`` command line. Thin: each command parses, calls one service method, prints.

Errors are translated here once: a ``CusdepError`` (or a usage error) becomes exit code 2 and
one line on stderr. Command groups live one per module and register their sub-parsers.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from sqlalchemy.exc import OperationalError

from node.errors import CusdepError

logger = logging.getLogger(__name__)

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"cusdep: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _build_parser() -> argparse.ArgumentParser:
    from node.cli import groups

    parser = _Parser(prog="cusdep", description="cross-border customs data exchange node")
    parser.add_argument("--home", help="data directory (default: $CUSDEP_HOME or ~/.cusdep)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for group in groups.GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    try:
        code: int = args.func(args)
        return code
    except CusdepError as err:
        sys.stderr.write(f"cusdep: error: {err.roll_up()}\n")
        return EXIT_USAGE
    except OperationalError as err:
        sys.stderr.write(f"cusdep: error: database: {str(err.orig).splitlines()[0]}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
