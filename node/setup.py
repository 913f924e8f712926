"""``cusdep init``: create a node's home — config, identity, database and chain wiring."""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from node.chain.wiring import Chain, chain_account
from node.config import (
    PORT_RANGE,
    NodeIdentity,
    Settings,
    check_address,
    check_rpc_url,
    load_settings,
    write_settings,
)
from node.errors import Conflict, InputError
from node.identity import create_identity
from node.netports import free_port
from node.storage.db import Database

_NODE_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9][A-Z0-9-]{0,30}$")


def default_node_id(country: str, name: str) -> str:
    letters = re.sub(r"[^A-Za-z0-9]", "", name).upper()
    return f"{country.upper()}-{letters[:3] or 'NODE'}"


def _address(value: str | None, what: str) -> str:
    try:
        return check_address(value or "", what)
    except ValueError as err:
        raise InputError(str(err)) from None


def _rpc_url(value: str | None) -> str:
    try:
        return check_rpc_url(value or "", "--rpc-url")
    except ValueError as err:
        raise InputError(str(err)) from None


def _port(value: int | None, option: str) -> int | None:
    """``value`` if it is a TCP port (0 or none: ``init`` chooses a free one)."""
    low, high = PORT_RANGE
    if value is not None and not low <= value <= high:
        raise InputError(f"{option} must be a port {low}-{high} (0: choose one), got {value}")
    return value


def _free_apart(preferred: int, taken: set[int]) -> int:
    """A free port that is none of ``taken`` (the node's other listener's: a port named on the
    command line is free until the node binds it, so ``free_port`` could hand it out again)."""
    port = free_port(0 if preferred in taken else preferred)
    while port in taken:
        port = free_port()
    return port


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
    from node.registry.validate import text  # Pillow and the templates: only for init

    name = text(name, "--name")  # one line of valid text: config.toml, the card, the logs
    node_id = (node_id or default_node_id(country, name)).upper()
    if not _NODE_ID.match(node_id):
        raise InputError(f"--id must look like CC-NAME (letters, digits, '-'), got {node_id!r}")
    if not node_id.startswith(country + "-"):  # partners refuse a card whose id is not
        raise InputError(f"--id {node_id} must begin with the country's code: {country}-...")
    grpc_port, api_port = _port(grpc_port, "--grpc-port"), _port(api_port, "--api-port")
    if grpc_port and grpc_port == api_port:  # the node could never bind its second listener
        raise InputError(f"--grpc-port and --api-port are both {grpc_port}: give each its own")
    rpc_url = _rpc_url(rpc_url)
    settings = existing.model_copy(
        update={
            "node": NodeIdentity(id=node_id, country=country, name=name),
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
    settings.exchange.grpc_port = grpc_port or _free_apart(50051, {api_port or 0})
    settings.api.port = api_port or _free_apart(8080, {settings.exchange.grpc_port})
    home = settings.home
    with _undone_on_failure(home):
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)  # documents, envelopes, token hashes: the node's user's alone
        create_identity(home, node_id)
        chain_account(home)
        Database(settings.database_url).migrate()
        write_settings(settings)
        # if another process took the chain's port since it was chosen, the chain moves to a
        # free one and records it (node.chain.devchain.EmbeddedAnvil)
        asyncio.run(_prepare_chain(settings))
    return settings


@contextlib.contextmanager
def _undone_on_failure(home: Path) -> Iterator[None]:
    """What ``init`` made in ``home`` is removed again if it fails part way (its chain could
    not be prepared: anvil missing, a deployment refused), the config it found there put back:
    running ``init`` again once that is fixed starts afresh instead of finding a home that
    "already holds" a node half made. (A database named by URL keeps its tables: migrating
    them again is a no-op.)"""
    existed = home.exists()
    before = {p.name for p in home.iterdir()} if existed else set()
    config = home / "config.toml"
    old_config = config.read_bytes() if config.exists() else None
    try:
        yield
    except BaseException:
        for path in home.iterdir() if home.exists() else ():
            if path.name in before:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if old_config is not None:
            config.write_bytes(old_config)
        if not existed:
            with contextlib.suppress(OSError):
                home.rmdir()
        raise


async def _prepare_chain(settings: Settings) -> None:
    """Start the chain and deploy/record the contracts now, so the first command is quick.

    An external RPC that does not answer is not fatal: the node prepares it on first use.
    """
    chain = Chain(settings)
    try:
        await chain.start()
    finally:
        await chain.aclose()
