"""The officers' queues (and each review's prints of its die) are read in order from an
index instead of sorted whole (measured with ``bench/soak.py`` and ``EXPLAIN QUERY PLAN``):

- ``ix_reviews_state_queued_at`` on ``reviews (state, queued_at, sha256)``, in place of the
  index on ``state`` alone (a prefix of it): the queue page (``state IN ('review',
  'reject') ORDER BY queued_at, sha256 LIMIT 51``) sorted every open review with its result
  and layout on each request, and the review page did so twice for its previous and next;
- ``ix_declaration_matches_state_queued_at`` on ``declaration_matches (state, queued_at,
  declaration_sha256, certificate_number)``, in place of the one on ``state``: the same for
  the declaration checks waiting for an officer and for the pending ones the worker pages;
- ``ix_seal_stampings_seal_id_recorded_at`` on ``seal_stampings (seal_id, recorded_at)``, in
  place of the one on ``seal_id``: each review reads the newest 5,000 prints of its seal's die
  (rule ``seal.unique``) and sorted every print of that die, 512 hex characters each, to do so.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_state")
        batch_op.create_index(
            "ix_reviews_state_queued_at", ["state", "queued_at", "sha256"], unique=False
        )
    with op.batch_alter_table("declaration_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_declaration_matches_state")
        batch_op.create_index(
            "ix_declaration_matches_state_queued_at",
            ["state", "queued_at", "declaration_sha256", "certificate_number"],
            unique=False,
        )
    with op.batch_alter_table("seal_stampings", schema=None) as batch_op:
        batch_op.drop_index("ix_seal_stampings_seal_id")
        batch_op.create_index(
            "ix_seal_stampings_seal_id_recorded_at", ["seal_id", "recorded_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("seal_stampings", schema=None) as batch_op:
        batch_op.drop_index("ix_seal_stampings_seal_id_recorded_at")
        batch_op.create_index("ix_seal_stampings_seal_id", ["seal_id"], unique=False)
    with op.batch_alter_table("declaration_matches", schema=None) as batch_op:
        batch_op.drop_index("ix_declaration_matches_state_queued_at")
        batch_op.create_index("ix_declaration_matches_state", ["state"], unique=False)
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_state_queued_at")
        batch_op.create_index("ix_reviews_state", ["state"], unique=False)
