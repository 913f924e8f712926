"""Open the node's chain: embedded anvil or an external RPC, the account, and the contracts.

On a development chain with no contracts configured, the node funds its own account, deploys
DocumentAnchor and TrustRegistry (becoming their admin), registers itself as its country's
authority, and records the addresses in config.toml.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from eth_account.signers.local import LocalAccount

from node.chain import _eth  # noqa: F401  (keeps the recursion limit eth-account raises)
from node.chain.anchor import Web3ChainAnchor
from node.chain.client import ChainClient, load_account, new_account
from node.chain.devchain import CHAIN_DIR, embedded_anvil
from node.chain.registry import Web3TrustRegistry
from node.config import Settings, write_settings
from node.errors import ChainUnavailable, ConfigError

logger = logging.getLogger(__name__)

_DEV_FUNDING = 10_000 * 10**18
_WATCH_SECONDS = 2.0  # how often a node looks whether its embedded anvil still runs
CHAIN_KEY = "chain.key"
SEND_LOCK = "send.lock"  # one process of the home sends from its account at a time (client.py)


def chain_account(home: Path) -> LocalAccount:
    """The node's EVM account, created on first use (keys/chain.key, 0600)."""
    path = home / "keys" / CHAIN_KEY
    if path.exists():
        return load_account(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    account = new_account()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(account.key.hex())
    return account


class Chain:
    """The node's chain connection as a lifecycle component.

    ``start`` brings up the embedded anvil (if any) and prepares the contracts; an external
    RPC that is down at start only delays preparation until the first successful use.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedded = embedded_anvil(settings)
        url = self.embedded.url if self.embedded else settings.chain.rpc_url
        self.client = ChainClient(
            url,
            chain_account(settings.home),
            receipt_timeout=settings.chain.receipt_timeout,
            send_lock=settings.home / CHAIN_DIR / SEND_LOCK,
        )
        self.anchor = Web3ChainAnchor(self.client, self._anchor_address)
        self.registry = Web3TrustRegistry(self.client, self._registry_address)
        self._prepare_lock = asyncio.Lock()
        self._prepared = False
        self._watch: asyncio.Task[None] | None = None
        self.unreachable_at_start = ""  # why the chain could not be prepared at start, if so

    @property
    def rpc_url(self) -> str:
        return self.client.rpc_url

    async def start(self) -> None:
        if self.embedded is not None:  # it may have moved port (recorded in config.toml)
            self.client.move_to(await asyncio.to_thread(self.embedded.ensure))
            self._watch = asyncio.create_task(self._keep_embedded(), name="embedded-anvil")
        try:
            await self.prepare()
        except ChainUnavailable as err:
            # not a warning here: a one-shot command that needs the chain fails with this
            # same error as its one line on stderr; a served node warns (``cusdep node run``)
            self.unreachable_at_start = err.roll_up()
            logger.info("chain not reachable at start (%s): will retry on use", err.roll_up())

    async def _keep_embedded(self) -> None:
        """Start the embedded anvil again, from its state file, when it has died (killed,
        out of memory): the node keeps the chain it runs by itself, as a command would."""
        assert self.embedded is not None
        while True:
            await asyncio.sleep(_WATCH_SECONDS)
            if self.embedded.running_pid() is not None:
                continue
            logger.warning("embedded anvil is gone: starting it again from its state")
            try:
                self.client.move_to(await asyncio.to_thread(self.embedded.ensure))
            except (ChainUnavailable, OSError) as err:
                logger.warning("embedded anvil did not start again (%s): will retry", err)

    async def aclose(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await self.client.aclose()
        if self.embedded is not None:
            await asyncio.to_thread(self.embedded.stop)

    async def prepare(self) -> None:
        """Fund, deploy and register where needed; idempotent and safe to call concurrently."""
        if self._prepared:
            return
        async with self._prepare_lock:
            if self._prepared:
                return
            client = self.client
            if not (self.settings.chain.anchor_contract and self.settings.chain.registry_contract):
                await _deploy(self.settings, client)
            elif await client.is_dev_chain() and await client.balance() == 0:
                await client.fund_self(_DEV_FUNDING)
            self._prepared = True

    async def _anchor_address(self) -> str:
        await self.prepare()
        return self.settings.chain.anchor_contract

    async def _registry_address(self) -> str:
        await self.prepare()
        return self.settings.chain.registry_contract


async def _deploy(settings: Settings, client: ChainClient) -> None:
    if await client.is_dev_chain():
        await client.fund_self(_DEV_FUNDING)
    elif await client.balance() == 0:
        raise ConfigError(
            f"no contracts configured and account {client.address} has no funds: set "
            "chain.anchor_contract and chain.registry_contract, or fund the account"
        )
    anchor = await client.deploy("DocumentAnchor")
    registry = await client.deploy("TrustRegistry")
    settings.chain.anchor_contract = anchor
    settings.chain.registry_contract = registry
    settings.chain.chain_id = await client.chain_id()
    reg = Web3TrustRegistry(client, _const(registry))
    await reg.add_authority(settings.node.country, client.address)
    write_settings(settings)
    logger.info("deployed contracts: anchor %s registry %s", anchor, registry)


def _const(value: str) -> Callable[[], Awaitable[str]]:
    async def resolve() -> str:
        return value

    return resolve
