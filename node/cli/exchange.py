"""``cusdep send`` (queue documents for a partner), ``cusdep replace`` (a replacement
certificate to the partners the replaced one went to) and ``cusdep messages`` (inbox/outbox)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node.cli._common import emit_json, emit_json_list, emit_line, read_file, settings_from, within

if TYPE_CHECKING:
    from node.exchange.service import ExchangeService
    from node.runtime import Node

# ``messages`` without ``--limit`` prints the whole history (the contract's listing), read and
# printed a page at a time: a year's inbox and outbox of a busy post (350k rows) read at once
# took 1 GB of memory
MAX_LIMIT = 10_000
_PAGE = 1000


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("send", help="queue documents for a partner (delivered by `node run`)")
    s.add_argument("files", nargs="+", metavar="FILE", help="any document: JSON, XML, PDF, scan")
    s.add_argument("--to", required=True, metavar="NODE_ID", help="pinned partner node id")
    s.add_argument("--kind", choices=("certificate", "declaration"), default="certificate")
    s.add_argument(
        "--issued-only",
        action="store_true",
        help="refuse (exit 2, nothing queued) a certificate whose own status says it is not "
        "issued (withdrawn, replaced, rejected, provisional); without it, such a certificate "
        "is sent with a warning on stderr and its status in the JSON",
    )
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.set_defaults(func=_send)
    r = sub.add_parser(
        "replace",
        help="send a replacement certificate to the partners the replaced one was sent to",
        description="Replace a certificate this node issued and sent: FILE, the replacement "
        "(a new number, naming the replaced one: canonical JSON `replaces`, an SPS referenced "
        "document of relationship REPLACES), is queued in the durable outbox for every "
        "partner SHA256_HEX was sent to (`node run` delivers it); each no longer accepts the "
        "replaced certificate. Recorded once (a `replaced` event); a certificate this node did "
        "not issue or send, or a replacement keeping its number, is refused (exit 2).",
    )
    r.add_argument("sha256", metavar="SHA256_HEX", help="the replaced certificate's SHA-256")
    r.add_argument("file", metavar="FILE", help="the replacement certificate (JSON or XML)")
    r.add_argument("--actor", default="", help="who replaces it (default: this node's id)")
    r.add_argument("--json", action="store_true", help="print the result as JSON (always JSON)")
    r.set_defaults(func=_replace)
    m = sub.add_parser("messages", help="list exchanged messages")
    m.add_argument("--direction", choices=("in", "out"), help="inbox or outbox only")
    m.add_argument("--rejected", action="store_true", help="list refused incoming messages")
    m.add_argument(
        "--limit",
        type=int,
        help=f"at most this many (1-{MAX_LIMIT}), received then sent, oldest first (all)",
    )
    m.add_argument("--offset", type=int, default=0, help="skip this many first (0)")
    m.add_argument("--json", action="store_true", help="print as JSON")
    m.set_defaults(func=_messages)


def _service(args: argparse.Namespace) -> tuple[Node, ExchangeService]:
    from node.bootstrap import build_exchange

    node = build_exchange(settings_from(args))
    assert node.exchange is not None
    return node, node.exchange


def _send(args: argparse.Namespace) -> int:
    from node.exchange.stated import not_valid, status_warning

    files = [(read_file(f), Path(f).name) for f in args.files]
    node, service = _service(args)
    to, only = args.to.upper(), args.issued_only
    try:
        if len(files) == 1:
            data, name = files[0]
            results = [service.send(data, to, args.kind, name, issued_only=only)]
        else:
            results = service.send_many(files, to, args.kind, issued_only=only)
    finally:
        node.db.dispose()
    for r, name in zip(results, args.files, strict=True):
        if not_valid(r.status):  # sent all the same: said, not silent (``exchange.stated``)
            assert r.status is not None
            sys.stderr.write(f"cusdep: warning: {name}: {status_warning(r.status)}\n")
    if args.json:
        emit_json(results[0].to_json() if len(results) == 1 else [r.to_json() for r in results])
    else:
        for r in results:
            emit_line(f"queued {r.message_id} ({r.document_sha256}) for {args.to.upper()}")
    return 0


def _replace(args: argparse.Namespace) -> int:
    from node.exchange.replacing import send_replacement

    data = read_file(args.file)
    node, service = _service(args)
    try:
        actor = args.actor.strip() or node.settings.node.id
        out = send_replacement(service, args.sha256, data, actor, Path(args.file).name)
    finally:
        node.db.dispose()
    emit_json(out)
    return 0


def _messages(args: argparse.Namespace) -> int:
    if args.limit is not None:
        within("--limit", args.limit, 1, MAX_LIMIT)
    within("--offset", args.offset, 0, 10**9)
    node, service = _service(args)
    try:
        pages = _pages(service, args)
        if args.json:
            emit_json_list(pages)
        else:
            for page in pages:
                for i in page:
                    emit_line(
                        "  ".join(
                            str(i.get(k, ""))
                            for k in (
                                "at",
                                "direction",
                                "peer",
                                "kind",
                                "state",
                                "message_id",
                                "code",
                            )
                        )
                    )
    finally:
        node.db.dispose()
    return 0


def _pages(service: ExchangeService, args: argparse.Namespace) -> Iterator[list[dict[str, Any]]]:
    """The listing asked for, ``_PAGE`` rows at a time (``--limit`` rows in all, if given)."""
    offset, left = args.offset, args.limit
    while left is None or left > 0:
        size = _PAGE if left is None else min(_PAGE, left)
        if args.rejected:
            page = service.rejections(size, offset)
        else:
            page = service.messages(args.direction, size, offset)
        if page:
            yield page
        if len(page) < size:
            return
        offset += len(page)
        left = None if left is None else left - len(page)
