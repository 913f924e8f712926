"""Two-step admin handover of both contracts, against a real anvil, by the contracts' errors.

The admin proposes (`transferAdmin`), the proposed account accepts (`acceptAdmin`); until then
the old admin keeps every power. Each test runs on DocumentAnchor and on TrustRegistry, probing
the admin's power with a call only the admin may make (`authorise`, `addAuthority`).
"""

from __future__ import annotations

import pytest
from hexbytes import HexBytes

from node.chain.admin import ZERO_ADDRESS
from node.chain.client import ChainClient
from tests.integration.chain.test_access_control import expect

CONTRACTS = ["DocumentAnchor", "TrustRegistry"]
VERSIONS = {"DocumentAnchor": "3.0.0", "TrustRegistry": "2.0.0"}  # both two-step since 2.0.0


def _role(deployed, name: str, client: ChainClient):
    return deployed.anchor(client) if name == "DocumentAnchor" else deployed.registry(client)


async def _use_power(deployed, name: str, client: ChainClient, subject: str) -> str:
    """A call only the admin may make: authorise a writer / add an authority."""
    role = _role(deployed, name, client)
    if name == "DocumentAnchor":
        return await role.authorise(subject)
    return await role.add_authority("AU", subject)


async def _accounts(deployed, anvil_url, name: str, n: int):
    clients = [await deployed.client(anvil_url) for _ in range(n)]
    return _role(deployed, name, deployed.admin), [_role(deployed, name, c) for c in clients]


@pytest.mark.parametrize("name", CONTRACTS)
async def test_proposed_account_takes_the_role_only_when_it_accepts(deployed, anvil_url, name):
    old, (new,) = await _accounts(deployed, anvil_url, name, 1)
    new_address = new.client.address
    tx = await old.transfer_admin(new_address)
    receipt = await deployed.admin.w3.eth.get_transaction_receipt(HexBytes(tx))
    proposed = (await old._c()).events.AdminTransferProposed().process_receipt(receipt)
    assert [(e.args.admin, e.args.pendingAdmin) for e in proposed] == [
        (deployed.admin.address, new_address)
    ]
    state = await old.admin_state()
    assert state.version == VERSIONS[name]
    assert (state.admin, state.pending_admin) == (deployed.admin.address, new_address)
    # proposed, not accepted: the old admin keeps its powers, the new account has none yet
    await _use_power(deployed, name, deployed.admin, new_address)
    await expect("NotAdmin", _use_power(deployed, name, new.client, new_address))

    await new.accept_admin()
    state = await new.admin_state()
    assert (state.admin, state.pending_admin) == (new_address, None)
    await _use_power(deployed, name, new.client, deployed.admin.address)
    await expect("NotAdmin", _use_power(deployed, name, deployed.admin, new_address))
    await expect("NotAdmin", old.transfer_admin(deployed.admin.address))


@pytest.mark.parametrize("name", CONTRACTS)
async def test_only_the_proposed_account_accepts(deployed, anvil_url, name):
    old, (proposed, stranger) = await _accounts(deployed, anvil_url, name, 2)
    await expect("NotPendingAdmin", proposed.accept_admin())  # nothing proposed yet
    await old.transfer_admin(proposed.client.address)
    err = await expect("NotPendingAdmin", stranger.accept_admin())
    assert err.detail["args"]["caller"] == stranger.client.address.lower()
    await expect("NotPendingAdmin", old.accept_admin())  # the admin cannot accept for it
    await expect("NotAdmin", stranger.transfer_admin(stranger.client.address))
    state = await old.admin_state()
    assert (state.admin, state.pending_admin) == (deployed.admin.address, proposed.client.address)


@pytest.mark.parametrize("name", CONTRACTS)
async def test_the_admin_withdraws_or_replaces_a_proposal(deployed, anvil_url, name):
    old, (typo, meant) = await _accounts(deployed, anvil_url, name, 2)
    await old.transfer_admin(typo.client.address)
    await old.transfer_admin(ZERO_ADDRESS)  # withdrawn
    await expect("NotPendingAdmin", typo.accept_admin())
    assert (await old.admin_state()).pending_admin is None

    await old.transfer_admin(typo.client.address)
    await old.transfer_admin(meant.client.address)  # replaced
    await expect("NotPendingAdmin", typo.accept_admin())
    await meant.accept_admin()
    state = await old.admin_state()
    assert (state.admin, state.pending_admin) == (meant.client.address, None)


@pytest.mark.parametrize("name", CONTRACTS)
async def test_the_zero_address_never_becomes_admin(deployed, anvil_url, name):
    old, _ = await _accounts(deployed, anvil_url, name, 0)
    await old.transfer_admin(ZERO_ADDRESS)
    state = await old.admin_state()
    assert (state.admin, state.pending_admin) == (deployed.admin.address, None)
    await _use_power(deployed, name, deployed.admin, deployed.admin.address)
