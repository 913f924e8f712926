"""A command killed after its transaction reached the chain and before it saw the receipt: the
chain holds the change, the database does not. The durable operation row is finished by the
running node's worker (and by the same command run again), once, as the chain shows it.

The kill is placed by a relay in front of a real anvil (``rpc_hold``): it forwards the
transaction, which anvil mines, and then answers nothing, so the command waits for its receipt
until it is killed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from node.netports import free_port
from tests.integration.chain.homes import cusdep
from tests.integration.chain.rpc_hold import RpcHold, rpc_hold
from tests.integration.exchange.conftest import NodeHome, make_node, pin, wait_for


def _home(tmp_path: Path, rpc_url: str) -> NodeHome:
    home = tmp_path / "cn"
    grpc = free_port()
    cusdep(
        home,
        "init",
        "--country", "CN",
        "--name", "Shanghai Customs",
        "--id", "CN-SHA",
        "--rpc-url", rpc_url,
        "--grpc-port", str(grpc),
        "--api-port", str(free_port()),
    )  # fmt: skip
    return NodeHome(home, "CN-SHA", grpc)


def _killed_after_sending(relay: RpcHold, home: Path, *args: str) -> None:
    """Run ``cusdep ARGS`` and kill -9 it once its transaction is on the chain."""
    relay.arm()
    proc = subprocess.Popen(
        [sys.executable, "-m", "node", *args],
        env={**os.environ, "CUSDEP_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: relay.sent.is_set() or proc.poll() is not None,
            timeout=120,
            what=f"cusdep {' '.join(args)} to send its transaction",
        )
        assert relay.sent.is_set(), f"cusdep {' '.join(args)} exited with {proc.returncode}"
    finally:
        proc.kill()
        proc.wait(30)
        relay.release()


def _add_agency(home: Path) -> None:
    cusdep(home, "registry", "add-agency", "--id", "CN-GACC", "--country", "CN", "--name", "GACC")


def _record(home: Path, kind: str, record_id: str) -> dict[str, object]:
    rows = json.loads(cusdep(home, "registry", "list", "--json").stdout)
    [row] = [r for r in rows if r["kind"] == kind and r["id"] == record_id]
    return row  # type: ignore[no-any-return]


def test_registry_revoke_killed_before_its_receipt_is_finished_by_the_node(
    anvil_url: str, tmp_path: Path
) -> None:
    with rpc_hold(anvil_url) as relay:
        cn = _home(tmp_path, relay.url)
        au = make_node(tmp_path, "AU-CAN")
        pin(cn, au)
        _add_agency(cn.home)
        assert _record(cn.home, "agency", "CN-GACC")["state"] == "confirmed"

        _killed_after_sending(
            relay, cn.home, "registry", "revoke", "agency", "--id", "CN-GACC",
            "--reason", "dissolved",
        )  # fmt: skip
        assert relay.tx_hash, "the revocation reached the chain"
        assert _record(cn.home, "agency", "CN-GACC")["state"] == "confirmed"  # not known here

        cn.start()
        try:
            row = wait_for(
                lambda: (r := _record(cn.home, "agency", "CN-GACC"))["state"] == "revoked" and r,
                timeout=60,
                what="the node's worker to finish the revocation",
            )
        finally:
            assert cn.stop() == 0
        assert row["revoke_tx_hash"] == relay.tx_hash
        assert row["revoked_reason"] == "dissolved"
        revocations = cn.sql(
            "SELECT count(*) FROM exchange_outbox WHERE kind = 'revocation' AND peer = 'AU-CAN'"
        )
        assert revocations == [(1,)], "the partner is told of the revocation once"

        # the operator, not knowing, runs the command again: it answers with the revocation
        again = cusdep(
            cn.home, "registry", "revoke", "agency", "--id", "CN-GACC",
            "--reason", "dissolved",
        )  # fmt: skip
        assert json.loads(again.stdout)["state"] == "revoked"
        assert cn.sql("SELECT count(*) FROM exchange_outbox WHERE kind = 'revocation'") == [(1,)]


def test_registry_revoke_run_again_after_a_kill_records_what_the_chain_holds(
    anvil_url: str, tmp_path: Path
) -> None:
    with rpc_hold(anvil_url) as relay:
        cn = _home(tmp_path, relay.url)
        _add_agency(cn.home)
        _killed_after_sending(
            relay, cn.home, "registry", "revoke", "agency", "--id", "CN-GACC",
            "--reason", "dissolved",
        )  # fmt: skip
        again = cusdep(
            cn.home, "registry", "revoke", "agency", "--id", "CN-GACC",
            "--reason", "dissolved", check=False,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
        row = _record(cn.home, "agency", "CN-GACC")
        assert row["state"] == "revoked" and row["revoke_tx_hash"] == relay.tx_hash
