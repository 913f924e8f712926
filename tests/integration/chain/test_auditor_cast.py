"""An auditor holding only `cusdep trace --json` output and foundry's `cast` can check it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from node.chain.anchor import Web3ChainAnchor
from node.chain.client import ChainClient, load_account
from node.chain.wiring import chain_account
from tests.conftest import tool
from tests.integration.chain.conftest import fixed
from tests.integration.chain.homes import cusdep


def _cusdep(home: Path, *args: str) -> str:
    env = {**os.environ, "CUSDEP_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "node", *args], capture_output=True, text=True, env=env, check=True
    ).stdout


def _cn_with_a_seal(home: Path, tmp_path: Path, anvil_url: str) -> Path:
    """A CN node on ``anvil_url`` that registered AU-DAFF and its seal AU-S1 (a red square)."""
    from tests.unit.registry.records import png

    _cusdep(home, "init", "--country", "CN", "--name", "Shanghai Customs", "--rpc-url", anvil_url)
    seal = tmp_path / "seal.png"
    seal.write_bytes(png("red"))
    _cusdep(home, "registry", "add-agency", "--id", "AU-DAFF", "--country", "AU", "--name", "DAFF")
    _cusdep(
        home, "registry", "add-seal", "--agency", "AU-DAFF", "--id", "AU-S1", "--image", str(seal)
    )
    return seal


def _cast(*args: str) -> str:
    return subprocess.run(
        [tool("cast"), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _readme_block(after: str, lang: str) -> str:
    """The first ``lang`` code block of the README after the text ``after``."""
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    rest = readme[readme.index(after) :]
    start = rest.index(f"```{lang}\n") + len(lang) + 4
    return rest[start : rest.index("```", start)]


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
    contracts = json.loads(_cusdep(home, "consortium", "account"))
    assert writer.lower() == contracts["account"].lower()
    country = "authorityOf(address)(bytes2)"
    registry = contracts["registry_contract"]
    assert _cast("call", registry, country, writer, "--rpc-url", rpc) == "0x434e"  # CN
    (tmp_path / "trace.json").write_text(json.dumps(t))
    by_hand = [sys.executable, "-c", _readme_block("The same proof by hand", "python")]
    subprocess.run([*by_hand, str(tmp_path / "trace.json"), docs[3]], check=True)
    refused = subprocess.run([*by_hand, str(tmp_path / "trace.json"), docs[2]], check=False)
    assert refused.returncode != 0  # another document's bytes: not this leaf
    tx = json.loads(_cast("tx", a["tx_hash"], "--rpc-url", rpc, "--json"))
    assert tx["to"].lower() == contract.lower()
    assert int(tx["blockNumber"], 16) == a["block_number"]


async def _revoke_as(home: Path, rpc: str, contract: str, anchor: dict, reason: str) -> None:
    """Revoke a document's leaf under its root with the node's own account (as the node's
    ``POST /documents/{sha}/revoke`` does; no API server needed)."""
    client = ChainClient(rpc, load_account(chain_account(home).key.hex()))
    port = Web3ChainAnchor(client, fixed(contract))  # type: ignore[arg-type]
    try:
        await port.revoke(anchor["merkle_root"], anchor["proof"], anchor["leaf"], reason)
    finally:
        await client.aclose()


def test_another_writers_revocation_leaves_every_view_of_this_attestation(
    tmp_path: Path, anvil_url: str
) -> None:
    """AU anchors CN's certificate too (its own root) and revokes it there: what an auditor
    reads of CN's attestation, and leaf-wide, does not change; CN's own revocation does."""
    cn, au = tmp_path / "cn", tmp_path / "au"
    _cusdep(cn, "init", "--country", "CN", "--name", "Shanghai", "--rpc-url", anvil_url)
    contracts = json.loads(_cusdep(cn, "consortium", "account"))
    cn_account = contracts["account"]
    join = ["--anchor-contract", contracts["anchor_contract"]]
    join += ["--registry-contract", contracts["registry_contract"]]
    _cusdep(au, "init", "--country", "AU", "--name", "Canberra", "--rpc-url", anvil_url, *join)
    au_account = json.loads(_cusdep(au, "consortium", "account"))["account"]
    _cusdep(cn, "consortium", "authorise-anchor", "--account", au_account)
    doc = tmp_path / "cert.xml"
    doc.write_text("<cert n='genuine'/>")
    sha = json.loads(_cusdep(cn, "anchor", str(doc), "--json"))[0]["document_sha256"]
    filler = tmp_path / "own.xml"
    filler.write_text("<cert n='au'/>")
    _cusdep(au, "anchor", str(doc), str(filler), "--json")  # a root of its own over CN's leaf
    ours, theirs = (json.loads(_cusdep(h, "trace", sha, "--json"))["anchor"] for h in (cn, au))
    assert ours["leaf"] == theirs["leaf"] and ours["merkle_root"] != theirs["merkle_root"]
    rpc, contract, leaf = ours["rpc_url"], ours["contract"], ours["leaf"]

    def views() -> tuple[str, ...]:
        return tuple(
            _cast("call", contract, *args, "--rpc-url", rpc)
            for args in (
                ("revokedIn(bytes32,bytes32)(bool)", ours["merkle_root"], leaf),
                ("revokedBy(address,bytes32)(bool)", cn_account, leaf),
                ("revoked(bytes32)(bool)", leaf),
                ("revokedBy(address,bytes32)(bool)", au_account, leaf),
            )
        )

    asyncio.run(_revoke_as(au, rpc, contract, theirs, "griefing"))
    assert views() == ("false", "false", "false", "true")  # revoked(leaf) was "true" (2.0.0)
    assert json.loads(_cusdep(cn, "trace", sha, "--json"))["revoked"] is False
    assert json.loads(_cusdep(au, "trace", sha, "--json"))["revoked"] is True

    asyncio.run(_revoke_as(cn, rpc, contract, ours, "issued in error"))
    assert views() == ("true", "true", "true", "true")  # CN is also the admin here
    assert json.loads(_cusdep(cn, "trace", sha, "--json"))["revoked"] is True


def test_an_exported_specimen_checks_out_with_sha256sum_and_cast(
    home: Path, tmp_path: Path, anvil_url: str
) -> None:
    """`cusdep registry export` writes each specimen as registered: its `sha256sum` is the
    imageSha256 the TrustRegistry holds for it, not revoked (README "Auditors"); so are a
    signature's and a template's, read with the README's signatures of the other getters."""
    from tests.unit.registry.records import AU_TEMPLATE, png

    _cn_with_a_seal(home, tmp_path, anvil_url)
    signature, template = tmp_path / "signature.png", tmp_path / "template.json"
    signature.write_bytes(png("black"))
    template.write_text(json.dumps(AU_TEMPLATE))
    officer = ["--agency", "AU-DAFF", "--id", "AU-O1", "--name", "Jane Citizen"]
    officer += ["--signature", str(signature), "--valid-from", "2024-01-01"]
    _cusdep(home, "registry", "add-officer", *officer, "--valid-to", "2028-12-31")
    _cusdep(home, "templates", "add", str(template))
    _cusdep(home, "registry", "export", str(tmp_path / "out"))
    exported = tmp_path / "out" / "seals" / "AU-S1.png"
    digest = subprocess.run(
        ["sha256sum", str(exported)], capture_output=True, text=True, check=True
    )
    registry = json.loads(_cusdep(home, "consortium", "account", "--json"))["registry_contract"]
    record = _cast(
        "call",
        registry,
        "getSeal(bytes2,string)((string,string,bytes32,bytes2,address,bool,uint64,uint64))",
        "0x434e",  # the registrar, CN
        "AU-S1",
        "--rpc-url",
        anvil_url,
    )
    fields = [f.strip() for f in record.strip("()").split(",")]
    assert fields[2] == "0x" + digest.stdout.split()[0]  # imageSha256
    assert fields[-1] == "0"  # revokedAt: never

    calls = {  # the README's signatures, as written there
        line.split('"')[1].split("(")[0]: line.split('"')[1]
        for line in _readme_block("The other records, with the tuple", "").splitlines()
        if line.startswith("cast call")
    }
    out = tmp_path / "out"

    def get(getter: str, record_id: str) -> list[str]:
        got = _cast("call", registry, calls[getter], "0x434e", record_id, "--rpc-url", anvil_url)
        return [f.strip().split(" ")[0] for f in got.strip("()").split(",")]

    officer = get("getOfficer", "AU-O1")
    signature = hashlib.sha256((out / "signatures" / "AU-O1.png").read_bytes()).hexdigest()
    assert officer[2] == "0x" + signature and officer[-1] == "0"
    assert (int(officer[3]), int(officer[4])) == (1704067200, 1861919999)  # 2024-01-01, 2028-12-31
    # the agency extends the officer's validity: the chain holds it, the record shows it
    changed = json.loads(
        _cusdep(home, "registry", "set-validity", "--id", "AU-O1", "--valid-from", "2024-01-01",
                "--valid-to", "2030-06-30", "--json")
    )  # fmt: skip
    assert (changed["valid_from"], changed["valid_to"]) == ("2024-01-01", "2030-06-30")
    officer = get("getOfficer", "AU-O1")
    assert (int(officer[3]), int(officer[4])) == (1704067200, 1909094399)  # to 2030-06-30
    template = get("getTemplate", "AU-PHYTO")
    data = (out / "templates" / "AU-PHYTO.json").read_bytes()
    assert template[2] == "0x" + hashlib.sha256(data).hexdigest() and template[-1] == "0"
    assert get("getAgency", "AU-DAFF")[:3] == ['"AU-DAFF"', "0x4155", '"DAFF"']
    assert get("getAgency", "AU-NOPE")[-2:] == ["0", "0"]  # never registered: all zeros


def test_an_exported_file_changed_afterwards_is_refused_by_import(
    tmp_path: Path, anvil_url: str
) -> None:
    """A bundle lists each file's SHA-256 (the chain's): a seal image changed after the export
    is refused by another node's `registry import` in one line naming both digests, and nothing
    is registered there."""

    cn, nz = tmp_path / "cn", tmp_path / "nz"
    _cn_with_a_seal(cn, tmp_path, anvil_url)
    _cusdep(cn, "registry", "export", str(tmp_path / "out"))
    exported = tmp_path / "out" / "seals" / "AU-S1.png"
    listed = hashlib.sha256(exported.read_bytes()).hexdigest()
    exported.write_bytes(exported.read_bytes() + b"\0")  # still a PNG that reads as before
    changed = hashlib.sha256(exported.read_bytes()).hexdigest()

    _cusdep(nz, "init", "--country", "NZ", "--name", "Wellington", "--rpc-url", anvil_url)
    proc = cusdep(nz, "registry", "import", str(tmp_path / "out"), check=False)
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout
    assert proc.stderr.count("\n") == 1 and "seal AU-S1" in proc.stderr, proc.stderr
    assert listed in proc.stderr and changed in proc.stderr
    assert json.loads(_cusdep(nz, "registry", "list", "--json")) == []


def test_export_refuses_a_stored_specimen_changed_on_disk(tmp_path: Path, anvil_url: str) -> None:
    """`registry export` never writes out, beside the chain's SHA-256, a stored file that no
    longer has it: exit 2, one line, and no bundle."""
    from tests.unit.registry.records import png

    home = tmp_path / "cn"
    seal = _cn_with_a_seal(home, tmp_path, anvil_url)
    digest = hashlib.sha256(seal.read_bytes()).hexdigest()
    (home / "blobs" / digest[:2] / digest).write_bytes(png("green"))
    proc = cusdep(home, "registry", "export", str(tmp_path / "out"), check=False)
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout
    assert proc.stderr.count("\n") == 1 and digest in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_password_in_the_chain_url_is_masked_in_the_trace(
    home: Path, tmp_path: Path, anvil_url: str
) -> None:
    """The trace (also served to auditors' tokens over REST) names the chain it was checked
    on, never the node's credentials for it."""
    _cusdep(home, "init", "--country", "CN", "--name", "Shanghai Customs", "--rpc-url", anvil_url)
    doc = tmp_path / "cert.xml"
    doc.write_text("<cert/>")
    sha = json.loads(_cusdep(home, "anchor", str(doc), "--json"))[0]["document_sha256"]
    with_password = anvil_url.replace("://", "://cusdep:s3cret@")
    env = {**os.environ, "CUSDEP_HOME": str(home), "CUSDEP_CHAIN__RPC_URL": with_password}
    proc = subprocess.run(
        [sys.executable, "-m", "node", "trace", sha, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    trace = json.loads(proc.stdout)
    assert trace["verified_on_chain"] is True  # checked on the chain through that URL
    assert trace["anchor"]["rpc_url"] == anvil_url.replace("://", "://cusdep:***@")
    assert "s3cret" not in proc.stdout
