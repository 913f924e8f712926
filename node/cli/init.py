"""``cusdep init``."""

from __future__ import annotations

import argparse
from pathlib import Path

from node.cli._common import emit_json
from node.config import default_home
from node.setup import initialise_node


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="create this node's home: config, keys, database, chain")
    p.add_argument("--country", required=True, help="ISO 3166 alpha-2 code of this authority")
    p.add_argument("--name", required=True, help="name of this customs office")
    p.add_argument("--id", dest="node_id", help="node id, e.g. CN-SHA (default: from country+name)")
    p.add_argument("--rpc-url", help="external EVM JSON-RPC URL (default: embedded anvil)")
    p.add_argument("--anchor-contract", help="existing DocumentAnchor address (consortium chain)")
    p.add_argument("--registry-contract", help="existing TrustRegistry address (consortium chain)")
    p.add_argument("--grpc-port", type=int, help="gRPC exchange port")
    p.add_argument("--api-port", type=int, help="REST API port")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    home = Path(args.home) if args.home else default_home()
    settings = initialise_node(
        home,
        country=args.country,
        name=args.name,
        node_id=args.node_id,
        rpc_url=args.rpc_url,
        grpc_port=args.grpc_port,
        api_port=args.api_port,
        anchor_contract=args.anchor_contract,
        registry_contract=args.registry_contract,
    )
    emit_json(
        {
            "node_id": settings.node.id,
            "country": settings.node.country,
            "home": str(settings.home),
            "grpc_port": settings.exchange.grpc_port,
            "api_port": settings.api.port,
            "rpc_url": settings.chain.rpc_url or "embedded",
            "anchor_contract": settings.chain.anchor_contract,
            "registry_contract": settings.chain.registry_contract,
        }
    )
    return 0
