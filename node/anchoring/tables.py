"""Anchoring tables. Batches themselves are ``operations`` rows (type anchor_batch, key = root)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from node.storage.core import utcnow


class AnchorLeafRow(SQLModel, table=True):
    __tablename__ = "anchor_leaves"

    sha256: str = Field(primary_key=True, max_length=64)
    leaf: str = Field(max_length=66)
    state: str = Field(default="pending", index=True)  # pending | batched | anchored
    root: str | None = Field(default=None, index=True, max_length=66)
    # the sibling hashes, 32 bytes each, concatenated (compact and fast to write in bulk)
    proof: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    queued_at: dt.datetime = Field(default_factory=utcnow, index=True)
    anchored_at: dt.datetime | None = None
