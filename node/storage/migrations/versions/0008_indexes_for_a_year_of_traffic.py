"""Indexes for a node's history (measured on a home of 300k documents and 350k messages):

- ``exchange_inbox.received_at``: ``messages`` lists the inbox in its order of receipt, a page
  at a time; without it every page sorted the whole inbox (0.5 s for the first page of the
  REST ``/messages``, 3.4 s at offset 150,000);
- ``(peer, kind, state)`` on both boxes and ``(kind, state)`` on ``documents`` (in place of the
  index on ``kind`` alone, of which it is a prefix): ``/metrics`` counts them by those columns
  on every scrape, read from the index alone instead of every row and its envelope (1.3 s);
- ``documents.created_at``: ``/documents`` lists the newest first (0.5 s a page without it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 20:47:30
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_kind")
        batch_op.create_index("ix_documents_kind_state", ["kind", "state"], unique=False)
        batch_op.create_index("ix_documents_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("exchange_inbox", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_inbox_received_at", ["received_at"], unique=False)
        batch_op.create_index(
            "ix_exchange_inbox_peer_kind_state", ["peer", "kind", "state"], unique=False
        )
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_outbox_peer_kind_state", ["peer", "kind", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_outbox_peer_kind_state")
    with op.batch_alter_table("exchange_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_inbox_peer_kind_state")
        batch_op.drop_index("ix_exchange_inbox_received_at")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_created_at")
        batch_op.drop_index("ix_documents_kind_state")
        batch_op.create_index("ix_documents_kind", ["kind"], unique=False)
