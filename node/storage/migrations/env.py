"""Alembic environment: always called by ``Database.migrate`` with an open connection."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import DateTime, String
from sqlmodel import SQLModel

from node.storage import tables  # noqa: F401 - every table module, so the metadata is complete


def _render_item(kind: str, obj: Any, _ctx: Any) -> str | Literal[False]:
    """Revisions name plain SQLAlchemy types, not SQLModel's wrappers, so they stay readable
    and do not depend on a SQLModel version."""
    if kind != "type":
        return False
    impl = getattr(obj, "impl", obj)
    if isinstance(impl, String):
        return f"sa.String({impl.length})" if impl.length else "sa.String()"
    if isinstance(impl, DateTime):
        return f"sa.DateTime(timezone={bool(impl.timezone)})"
    return False


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copy-and-move
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
