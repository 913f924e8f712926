"""Embedded anvil lifecycle and the stuck-pool recovery of the chain client."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from node.chain.client import ChainClient, new_account
from node.chain.devchain import EmbeddedAnvil, PortTaken, anvil_binary, rpc_call
from node.netports import free_port


def test_stale_pid_file_is_replaced(tmp_path: Path) -> None:
    anvil = EmbeddedAnvil(tmp_path, free_port())
    anvil.dir.mkdir(parents=True)
    squatter = subprocess.Popen(["sleep", "600"])  # alive, but not an anvil on our port
    anvil.pid_file.write_text(str(squatter.pid))
    try:
        url = anvil.ensure()
        assert anvil.running_pid() not in (None, squatter.pid)
        assert squatter.wait(timeout=10) is not None  # the stale process was stopped
        assert int(str(rpc_call(url, "eth_chainId")), 16) == 31337
    finally:
        anvil.stop()
        squatter.kill()
    assert anvil.running_pid() is None


def test_a_port_bound_by_a_process_that_is_no_chain_is_reported_taken(tmp_path: Path) -> None:
    # another process took the port between choosing it and starting anvil, and does not
    # answer JSON-RPC (yet): anvil exits "Address already in use", and a caller that cannot
    # move it (no ``on_move``: the simulator's shared chain) is told the port is taken
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        anvil = EmbeddedAnvil(tmp_path, squatter.getsockname()[1])
        with pytest.raises(PortTaken):
            anvil.ensure()
        anvil.stop()
    assert anvil.running_pid() is None


def test_a_movable_anvil_takes_a_free_port_and_a_stale_user_follows_it(tmp_path: Path) -> None:
    # the home's port was taken by a process that is no chain since it was configured: the
    # anvil starts on a free port and says so; a second user still configured with the old
    # port (its settings were read before the move) finds the running anvil where it moved
    moved: list[int] = []
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        first = EmbeddedAnvil(tmp_path, taken, on_move=moved.append)
        url = first.ensure()
        stale = EmbeddedAnvil(tmp_path, taken)
        try:
            assert moved == [first.port] and first.port != taken
            assert url == f"http://127.0.0.1:{first.port}"
            pid = first.running_pid()
            assert stale.ensure() == url and stale.running_pid() == pid  # reused, not a second
            assert int(str(rpc_call(url, "eth_chainId")), 16) == 31337
        finally:
            stale.stop()
            first.stop()
    assert first.running_pid() is None


def test_an_anvil_that_took_the_port_after_the_check_is_not_taken_for_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two homes started their anvils on the same free port at once (a test run's parallel
    # workers): the port was free when this one looked, the other's anvil bound it first,
    # ours exited "Address already in use" and the other's answered, so this home's
    # commands ran on the other's chain ("no TrustRegistry contract answers at ...")
    from node.chain import devchain

    port = free_port()
    other = EmbeddedAnvil(tmp_path / "other", port)
    other.ensure()
    looked: list[str] = []
    real = devchain._answers

    def free_when_looked(url: str) -> bool:  # the check before starting ran before the other
        looked.append(url)
        return False if len(looked) == 1 else real(url)

    monkeypatch.setattr(devchain, "_answers", free_when_looked)
    moved: list[int] = []
    mine = EmbeddedAnvil(tmp_path / "mine", port, on_move=moved.append)
    try:
        url = mine.ensure()
        assert moved == [mine.port] and mine.port != port
        assert url == f"http://127.0.0.1:{mine.port}"
        pid = mine.running_pid()
        assert pid is not None and pid != other.running_pid()
        assert devchain._listens(pid, mine.port) is True
        assert devchain._listens(pid, port) is False  # the other's, seen as not ours
    finally:
        mine.stop()
        other.stop()


def test_an_anvil_left_running_when_its_home_moved_is_replaced(tmp_path: Path) -> None:
    # a node killed with SIGKILL leaves its anvil running; the home is then moved: that
    # anvil dumps its state to the old place, so what it mined for the new place would be
    # lost. The new place's first user replaces it, from the state the home carried along.
    port = free_port()
    old = EmbeddedAnvil(tmp_path / "old", port)
    url = old.ensure()
    rpc_call(url, "evm_mine")
    left = old.running_pid()
    old._unlock()  # the killed node's lock goes with it; its anvil does not
    old.stop()
    (tmp_path / "old").rename(tmp_path / "new")
    moved = EmbeddedAnvil(tmp_path / "new", port)
    try:
        assert moved.running_pid() == left  # its pid file came along
        assert moved.ensure() == url
        assert moved.running_pid() not in (None, left)
        assert int(str(rpc_call(url, "eth_chainId")), 16) == 31337
    finally:
        moved.stop()
        subprocess.run(["kill", "-9", str(left)], check=False)


def test_state_survives_a_clean_restart(tmp_path: Path) -> None:
    anvil = EmbeddedAnvil(tmp_path, free_port())
    url = anvil.ensure()
    rpc_call(url, "evm_mine")
    rpc_call(url, "evm_mine")
    height = int(str(rpc_call(url, "eth_blockNumber")), 16)
    anvil.stop()
    assert anvil.state_file.exists()
    url = anvil.ensure()
    try:
        assert int(str(rpc_call(url, "eth_blockNumber")), 16) == height
    finally:
        anvil.stop()


async def test_client_mines_when_blocks_stall_with_a_pending_transaction(tmp_path: Path) -> None:
    async with _funded_client("--no-mining", receipt_timeout=20) as client:
        # with mining off the pool never drains: only the stall detector can get a receipt
        address = await client.deploy("DocumentAnchor")
        assert address.startswith("0x")
        assert await client.block_number() >= 1


@asynccontextmanager
async def _funded_client(*flags: str, receipt_timeout: float) -> AsyncIterator[ChainClient]:
    """A started and funded ``ChainClient`` on an anvil of its own, run with ``flags``."""
    port = free_port()
    proc = subprocess.Popen(
        [anvil_binary(), "--port", str(port), "--silent", *flags],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    client = ChainClient(url, new_account(), receipt_timeout=receipt_timeout)
    try:
        _wait_answers(url)
        await client.start()
        await client.fund_self(10**21)
        yield client
    finally:
        await client.aclose()
        proc.terminate()
        proc.wait()


def _wait_answers(url: str) -> None:
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            rpc_call(url, "eth_chainId")
            return
        except Exception:
            time.sleep(0.05)  # waiting for the external process to open its port
    raise AssertionError("anvil did not start")


async def test_a_transaction_the_chain_lost_leaves_no_gap_before_the_next(tmp_path: Path) -> None:
    """The chain going back to a state before a transaction mined (an anvil restarted from a
    state saved earlier; here ``evm_revert``) leaves the nonce the client counted ahead of the
    chain's: the next transaction waits in the pool behind the gap and its receipt never
    comes. After that one timeout the client takes the nonce from the chain again."""
    from node.errors import ChainUnavailable

    async with _funded_client(receipt_timeout=3) as client:
        saved = await client.rpc("evm_snapshot", [])
        await client.deploy("DocumentAnchor")  # mined, then lost with the state after it
        assert await client.rpc("evm_revert", [saved]) is True
        with pytest.raises(ChainUnavailable):
            await client.deploy("DocumentAnchor")  # its nonce is one past the chain's
        address = await client.deploy("DocumentAnchor")
        assert (await client.w3.eth.get_code(address)) != b""


async def test_contracts_follow_the_client_when_the_embedded_anvil_moved(
    deployed: Any, anvil_url: str
) -> None:
    """The node starts its embedded anvil again when it died, maybe on another port
    (``ChainWiring._keep_embedded`` -> ``ChainClient.move_to``): the contracts resolved before
    talked on through the provider of the old URL, so every chain call failed until the node
    was restarted. The same chain reached at another URL stands in for the moved one."""
    client = await deployed.client(anvil_url)
    registry = deployed.registry(client)
    assert await registry.get("agency", "CN", "NOBODY") is None
    old = client.w3
    client.move_to(anvil_url.replace("127.0.0.1", "localhost"))
    assert client.w3 is not old
    assert await registry.get("agency", "CN", "NOBODY") is None
    assert (await registry._c()).w3 is client.w3
