"""``cusdep registry …`` and ``cusdep templates …``: specimens and templates, hashes on chain."""

from __future__ import annotations

import argparse
from typing import Any

from node.cli._common import emit_json, read_file
from node.cli.chain import with_node
from node.runtime import Node


def _reg(node: Node) -> Any:
    assert node.registry is not None
    return node.registry


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("registry", help="issuing agencies, seal and signature specimens")
    rsub = p.add_subparsers(dest="action", required=True)

    a = rsub.add_parser("add-agency", help="register an issuing agency")
    a.add_argument("--id", required=True)
    a.add_argument("--country", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_add_agency)

    a = rsub.add_parser("add-seal", help="register an official seal specimen image")
    a.add_argument("--agency", required=True)
    a.add_argument("--id", required=True)
    a.add_argument("--image", required=True)
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_add_seal)

    a = rsub.add_parser("add-officer", help="register an officer and signature specimen")
    a.add_argument("--agency", required=True)
    a.add_argument("--id", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--signature", required=True)
    a.add_argument("--valid-from")
    a.add_argument("--valid-to")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_add_officer)

    a = rsub.add_parser("revoke", help="revoke one of our records")
    a.add_argument("kind", choices=["agency", "seal", "officer", "template"])
    a.add_argument("--id", required=True)
    a.add_argument("--reason", required=True)
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_revoke)

    a = rsub.add_parser("list", help="list registry records known to this node")
    a.add_argument("--kind", choices=["agency", "seal", "officer", "template"])
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_list)

    p = sub.add_parser("templates", help="certificate templates for field extraction")
    tsub = p.add_subparsers(dest="action", required=True)
    a = tsub.add_parser("add", help="register a template JSON (its SHA-256 goes on chain)")
    a.add_argument("file", metavar="TEMPLATE_JSON")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_add_template)
    a = tsub.add_parser("list", help="list registered templates")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_list_templates)


def _add_agency(args: argparse.Namespace) -> int:
    emit_json(with_node(args, lambda n: _reg(n).add_agency(args.id, args.country, args.name)))
    return 0


def _add_seal(args: argparse.Namespace) -> int:
    image = read_file(args.image)
    emit_json(with_node(args, lambda n: _reg(n).add_seal(args.agency, args.id, image)))
    return 0


def _add_officer(args: argparse.Namespace) -> int:
    signature = read_file(args.signature)
    emit_json(
        with_node(
            args,
            lambda n: _reg(n).add_officer(
                args.agency, args.id, args.name, signature, args.valid_from, args.valid_to
            ),
        )
    )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    emit_json(with_node(args, lambda n: _reg(n).revoke(args.kind, args.id, args.reason)))
    return 0


async def _listing(node: Node, kind: str | None) -> list[dict[str, Any]]:
    return list(_reg(node).list(kind))


def _list(args: argparse.Namespace) -> int:
    emit_json(with_node(args, lambda n: _listing(n, args.kind)))
    return 0


def _add_template(args: argparse.Namespace) -> int:
    data = read_file(args.file)
    emit_json(with_node(args, lambda n: _reg(n).add_template(data)))
    return 0


def _list_templates(args: argparse.Namespace) -> int:
    emit_json(with_node(args, lambda n: _listing(n, "template")))
    return 0
