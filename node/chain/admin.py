"""The consortium admin role both contracts share, handed over in two steps (contracts 2.x).

``transferAdmin(account)`` by the admin only proposes; the proposed account takes the role with
``acceptAdmin()``. Contracts deployed by an earlier cusdep (``version()`` 1.x) hand the role over
at once with the same ``transferAdmin(address)`` selector, so this module reads the version
before it sends either call and refuses a 1.x contract (``ConfigError``) instead of risking it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hexbytes import HexBytes

from node.chain.client import LazyContract, outdated
from node.errors import ConfigError

TWO_STEP_MAJOR = 2  # the first major version of the contracts with acceptAdmin
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class AdminState:
    contract: str  # "DocumentAnchor" | "TrustRegistry"
    address: str
    version: str
    admin: str
    pending_admin: str | None  # None: none proposed (or a 1.x contract, which has no such step)

    @property
    def two_step(self) -> bool:
        return major(self.version) >= TWO_STEP_MAJOR

    def as_json(self) -> dict[str, object]:
        return {
            "address": self.address,
            "version": self.version,
            "admin": self.admin,
            "pending_admin": self.pending_admin,
        }


class AdminRole(LazyContract):
    """Admin-role calls of a contract; mixed into Web3ChainAnchor and Web3TrustRegistry."""

    async def admin_state(self) -> AdminState:
        c = await self._c()
        version = await self.version()
        admin = str(await self.client.call(c.functions.admin()))
        state = AdminState(self.contract_name, str(c.address), version, admin, None)
        if not state.two_step:
            return state
        pending = str(await self.client.call(c.functions.pendingAdmin()))
        return AdminState(
            self.contract_name, str(c.address), version, admin, _none_if_zero(pending)
        )

    async def transfer_admin(self, account: str) -> str:
        """Propose ``account`` (the zero address: withdraw the proposal); the transaction hash."""
        await self._require_two_step()
        fn = (await self._c()).functions.transferAdmin(self.client.w3.to_checksum_address(account))
        return HexBytes((await self.client.transact(fn))["transactionHash"]).to_0x_hex()

    async def accept_admin(self) -> str:
        await self._require_two_step()
        fn = (await self._c()).functions.acceptAdmin()
        return HexBytes((await self.client.transact(fn))["transactionHash"]).to_0x_hex()

    async def _require_two_step(self) -> None:
        require_two_step(await self.admin_state())


def require_two_step(state: AdminState) -> None:
    """Refuse a contract whose ``transferAdmin`` hands the role over at once (1.x)."""
    if not state.two_step:
        lacks = (
            "a transferAdmin that hands the contract over at once and no acceptAdmin, so this "
            "node will not call it"
        )
        raise ConfigError(outdated(state.contract, state.address, state.version, lacks))


def major(version: str) -> int:
    """The major number of a contract's ``version()`` (0 where it is not one)."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def _none_if_zero(address: str) -> str | None:
    return None if int(address, 16) == 0 else address
