"""Async EVM client: local signing, nonces, receipts awaited, reverts decoded.

One ``ChainClient`` per process and account. Several processes of one home (the node, any
number of commands) share its account: with ``send_lock`` (a file beside the home's chain
state) each takes the next nonce from the chain and sends under an exclusive ``flock`` on it,
so two of them never sign the same nonce. Transactions are pre-flighted with
``eth_estimateGas`` so a revert surfaces as ``ChainReverted`` carrying the contract's custom
error name, without spending gas. Connection failures become ``ChainUnavailable``.

anvil under automine can leave a burst of transactions stuck in the pool (foundry issue
10122): while waiting for a receipt, if the block number stalls with our transaction pending,
the client mines a block with ``evm_mine`` (development chains only).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.contract import AsyncContract
from web3.exceptions import (
    BadFunctionCallOutput,
    ContractCustomError,
    ContractLogicError,
    ProviderConnectionError,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)

from node.chain import _eth  # noqa: F401  (keeps the recursion limit eth-account raises)
from node.chain.artifacts import abi, artifact, decode_revert
from node.errors import ChainError, ChainReverted, ChainUnavailable, NoContract

logger = logging.getLogger(__name__)

T = TypeVar("T")
_CONNECTION_ERRORS = (
    aiohttp.ClientError,
    asyncio.TimeoutError,
    ConnectionError,
    OSError,
    ProviderConnectionError,
)
_STALL_SECONDS = 1.0


def _reverted(err: ContractLogicError) -> ChainReverted:
    data = err.data if isinstance(err.data, str) else None
    name, args = decode_revert(data)
    if name == "unknown":
        return ChainReverted(f"transaction reverted: {err.message or err}", error="unknown")
    pretty = ", ".join(f"{k}={v}" for k, v in args.items())
    hint = _REMEDY.get(name, "")
    return ChainReverted(f"reverted with {name}({pretty}){hint}", error=name, args=args)


# what the operator can do about the contracts' access-control refusals
_REMEDY = {
    "NotAuthority": (
        ": this node's account is no registry authority; the consortium admin runs "
        "`cusdep consortium add-authority --country CC --account 0x…` "
        "(`cusdep consortium account` shows it)"
    ),
    "NotWriter": (
        ": this node's account may not anchor; the consortium admin runs "
        "`cusdep consortium authorise-anchor --account 0x…`"
    ),
    "NotAdmin": ": only the consortium admin's node may do this",
    "NotPendingAdmin": (
        ": this node's account is not the one the admin proposed; the admin runs "
        "`cusdep consortium transfer-admin --account 0x…` with this node's account "
        "(`cusdep consortium account` shows it)"
    ),
}


async def _guard(call: Awaitable[T]) -> T:
    try:
        return await call
    except ContractCustomError as err:
        raise _reverted(err) from None  # decoded: its raw data would only repeat it
    except ContractLogicError as err:
        raise _reverted(err) from None  # decoded: its raw data would only repeat it
    except _CONNECTION_ERRORS as err:
        raise ChainUnavailable(f"chain RPC unreachable ({type(err).__name__})") from err


class ChainClient:
    def __init__(
        self,
        rpc_url: str,
        account: LocalAccount,
        *,
        receipt_timeout: float = 30.0,
        send_lock: Path | None = None,
    ):
        self.rpc_url = rpc_url
        self.account = account
        self.receipt_timeout = receipt_timeout
        self.send_lock = send_lock
        self.w3 = _web3(rpc_url)
        self._nonce: int | None = None
        self._lock = asyncio.Lock()
        self._chain_id: int | None = None
        self._dev: bool | None = None

    @property
    def address(self) -> str:
        return str(self.account.address)

    def move_to(self, rpc_url: str) -> None:
        """Talk to the same chain at another URL (the embedded anvil moved port at start)."""
        if rpc_url != self.rpc_url:
            self.rpc_url = rpc_url
            self.w3 = _web3(rpc_url)

    async def start(self) -> None:
        await self.chain_id()

    async def aclose(self) -> None:
        await self.w3.provider.disconnect()

    async def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(await _guard(self.w3.eth.chain_id))
        return self._chain_id

    async def is_dev_chain(self) -> bool:
        if self._dev is None:
            version = str(await _guard(self.w3.client_version)).lower()
            self._dev = "anvil" in version or "hardhat" in version or "ganache" in version
        return self._dev

    async def block_number(self) -> int:
        return int(await _guard(self.w3.eth.block_number))

    async def rpc(self, method: str, params: list[Any]) -> Any:
        response = await _guard(self.w3.provider.make_request(method, params))  # type: ignore[arg-type]
        if "error" in response:
            raise ChainUnavailable(f"{method}: {response['error']}")
        return response.get("result")

    async def fund_self(self, wei: int) -> None:
        """On a development chain, give our own account a balance (anvil_setBalance)."""
        await self.rpc("anvil_setBalance", [self.address, hex(wei)])

    async def balance(self) -> int:
        return int(await _guard(self.w3.eth.get_balance(self.account.address)))

    def contract(self, name: str, address: str) -> AsyncContract:
        return self.w3.eth.contract(address=AsyncWeb3.to_checksum_address(address), abi=abi(name))

    async def deploy(self, name: str, art: dict[str, Any] | None = None) -> str:
        """Deploy the packaged contract ``name`` (or the compiled artifact ``art``)."""
        art = art or artifact(name)
        factory = self.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        receipt = await self._send(lambda tx: factory.constructor().build_transaction(tx))
        address = receipt["contractAddress"]
        logger.info("deployed %s at %s", name, address)
        return str(address)

    async def call(self, fn: Any) -> Any:
        try:
            return await _guard(fn.call())
        except BadFunctionCallOutput as err:  # the call came back empty: no code there
            raise ChainUnavailable(
                f"no contract at {fn.address} on the chain at {self.rpc_url} (a chain that "
                "was reset, or another chain)"
            ) from err

    async def call_batch(self, fns: Sequence[Any]) -> list[Any]:
        """Read-only contract calls sent as one JSON-RPC batch; results in order."""
        if not fns:
            return []
        async with self.w3.batch_requests() as batch:
            for fn in fns:
                batch.add(fn.call())
            return list(await _guard(batch.async_execute()))

    async def eth_calls(
        self, to: str, data: Sequence[str], *, block: int | None = None
    ) -> list[bytes]:
        """``eth_call`` of each call ``data`` at contract ``to``, one JSON-RPC batch (as of
        block number ``block``, else the latest): the raw results in order. The ABI is the
        caller's (``node.chain.reader``): web3's contract machinery cost about 2 ms a call,
        a second for a registry of 570 records."""
        if not data:
            return []
        tag = "latest" if block is None else hex(block)
        requests = [("eth_call", [{"to": to, "data": d}, tag]) for d in data]
        replies = await _guard(self.w3.provider.make_batch_request(requests))  # type: ignore[arg-type]
        if not isinstance(replies, list):  # the whole batch refused
            raise ChainUnavailable(f"eth_call batch: {dict(replies).get('error') or replies}")
        if len(replies) != len(data):
            raise ChainUnavailable(f"eth_call batch: {len(replies)} replies to {len(data)} calls")
        out = []
        for reply in sorted(replies, key=lambda r: int(r.get("id") or 0)):  # in request order
            if "error" in reply or "result" not in reply:
                raise ChainError(f"eth_call: {reply.get('error') or 'no result'}")
            out.append(bytes.fromhex(str(reply["result"]).removeprefix("0x")))
        return out

    async def transact(self, fn: Any) -> dict[str, Any]:
        """Send a contract function call as a signed transaction and wait for its receipt."""
        return await self._send(lambda tx: fn.build_transaction(tx))

    async def _send(
        self, build: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        chain_id = await self.chain_id()
        async with self._lock, self._account_lock():
            for attempt in range(3):
                nonce = await self._next_nonce()
                tx = await _guard(
                    build({"from": self.address, "nonce": nonce, "chainId": chain_id})
                )
                signed = self.account.sign_transaction(tx)
                try:
                    tx_hash = await _guard(self.w3.eth.send_raw_transaction(signed.raw_transaction))
                except Web3RPCError as err:
                    if "nonce" in str(err).lower() and attempt < 2:
                        logger.warning("nonce %s rejected (%s): resyncing", nonce, err)
                        self._nonce = None
                        continue
                    raise ChainUnavailable(f"transaction rejected: {err}") from err
                except ChainUnavailable:
                    self._nonce = None  # unknown whether it reached the pool
                    raise
                self._nonce = nonce + 1
                break
        try:
            receipt = await self._wait_receipt(HexBytes(tx_hash))
        except ChainUnavailable:
            # the chain may have lost the transaction (an anvil restarted from a state saved
            # before it mined): the nonce counted past it would leave every later one waiting
            # behind a gap in the pool, so the next is taken from the chain again (a clone's
            # test_rpc_outage_in_the_middle_of_a_burst_loses_nothing stalled so)
            self._nonce = None
            raise
        if receipt["status"] != 1:
            raise ChainReverted(f"transaction {HexBytes(tx_hash).to_0x_hex()} reverted")
        return dict(receipt)

    @contextlib.asynccontextmanager
    async def _account_lock(self) -> AsyncIterator[None]:
        """Hold ``send_lock`` (if any) from taking a nonce until the transaction is sent.
        Another process of this home may have sent since our last one: the nonce counted
        here is taken from the chain again (with the counter alone, 13 registry commands at
        once ran out of "nonce too low" retries, and two anchors of one batch signed the same
        transaction: "transaction already imported")."""
        if self.send_lock is None:
            yield
            return
        self.send_lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.send_lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:  # closing releases the lock, also one a cancelled wait takes after we left
            await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
            self._nonce = None
            yield
        finally:
            os.close(fd)

    async def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = int(
                await _guard(self.w3.eth.get_transaction_count(self.account.address, "pending"))
            )
        return self._nonce

    async def _wait_receipt(self, tx_hash: HexBytes) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.receipt_timeout
        last_block, last_change = -1, loop.time()
        delay = 0.005
        while loop.time() < deadline:
            try:
                return await _guard(self.w3.eth.get_transaction_receipt(tx_hash))
            except (TransactionNotFound, TimeExhausted):
                pass
            block = await self.block_number()
            if block != last_block:
                last_block, last_change = block, loop.time()
            elif loop.time() - last_change > _STALL_SECONDS and await self.is_dev_chain():
                logger.warning("block number stalled at %s with tx pending: evm_mine", block)
                await self.rpc("evm_mine", [])
                last_change = loop.time()
            await asyncio.sleep(delay)  # polling the chain for the receipt
            delay = min(delay * 2, 0.1)
        raise ChainUnavailable(
            f"no receipt for {tx_hash.to_0x_hex()} within {self.receipt_timeout}s"
        )


def load_account(key_hex: str) -> LocalAccount:
    return Account.from_key(key_hex)


def new_account() -> LocalAccount:
    return Account.create()


class LazyContract:
    """A contract whose address is resolved on first use (``resolve`` may deploy first)."""

    contract_name = ""

    def __init__(self, client: ChainClient, resolve: Callable[[], Awaitable[str]]) -> None:
        self.client = client
        self._resolve = resolve
        self._contract: AsyncContract | None = None
        self.contract_address = ""

    async def _c(self) -> AsyncContract:
        if self._contract is not None and self._contract.w3 is not self.client.w3:
            # the client moved (the embedded anvil started again on another port): the same
            # contract, through the client's provider now, not the one it was made with
            self._contract = self.client.contract(self.contract_name, self.contract_address)
        if self._contract is None:
            address = await self._resolve()
            contract = self.client.contract(self.contract_name, address)
            if not await _guard(self.client.w3.eth.get_code(contract.address)):
                # a write sent there would be mined and do nothing; a read comes back empty
                raise self._absent(contract.address)
            self.contract_address, self._contract = address, contract
        return self._contract

    def _absent(self, address: str) -> ChainUnavailable:
        return NoContract(
            f"no {self.contract_name} contract answers at {address} on the chain at "
            f"{self.client.rpc_url} (a chain that was reset, or another chain)"
        )

    async def version(self) -> str:
        c = await self._c()
        try:
            return str(await _guard(c.functions.version().call()))
        except BadFunctionCallOutput as err:  # the call came back empty: no code there
            raise self._absent(c.address) from err


def outdated(contract: str, address: str, version: str, lacks: str) -> str:
    """Why a contract an earlier cusdep deployed cannot do something, and what to do."""
    return (
        f"{contract} at {address} is version {version}, deployed by an earlier cusdep: it has "
        f"{lacks} (deploy the current contracts and point chain.anchor_contract and "
        "chain.registry_contract at them)"
    )


def _web3(rpc_url: str) -> AsyncWeb3:
    return AsyncWeb3(AsyncHTTPProvider(rpc_url, request_kwargs={"timeout": 10}))
