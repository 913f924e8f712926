"""``cusdep identity rotate``: replace this node's signing key and TLS certificate."""

from __future__ import annotations

import argparse
import datetime as dt

from node.cli._common import emit_json, settings_from
from node.errors import InputError
from node.exchange.partners import export_card
from node.home_lock import hold_home
from node.identity import load_identity, rotate_identity

_MAX_OVERLAP_HOURS = 24 * 90


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("identity", help="this node's signing key and TLS certificate")
    ps = p.add_subparsers(dest="identity_command", metavar="SUBCOMMAND", required=True)
    r = ps.add_parser(
        "rotate",
        help="new signing key and TLS certificate; prints the new card for partners",
        description="Make a new Ed25519 signing key and a new TLS certificate (under the same "
        "CA, so partners' TLS trust holds) and print the node's new card, which partners pin "
        "with `cusdep partner add CARD --replace`. The old signing key is listed in the card "
        "as retired: partners accept what it signed until the overlap ends. Envelopes still "
        "queued are signed again with the new key when the node starts. Stop `cusdep node "
        "run` first; start it again after.",
    )
    r.add_argument(
        "--overlap-hours",
        type=float,
        default=168.0,
        help="how long partners still accept the old key's signatures (default 168 = 7 days; "
        "0 for a key that leaked: refused from now on)",
    )
    r.add_argument("--json", action="store_true", help="print the card as JSON (always JSON)")
    r.set_defaults(func=_rotate)


def _rotate(args: argparse.Namespace) -> int:
    hours = args.overlap_hours
    if not 0 <= hours <= _MAX_OVERLAP_HOURS:  # also refuses nan
        raise InputError(f"--overlap-hours must be 0-{_MAX_OVERLAP_HOURS}, got {hours}")
    settings = settings_from(args)
    export_card(settings, load_identity(settings.home, settings.node.id))  # a card can be made
    with hold_home(settings.home, why="then rotate its keys, then start it again"):
        identity = rotate_identity(settings.home, settings.node.id, dt.timedelta(hours=hours))
    emit_json(export_card(settings, identity).to_json())
    return 0
