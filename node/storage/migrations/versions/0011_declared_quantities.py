"""A certificate several declarations may draw on (rule-set parameter ``partial_use``): each
declaration is checked against the balance the earlier ones left, added up in the database
from their declared quantities, not read from their files (``node.review.matching``).

- ``declaration_index.net_weight_kg``, ``declaration_index.packages``: the declared
  quantities, NULL where none was declared; the rows indexed before this revision keep NULL
  (not known: their files are in the blob store, which a revision does not read), and a
  later declaration's check tells an officer how many such earlier declarations there are;
- ``ix_declaration_index_declaration_number``: the balance counts the latest version of each
  declaration number (an amendment replaces what it amends), found through this index.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("declaration_index", schema=None) as batch_op:
        batch_op.add_column(sa.Column("net_weight_kg", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("packages", sa.Float(), nullable=True))
        batch_op.create_index(
            "ix_declaration_index_declaration_number", ["declaration_number"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("declaration_index", schema=None) as batch_op:
        batch_op.drop_index("ix_declaration_index_declaration_number")
        batch_op.drop_column("packages")
        batch_op.drop_column("net_weight_kg")
