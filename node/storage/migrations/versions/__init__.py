"""Alembic revisions (a package so that wheels ship them)."""
