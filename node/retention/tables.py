"""Retention tables: the disposals made (one row per document whose bytes went) and the legal
holds in force (one row per held document; its history is in the document's trace)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from node.storage.core import utcnow


class DisposalRow(SQLModel, table=True):
    """A document's bytes disposed of. Written in the transaction that decides it, before any
    file is removed; ``files_removed`` is set once its files are gone (a node killed in
    between removes them when it next applies the policy)."""

    __tablename__ = "document_disposals"

    sha256: str = Field(primary_key=True, max_length=64)
    run_id: str = Field(index=True, max_length=36)  # the apply that decided it
    actor: str
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    disposed_at: dt.datetime = Field(default_factory=utcnow)
    files_removed: bool = Field(default=False, index=True)


class HoldRow(SQLModel, table=True):
    """A legal hold in force: the document is never disposed of while this row exists."""

    __tablename__ = "document_holds"

    sha256: str = Field(primary_key=True, max_length=64)
    held_by: str
    reason: str
    held_at: dt.datetime = Field(default_factory=utcnow)
