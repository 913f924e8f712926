"""Inbox message ids are unique per sender: the primary key of ``exchange_inbox`` becomes
(``message_id``, ``peer``). A message id is chosen by its sender, so one partner must not be able
to take the ids another partner's messages will carry (the replay check is per sender).

The table is rebuilt (new table, copy, drop, rename; SQLite cannot change a primary key in
place), rows in their order, and its indexes made again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TO_APPLY = "state = 'received' AND kind IN ('registry_update', 'revocation', 'review_outcome')"
_COLUMNS = (
    "message_id, peer, kind, document_sha256, digest, envelope, receipt, state, received_at, stored"
)


def _order() -> str:
    """Rows in the order they were received (on SQLite exactly: their rowid)."""
    return "rowid" if op.get_bind().dialect.name == "sqlite" else "received_at, message_id"


def _rebuild(primary_key: list[str], select: str) -> None:
    op.create_table(
        "_exchange_inbox_new",
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("peer", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("document_sha256", sa.String(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("receipt", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(*primary_key),
    )
    op.execute(f"INSERT INTO _exchange_inbox_new ({_COLUMNS}) {select}")
    op.drop_table("exchange_inbox")  # its indexes go with it
    op.rename_table("_exchange_inbox_new", "exchange_inbox")
    op.create_index("ix_exchange_inbox_document_sha256", "exchange_inbox", ["document_sha256"])
    op.create_index(
        "ix_exchange_inbox_unstored",
        "exchange_inbox",
        ["message_id"],
        sqlite_where=sa.text("NOT stored"),
        postgresql_where=sa.text("NOT stored"),
    )
    op.create_index(
        "ix_exchange_inbox_to_apply",
        "exchange_inbox",
        ["received_at"],
        sqlite_where=sa.text(_TO_APPLY),
        postgresql_where=sa.text(_TO_APPLY),
    )


def upgrade() -> None:
    _rebuild(
        ["message_id", "peer"],
        f"SELECT {_COLUMNS} FROM exchange_inbox ORDER BY {_order()}",
    )


def downgrade() -> None:
    # one row per message id again: the first received of each id is kept
    _rebuild(
        ["message_id"],
        f"SELECT {_COLUMNS} FROM exchange_inbox a WHERE NOT EXISTS ("
        " SELECT 1 FROM exchange_inbox b WHERE b.message_id = a.message_id"
        " AND (b.received_at < a.received_at"
        " OR (b.received_at = a.received_at AND b.peer < a.peer)))"
        f" ORDER BY {_order()}",
    )
