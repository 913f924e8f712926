"""The schema revisions a database is checked against, without importing SQLAlchemy or Alembic:
a one-shot reader (``node.registry.reading``) asks only whether a database is at ``HEAD``."""

from __future__ import annotations

BASELINE = "0001"
HEAD = "0016"  # the newest revision: a new one updates this (tests/unit/test_migrations.py)
