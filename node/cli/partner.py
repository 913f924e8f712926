"""``cusdep partner export|add|remove|list``: exchange and pin partner cards."""

from __future__ import annotations

import argparse
from typing import Any

from node.bootstrap import build_node
from node.cli._common import emit_json, read_file, settings_from
from node.config import Settings
from node.errors import InputError
from node.exchange.partners import (
    Partner,
    add_partner,
    check_not_own_endpoint,
    export_card,
    parse_card,
    pinned_at_own_endpoint,
    remove_partner,
)
from node.identity import load_identity
from node.runtime import Node


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("partner", help="exchange identity cards with partner nodes")
    ps = p.add_subparsers(dest="partner_command", metavar="SUBCOMMAND", required=True)
    e = ps.add_parser("export", help="print this node's card (JSON) for partners to pin")
    e.set_defaults(func=_export)
    a = ps.add_parser("add", help="pin a partner's card: its CA certificate and signing key")
    a.add_argument("file", help="the partner's card (output of its `partner export`)")
    a.add_argument("--replace", action="store_true", help="re-pin a partner whose keys changed")
    a.add_argument("--json", action="store_true", help="print the pinned partner as JSON")
    a.set_defaults(func=_add)
    r = ps.add_parser(
        "remove",
        help="unpin a partner: its CA and key are trusted no more; its queued messages expire",
    )
    r.add_argument("node_id", metavar="NODE_ID", help="the partner's node id")
    r.add_argument("--json", action="store_true", help="(the output is always JSON)")
    r.set_defaults(func=_remove)
    ls = ps.add_parser("list", help="pinned partners")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)


def _export(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    emit_json(export_card(settings, load_identity(settings.home, settings.node.id)).to_json())
    return 0


def _add(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    raw = read_file(args.file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{args.file}: not UTF-8 text") from None
    card = parse_card(text)
    check_not_own_endpoint(settings, card)
    node = build_node(settings)
    try:
        changed = add_partner(node.db, card, own_id=settings.node.id, replace=args.replace)
        shared = _share_registry(node, card.node_id) if changed else 0
    finally:
        node.db.dispose()
    emit_json(
        {
            "node_id": card.node_id,
            "country": card.country,
            "endpoint": card.endpoint,
            "key_id": card.key_id,
            "pinned": True,
            "changed": changed,
            "registry_records_queued": shared,
        }
    )
    return 0


def _share_registry(node: Node, peer: str) -> int:
    """A newly pinned partner gets our live authoritative registry records (registry sync)."""
    assert node.exchange is not None
    node.exchange.partners.refresh()
    if node.registry is None or node.registry.publisher is None:
        return 0
    return node.registry.publisher.share_all(peer)


def _remove(args: argparse.Namespace) -> int:
    node = build_node(settings_from(args))
    try:
        expired = remove_partner(node.db, args.node_id)
    finally:
        node.db.dispose()
    emit_json({"node_id": args.node_id, "removed": True, "messages_expired": expired})
    return 0


def _list(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    node = build_node(settings)
    assert node.exchange is not None
    try:
        partners = node.exchange.partners.all()
    finally:
        node.db.dispose()
    emit_json([_listed(settings, p) for p in partners])
    return 0


def _listed(settings: Settings, partner: Partner) -> dict[str, Any]:
    """A pinned partner, with what is wrong with its card (``warnings``: none, or sentences
    naming what to change, as ``node run`` logs them at start)."""
    clash = pinned_at_own_endpoint(settings, partner)
    return {
        "node_id": partner.node_id,
        "endpoint": partner.endpoint,
        "key_id": partner.key_id,
        "warnings": [clash] if clash else [],
    }
