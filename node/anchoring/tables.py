"""Anchoring tables. Batches themselves are ``operations`` rows (type anchor_batch, key = root)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from node.storage.core import utcnow


class AnchorLeafRow(SQLModel, table=True):
    __tablename__ = "anchor_leaves"

    sha256: str = Field(primary_key=True, max_length=64)
    leaf: str = Field(max_length=66)
    state: str = Field(default="pending", index=True)  # pending | batched | anchored
    root: str | None = Field(default=None, index=True, max_length=66)
    proof: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    queued_at: dt.datetime = Field(default_factory=utcnow, index=True)
    anchored_at: dt.datetime | None = None
