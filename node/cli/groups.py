"""The explicit list of command groups: top-level command -> (module, help).

A module registers the sub-parsers of its commands. Only the module of the command being run is
imported (start-up cost: ``cusdep verify`` need not load gRPC, web3 or the API server); the help
texts here are what ``cusdep --help`` lists without importing any module. Add a command here
to add it; ``tests/unit/test_cli_groups.py`` checks this table against the modules.
"""

from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("node.cli.init", "create this node's home: config, keys, database, chain"),
    "registry": ("node.cli.registry", "issuing agencies, seal and signature specimens"),
    "templates": ("node.cli.registry", "certificate templates for field extraction"),
    "anchor": ("node.cli.chain", "anchor the files' SHA-256 now; waits for the receipt"),
    "trace": ("node.cli.chain", "provenance of a document and its proof checked on chain"),
    "revoke": (
        "node.cli.chain",
        "revoke a document: on chain if anchored here, and to the partners it was sent",
    ),
    "consortium": ("node.cli.chain", "consortium administration (contract admin only)"),
    "verify": ("node.cli.verify", "review a paper-origin certificate scan or PDF"),
    "eval": ("node.cli.evaluate", "run the review pipeline over a simulator corpus and score it"),
    "partner": ("node.cli.partner", "exchange identity cards with partner nodes"),
    "identity": ("node.cli.identity", "this node's signing key and TLS certificate"),
    "send": ("node.cli.exchange", "queue documents for a partner (delivered by `node run`)"),
    "messages": ("node.cli.exchange", "list exchanged messages"),
    "replace": (
        "node.cli.exchange",
        "send a replacement certificate to the partners the replaced one was sent to",
    ),
    "node": ("node.cli.serve", "run the node; back up its home"),
    "simulate": ("simulator.cli", "generate synthetic certificates and traffic"),
    "convert": ("node.cli.convert", "convert a partner document to canonical JSON (or back)"),
    "token": ("node.cli.api", "API tokens (admin, officer, agency, auditor)"),
    "review": ("node.cli.api", "the officers' review queue and decisions"),
    "retention": ("node.cli.retention", "dispose of old documents' bytes; legal holds"),
}


def modules(command: str | None = None) -> list[ModuleType]:
    """The group module of ``command``, or every group module (in table order) for None."""
    names = (
        [COMMANDS[command][0]] if command else list(dict.fromkeys(m for m, _ in COMMANDS.values()))
    )
    return [importlib.import_module(name) for name in names]
