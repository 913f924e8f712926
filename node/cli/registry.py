"""``cusdep registry …`` and ``cusdep templates …``: specimens and templates, hashes on chain."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from node.cli._common import emit_json, read_file
from node.cli.chain import with_node
from node.registry.bundle import export_bundle, import_bundle, read_bundle
from node.runtime import Node


def _reg(node: Node) -> Any:
    assert node.registry is not None
    return node.registry


_JSON = "print the result as JSON (these commands print JSON either way)"
_SPECIMEN = (
    "%s: PNG, JPEG or TIFF (at most 10 MiB, 16 megapixels) that records its resolution "
    "(PNG pHYs, JPEG JFIF or TIFF dpi), else 300 dpi is assumed"
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("registry", help="issuing agencies, seal and signature specimens")
    rsub = p.add_subparsers(dest="action", required=True)

    a = rsub.add_parser("add-agency", help="register an issuing agency")
    a.add_argument(
        "--id", required=True, help="agency id, e.g. AU-DAFF (1-64 of A-Z a-z 0-9 . _ -)"
    )
    a.add_argument(
        "--country",
        required=True,
        help="ISO 3166 alpha-2 code; our own country's agencies are authoritative records, "
        "another's an attestation of ours",
    )
    a.add_argument("--name", required=True, help="the agency's name as printed on its papers")
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_add_agency)

    a = rsub.add_parser("add-seal", help="register an official seal specimen image")
    a.add_argument("--agency", required=True, help="id of the registered agency the seal is of")
    a.add_argument("--id", required=True, help="seal id, e.g. AU-DAFF-S1")
    a.add_argument("--image", required=True, metavar="FILE", help=_SPECIMEN % "a clean impression")
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_add_seal)

    a = rsub.add_parser("add-officer", help="register an officer and signature specimen")
    a.add_argument("--agency", required=True, help="id of the registered agency the officer is of")
    a.add_argument("--id", required=True, help="officer id, e.g. AU-DAFF-O7")
    a.add_argument("--name", required=True, help="the officer's name as printed on certificates")
    a.add_argument(
        "--signature", required=True, metavar="FILE", help=_SPECIMEN % "the officer's signature"
    )
    a.add_argument(
        "--valid-from",
        metavar="YYYY-MM-DD",
        help="first day the officer may sign, from 00:00 UTC (default: no start)",
    )
    a.add_argument(
        "--valid-to",
        metavar="YYYY-MM-DD",
        help="last day the officer may sign, until 24:00 UTC (default: no end)",
    )
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_add_officer)

    a = rsub.add_parser(
        "import",
        help="register a whole bundle: agencies, seals, officers, templates",
        description="Register every record of a registry bundle (DIR/bundle.json and the "
        "files it names, as `cusdep simulate corpus` writes under DIR/registry/) in one go. "
        "All are checked first: one bad or conflicting record and nothing is written. A "
        "record registered before with the same content is left as it is, so an import "
        "stopped part way is finished by running it again.",
    )
    _bundle_arguments(a, "the bundle's directory (or its parent)", _import)

    a = rsub.add_parser(
        "export",
        help="write our records confirmed on chain as a bundle (what `import` reads)",
        description="Write the records this node registered that are confirmed on chain (not "
        "pending, not revoked) into DIR as a registry bundle: bundle.json (with each record's "
        "SHA-256 and transaction) and each file as it was registered, its SHA-256 the chain's. "
        "DIR must be new or empty; it is written whole or not at all.",
    )
    _bundle_arguments(a, "where to write the bundle (new or empty)", _export)

    a = rsub.add_parser("revoke", help="revoke one of our records")
    a.add_argument(
        "kind", choices=["agency", "seal", "officer", "template"], help="the record's kind"
    )
    a.add_argument("--id", required=True, help="id of the record to revoke")
    a.add_argument("--reason", required=True, help="why, recorded on chain with the revocation")
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_revoke)

    a = rsub.add_parser(
        "set-validity",
        help="extend, cut short or correct one of our officers' validity",
        description="The officer's validity changed on chain (the registrar's own record), "
        "here, and at partners, who review with the chain's. A date left out is open.",
    )
    a.add_argument("--id", required=True, help="the officer's id")
    a.add_argument("--valid-from", metavar="YYYY-MM-DD", help="first day, from 00:00 UTC")
    a.add_argument("--valid-to", metavar="YYYY-MM-DD", help="last day, to 23:59:59 UTC")
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_set_validity)

    a = rsub.add_parser("list", help="list registry records known to this node")
    a.add_argument(
        "--kind", choices=["agency", "seal", "officer", "template"], help="only this kind"
    )
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_list)

    p = sub.add_parser("templates", help="certificate templates for field extraction")
    tsub = p.add_subparsers(dest="action", required=True)
    a = tsub.add_parser("add", help="register a template JSON (its SHA-256 goes on chain)")
    a.add_argument(
        "file",
        metavar="TEMPLATE_JSON",
        help="template in the contract's JSON format (docs/cli-contract.md); its agency must "
        "be registered and of its issuing_country",
    )
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_add_template)
    a = tsub.add_parser("list", help="list registered templates")
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=_list_templates)


def _bundle_arguments(
    a: argparse.ArgumentParser, where: str, func: Callable[[argparse.Namespace], int]
) -> None:
    """``import`` and ``export``: the bundle's directory, ``--country``, ``--json``."""
    a.add_argument("directory", metavar="DIR", help=where)
    a.add_argument(
        "--country",
        action="append",
        metavar="CC",
        help="only the agencies of this country and their records (repeatable)",
    )
    a.add_argument("--json", action="store_true", help=_JSON)
    a.set_defaults(func=func)


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


def _import(args: argparse.Namespace) -> int:
    plan = read_bundle(args.directory, args.country)
    emit_json(with_node(args, lambda n: import_bundle(_reg(n), plan)))
    return 0


async def _exported(node: Node, args: argparse.Namespace) -> dict[str, Any]:
    return export_bundle(_reg(node), args.directory, args.country)


def _export(args: argparse.Namespace) -> int:
    emit_json(with_node(args, lambda n: _exported(n, args)))
    return 0


def _set_validity(args: argparse.Namespace) -> int:
    emit_json(
        with_node(
            args, lambda n: _reg(n).set_officer_validity(args.id, args.valid_from, args.valid_to)
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
