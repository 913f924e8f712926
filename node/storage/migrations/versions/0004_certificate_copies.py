"""Issuers' electronic copies: the certificates partner nodes sent for their own country,
indexed by certificate number, so a paper original can be checked against its issuer's copy.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_copies",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("certificate_number", sa.String(), nullable=False),
        sa.Column("issuing_country", sa.String(2), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_index(
        "ix_certificate_copies_certificate_number", "certificate_copies", ["certificate_number"]
    )


def downgrade() -> None:
    op.drop_index("ix_certificate_copies_certificate_number", "certificate_copies")
    op.drop_table("certificate_copies")
