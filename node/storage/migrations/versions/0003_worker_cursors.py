"""Worker cursors: how far a worker following an append-only table has read, so that the
review-outcome notifier resumes where it stopped instead of re-reading every event.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_cursors",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("worker_cursors")
