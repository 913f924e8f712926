"""A partner still on a release from before key rotation refuses an envelope signed with this
node's new, not yet pinned key as ``unknown_sender`` ("signer key '...' is not pinned for ..."),
not ``unknown_key``: the envelope waits for the card as it does with a current partner. It was
marked rejected for good, so what a node sent between its `identity rotate` and such a partner's
`partner add --replace` never arrived."""

from __future__ import annotations

import types
from pathlib import Path

from sqlmodel import select

from node.config import Settings
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.outbox import _Stream
from node.exchange.tables import OutboxRow
from node.storage.db import Database

_UNAUTHENTICATED = 16


def _refused(tmp_path: Path, error_code: str, message: str) -> OutboxRow:
    db = Database(f"sqlite:///{tmp_path / 'cusdep.db'}")
    db.migrate()
    with db.session() as session:
        session.add(
            OutboxRow(
                message_id="m1", peer="GB-LON", kind="certificate", digest="00", envelope=b"e"
            )
        )
        session.commit()
    with db.session() as session:
        row = session.exec(select(OutboxRow)).one()
    settings = Settings(home=tmp_path).exchange
    service = types.SimpleNamespace(db=db, node_id="CN-SHA", partners=types.SimpleNamespace())
    service.partners.require = lambda peer: None
    sender = types.SimpleNamespace(service=service, settings=settings, peer="GB-LON")
    stream = _Stream.__new__(_Stream)
    stream.sender = sender  # type: ignore[assignment]
    rejection = pb.Rejection(status_code=_UNAUTHENTICATED, error_code=error_code, message=message)
    stream._apply([row], [pb.DeliveryAck(message_id="m1", rejection=rejection)])
    with db.session() as session:
        after = session.exec(select(OutboxRow)).one()
    db.dispose()
    return after


def test_an_old_partners_refusal_of_an_unpinned_key_keeps_the_message(tmp_path: Path) -> None:
    row = _refused(
        tmp_path,
        "cusdep.exchange.unknown_sender",
        "signer key 'fe2f6b64862cff1b' is not pinned for CN-SHA",
    )
    assert row.state == "pending" and row.attempts == 1
    assert "has not pinned this node's signing key yet" in row.error


def test_a_current_partners_unknown_key_keeps_the_message(tmp_path: Path) -> None:
    row = _refused(tmp_path, "cusdep.exchange.unknown_key", "signer key 'x' is not pinned")
    assert row.state == "pending"


def test_an_unknown_sender_for_another_reason_is_still_rejected(tmp_path: Path) -> None:
    row = _refused(
        tmp_path,
        "cusdep.exchange.unknown_sender",
        "sender 'CN-SHA' is not the pinned partner of this connection (GB-LON)",
    )
    assert row.state == "rejected" and row.error_code == "cusdep.exchange.unknown_sender"
