"""The plain JSON-RPC registry reader (``cusdep verify``'s) reads what the web3 adapter reads."""

from __future__ import annotations

import hashlib

import pytest

from node.chain import reader as chain_reader
from node.chain.reader import RpcRegistryReader
from node.errors import ChainUnavailable


async def test_reader_returns_the_web3_adapters_records_in_order(deployed, monkeypatch) -> None:
    admin = deployed.registry(deployed.admin)
    await admin.add_authority("AU", deployed.admin.address)
    await admin.register(
        "agency", "AU", {"id": "AU-R", "country": "AU", "name": "R", "authoritative": True}
    )
    sha = hashlib.sha256(b"seal").hexdigest()
    await admin.register("seal", "AU", {"id": "S0", "agency_id": "AU-R", "image_sha256": sha})
    await admin.register(
        "officer",
        "AU",
        {
            "id": "O0",
            "agency_id": "AU-R",
            "signature_sha256": hashlib.sha256(b"sig").hexdigest(),
            "valid_from": 1_700_000_000,
            "valid_to": 1_900_000_000,
        },
    )
    await admin.register(
        "template",
        "AU",
        {
            "id": "T0",
            "country": "AU",
            "template_sha256": hashlib.sha256(b"t").hexdigest(),
            "authoritative": True,
        },
    )
    await admin.revoke("seal", "AU", "S0", "lost")
    keys = [
        ("template", "AU", "T0"),
        ("seal", "AU", "S0"),
        ("seal", "AU", "missing"),
        ("officer", "AU", "O0"),
        ("agency", "AU", "AU-R"),
        ("agency", "NZ", "AU-R"),
    ]
    monkeypatch.setattr(chain_reader, "BATCH", 4)  # two batches
    reader = RpcRegistryReader(deployed.admin.rpc_url, deployed.registry_address)
    got = await reader.get_many(keys)
    assert got == await admin.get_many(keys)
    assert [r["id"] if r else None for r in got] == ["T0", "S0", None, "O0", "AU-R", None]
    assert got[1] is not None and got[1]["image_sha256"] == sha and got[1]["revoked_at"] > 0
    assert await reader.get_many([]) == []


async def test_reader_on_a_dead_endpoint_is_chain_unavailable(unused_tcp_port: int) -> None:
    reader = RpcRegistryReader(f"http://127.0.0.1:{unused_tcp_port}", "0x" + "11" * 20)
    with pytest.raises(ChainUnavailable):
        await reader.get_many([("seal", "AU", "S0")])
