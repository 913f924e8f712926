"""Consortium administration on the contracts: authorities, anchor writers and the admin role.

The admin role of both contracts is handed over in two steps: the admin proposes an account
(``transfer_admin``), that account's node accepts (``accept_admin``). Each step is sent to both
contracts, the one that will refuse first: a contract's revert (``NotAdmin``,
``NotPendingAdmin``) then stops the command before the other contract has changed.
"""

from __future__ import annotations

from typing import Any

from node.chain.admin import ZERO_ADDRESS, AdminRole, AdminState, require_two_step
from node.errors import ChainError, ConfigError, InputError
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
        "contracts": await _shown(chain),
    }


async def _shown(chain: Any) -> dict[str, Any]:
    """Each contract's version and admin; where they cannot be read, why (the account is
    what a node joining a consortium needs from this command, so it is shown anyway)."""
    try:
        return {state.contract: state.as_json() for _, state in await _states(chain)}
    except ChainError as err:
        return {"error": err.roll_up()}


async def transfer_admin(node: Node, account: str | None) -> dict[str, Any]:
    """Propose ``account`` as admin of both contracts (None: withdraw the proposal)."""
    chain = _chain(node)
    target = ZERO_ADDRESS if account is None else _address(account)
    me = chain.client.address.lower()
    states = await _states(chain, two_step=True)
    done = {}
    for role, _ in sorted(states, key=lambda rs: rs[1].admin.lower() == me):
        done[role.contract_name] = await role.transfer_admin(target)
    return {
        "admin": chain.client.address,
        "pending_admin": None if int(target, 16) == 0 else target,
        "tx_hashes": done,
    }


async def accept_admin(node: Node) -> dict[str, Any]:
    """Take the admin role of both contracts the admin proposed this node's account for."""
    chain = _chain(node)
    me = chain.client.address.lower()
    states = await _states(chain, two_step=True)
    todo = [rs for rs in states if rs[1].admin.lower() != me]  # accepted already: leave it
    done = {}
    for role, _ in sorted(todo, key=lambda rs: (rs[1].pending_admin or "").lower() == me):
        done[role.contract_name] = await role.accept_admin()
    return {"admin": chain.client.address, "tx_hashes": done}


async def _states(chain: Any, *, two_step: bool = False) -> list[tuple[AdminRole, AdminState]]:
    """Each contract's admin state; ``two_step``: refuse if either is a 1.x contract, before
    anything is sent to the other."""
    await chain.prepare()
    roles: list[AdminRole] = [chain.anchor, chain.registry]
    states = [(role, await role.admin_state()) for role in roles]
    if two_step:
        for _, state in states:
            require_two_step(state)
    return states
