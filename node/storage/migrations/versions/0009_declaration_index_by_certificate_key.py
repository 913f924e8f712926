"""The declaration index lists the keys of the certificate numbers a declaration names (letters
and digits, upper case, without a "No." label: ``verification.normalise.certificate_key``), not
their spellings: a scan read "E-517-0834559" found no declaration listing "e 517 0834559", and
was reviewed (and accepted) without it. Existing rows are re-keyed in place, their
``indexed_at`` kept; the schema is unchanged.

Downgrade deletes the index: the earlier code indexes every declaration again, as it spells
them, at its next lookup.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 21:30:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_INDEX = sa.table(
    "declaration_index",
    sa.column("sha256", sa.String),
    sa.column("certificate_numbers", sa.JSON),
)
# certificate_key as of this revision (a revision does not follow later code)
_LABEL = re.compile(r"^\s*(?:CERT(?:IFICATE)?\s*)?(?:N[OR]\s*[.:]|N\s*[O°º]?\s*[°º])\s*")


def _key(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", _LABEL.sub("", number.upper()))


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_INDEX.c.sha256, _INDEX.c.certificate_numbers)).all()
    for sha, numbers in rows:
        keys = list(dict.fromkeys(k for k in (_key(str(n)) for n in numbers or []) if k))
        if keys != numbers:
            bind.execute(
                _INDEX.update().where(_INDEX.c.sha256 == sha).values(certificate_numbers=keys)
            )


def downgrade() -> None:
    op.execute(_INDEX.delete())
