"""Pinned partners keep the signing keys their card retired (``retired_keys``, JSON: key id,
verify key, end of the overlap), so a partner's messages signed before it rotated its key
(``cusdep identity rotate``) are accepted until then. Existing partners retired none.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_partners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retired_keys", sa.String(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_partners", schema=None) as batch_op:
        batch_op.drop_column("retired_keys")
