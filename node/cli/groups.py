"""The explicit list of command-group modules. Add a module here to add commands."""

from __future__ import annotations

from types import ModuleType

from node.cli import api, chain, convert, exchange, init, partner, registry, serve, verify
from simulator import cli as simulator_cli

GROUPS: tuple[ModuleType, ...] = (
    init, registry, chain, verify, partner, exchange, serve, simulator_cli, convert, api,
)
