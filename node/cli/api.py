"""``cusdep token issue|revoke|list`` (bearer tokens for the REST API and the review UI) and
``cusdep review queue|show|decide`` (the officers' queue from a shell on the node).

``cusdep token issue --role officer --subject jane`` prints the token once (only its SHA-256 is
stored); ``--json`` prints ``{"id", "role", "subject", "country", "token", ...}``. An agency token
needs ``--country``. ``cusdep token revoke ID_OR_TOKEN``.

``cusdep review queue [--state open|all|pending|accept|review|reject|decided|withdrawn] --json``,
``cusdep review show SHA256 --json`` (the REST review object), ``cusdep review decide SHA256
--decision accept|reject --officer ID [--reason TEXT] --json`` (recorded as a ``reviewed`` event
with the officer as actor; an accepted document is anchored by the running node).

``cusdep review checks [--state open|all|pending|waiting|consistent|review|inconsistent|decided]
[--declaration SHA256] --json``: declarations checked against the certificates accepted before
them (``node.review.matching``); ``cusdep review decide-check DECLARATION_SHA256
CERTIFICATE_NUMBER --decision clear|refuse --officer ID [--reason TEXT] --json``.
"""

from __future__ import annotations

import argparse
from typing import Any

from node.api.tokens import ROLES, TokenService
from node.bootstrap import build_node
from node.cli._common import emit_json, emit_line, settings_from, within
from node.review import matching
from node.review.service import DECISIONS, QUEUE_STATES, ReviewService
from node.storage.db import Database


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("token", help="API tokens (admin, officer, agency, auditor)")
    ps = p.add_subparsers(dest="token_command", metavar="SUBCOMMAND", required=True)
    i = ps.add_parser("issue", help="issue a bearer token; printed once")
    i.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="admin: everything; officer: review and send; agency: its own country's registry "
        "writes; auditor: read-only",
    )
    i.add_argument("--subject", required=True, help="who holds it (officer id, agency id, name)")
    i.add_argument("--country", default="", help="the agency's country (agency tokens only)")
    i.add_argument("--days", type=float, help="valid for this many days (default: until revoked)")
    i.add_argument("--json", action="store_true", help="print id, role, ... and the token as JSON")
    i.set_defaults(func=_issue)
    r = ps.add_parser("revoke", help="revoke a token by its id (or the token itself)")
    r.add_argument("token", metavar="ID_OR_TOKEN", help="the id from `token list`, or the token")
    r.add_argument("--json", action="store_true", help="print the revoked token's record as JSON")
    r.set_defaults(func=_revoke)
    ls = ps.add_parser("list", help="list tokens (never their secrets)")
    ls.add_argument("--json", action="store_true", help="print the list as JSON")
    ls.set_defaults(func=_list)

    _register_review(sub)


def _register_review(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("review", help="the officers' review queue and decisions")
    ps = p.add_subparsers(dest="review_command", metavar="SUBCOMMAND", required=True)
    q = ps.add_parser("queue", help="reviews by state (default: open = waiting for an officer)")
    q.add_argument(
        "--state",
        default="open",
        choices=QUEUE_STATES,
        help="open: review or reject, undecided (default); pending: not reviewed yet; "
        "accept|review|reject: that state; decided: an officer decided; withdrawn: accepted, "
        "then the issuer revoked the certificate; all",
    )
    q.add_argument(
        "--limit", type=int, default=100, help="at most this many (1-500), oldest first (100)"
    )
    q.add_argument("--offset", type=int, default=0, help="skip this many first (0)")
    q.add_argument("--json", action="store_true", help="print the rows as JSON")
    q.set_defaults(func=_queue)
    s = ps.add_parser("show", help="one review: result, findings, comparison, decision")
    s.add_argument("sha256", metavar="SHA256_HEX", help="the reviewed document's SHA-256")
    s.add_argument(
        "--json", action="store_true", help="print the whole review (default: a summary)"
    )
    s.set_defaults(func=_show)
    d = ps.add_parser("decide", help="an officer's decision on a reviewed document")
    d.add_argument("sha256", metavar="SHA256_HEX", help="the reviewed document's SHA-256")
    d.add_argument(
        "--decision",
        required=True,
        choices=DECISIONS,
        help="accept (the running node anchors it and tells the partner who sent it) or reject",
    )
    d.add_argument("--officer", required=True, help="the deciding officer's id")
    d.add_argument(
        "--reason", default="", help="why; needed when deciding against the machine's verdict"
    )
    d.add_argument(
        "--json", action="store_true", help="print the whole review (default: the decision)"
    )
    d.set_defaults(func=_decide)
    _register_checks(ps)
    pp = ps.add_parser(
        "prune-pages",
        help="delete the page images of reviews older than DAYS (rendered again when viewed)",
    )
    pp.add_argument(
        "--older-than", type=int, required=True, metavar="DAYS", help="reviews made before then"
    )
    pp.add_argument("--json", action="store_true", help="print the counts as JSON")
    pp.set_defaults(func=_prune_pages)


def _register_checks(ps: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    c = ps.add_parser(
        "checks", help="declarations checked against certificates accepted before them"
    )
    c.add_argument(
        "--state",
        choices=matching.STATES,
        help="open: review or inconsistent, undecided (the default; with --declaration: all); "
        "pending: not checked yet; "
        "waiting: no accepted certificate yet; consistent|review|inconsistent: that outcome; "
        "decided: an officer decided; all",
    )
    c.add_argument("--declaration", metavar="SHA256_HEX", help="only this declaration's checks")
    c.add_argument(
        "--limit", type=int, default=100, help="at most this many (1-500), oldest first (100)"
    )
    c.add_argument("--offset", type=int, default=0, help="skip this many first (0)")
    c.add_argument("--json", action="store_true", help="print the rows as JSON")
    c.set_defaults(func=_checks)
    d = ps.add_parser(
        "decide-check", help="an officer's decision on a declaration-certificate pair"
    )
    d.add_argument("declaration", metavar="DECLARATION_SHA256", help="the declaration's SHA-256")
    d.add_argument("certificate", metavar="CERTIFICATE_NUMBER", help="a certificate it names")
    d.add_argument(
        "--decision",
        required=True,
        choices=matching.DECISIONS,
        help="clear (the goods may go on this certificate) or refuse",
    )
    d.add_argument("--officer", required=True, help="the deciding officer's id")
    d.add_argument(
        "--reason", default="", help="why; needed unless refusing what the check found inconsistent"
    )
    d.add_argument("--json", action="store_true", help="print the whole check (default: a line)")
    d.set_defaults(func=_decide_check)


def _review(args: argparse.Namespace) -> ReviewService:
    """The node's review service, unstarted: reads and decisions need only the database (an
    accepted document is queued; the running node's worker anchors it)."""
    service = build_node(settings_from(args)).extras["review"]
    assert isinstance(service, ReviewService)
    return service


def _queue(args: argparse.Namespace) -> int:
    within("--limit", args.limit, 1, 500)
    within("--offset", args.offset, 0, 10**9)
    rows = _review(args).queue(args.state, args.limit, args.offset)
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            gone = r.get("withdrawn")
            held = r["kind"] == "electronic"  # no scan: a partner's certificate held for its status
            emit_line(
                f"{r['document_sha256']}  {r['state']:<8} {r['verdict'] or '':<7} "
                f"{r['certificate_number'] or ''}"
                + ("  electronic certificate held for its status" if held else "")
                + (f"  withdrawn by {gone['by']} at {gone['at']}" if gone else "")
            )
    return 0


_SUMMARY = (
    "document_sha256",
    "kind",
    "state",
    "verdict",
    "reasons",
    "decision",
    "withdrawn",
    "revoked",
    "electronic",
)


def _show(args: argparse.Namespace) -> int:
    out = _review(args).get(args.sha256)
    emit_json(out if args.json else {k: out[k] for k in _SUMMARY})
    return 0


def _decide(args: argparse.Namespace) -> int:
    out = _review(args).decide(args.sha256, args.decision, args.reason, args.officer)
    emit_json(out["decision"] if not args.json else out)
    return 0


def _checks(args: argparse.Namespace) -> int:
    within("--limit", args.limit, 1, 500)
    within("--offset", args.offset, 0, 10**9)
    service, state = _review(args).matches, args.state
    if args.declaration:
        rows = service.of_declaration(args.declaration.lower())
        rows = [r for r in rows if state in (None, "all") or _in_state(r, state)]
        rows = rows[args.offset : args.offset + args.limit]
    else:
        rows = service.list(state or "open", args.limit, args.offset)
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            emit_line(
                f"{r['declaration_sha256']}  {_printed(r):<20} {r['state']:<12} "
                f"{'; '.join(r['reasons'])}"
            )
    return 0


def _printed(row: dict[str, Any]) -> str:
    """A check's certificate as issued ("AU-2026-000123"), as the officer's screen shows it;
    the key it is filed under ("AU2026000123") only before the pair was checked."""
    return str(row.get("certificate_printed") or row["certificate_number"])


def _in_state(row: dict[str, object], state: str) -> bool:
    return row["state"] in matching.OPEN if state == "open" else row["state"] == state


def _decide_check(args: argparse.Namespace) -> int:
    out = _review(args).matches.decide(
        args.declaration.lower(), args.certificate, args.decision, args.reason, args.officer
    )
    return _json_or_line(
        args, out, f"{out['decision']} {out['declaration_sha256']} {_printed(out)}"
    )


def _prune_pages(args: argparse.Namespace) -> int:
    within("--older-than", args.older_than, 0, 36500)
    out = _review(args).prune_pages(args.older_than)
    return _json_or_line(
        args, out, f"{out['files']} page images of {out['reviews']} reviews, {out['bytes']} bytes"
    )


def _json_or_line(args: argparse.Namespace, out: dict[str, Any], line: str) -> int:
    """Print ``out`` as JSON with ``--json``, else its one-line summary; exit 0."""
    if args.json:
        emit_json(out)
    else:
        emit_line(line)
    return 0


def _tokens(args: argparse.Namespace) -> TokenService:
    settings = settings_from(args)
    db = Database(settings.database_url)
    db.migrate()
    return TokenService(db)


def _issue(args: argparse.Namespace) -> int:
    out = _tokens(args).issue(args.role, args.subject, args.country, days=args.days)
    return _json_or_line(args, out, out["token"])


def _revoke(args: argparse.Namespace) -> int:
    out = _tokens(args).revoke(args.token)
    return _json_or_line(args, out, f"revoked {out['id']} ({out['role']} {out['subject']})")


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
