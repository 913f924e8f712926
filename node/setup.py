"""``cusdep init``: create a node's home — config, identity, database and chain wiring."""

from __future__ import annotations

import asyncio
import random
import re
import socket
from pathlib import Path

from node.chain.devchain import PortTaken
from node.chain.wiring import Chain, chain_account
from node.config import NodeIdentity, Settings, load_settings, write_settings
from node.errors import Conflict, InputError
from node.identity import create_identity
from node.storage.db import Database

_NODE_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9][A-Z0-9-]{0,30}$")


def default_node_id(country: str, name: str) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", name).upper()
    return f"{country.upper()}-{letters[:3] or 'NODE'}"


_LISTEN_PORTS = (20000, 32768)  # below Linux's usual range for outgoing connections
_TRIES = 64
# Ports this process has handed out: each is bound only when its node starts, so until then it
# is free and could be handed out again (two test nodes initialised one after the other drew
# the same port, and the second to start could not bind it).
_HANDED_OUT: set[int] = set()


def free_port(preferred: int = 0) -> int:
    """``preferred`` if it can be bound on loopback, else a free port below the range the OS
    hands out for outgoing connections (``ip_local_port_range``), else an ephemeral one. The
    port is bound by the node later: an ephemeral one can be taken in between by any client's
    outgoing connection (a test node failed to bind 36405 so), one below that range only by
    another listener; and none is handed out twice by one process (``_HANDED_OUT``)."""
    rng = random.Random()
    low, high = _LISTEN_PORTS[0], min(_LISTEN_PORTS[1], _ephemeral_low())
    below = [rng.randrange(low, high) for _ in range(_TRIES)] if high > low else []
    fresh = [c for c in below if c not in _HANDED_OUT]
    first = [preferred] if preferred and preferred not in _HANDED_OUT else []
    for candidate in first + fresh + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
        _HANDED_OUT.add(port)
        return port
    raise InputError("no free TCP port on 127.0.0.1")


def _ephemeral_low() -> int:
    """The lowest port the OS picks for outgoing connections (Linux; 32768 elsewhere)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _LISTEN_PORTS[1]


def _address(value: str | None, what: str) -> str:
    if not value:
        return ""
    v = value.strip()
    if not (
        v.startswith("0x") and len(v) == 42 and all(c in "0123456789abcdefABCDEF" for c in v[2:])
    ):
        raise InputError(f"{what} must be a 0x-prefixed 20-byte address, got {value!r}")
    return v


def initialise_node(
    home: Path,
    *,
    country: str,
    name: str,
    node_id: str | None = None,
    rpc_url: str | None = None,
    grpc_port: int | None = None,
    api_port: int | None = None,
    anchor_contract: str | None = None,
    registry_contract: str | None = None,
) -> Settings:
    existing = load_settings(home, require_init=False)
    if existing.initialised:
        raise Conflict(f"{existing.home} already holds node {existing.node.id}")
    country = country.upper()
    if len(country) != 2 or not country.isalpha():
        raise InputError(f"--country must be an ISO 3166 alpha-2 code, got {country!r}")
    if not name.strip():
        raise InputError("--name must not be empty")
    node_id = (node_id or default_node_id(country, name)).upper()
    if not _NODE_ID.match(node_id):
        raise InputError(f"--id must look like CC-NAME (letters, digits, '-'), got {node_id!r}")
    settings = existing.model_copy(
        update={
            "node": NodeIdentity(id=node_id, country=country, name=name.strip()),
            "chain": existing.chain.model_copy(
                update={
                    "rpc_url": rpc_url or "",
                    "embedded_port": 0 if rpc_url else free_port(8545),
                    "anchor_contract": _address(anchor_contract, "--anchor-contract")
                    or existing.chain.anchor_contract,
                    "registry_contract": _address(registry_contract, "--registry-contract")
                    or existing.chain.registry_contract,
                }
            ),
        }
    )
    settings.exchange.grpc_port = grpc_port or free_port(50051)
    settings.api.port = api_port or free_port(8080)
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    create_identity(home, node_id)
    chain_account(home)
    Database(settings.database_url).migrate()
    write_settings(settings)
    try:
        asyncio.run(_prepare_chain(settings))
    except PortTaken:  # another node's anvil took the port between choosing and starting
        settings.chain.embedded_port = free_port()
        write_settings(settings)
        asyncio.run(_prepare_chain(settings))
    return settings


async def _prepare_chain(settings: Settings) -> None:
    """Start the chain and deploy/record the contracts now, so the first command is quick.

    An external RPC that does not answer is not fatal: the node prepares it on first use.
    """
    chain = Chain(settings)
    try:
        await chain.start()
    finally:
        await chain.aclose()
