"""``cusdep node run``: serve in the foreground until SIGTERM/SIGINT, then drain and exit 0;
``cusdep node backup --out DIR``: a consistent copy of the home while it runs (``node.backup``).

When everything is up it prints one JSON line on stdout, ``{"event": "ready", ...}`` with the
bound ports, so supervisors and tests can wait for it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from pathlib import Path
from typing import Any

from node import corelog
from node.bootstrap import build_node
from node.cli._common import emit_json, emit_line, settings_from
from node.config import Settings
from node.exchange.grpc_server import GrpcExchangeServer
from node.exchange.partners import Partner, pinned_at_own_endpoint
from node.exchange.tls import expiring_certificates
from node.home_lock import hold_home
from node.identity import Identity
from node.runtime import Node

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("node", help="run the node; back up its home")
    ps = p.add_subparsers(dest="node_command", metavar="SUBCOMMAND", required=True)
    r = ps.add_parser("run", help="serve gRPC (and REST) in the foreground; SIGTERM stops it")
    r.set_defaults(func=_run, json_logs=True)
    b = ps.add_parser(
        "backup", help="copy this home (database, keys, documents, chain state) while it runs"
    )
    b.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory")
    b.add_argument("--json", action="store_true", help="(the output is always JSON)")
    b.set_defaults(func=_backup)


def _run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with hold_home(settings.home), corelog.captured():  # gRPC C-core's lines as JSON records
        return asyncio.run(_serve(settings))


def _backup(args: argparse.Namespace) -> int:
    from node.backup import backup_home

    emit_json(backup_home(settings_from(args), Path(args.out)))
    return 0


async def _serve(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    node = build_node(settings)
    async with node:
        await node.start_workers()
        if node.chain is not None and node.chain.unreachable_at_start:
            logger.warning(
                "chain not reachable at start (%s): will retry on use",
                node.chain.unreachable_at_start,
            )
        if node.exchange is not None:
            _warn_about_partners(settings, node.exchange.identity, node.exchange.partners.all())
        emit_line(json.dumps(_ready(node)))
        await stop.wait()
        logger.info("stopping: draining in-flight work")
    emit_line(json.dumps({"event": "stopped", "node_id": settings.node.id}))
    return 0


def _warn_about_partners(settings: Settings, identity: Identity, partners: list[Partner]) -> None:
    """At start, a warning for each certificate TLS with partners depends on that has ended or
    ends soon, and for each partner pinned at this node's own gRPC endpoint."""
    for ending in expiring_certificates(identity, partners):
        logger.warning("TLS: %s", ending)
    for partner in partners:
        clash = pinned_at_own_endpoint(settings, partner)
        if clash:
            logger.warning("partners: %s", clash)


def _ready(node: Node) -> dict[str, Any]:
    grpc_port = next((w.port for w in node.workers if isinstance(w, GrpcExchangeServer)), None)
    return {
        "event": "ready",
        "node_id": node.node_id,
        "grpc_port": grpc_port,
        "api_port": node.settings.api.port,
    }
