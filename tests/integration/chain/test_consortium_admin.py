"""`cusdep consortium transfer-admin` / `accept-admin` between real nodes on a real anvil, and a
node whose config names contracts an earlier cusdep deployed (DocumentAnchor 1.1.0,
TrustRegistry 1.0.0: one-step `transferAdmin`; DocumentAnchor 1.0.0's trace and revocation:
test_contract_upgrade.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from node.chain.admin import AdminState
from node.chain.client import ChainClient, load_account
from node.chain.wiring import chain_account
from tests.integration.chain.conftest import fixed

REPO = Path(__file__).resolve().parents[3]
EARLIER = json.loads((REPO / "tests/fixtures/contracts/earlier-bytecode.json").read_text())


def _cusdep(home: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "node", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "CUSDEP_HOME": str(home), **(env or {})},
        check=False,
    )


def _ok(home: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    proc = _cusdep(home, *args, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _refused(home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = _cusdep(home, *args, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stdout == ""
    return proc.stderr


def _join(home: Path, country: str, url: str, contracts: dict) -> str:
    init = ["init", "--country", country, "--name", country, "--rpc-url", url]
    if contracts:
        init += ["--anchor-contract", contracts["anchor_contract"]]
        init += ["--registry-contract", contracts["registry_contract"]]
    _ok(home, *init)
    return _ok(home, "consortium", "account")["account"]


def test_admin_handover_between_nodes(tmp_path: Path, anvil_url: str) -> None:
    cn, au, nz = tmp_path / "cn", tmp_path / "au", tmp_path / "nz"
    _join(cn, "CN", anvil_url, {})
    contracts = _ok(cn, "consortium", "account")
    cn_account = contracts["account"]
    au_account = _join(au, "AU", anvil_url, contracts)
    nz_account = _join(nz, "NZ", anvil_url, contracts)

    assert "NotPendingAdmin" in _refused(au, "consortium", "accept-admin")  # nothing proposed
    err = _refused(au, "consortium", "transfer-admin", "--account", au_account)
    assert "NotAdmin" in err and "only the consortium admin" in err
    assert "20-byte address" in _refused(cn, "consortium", "transfer-admin", "--account", "0x12")

    proposed = _ok(cn, "consortium", "transfer-admin", "--account", au_account)
    assert proposed["pending_admin"] == au_account
    assert set(proposed["tx_hashes"]) == {"DocumentAnchor", "TrustRegistry"}
    shown = _ok(au, "consortium", "account")["contracts"]
    for name, version in (("DocumentAnchor", "3.0.0"), ("TrustRegistry", "2.0.0")):
        assert shown[name]["version"] == version
        assert (shown[name]["admin"], shown[name]["pending_admin"]) == (cn_account, au_account)

    err = _refused(nz, "consortium", "accept-admin")  # a wrong account
    assert "NotPendingAdmin" in err and "cusdep consortium transfer-admin" in err
    # until AU accepts, CN keeps its powers and AU has none
    _ok(cn, "consortium", "authorise-anchor", "--account", nz_account)
    assert "NotAdmin" in _refused(au, "consortium", "add-authority", "--country", "AU",
                                  "--account", au_account)  # fmt: skip

    accepted = _ok(au, "consortium", "accept-admin")
    assert accepted["admin"] == au_account
    assert set(accepted["tx_hashes"]) == {"DocumentAnchor", "TrustRegistry"}
    assert _ok(au, "consortium", "accept-admin")["tx_hashes"] == {}  # holds it already
    for state in _ok(cn, "consortium", "account")["contracts"].values():
        assert (state["admin"], state["pending_admin"]) == (au_account, None)
    assert "NotAdmin" in _refused(cn, "consortium", "authorise-anchor", "--account", cn_account)
    _ok(au, "consortium", "add-authority", "--country", "AU", "--account", au_account)

    # the new admin proposes, then withdraws: nobody can accept a withdrawn proposal
    _ok(au, "consortium", "transfer-admin", "--account", nz_account)
    assert _ok(au, "consortium", "transfer-admin", "--cancel")["pending_admin"] is None
    assert "NotPendingAdmin" in _refused(nz, "consortium", "accept-admin")
    for state in _ok(nz, "consortium", "account")["contracts"].values():
        assert (state["admin"], state["pending_admin"]) == (au_account, None)


async def _deploy_earlier(rpc_url: str, key_hex: str, anchor_version: str) -> dict[str, str]:
    """The earlier contracts, deployed from the node's own account (so it is their admin)."""
    client = ChainClient(rpc_url, load_account(key_hex))
    versions = (
        ("DocumentAnchor", anchor_version, "anchor"),
        ("TrustRegistry", "1.0.0", "registry"),
    )
    try:
        out = {}
        for name, version, key in versions:
            factory = client.w3.eth.contract(abi=[], bytecode=EARLIER[name][version])
            receipt = await client.transact(factory.constructor())
            out[f"{key}_contract"] = str(receipt["contractAddress"])
        return out
    finally:
        await client.aclose()


async def _admins(rpc_url: str, addresses: dict[str, str]) -> list[AdminState]:
    from node.chain.anchor import Web3ChainAnchor
    from node.chain.registry import Web3TrustRegistry

    client = ChainClient(rpc_url, load_account("0x" + "11" * 32))
    try:
        anchor = Web3ChainAnchor(client, fixed(addresses["anchor_contract"]))  # type: ignore[arg-type]
        registry = Web3TrustRegistry(client, fixed(addresses["registry_contract"]))  # type: ignore[arg-type]
        return [await anchor.admin_state(), await registry.admin_state()]
    finally:
        await client.aclose()


def _node_on_earlier_contracts(home: Path, url: str, anchor_version: str):
    account = _join(home, "CN", url, {})  # funds the account on the dev chain
    key = "0x" + chain_account(home).key.hex().removeprefix("0x")
    earlier = asyncio.run(_deploy_earlier(url, key, anchor_version))
    env = {
        "CUSDEP_CHAIN__ANCHOR_CONTRACT": earlier["anchor_contract"],
        "CUSDEP_CHAIN__REGISTRY_CONTRACT": earlier["registry_contract"],
    }
    return account, earlier, env


def test_a_node_on_contracts_an_earlier_version_deployed(tmp_path: Path, anvil_url: str) -> None:
    cn, au = tmp_path / "cn", tmp_path / "au"
    cn_account, v1, env = _node_on_earlier_contracts(cn, anvil_url, "1.1.0")
    shown = _ok(cn, "consortium", "account", env=env)["contracts"]
    assert (shown["DocumentAnchor"]["version"], shown["TrustRegistry"]["version"]) == (
        "1.1.0",
        "1.0.0",
    )
    assert shown["DocumentAnchor"]["admin"] == cn_account
    # everything but the handover works as before
    _ok(cn, "consortium", "add-authority", "--country", "CN", "--account", cn_account, env=env)
    agency = _ok(cn, "registry", "add-agency", "--id", "CN-GACC", "--country", "CN",
                 "--name", "GACC", env=env)  # fmt: skip
    assert agency["state"] == "confirmed"
    doc = tmp_path / "cert.txt"
    doc.write_text("anchored on a 1.1.0 DocumentAnchor")
    anchored = _ok(cn, "anchor", str(doc), "--json", env=env)[0]
    traced = _ok(cn, "trace", anchored["document_sha256"], "--json", env=env)
    assert traced["verified_on_chain"] is True and traced["revoked"] is False
    assert traced["anchor"]["contract"].lower() == v1["anchor_contract"].lower()

    # the handover is refused, clearly, before anything is sent
    au_account = _join(au, "AU", anvil_url, {})
    err = _refused(cn, "consortium", "transfer-admin", "--account", au_account, env=env)
    assert "DocumentAnchor at" in err and "version 1.1.0, deployed by an earlier cusdep" in err
    assert "hands the contract over at once" in err
    assert "deploy the current contracts" in err
    assert "version 1.1.0" in _refused(au, "consortium", "accept-admin", env=env)
    states = asyncio.run(_admins(anvil_url, v1))
    assert [(s.admin, s.pending_admin) for s in states] == [(cn_account, None)] * 2

    # a config naming an address without a contract: the account is still shown, and why not
    nowhere = {**env, "CUSDEP_CHAIN__ANCHOR_CONTRACT": au_account}
    shown = _ok(cn, "consortium", "account", env=nowhere)
    assert shown["account"] == cn_account
    assert "no DocumentAnchor contract answers at" in shown["contracts"]["error"]
    err = _refused(cn, "consortium", "transfer-admin", "--account", au_account, env=nowhere)
    assert "no DocumentAnchor contract answers at" in err
