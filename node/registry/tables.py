"""Local copy of registry records: what we registered and what partners sent us.

A record is keyed by (kind, registrar, record_id). The specimen bytes live in the blob store;
``sha256`` is what the chain holds. ``state``: pending (chain write queued) | confirmed | revoked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from node.storage.core import utcnow


class RegistryRecordRow(SQLModel, table=True):
    __tablename__ = "registry_records"

    kind: str = Field(primary_key=True)  # agency | seal | officer | template
    registrar: str = Field(primary_key=True, max_length=2)
    record_id: str = Field(primary_key=True)
    agency_id: str = Field(default="", index=True)
    country: str = Field(default="", max_length=2)
    sha256: str = Field(default="", max_length=64, index=True)  # a specimen is never disposed of
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    authoritative: bool = False
    state: str = Field(default="pending", index=True)
    tx_hash: str = ""
    source: str = "local"  # local | partner node id
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
