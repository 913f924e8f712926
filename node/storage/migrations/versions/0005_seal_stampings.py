"""Seal stampings: the print of every matched seal impression the node reviewed (its ink over
the die), by seal, so a seal copied from one certificate on to another is told
(``verification.stamping``, rule ``seal.unique``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seal_stampings",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("seal_id", sa.String(), nullable=False),
        sa.Column("certificate_number", sa.String(), nullable=False),
        sa.Column("stamping", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_index("ix_seal_stampings_seal_id", "seal_stampings", ["seal_id"])


def downgrade() -> None:
    op.drop_index("ix_seal_stampings_seal_id", "seal_stampings")
    op.drop_table("seal_stampings")
