"""Partial index of partner messages still to apply (registry updates, revocations, review
outcomes): ``node.applier`` polls it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 15:18:13.843192
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TO_APPLY = "state = 'received' AND kind IN ('registry_update', 'revocation', 'review_outcome')"


def upgrade() -> None:
    with op.batch_alter_table("exchange_inbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_inbox_to_apply",
            ["received_at"],
            unique=False,
            sqlite_where=sa.text(_TO_APPLY),
            postgresql_where=sa.text(_TO_APPLY),
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_inbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_exchange_inbox_to_apply",
            sqlite_where=sa.text(_TO_APPLY),
            postgresql_where=sa.text(_TO_APPLY),
        )
