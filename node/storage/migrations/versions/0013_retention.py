"""A retention policy for documents (``node.retention``): disposals and legal holds.

- ``document_disposals``: one row per document whose bytes were disposed of (when, under
  which policy, by which run, and whether its files are removed yet);
- ``document_holds``: the legal holds in force.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_disposals",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=True),
        sa.Column("disposed_at", sa.DateTime(), nullable=False),
        sa.Column("files_removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    with op.batch_alter_table("document_disposals", schema=None) as batch_op:
        batch_op.create_index("ix_document_disposals_run_id", ["run_id"], unique=False)
        batch_op.create_index(
            "ix_document_disposals_files_removed", ["files_removed"], unique=False
        )
    op.create_table(
        "document_holds",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("held_by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )


def downgrade() -> None:
    op.drop_table("document_holds")
    with op.batch_alter_table("document_disposals", schema=None) as batch_op:
        batch_op.drop_index("ix_document_disposals_files_removed")
        batch_op.drop_index("ix_document_disposals_run_id")
    op.drop_table("document_disposals")
