"""``cusdep token issue|revoke|list``: bearer tokens for the REST API and the review UI.

``cusdep token issue --role officer --subject jane`` prints the token once (only its SHA-256 is
stored); ``--json`` prints ``{"id", "role", "subject", "country", "token", ...}``. An agency token
needs ``--country``. ``cusdep token revoke ID_OR_TOKEN``.
"""

from __future__ import annotations

import argparse

from node.api.tokens import ROLES, TokenService
from node.cli._common import emit_json, emit_line, settings_from
from node.storage.db import Database


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("token", help="API tokens (admin, officer, agency, auditor)")
    ps = p.add_subparsers(dest="token_command", metavar="SUBCOMMAND", required=True)
    i = ps.add_parser("issue", help="issue a bearer token; printed once")
    i.add_argument("--role", required=True, choices=ROLES)
    i.add_argument("--subject", required=True, help="who holds it (officer id, agency id, name)")
    i.add_argument("--country", default="", help="the agency's country (agency tokens only)")
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_issue)
    r = ps.add_parser("revoke", help="revoke a token by its id (or the token itself)")
    r.add_argument("token", metavar="ID_OR_TOKEN")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=_revoke)
    ls = ps.add_parser("list", help="list tokens (never their secrets)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)


def _tokens(args: argparse.Namespace) -> TokenService:
    settings = settings_from(args)
    db = Database(settings.database_url)
    db.create_all()
    return TokenService(db)


def _issue(args: argparse.Namespace) -> int:
    out = _tokens(args).issue(args.role, args.subject, args.country)
    if args.json:
        emit_json(out)
    else:
        emit_line(out["token"])
    return 0


def _revoke(args: argparse.Namespace) -> int:
    out = _tokens(args).revoke(args.token)
    if args.json:
        emit_json(out)
    else:
        emit_line(f"revoked {out['id']} ({out['role']} {out['subject']})")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = _tokens(args).list()
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            state = "revoked" if r["revoked"] else "active"
            emit_line(
                f"{r['id']}  {r['role']:<8} {r['subject']:<24} {r['country'] or '':<3} {state}"
            )
    return 0
