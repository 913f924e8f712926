"""Registry writes the chain has lost: written again.

As for anchors (``node.anchoring.reconcile``): an embedded anvil killed with the node comes
back from its last state dump, behind the database, and a reorganisation loses blocks the same
way. A record this node registered (operation and row confirmed) that the chain no longer holds
is no specimen for anyone: every node's review, this one's included, uses only what the chain
vouches for, so a seal lost that way made genuine papers fail until someone noticed.

``RegistryReconciler.run`` checks the node's confirmed ``registry_write`` operations against
the contract (``get_many``), and its confirmed ``registry_revoke`` operations too: a record
missing on chain has its registration pending again; a record on chain that is not revoked
where this node revoked it has its revocation pending again (one whose record is missing waits
for the next pass, after the registration is back). The registry worker then writes them as
any pending write, keeping the row's state, and records the new transaction. Our transactions
are mined in nonce order, so a lost write takes every later one of ours with it: operations are
paged newest first and the pass stops at a page the chain holds entirely.

An officer's validity changed (``registry_validity``) is checked too, the newest change per
officer only (a later change supersedes an earlier one): an officer on chain, not revoked, whose
dates are not the ones this node set has the change pending again.

A chain without the contract (reset entirely, or another chain) raises ``ChainUnavailable`` and
changes nothing, as for anchors.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from node.domain.states import OpState, OpType
from node.ports import RegistryRecords
from node.storage.core import OperationRow, newest_confirmed, utcnow
from node.storage.db import Database

logger = logging.getLogger(__name__)
PAGE = 64  # confirmed operations checked per round trip
_TYPES = (
    OpType.REGISTRY_WRITE.value,
    OpType.REGISTRY_REVOKE.value,
    OpType.REGISTRY_VALIDITY.value,
)


@dataclass(frozen=True)
class _Written:
    op_id: int
    type: str  # OpType value
    key: tuple[str, str, str]  # kind, registrar, id
    recorded: dict[str, Any]  # the confirmed operation's result
    dates: tuple[int, int] | None = None  # a validity change's (valid_from, valid_to)


class RegistryReconciler:
    def __init__(self, db: Database, chain: RegistryRecords) -> None:
        self.db = db
        self.chain = chain

    async def run(self) -> int:
        """Put every confirmed registry write the chain does not hold up for writing again;
        returns how many (raises ``ChainError`` and changes nothing when the chain cannot be
        read)."""
        lost: list[_Written] = []
        before: int | None = None
        newer: set[tuple[str, str, str]] = set()  # officers whose newest validity change is seen
        while page := await asyncio.to_thread(self._confirmed, before):
            records = await self.chain.get_many([w.key for w in page])
            missing = [w for w, rec in zip(page, records, strict=True) if _lost(w, rec, newer)]
            if not missing:
                break
            lost.extend(missing)
            before = page[-1].op_id
        reopened = sum([await asyncio.to_thread(self._reopen, w) for w in lost])
        if reopened:
            logger.warning("%d registry write(s) not on chain: writing them again", reopened)
        return reopened

    def _confirmed(self, before: int | None) -> list[_Written]:
        with self.db.session() as session:
            return [_written(op) for op in newest_confirmed(session, _TYPES, before, PAGE)]

    def _reopen(self, lost: _Written) -> bool:
        """Confirmed -> pending, the lost transaction kept in the result; False when the
        operation is no longer as read (one ``node run`` per home moves confirmed ones)."""
        with self.db.session() as session:
            op = session.get(OperationRow, lost.op_id)
            if op is None or op.state != OpState.CONFIRMED.value or op.result != lost.recorded:
                return False
            now = utcnow()
            history = [
                *lost.recorded.get("lost", []),
                {**lost.recorded, "detected_at": now.isoformat()},
            ]
            history[-1].pop("lost", None)
            op.state, op.result, op.updated_at = OpState.PENDING.value, {"lost": history}, now
            op.error = f"not on chain (recorded tx {lost.recorded.get('tx_hash')}): writing again"
            session.add(op)
            return True


def _written(op: OperationRow) -> _Written:
    p = op.payload
    assert op.id is not None
    if op.type == OpType.REGISTRY_VALIDITY.value:
        key = ("officer", p["registrar"], p["id"])
        dates = (int(p["valid_from"]), int(p["valid_to"]))
        return _Written(op.id, op.type, key, dict(op.result), dates)
    record_id = p["id"] if op.type == OpType.REGISTRY_REVOKE.value else p["fields"]["id"]
    return _Written(op.id, op.type, (p["kind"], p["registrar"], record_id), dict(op.result))


def _lost(
    written: _Written, record: dict[str, Any] | None, newer: set[tuple[str, str, str]]
) -> bool:
    if written.type == OpType.REGISTRY_WRITE.value:
        return record is None
    if written.type == OpType.REGISTRY_REVOKE.value:
        return record is not None and not record.get("revoked_at")
    if written.key in newer:
        return False  # superseded by a newer change of the same officer
    newer.add(written.key)
    if record is None or record.get("revoked_at"):
        return False  # the registration is written again first; a revoked officer stays so
    return (record["valid_from"], record["valid_to"]) != written.dates
