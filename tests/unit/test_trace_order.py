"""A trace that reports a document's anchor lists its ``anchored`` event too (``node.trace``)."""

from pathlib import Path
from types import SimpleNamespace

from node.anchoring.service import AnchorInfo
from node.domain.states import EventKind
from node.storage.db import Database
from node.storage.documents import add_event
from node.trace import trace

SHA = "c" * 64


async def test_an_anchor_confirmed_while_the_trace_is_read_is_among_its_events(
    tmp_path: Path,
) -> None:
    """The confirmation of a root marks its leaves anchored and writes their ``anchored``
    events in one transaction. A trace read the events first, so a confirmation between its
    reads reported the anchor verified on chain with ``reviewed`` as the last event (once in
    the REST integration test ``test_real_pipeline_review_then_officer_accepts_and_it_is_
    anchored``). Here the confirmation commits as the anchor is read."""
    db = Database(f"sqlite:///{tmp_path / 'node.db'}")
    db.migrate()
    with db.session() as session:
        add_event(session, SHA, EventKind.REVIEWED, "jane", {"decision": "accept"})
    anchor = AnchorInfo(SHA, "0x" + "1" * 64, "0x" + "2" * 64, [], "0x" + "3" * 64, 7)

    class _Anchoring:
        chain = SimpleNamespace(contract_address="0x" + "4" * 40)

        def info(self, sha256: str) -> AnchorInfo:
            with db.session() as session:  # the root's confirmation commits now
                add_event(session, sha256, EventKind.ANCHORED, "CN-SHA", {"merkle_root": "0x2"})
            return anchor

        def state(self, sha256: str) -> str:
            return "anchored"

        async def verify_on_chain(self, info: AnchorInfo) -> tuple[bool, bool]:
            return True, False

    settings = SimpleNamespace(
        chain=SimpleNamespace(chain_id=31337, rpc_url="http://127.0.0.1:8545")
    )
    node = SimpleNamespace(db=db, anchoring=_Anchoring(), settings=settings, chain=None)
    out = await trace(node, SHA)  # type: ignore[arg-type]
    assert out["verified_on_chain"] is True
    assert [e["kind"] for e in out["events"]] == ["reviewed", "anchored"]
