"""An auditor holding only `cusdep trace --json` output and foundry's `cast` can check it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import tool


def _cusdep(home: Path, *args: str) -> str:
    env = {**os.environ, "CUSDEP_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "node", *args], capture_output=True, text=True, env=env, check=True
    ).stdout


def _cast(*args: str) -> str:
    return subprocess.run(
        [tool("cast"), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_trace_checks_out_with_cast_alone(home: Path, tmp_path: Path, anvil_url: str) -> None:
    _cusdep(home, "init", "--country", "CN", "--name", "Shanghai Customs", "--rpc-url", anvil_url)
    docs = []
    for i in range(5):
        doc = tmp_path / f"cert{i}.xml"
        doc.write_text(f"<cert n='{i}'/>")
        docs.append(str(doc))
    _cusdep(home, "anchor", *docs, "--json")
    sha = json.loads(_cusdep(home, "anchor", docs[3], "--json"))[0]["document_sha256"]
    sha256sum = subprocess.run(["sha256sum", docs[3]], capture_output=True, text=True, check=True)
    assert sha256sum.stdout.split()[0] == sha
    t = json.loads(_cusdep(home, "trace", sha, "--json"))
    a = t["anchor"]
    rpc, contract = a["rpc_url"], a["contract"]
    assert _cast("keccak", "0x" + sha) == a["leaf"]
    ts = _cast(
        "call", contract, "rootTimestamp(bytes32)(uint64)", a["merkle_root"], "--rpc-url", rpc
    )
    assert int(ts.split()[0]) > 0
    proof = "[" + ",".join(a["proof"]) + "]"
    ok = _cast(
        "call",
        contract,
        "verifyLeaf(bytes32,bytes32[],bytes32)(bool)",
        a["merkle_root"],
        proof,
        a["leaf"],
        "--rpc-url",
        rpc,
    )
    assert ok == "true"
    wrong = _cast(
        "call",
        contract,
        "verifyLeaf(bytes32,bytes32[],bytes32)(bool)",
        a["merkle_root"],
        proof,
        _cast("keccak", "0x" + "11" * 32),
        "--rpc-url",
        rpc,
    )
    assert wrong == "false"
    assert _cast("call", contract, "revoked(bytes32)(bool)", a["leaf"], "--rpc-url", rpc) == "false"
    revoked_in = "revokedIn(bytes32,bytes32)(bool)"
    root = a["merkle_root"]
    assert _cast("call", contract, revoked_in, root, a["leaf"], "--rpc-url", rpc) == "false"
    writer = _cast("call", contract, "rootWriter(bytes32)(address)", root, "--rpc-url", rpc)
    account = json.loads(_cusdep(home, "consortium", "account"))["account"]
    assert writer.lower() == account.lower()
    tx = json.loads(_cast("tx", a["tx_hash"], "--rpc-url", rpc, "--json"))
    assert tx["to"].lower() == contract.lower()
    assert int(tx["blockNumber"], 16) == a["block_number"]
