"""The chain CLI end to end on an embedded anvil: init, anchor, trace, bad input, restarts."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from node.chain.devchain import EmbeddedAnvil, rpc_call
from node.config import load_settings
from tests.integration.chain.homes import cusdep, node_run, small_files


def test_anchor_then_trace_survives_anvil_restart(node_home: Path, tmp_path: Path) -> None:
    docs = small_files(tmp_path, 3)
    out = json.loads(cusdep(node_home, "anchor", *map(str, docs), "--json").stdout)
    assert [o["document_sha256"] for o in out] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in docs
    ]
    assert len({o["merkle_root"] for o in out}) == 1  # one batch, one transaction
    settings = load_settings(node_home)
    # `anchor` started the embedded anvil and stopped it (state dumped); trace restarts it
    assert EmbeddedAnvil(node_home, settings.chain.embedded_port).running_pid() is None
    trace = json.loads(cusdep(node_home, "trace", out[1]["document_sha256"], "--json").stdout)
    assert trace["verified_on_chain"] is True and trace["revoked"] is False
    assert trace["anchor"]["merkle_root"] == out[1]["merkle_root"]
    assert trace["anchor"]["contract"] == settings.chain.anchor_contract
    assert [e["kind"] for e in trace["events"]] == ["received", "anchored"]


def test_anchoring_the_same_file_twice_is_idempotent(node_home: Path, tmp_path: Path) -> None:
    doc = small_files(tmp_path, 1)[0]
    first = json.loads(cusdep(node_home, "anchor", str(doc), "--json").stdout)
    again = json.loads(cusdep(node_home, "anchor", str(doc), "--json").stdout)
    assert first == again


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["trace", "1234"], "not a SHA-256"),
        (["trace", "zz" * 32], "not a SHA-256"),
        (["trace", "ab" * 32], "unknown document"),
        (["anchor", "/nonexistent/file.pdf"], "no such file"),
        (["anchor", "/"], "is a directory"),
        (["anchor", "/dev/null"], "refusing to anchor an empty file"),
    ],
)
def test_bad_input_exits_2_with_one_line(node_home: Path, args: list[str], needle: str) -> None:
    before = (
        sorted(p.name for p in (node_home / "blobs").glob("*/*"))
        if (node_home / "blobs").exists()
        else []
    )
    proc = cusdep(node_home, *args, "--json", check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert proc.stdout == ""
    after = (
        sorted(p.name for p in (node_home / "blobs").glob("*/*"))
        if (node_home / "blobs").exists()
        else []
    )
    assert before == after


def test_unreadable_file_among_good_ones_anchors_nothing(node_home: Path, tmp_path: Path) -> None:
    good = small_files(tmp_path, 1)[0]
    proc = cusdep(node_home, "anchor", str(good), str(tmp_path / "missing"), "--json", check=False)
    assert proc.returncode == 2
    sha = hashlib.sha256(good.read_bytes()).hexdigest()
    assert cusdep(node_home, "trace", sha, check=False).returncode == 2  # never recorded


def test_two_anchor_commands_at_once_both_anchor(node_home: Path, tmp_path: Path) -> None:
    # both cut a batch of what is pending and submit every open batch: the same root twice
    # (the chain reverts the second: AlreadyAnchored) or the same batch cut twice (its
    # idempotency key): each is the other's work, done, not an error
    env = {**os.environ, "CUSDEP_HOME": str(node_home)}
    cusdep(node_home, "trace", "0" * 64, check=False)  # the chain is up before the race
    for round_ in range(3):
        (tmp_path / f"r{round_}").mkdir()
        docs = small_files(tmp_path / f"r{round_}", 2)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "node", "anchor", str(d), "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for d in docs
        ]
        for proc, doc in zip(procs, docs, strict=True):
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            sha = hashlib.sha256(doc.read_bytes()).hexdigest()
            assert json.loads(out)[0]["document_sha256"] == sha
            trace = json.loads(cusdep(node_home, "trace", sha, "--json").stdout)
            assert trace["verified_on_chain"] is True


def test_many_commands_and_the_node_send_from_one_account_at_once(
    node_home: Path, tmp_path: Path
) -> None:
    # every process of a home signs with its one account: each counted nonces by itself, so
    # of 13 registry commands at once (a node serving the home) 4 ran out of "nonce too low"
    # retries (exit 2), and two anchors of one batch signed the same transaction ("transaction
    # already imported", exit 2) although it was mined
    env = {**os.environ, "CUSDEP_HOME": str(node_home)}
    node = node_run(node_home)
    try:
        agencies = [
            ["registry", "add-agency", "--id", f"AU-A{i}", "--country", "AU", "--name", f"A {i}"]
            for i in range(10)
        ]
        anchors = [["anchor", str(d), "--json"] for d in small_files(tmp_path, 4)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "node", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in [*agencies, *anchors]
        ]
        for proc in procs:
            _out, err = proc.communicate(timeout=180)
            assert proc.returncode == 0, err
            assert "nonce" not in err  # no process took another's nonce, even for a retry
        listed = json.loads(cusdep(node_home, "registry", "list", "--json").stdout)
        assert sorted(r["id"] for r in listed if r["state"] == "confirmed") == [
            f"AU-A{i}" for i in range(10)
        ]
    finally:
        node.send_signal(signal.SIGTERM)
        assert node.wait(timeout=60) == 0


def test_a_running_node_starts_its_embedded_anvil_again_when_it_dies(node_home: Path) -> None:
    from tests.integration.exchange.conftest import wait_for

    settings = load_settings(node_home)
    anvil = EmbeddedAnvil(node_home, settings.chain.embedded_port)
    node = node_run(node_home)
    try:
        first = anvil.running_pid()
        assert first is not None
        os.kill(first, signal.SIGKILL)
        again = wait_for(
            lambda: (pid := anvil.running_pid()) not in (None, first) and pid,
            timeout=30,
            what="the node to start its anvil again",
        )

        def chain_id() -> int | None:  # the new anvil answers once it listens (its pid first)
            url = f"http://127.0.0.1:{load_settings(node_home).chain.embedded_port}"
            try:
                return int(str(rpc_call(url, "eth_chainId")), 16)
            except OSError:
                return None

        assert wait_for(chain_id, timeout=30, what="the new anvil to answer") == 31337
        assert again != first
    finally:
        node.send_signal(signal.SIGTERM)
        assert node.wait(timeout=60) == 0


def test_anvil_left_behind_by_a_killed_node_is_reused(node_home: Path, tmp_path: Path) -> None:
    settings = load_settings(node_home)
    anvil = EmbeddedAnvil(node_home, settings.chain.embedded_port)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_CHAIN],
        env={**os.environ, "CUSDEP_HOME": str(node_home)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    pid = anvil.running_pid()
    assert pid is not None
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert anvil.running_pid() == pid  # left behind
    out = json.loads(cusdep(node_home, "anchor", str(small_files(tmp_path, 1)[0]), "--json").stdout)
    assert out[0]["block_number"] > 0
    log = (node_home / "chain" / "anvil.log").read_text()
    assert log.count("Listening on") <= 1  # reused, never started a second time
    assert anvil.running_pid() is None  # the last user stopped it cleanly


def test_a_command_does_not_stop_an_anvil_another_process_uses(node_home: Path) -> None:
    settings = load_settings(node_home)
    user = EmbeddedAnvil(node_home, settings.chain.embedded_port)
    user.ensure()  # this test process is a user now (shared lock held)
    pid = user.running_pid()
    try:
        cusdep(node_home, "consortium", "account")
        assert user.running_pid() == pid
    finally:
        user.stop()
    assert user.running_pid() is None


_HOLD_CHAIN = """
import asyncio, sys
from node.bootstrap import build_node
from node.config import load_settings
async def main():
    node = build_node(load_settings())
    await node.start()
    print("ready", flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""


def test_init_takes_another_port_when_another_anvil_took_its_own(home, anvil_url, monkeypatch):
    # two nodes initialised at once both chose the free default port; the second found the
    # first's anvil answering there (a test run's parallel workers did)
    from node import setup

    taken = int(anvil_url.rsplit(":", 1)[1])
    real = setup.free_port
    monkeypatch.setattr(setup, "free_port", lambda p=0: taken if p == 8545 else real(p))
    settings = setup.initialise_node(home, country="CN", name="Shanghai Customs")
    saved = load_settings(home).chain
    try:
        assert saved.embedded_port == settings.chain.embedded_port
        assert saved.embedded_port not in (0, taken)
        assert saved.anchor_contract and saved.registry_contract  # deployed on its own chain
    finally:
        pid = EmbeddedAnvil(home, saved.embedded_port).running_pid()
        if pid:
            os.kill(pid, signal.SIGTERM)


@pytest.mark.parametrize("squatter", ["another chain", "a listener that is no chain"])
def test_a_command_moves_the_chain_off_a_port_taken_since_init(
    node_home: Path, tmp_path: Path, squatter: str
) -> None:
    # one-shot commands stop the embedded anvil when they finish, so its port is free between
    # commands and another process may take it (two test suites' nodes both had 8545); the
    # next command moves the chain to a free port, records it, and the chain's state moves too
    doc = small_files(tmp_path, 1)[0]
    before = json.loads(cusdep(node_home, "anchor", str(doc), "--json").stdout)[0]
    port = load_settings(node_home).chain.embedded_port
    if squatter == "another chain":
        other = EmbeddedAnvil(tmp_path / "other", port)
        other.ensure()
        release = other.stop
    else:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # anvil's TIME_WAITs
        sock.bind(("127.0.0.1", port))
        sock.listen()
        release = sock.close
    try:
        trace = cusdep(node_home, "trace", before["document_sha256"], "--json")
        moved = load_settings(node_home).chain.embedded_port
        assert moved not in (0, port)
        assert json.loads(trace.stdout)["verified_on_chain"] is True  # same chain, new port
        assert f"moves from port {port} to {moved}" in trace.stderr
        again = cusdep(node_home, "trace", before["document_sha256"], "--json")
        assert "moves from port" not in again.stderr  # recorded: the next command goes there
    finally:
        release()


def test_a_contract_address_with_no_code_is_one_line_naming_it(
    node_home: Path, tmp_path: Path
) -> None:
    # was BadFunctionCallOutput (a traceback); the code is looked for before a transaction
    from node.config import record_setting

    nowhere = "0x0000000000000000000000000000000000000001"
    record_setting(node_home, "chain", "anchor_contract", nowhere)
    doc = small_files(tmp_path, 1)[0]
    proc = cusdep(node_home, "anchor", str(doc), "--json", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert f"no DocumentAnchor contract answers at {nowhere} on the chain at" in lines[0]
