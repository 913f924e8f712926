"""The declarations naming a certificate are found through an index, not by reading every
declaration's list (measured with ``bench/declaration_lookup.py``): ``declaration_index``
kept the certificate keys a declaration names as one JSON list, matched with ``LIKE
'%"KEY"%'``, a scan of the whole table several times a declaration check (12-27 ms a
lookup at 50,000 declarations, twice that at 100,000; 0.5-4 ms through the index).

- ``declaration_certificates (declaration_sha256, certificate_key)``: one row per key a
  declaration names, deleted with its ``declaration_index`` row;
- ``ix_declaration_certificates_certificate_key`` on ``(certificate_key,
  declaration_sha256)``: the declarations naming a key, read from the index alone.

The upgrade fills it from the lists of the declarations indexed before (keys since 0009: as
they are, in their order, once each). Downgrade drops it: the lists stay as they were.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_INDEX = sa.table(
    "declaration_index",
    sa.column("sha256", sa.String),
    sa.column("certificate_numbers", sa.JSON),
)
_PAGE = 5000


def upgrade() -> None:
    table = op.create_table(
        "declaration_certificates",
        sa.Column("declaration_sha256", sa.String(length=64), nullable=False),
        sa.Column("certificate_key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_sha256"], ["declaration_index.sha256"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("declaration_sha256", "certificate_key"),
    )
    op.create_index(
        "ix_declaration_certificates_certificate_key",
        "declaration_certificates",
        ["certificate_key", "declaration_sha256"],
        unique=False,
    )
    bind = op.get_bind()
    after = ""
    while True:  # a page at a time: a year of declarations is not read into memory at once
        rows = bind.execute(
            sa.select(_INDEX.c.sha256, _INDEX.c.certificate_numbers)
            .where(_INDEX.c.sha256 > after)
            .order_by(_INDEX.c.sha256)
            .limit(_PAGE)
        ).all()
        if not rows:
            break
        pairs = [
            {"declaration_sha256": sha, "certificate_key": key}
            for sha, numbers in rows
            for key in dict.fromkeys(str(n) for n in numbers or [] if n)
        ]
        if pairs:
            bind.execute(table.insert(), pairs)
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_index(
        "ix_declaration_certificates_certificate_key", table_name="declaration_certificates"
    )
    op.drop_table("declaration_certificates")
