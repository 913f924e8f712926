"""Consortium administration on the contracts: authorities and anchor writers."""

from __future__ import annotations

from typing import Any

from node.errors import ConfigError, InputError
from node.registry.validate import country as check_country
from node.runtime import Node


def _address(value: str) -> str:
    v = value.strip()
    if not (v.startswith("0x") and len(v) == 42):
        raise InputError(f"--account must be a 0x-prefixed 20-byte address, got {value!r}")
    try:
        int(v, 16)
    except ValueError as err:
        raise InputError(f"--account is not hexadecimal: {value!r}") from err
    return v


def _chain(node: Node) -> Any:
    if node.chain is None:
        raise ConfigError("this node has no chain connection")
    return node.chain


async def add_authority(node: Node, country: str, account: str) -> dict[str, Any]:
    chain = _chain(node)
    tx = await chain.registry.add_authority(check_country(country), _address(account))
    return {"country": country.upper(), "account": account, "tx_hash": tx}


async def authorise_anchor(node: Node, account: str) -> dict[str, Any]:
    chain = _chain(node)
    tx = await chain.anchor.authorise(_address(account))
    return {"account": account, "tx_hash": tx}


async def account(node: Node) -> dict[str, Any]:
    chain = _chain(node)
    await chain.prepare()
    return {
        "node_id": node.node_id,
        "account": chain.client.address,
        "rpc_url": chain.rpc_url,
        "chain_id": await chain.client.chain_id(),
        "anchor_contract": node.settings.chain.anchor_contract,
        "registry_contract": node.settings.chain.registry_contract,
    }
