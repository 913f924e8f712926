"""``cusdep anchor``, ``cusdep trace``, ``cusdep revoke`` and consortium administration."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from node.bootstrap import build_node
from node.cli._common import emit_json, read_file, settings_from
from node.documents import anchor_files, as_cli
from node.runtime import Node
from node.trace import trace


def with_node(args: argparse.Namespace, work: Callable[[Node], Awaitable[Any]]) -> Any:
    """Build the node from ``--home``, open its resources, run ``work``, close."""
    settings = settings_from(args)

    async def run() -> Any:
        async with build_node(settings) as node:
            return await work(node)

    return asyncio.run(run())


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "anchor",
        help="anchor the files' SHA-256 now; waits for the receipt",
        description="Store the files and anchor their SHA-256 on the chain now, in a Merkle "
        "root with whatever else is pending, waiting for the receipt (a file anchored before "
        "is reported as it was). Prints each document's leaf, root, transaction and block; "
        "`cusdep trace SHA256` shows its proof.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="any files (their bytes are hashed)")
    p.add_argument("--json", action="store_true", help="print the result as JSON (always JSON)")
    p.set_defaults(func=_anchor)

    p = sub.add_parser("trace", help="provenance of a document and its proof checked on chain")
    p.add_argument("sha256", metavar="SHA256_HEX", help="the document's SHA-256, 64 hex digits")
    p.add_argument("--json", action="store_true", help="print the result as JSON (always JSON)")
    p.set_defaults(func=_trace)

    p = sub.add_parser(
        "revoke",
        help="revoke a document: on chain if anchored here, and to the partners it was sent",
        description="Revoke a document this node anchored (on chain, `revokedIn(root, leaf)`) "
        "and/or sent: each partner it was sent to is sent a signed revocation (queued in the "
        "durable outbox; `node run` delivers it), which it records on the document's trace. An "
        "issuer withdraws a certificate so. Recorded once (a `revoked` event); a document "
        "neither anchored here nor sent is refused (exit 2).",
    )
    p.add_argument("sha256", metavar="SHA256_HEX", help="the document's SHA-256, 64 hex digits")
    p.add_argument("--reason", required=True, help="why (recorded, and sent to the partners)")
    p.add_argument("--actor", default="", help="who revokes it (default: this node's id)")
    p.add_argument("--json", action="store_true", help="print the result as JSON (always JSON)")
    p.set_defaults(func=_revoke)

    p = sub.add_parser("consortium", help="consortium administration (contract admin only)")
    csub = p.add_subparsers(dest="action", required=True)
    a = csub.add_parser("add-authority", help="let an account write registry records for a country")
    a.add_argument("--country", required=True)
    a.add_argument("--account", required=True, help="the authority's EVM address")
    a.set_defaults(func=_add_authority)
    a = csub.add_parser("authorise-anchor", help="let an account anchor roots")
    a.add_argument("--account", required=True, help="the node's EVM address")
    a.set_defaults(func=_authorise_anchor)
    a = csub.add_parser("account", help="show this node's EVM account and contracts")
    a.set_defaults(func=_account)
    a = csub.add_parser(
        "transfer-admin",
        help="propose an account as the contracts' admin (it must accept-admin)",
        description="Step one of handing over the admin role of both contracts: propose the "
        "account, which takes the role only when its node runs `cusdep consortium "
        "accept-admin`; until then this node stays the admin. Proposing another account, or "
        "--cancel, withdraws the proposal.",
    )
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--account", help="the new admin node's EVM address")
    who.add_argument("--cancel", action="store_true", help="withdraw the proposal")
    a.set_defaults(func=_transfer_admin)
    a = csub.add_parser(
        "accept-admin", help="take the admin role the admin proposed this node's account for"
    )
    a.set_defaults(func=_accept_admin)
    for each in csub.choices.values():  # they print JSON; --json as every other command takes
        each.add_argument("--json", action="store_true", help="print as JSON (always JSON)")


def _anchor(args: argparse.Namespace) -> int:
    items = [(f, read_file(f)) for f in args.files]  # read all first: nothing half-done
    infos = with_node(args, lambda node: anchor_files(node, items))
    emit_json(as_cli(infos))
    return 0


def _trace(args: argparse.Namespace) -> int:
    emit_json(with_node(args, lambda node: trace(node, args.sha256)))
    return 0


def _revoke(args: argparse.Namespace) -> int:
    async def work(node: Node) -> Any:
        review = node.extras["review"]
        actor = args.actor.strip() or node.settings.node.id
        return await review.revoke_document(args.sha256, args.reason, actor)

    emit_json(with_node(args, work))
    return 0


def _add_authority(args: argparse.Namespace) -> int:
    from node.consortium import add_authority

    emit_json(with_node(args, lambda node: add_authority(node, args.country, args.account)))
    return 0


def _authorise_anchor(args: argparse.Namespace) -> int:
    from node.consortium import authorise_anchor

    emit_json(with_node(args, lambda node: authorise_anchor(node, args.account)))
    return 0


def _account(args: argparse.Namespace) -> int:
    from node.consortium import account

    emit_json(with_node(args, account))
    return 0


def _transfer_admin(args: argparse.Namespace) -> int:
    from node.consortium import transfer_admin

    account = None if args.cancel else args.account
    emit_json(with_node(args, lambda node: transfer_admin(node, account)))
    return 0


def _accept_admin(args: argparse.Namespace) -> int:
    from node.consortium import accept_admin

    emit_json(with_node(args, accept_admin))
    return 0
