"""The retention policy's lookups through indexes (``node.retention.kept``): each apply, and
each ``retention kept``, asks of every document past the period whether a paper's review
names it as the declaration (``reviews.declaration_sha256``) and whether it is a specimen
image of the registry (``registry_records.sha256``); with neither column indexed, each such
question read the whole table, once per document: a home of 50,000 documents and as many
reviews did not finish a dry run in five minutes.

- ``ix_reviews_declaration_sha256`` on ``reviews (declaration_sha256)``;
- ``ix_registry_records_sha256`` on ``registry_records (sha256)``.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 14:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index("ix_reviews_declaration_sha256", ["declaration_sha256"], unique=False)
    with op.batch_alter_table("registry_records", schema=None) as batch_op:
        batch_op.create_index("ix_registry_records_sha256", ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_records", schema=None) as batch_op:
        batch_op.drop_index("ix_registry_records_sha256")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_declaration_sha256")
