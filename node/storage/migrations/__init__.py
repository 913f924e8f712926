"""Alembic migrations of the node's database (``node.storage.db.Database.migrate`` runs them).

Every schema change is a revision in ``versions/``; ``tests/unit/test_migrations.py`` fails when
the table models and the migrated schema differ. Write a new revision with
``python -m node.storage.migrations "what changed"`` (autogenerate against a database migrated to
head), review it, and commit it with the model change.
"""
