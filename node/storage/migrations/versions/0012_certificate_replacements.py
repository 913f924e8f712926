"""Replaced certificates: an issuer's replacement (a new number naming the one it replaces)
makes the replaced certificate no longer accepted; one row per replaced certificate key
(``node.review.replacements``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_replacements",
        sa.Column("certificate_number", sa.String(), nullable=False),
        sa.Column("replaced_number", sa.String(), nullable=False),
        sa.Column("replacement_number", sa.String(), nullable=False),
        sa.Column("replacement_key", sa.String(), nullable=False),
        sa.Column("replacement_sha256", sa.String(64), nullable=False),
        sa.Column("issuing_country", sa.String(2), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("certificate_number"),
    )
    op.create_index(
        "ix_certificate_replacements_replacement_key",
        "certificate_replacements",
        ["replacement_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_certificate_replacements_replacement_key", "certificate_replacements")
    op.drop_table("certificate_replacements")
