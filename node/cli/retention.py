"""``cusdep retention apply|kept|hold|release|holds|disposals``: the retention policy for documents.

``cusdep retention apply [--dry-run] [--json]`` disposes of the bytes of the documents older
than ``[retention] documents_days`` whose work is done and that no legal hold keeps (or, with
``--dry-run``, lists them and changes nothing); with the policy off it disposes of nothing.
Both count, per reason, the documents past the period that stay (``kept``); ``cusdep retention
kept [--reason R] [--limit N] [--offset N]`` lists them, oldest first, with their reasons.
``cusdep retention hold SHA256 --reason TEXT [--by NAME]`` and ``release`` put and lift a
legal hold (a ``held``/``released`` event in the document's trace).
"""

from __future__ import annotations

import argparse
from typing import Any

from node.cli._common import emit_json, emit_line, settings_from, within


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("retention", help="dispose of old documents' bytes; legal holds")
    ps = p.add_subparsers(dest="retention_command", metavar="SUBCOMMAND", required=True)
    a = ps.add_parser(
        "apply", help="dispose of the documents [retention] documents_days lets go, now"
    )
    a.add_argument("--dry-run", action="store_true", help="list what would go; change nothing")
    a.add_argument("--json", action="store_true", help="print the outcome as JSON")
    a.set_defaults(func=_apply)
    for name, text in (("hold", "put a legal hold on a document"), ("release", "lift it")):
        h = ps.add_parser(name, help=text)
        h.add_argument("sha256", metavar="SHA256_HEX", help="the document's SHA-256")
        h.add_argument("--reason", required=True, help="why (recorded in the document's trace)")
        h.add_argument("--by", default="operator", help="who decided it (default: operator)")
        h.add_argument("--json", action="store_true", help="print the hold as JSON")
        h.set_defaults(func=_hold if name == "hold" else _release)
    ls = ps.add_parser("holds", help="the legal holds in force")
    ls.add_argument("--json", action="store_true", help="print them as JSON")
    ls.set_defaults(func=_holds)
    k = ps.add_parser("kept", help="the documents past the period that stay, and why")
    k.add_argument(
        "--reason", default=None, help="only those kept for this reason (e.g. review_failed)"
    )
    k.add_argument("--limit", type=int, default=100, help="at most this many (1-10000)")
    k.add_argument("--offset", type=int, default=0, help="skip this many first (0)")
    k.add_argument("--json", action="store_true", help="print them as JSON")
    k.set_defaults(func=_kept)
    d = ps.add_parser("disposals", help="the documents whose bytes were disposed of")
    d.add_argument("--limit", type=int, default=100, help="at most this many (1-10000)")
    d.add_argument("--offset", type=int, default=0, help="skip this many first (0)")
    d.add_argument("--json", action="store_true", help="print them as JSON")
    d.set_defaults(func=_disposals)


def _service(args: argparse.Namespace) -> Any:
    import functools

    from node.retention.service import RetentionService, disposed_error
    from node.storage.blobs import BlobStore
    from node.storage.db import Database

    settings = settings_from(args)
    db = Database(settings.database_url)
    db.migrate()
    blobs = BlobStore(settings.home / "blobs", gone=functools.partial(disposed_error, db))
    return RetentionService(
        db, blobs, home=settings.home, settings=settings.retention, actor=settings.node.id
    )


def _apply(args: argparse.Namespace) -> int:
    out = _service(args).apply(dry_run=args.dry_run)
    if args.json:
        emit_json(out)
        return 0
    if not out["enabled"]:
        emit_line("retention is off ([retention] documents_days = 0): nothing disposed of")
        return 0
    for d in out["documents"]:
        emit_line(f"{d['sha256']}  {d['kind']:<12} {d['created_at']}  {d['size']} bytes")
    verb = "would be disposed of" if args.dry_run else "disposed of"
    emit_line(
        f"{len(out['documents'])} documents {verb} (older than {out['documents_days']} days, "
        f"before {out['cutoff']}); {out['held']} held"
    )
    kept = out["kept"]
    if kept["documents"]:
        from node.retention.kept import summary

        emit_line(f"{summary(kept)}: `cusdep retention kept`")
    return 0


def _kept(args: argparse.Namespace) -> int:
    within("--limit", args.limit, 1, 10000)
    within("--offset", args.offset, 0, 10**9)
    rows = _service(args).kept(args.reason, args.limit, args.offset)
    if args.json:
        emit_json(rows)
    for r in [] if args.json else rows:
        emit_line(f"{r['sha256']}  {r['kind']:<12} {r['arrived']}  {' '.join(r['reasons'])}")
    return 0


def _hold(args: argparse.Namespace) -> int:
    out = _service(args).hold(args.sha256.lower(), args.by, args.reason)
    return _out(args, out, f"held {out['document_sha256']}")


def _release(args: argparse.Namespace) -> int:
    out = _service(args).release(args.sha256.lower(), args.by, args.reason)
    return _out(args, out, f"released {out['document_sha256']}")


def _holds(args: argparse.Namespace) -> int:
    rows = _service(args).holds()
    if args.json:
        emit_json(rows)
    for r in [] if args.json else rows:
        emit_line(f"{r['document_sha256']}  {r['held_at']}  {r['held_by']}: {r['reason']}")
    return 0


def _disposals(args: argparse.Namespace) -> int:
    within("--limit", args.limit, 1, 10000)
    within("--offset", args.offset, 0, 10**9)
    rows = _service(args).disposals(args.limit, args.offset)
    if args.json:
        emit_json(rows)
    for r in [] if args.json else rows:
        emit_line(f"{r['document_sha256']}  {r['disposed_at']}  {r['policy'].get('run_id', '')}")
    return 0


def _out(args: argparse.Namespace, out: dict[str, Any], line: str) -> int:
    if args.json:
        emit_json(out)
    else:
        emit_line(line)
    return 0
