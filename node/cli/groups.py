"""The explicit list of command-group modules. Add a module here to add commands."""

from __future__ import annotations

from types import ModuleType

from node.cli import api, chain, convert, evaluate, exchange, init, partner, registry, serve, verify
from simulator import cli as simulator_cli

GROUPS: tuple[ModuleType, ...] = (
    init, registry, chain, verify, evaluate, partner, exchange, serve, simulator_cli, convert,
    api,
)
