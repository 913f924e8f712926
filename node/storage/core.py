"""Core tables shared by subsystems: documents, their lifecycle events, durable operations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DocumentRow(SQLModel, table=True):
    __tablename__ = "documents"
    __table_args__ = (
        # counts by kind and state (``/metrics``) from the index alone; kind lookups use it too
        Index("ix_documents_kind_state", "kind", "state"),
        Index("ix_documents_created_at", "created_at"),  # the newest first (``/documents``)
    )

    sha256: str = Field(primary_key=True, max_length=64)
    kind: str = Field(default="other")  # certificate | declaration | scan | other
    format: str = Field(default="unknown")  # adapter format id, or media type for scans
    media_type: str = Field(default="application/octet-stream")
    size: int = 0
    source: str = Field(default="local", index=True)  # local | peer node id
    created_at: dt.datetime = Field(default_factory=utcnow)
    state: str = Field(default="received", index=True)


class DocumentEventRow(SQLModel, table=True):
    __tablename__ = "document_events"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, max_length=64)
    kind: str = Field(index=True)  # node.domain.states.EventKind
    actor: str
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class OperationRow(SQLModel, table=True):
    __tablename__ = "operations"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(index=True)  # node.domain.states.OpType
    state: str = Field(default="pending", index=True)  # node.domain.states.OpState
    idempotency_key: str
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    error: str = ""
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class WorkerCursorRow(SQLModel, table=True):
    """How far a worker that follows an append-only table has read (e.g. the outcome notifier's
    last document event), saved in the transaction that acts on what it read."""

    __tablename__ = "worker_cursors"

    name: str = Field(primary_key=True, max_length=64)
    position: int = 0
    updated_at: dt.datetime = Field(default_factory=utcnow)


def newest_confirmed(
    session: Any, types: tuple[str, ...], before: int | None, limit: int
) -> list[OperationRow]:
    """The newest ``limit`` confirmed operations of ``types`` with ids below ``before``: the
    page a reconciler checks against the chain (``node.anchoring.reconcile``,
    ``node.registry.reconcile``)."""
    from sqlmodel import col, select

    stmt = (
        select(OperationRow)
        .where(col(OperationRow.type).in_(types))
        .where(OperationRow.state == "confirmed")
        .order_by(col(OperationRow.id).desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(col(OperationRow.id) < before)
    return [op for op in session.exec(stmt) if op.id is not None]
