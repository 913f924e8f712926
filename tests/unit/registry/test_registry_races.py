"""Registry writes of one home from two processes at once (two `cusdep registry` commands, one
beside the running node's registry worker or its REST API): each "process" is a node built on
the same home (its own ``Database``), both on one in-memory TrustRegistry."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import delete, select

from node.bootstrap import build_node
from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.config import ChainSettings, NodeIdentity, Settings
from node.domain.states import OpState
from node.exchange.partners import add_partner, export_card
from node.exchange.tables import OutboxRow
from node.identity import create_identity, load_identity
from node.registry.tables import RegistryRecordRow
from node.runtime import Node
from node.storage.core import OperationRow
from tests.races import rival_before_write
from tests.unit.registry.records import png


def _settings(home: Path, node_id: str) -> Settings:
    return Settings(
        home=home,
        node=NodeIdentity(id=node_id, country=node_id[:2], name=node_id),
        chain=ChainSettings(rpc_url="http://127.0.0.1:9"),
    )


@pytest.fixture
def pair(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two processes of CN-SHA's home, which pins AU-CBR (registry records are shared)."""
    home, partner = tmp_path / "cn", tmp_path / "au"
    create_identity(home, "CN-SHA")
    create_identity(partner, "AU-CBR")
    chain = InMemoryTrustRegistry("CN")
    nodes = [
        build_node(_settings(home, "CN-SHA"), chain_anchor=InMemoryChainAnchor(), registry_chain=c)
        for c in (chain, chain.as_authority("CN"))
    ]
    au = _settings(partner, "AU-CBR")
    add_partner(nodes[0].db, export_card(au, load_identity(partner, "AU-CBR")), own_id="CN-SHA")
    yield nodes
    for n in nodes:
        n.db.dispose()


class _Then:
    """A registry chain whose next call of ``method`` is followed by ``rival`` (another
    process's command) to its end, before the caller sees the answer."""

    def __init__(self, chain: Any, method: str, rival: Callable[[], Awaitable[Any]]) -> None:
        self._chain, self._method, self._rival = chain, method, rival

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._chain, name)
        if name != self._method or self._rival is None:
            return real

        async def then(*args: Any) -> Any:
            answer = await real(*args)
            rival, self._rival = self._rival, None
            await rival()  # type: ignore[misc]
            return answer

        return then


def _rows(node: Node) -> tuple[list[RegistryRecordRow], list[OperationRow], list[OutboxRow]]:
    with node.db.session() as session:
        return (
            list(session.exec(select(RegistryRecordRow))),
            list(session.exec(select(OperationRow))),
            list(session.exec(select(OutboxRow))),
        )


def test_one_agency_added_by_two_commands_at_once_is_recorded_once(pair) -> None:
    first, second = pair
    other = rival_before_write(
        first.db, None, lambda: asyncio.run(second.registry.add_agency("CN-GACC", "CN", "GACC"))
    )

    mine = asyncio.run(first.registry.add_agency("CN-GACC", "CN", "GACC"))

    assert other[0]["state"] == mine["state"] == "confirmed"
    records, ops, outbox = _rows(first)
    assert len(records) == len(ops) == len(outbox) == 1
    assert mine["tx_hash"] == other[0]["tx_hash"] != "adopted"


async def test_a_write_the_worker_confirmed_meanwhile_keeps_its_transaction(pair) -> None:
    cli, node = pair
    await cli.registry.add_agency("CN-GACC", "CN", "GACC")
    # the command reads the seal absent on chain; the node's worker then writes and confirms it
    cli.registry.chain = _Then(cli.registry.chain, "get", node.registry.process_pending)

    out = await cli.registry.add_seal("CN-GACC", "CN-GACC-S1", png("red"))

    records, ops, outbox = _rows(cli)
    [seal] = [r for r in records if r.kind == "seal"]
    [op] = [o for o in ops if o.idempotency_key.startswith("registry:seal:")]
    assert seal.tx_hash.startswith("0x") and out["tx_hash"] == seal.tx_hash  # not "adopted"
    assert (op.state, op.attempts, op.result) == ("confirmed", 1, {"tx_hash": seal.tx_hash})
    assert sorted(o.kind for o in outbox) == ["registry_update", "registry_update"]


async def test_a_record_revoked_before_its_write_is_confirmed_stays_revoked(pair) -> None:
    cli, other = pair
    await cli.registry.add_agency("CN-GACC", "CN", "GACC")
    revoke = lambda: other.registry.revoke("seal", "CN-GACC-S1", "die lost")  # noqa: E731
    cli.registry.chain = _Then(cli.registry.chain, "register", revoke)

    out = await cli.registry.add_seal("CN-GACC", "CN-GACC-S1", png("red"))

    assert out["state"] == "revoked"
    _, ops, outbox = _rows(cli)
    [op] = [o for o in ops if o.idempotency_key.startswith("registry:seal:")]
    assert op.state == OpState.CONFIRMED.value
    assert [o.kind for o in outbox] == ["registry_update", "revocation"]  # the seal's: revoked


async def test_records_shared_with_a_partner_by_two_commands_at_once_are_queued_once(
    pair,
) -> None:
    first, second = pair
    await first.registry.add_agency("CN-GACC", "CN", "GACC")
    await first.registry.add_seal("CN-GACC", "CN-GACC-S1", png("red"))
    with first.db.session() as session:  # as if confirmed before AU-CBR was pinned
        session.exec(delete(OutboxRow))  # type: ignore[call-overload]
    # two `partner add au.json` (or one beside the node confirming a record) share at once
    other = rival_before_write(
        first.db, None, lambda: second.registry.publisher.share_all("AU-CBR")
    )

    assert await asyncio.to_thread(first.registry.publisher.share_all, "AU-CBR") == 0
    assert other == [2]
    _, _, outbox = _rows(first)
    assert len(outbox) == 2 and len({o.message_id for o in outbox}) == 2
