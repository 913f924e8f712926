"""A call to an address with no code (``chain.anchor_contract = "0x...01"``) is a one-line
``ChainUnavailable``, not web3's ``BadFunctionCallOutput`` traceback at ``anchor``/``trace``."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3.exceptions import BadFunctionCallOutput

from node.chain.client import ChainClient
from node.errors import ChainUnavailable

NOWHERE = "0x0000000000000000000000000000000000000001"


class _EmptyCall:
    """A contract function whose ``eth_call`` came back empty, as web3 reports it."""

    address = NOWHERE

    async def call(self) -> object:
        raise BadFunctionCallOutput("Could not decode contract function call to verifyLeaf")


async def test_a_call_to_an_address_without_code_names_the_address_and_the_chain() -> None:
    client = ChainClient("http://127.0.0.1:1", Account.create())
    with pytest.raises(ChainUnavailable) as raised:
        await client.call(_EmptyCall())
    message = raised.value.roll_up()
    assert f"no contract at {NOWHERE} on the chain at http://127.0.0.1:1" in message
    assert "\n" not in message
