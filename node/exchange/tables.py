"""Exchange tables: pinned partners, the durable outbox, the inbox (the seen-set for replay
protection, per sender) and the audit log of rejected messages.

Both boxes keep the complete signed envelope: the row is the durable record of exactly the bytes
that were signed, so a retry resends the identical envelope and a receiver can prove what it got.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, text
from sqlmodel import Field, SQLModel, col

from node.storage.core import utcnow

TO_APPLY = "state = 'received' AND kind IN ('registry_update', 'revocation', 'review_outcome')"


def _where(condition: str) -> dict[str, Any]:
    """A partial index condition; queries must repeat it literally (see store.PENDING)."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class PartnerRow(SQLModel, table=True):
    __tablename__ = "exchange_partners"

    node_id: str = Field(primary_key=True)
    country: str = Field(max_length=2)
    name: str = ""
    endpoint: str  # host:port of the partner's gRPC server
    ca_pem: str  # the partner's CA certificate, pinned
    verify_key_hex: str  # Ed25519 public key, pinned
    key_id: str
    retired_keys: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})
    added_at: dt.datetime = Field(default_factory=utcnow)


class OutboxRow(SQLModel, table=True):
    __tablename__ = "exchange_outbox"
    # Partial indexes: only the few rows still to work on are indexed (cheap inserts/updates)
    __table_args__ = (
        Index("ix_exchange_outbox_pending", "peer", "seq", **_where("state = 'pending'")),
        Index("ix_exchange_outbox_unstored", "seq", **_where("NOT stored")),
        Index("ix_exchange_outbox_peer_kind_state", "peer", "kind", "state"),  # /metrics counts
    )

    seq: int | None = Field(default=None, primary_key=True)  # per-partner delivery order
    message_id: str = Field(unique=True)
    peer: str
    kind: str
    document_sha256: str = Field(default="", index=True)
    digest: str  # hex envelope digest (what the receipt must name)
    envelope: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    state: str = Field(default="pending")  # pending | delivered | rejected | expired
    attempts: int = 0  # failed deliveries (`messages` adds the one a partner answered)
    next_attempt_at: dt.datetime = Field(default_factory=utcnow)
    error: str = ""
    error_code: str = ""
    receipt: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow)
    delivered_at: dt.datetime | None = None
    stored: bool = False  # document blob written (see blobs.py)


class InboxRow(SQLModel, table=True):
    __tablename__ = "exchange_inbox"
    __table_args__ = (
        Index("ix_exchange_inbox_unstored", "message_id", **_where("NOT stored")),
        # messages still to apply (registry updates, revocations, review outcomes): node.applier
        Index("ix_exchange_inbox_to_apply", "received_at", **_where(TO_APPLY)),
        Index("ix_exchange_inbox_received_at", "received_at"),  # messages in order, by page
        Index("ix_exchange_inbox_peer_kind_state", "peer", "kind", "state"),  # /metrics counts
    )

    # A message id is the sender's: unique per sender, not across them (migration 0006), so
    # one partner cannot take the ids another partner's messages will carry
    message_id: str = Field(primary_key=True)
    peer: str = Field(primary_key=True)
    kind: str
    document_sha256: str = Field(default="", index=True)
    digest: str
    envelope: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    receipt: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    state: str = Field(default="received")  # received | applied | refused (non-documents)
    received_at: dt.datetime = Field(default_factory=utcnow)
    stored: bool = False  # document blob written (see blobs.py)


# The order of receipt, total: the messages of one batch are a microsecond apart, in the order
# their sender sent them (``insert_inbox``); ties (rows written otherwise) fall to the sender and
# message id, since PostgreSQL orders ties differently from one query to the next (a page by
# OFFSET repeated some and skipped others) where SQLite happened to keep rowid order.
RECEIPT_ORDER = (col(InboxRow.received_at), col(InboxRow.peer), col(InboxRow.message_id))


class RejectionRow(SQLModel, table=True):
    """Audit log: one row per refused envelope; the bytes are in home/quarantine/."""

    __tablename__ = "exchange_rejections"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    peer: str = ""  # identity from the TLS client certificate ("" if none)
    claimed_sender: str = ""
    message_id: str = ""
    code: str
    status: str  # gRPC status name
    reason: str
    quarantine_path: str = ""
