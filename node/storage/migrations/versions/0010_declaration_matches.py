"""Declarations checked against the certificates the node accepted without them: a paper
reviewed before its declaration came was never compared with it, nor was an issuer's
electronic certificate with any declaration (``node.review.matching``).

- ``declaration_matches``: one row per declaration and certificate key it names, with the
  check's state, result and the officer's decision;
- ``reviews.certificate_key``: the key of the number read on each paper (letters and digits,
  upper case), indexed, so a declaration finds the accepted paper it names; existing rows are
  keyed in place;
- ``declaration_index.declaration_number``: a later declaration of the same number amends the
  earlier one, not a second use of its certificates ("" for the rows indexed before).

Declarations stored before the upgrade are not queued: checking a node's whole history at once
would fill the officers' queue with consignments long cleared. The checks start with the
declarations that come after it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:10:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_REVIEWS = sa.table(
    "reviews", sa.column("sha256", sa.String), sa.column("certificate_number", sa.String)
)
# certificate_key as of this revision (a revision does not follow later code)
_LABEL = re.compile(r"^\s*(?:CERT(?:IFICATE)?\s*)?(?:N[OR]\s*[.:]|N\s*[O°º]?\s*[°º])\s*")


def _key(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", _LABEL.sub("", number.upper()))


def upgrade() -> None:
    op.create_table(
        "declaration_matches",
        sa.Column("declaration_sha256", sa.String(64), nullable=False),
        sa.Column("certificate_number", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("certificate_sha256", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("decision", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("declaration_sha256", "certificate_number"),
    )
    for column in ("certificate_number", "certificate_sha256", "state", "queued_at"):
        op.create_index(
            f"ix_declaration_matches_{column}", "declaration_matches", [column], unique=False
        )
    with op.batch_alter_table("declaration_index", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("declaration_number", sa.String(), nullable=False, server_default="")
        )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("certificate_key", sa.String(), nullable=False, server_default="")
        )
        batch_op.create_index("ix_reviews_certificate_key", ["certificate_key"], unique=False)
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_REVIEWS.c.sha256, _REVIEWS.c.certificate_number).where(
            _REVIEWS.c.certificate_number != ""
        )
    ).all()
    keys = sa.table("reviews", sa.column("sha256", sa.String), sa.column("certificate_key"))
    for sha, number in rows:
        key = _key(str(number))
        if key:
            bind.execute(keys.update().where(keys.c.sha256 == sha).values(certificate_key=key))


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_certificate_key")
        batch_op.drop_column("certificate_key")
    with op.batch_alter_table("declaration_index", schema=None) as batch_op:
        batch_op.drop_column("declaration_number")
    for column in ("certificate_number", "certificate_sha256", "state", "queued_at"):
        op.drop_index(f"ix_declaration_matches_{column}", "declaration_matches")
    op.drop_table("declaration_matches")
