"""The per-partner budget of refused envelopes (``node.exchange.throttle``), on a fake clock,
and on the inbox's real transaction: a partner that keeps sending envelopes this node refuses
costs its audit log a bounded number of rows, and its deliveries are refused whole (nothing
received, nothing written) until the budget has refilled."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from node.config import ExchangeSettings
from node.exchange.tables import InboxRow, RejectionRow
from node.exchange.throttle import RefusalBudget, RefusalsThrottled
from node.storage.db import Database
from tests.unit.exchange.test_inbox import _env, make_world


class _Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_burst_is_taken_then_the_rate_and_a_spent_budget_refuses() -> None:
    clock = _Clock()
    budget = RefusalBudget(burst=10, per_minute=60, clock=clock)  # one a second
    budget.admit("AU-CAN")
    assert budget.charge("AU-CAN", 9) is False
    budget.admit("AU-CAN")  # one left
    assert budget.charge("AU-CAN", 5) is True  # a frame may go into debt: 4 owed
    with pytest.raises(RefusalsThrottled) as info:
        budget.admit("AU-CAN")
    assert info.value.code == "cusdep.exchange.throttled"
    assert info.value.grpc_status.name == "RESOURCE_EXHAUSTED"
    assert "AU-CAN" in info.value.message and "about 5 s" in info.value.message
    budget.admit("NZ-AKL")  # another partner's budget is its own
    clock.t += 4  # the debt paid, nothing yet to spend
    with pytest.raises(RefusalsThrottled):
        budget.admit("AU-CAN")
    assert budget.charge("AU-CAN", 1) is False  # the same episode: audited once
    clock.t += 2.5
    budget.admit("AU-CAN")
    assert budget.charge("AU-CAN", 3) is True  # a new episode, audited again
    clock.t += 3600
    budget.admit("AU-CAN")
    assert budget.charge("AU-CAN", 9) is False  # refilled only up to the burst
    assert budget.charge("AU-CAN", 1) is True


@pytest.fixture
def world(tmp_path: Path):
    clock = _Clock()
    budget = RefusalBudget(burst=20, per_minute=60, clock=clock)
    return (*make_world(tmp_path, ExchangeSettings(), budget), clock)


def _codes(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.exec(select(RejectionRow.code).order_by(col(RejectionRow.id))))


def _inbox(db: Database) -> int:
    with db.session() as s:
        return len(list(s.exec(select(InboxRow.message_id))))


async def test_refusals_past_the_budget_stop_the_partner_not_the_audit(world) -> None:
    inbox, peer, db, clock = world
    wrong = [_env(peer, f"AU-{i}", recipient="NZ-AKL") for i in range(25)]
    good = _env(peer, "AU-OK")
    acks = await inbox.receive("AU-CAN", [good, *wrong])
    # the frame is judged whole: the good one received, each refusal audited one by one
    assert acks[0].receipt is not None
    assert [a.error.code for a in acks[1:] if a.error] == ["cusdep.exchange.wrong_recipient"] * 25
    codes = _codes(db)
    assert codes == ["cusdep.exchange.wrong_recipient"] * 25 + ["cusdep.exchange.throttled"]
    assert _inbox(db) == 1

    # spent: the next delivery is refused whole, before any check, and writes nothing
    later = _env(peer, "AU-LATER")
    with pytest.raises(RefusalsThrottled):
        await inbox.receive("AU-CAN", [later, *wrong])
    assert _codes(db) == codes and _inbox(db) == 1

    clock.t += 6  # the debt of 5 paid and one to spend: received again
    (ack,) = await inbox.receive("AU-CAN", [later])
    assert ack.receipt is not None and _inbox(db) == 2
    assert _codes(db) == codes
