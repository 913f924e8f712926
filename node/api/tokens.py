"""API tokens: issued and revoked by the CLI (``cusdep token``), only their SHA-256 stored.

A token is ``cdp_<id>_<secret>``; the id names it in listings and revocation, the whole string
is hashed. Roles: ``admin``, ``officer``, ``agency`` (bound to one country), ``auditor``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Field, SQLModel, col, select

from node.errors import InputError, NotFound, Unauthenticated
from node.storage.core import utcnow
from node.storage.db import Database

ROLES = ("admin", "officer", "agency", "auditor")
_PREFIX = "cdp_"


class ApiTokenRow(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: str = Field(primary_key=True, max_length=16)
    token_sha256: str = Field(index=True, unique=True, max_length=64)
    role: str
    subject: str
    country: str = ""
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


@dataclass(frozen=True)
class Principal:
    token_id: str
    role: str
    subject: str
    country: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "token_id": self.token_id,
            "role": self.role,
            "subject": self.subject,
            "country": self.country,
        }


MAX_DAYS = 3650  # ten years: past it a date overflows (OverflowError) or leaves the calendar


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def issue(
        self, role: str, subject: str, country: str = "", *, days: float | None = None
    ) -> dict[str, Any]:
        """A new token, valid ``days`` (default: until revoked); the secret is returned once
        and never stored."""
        if days is not None and not 0 < days <= MAX_DAYS:  # also refuses nan
            raise InputError(f"--days must be more than 0 and at most {MAX_DAYS}, got {days:g}")
        if role not in ROLES:
            raise InputError(f"--role must be one of {', '.join(ROLES)}, got {role!r}")
        subject = subject.strip()
        if not subject or len(subject) > 128:
            raise InputError("--subject must be 1 to 128 characters")
        country = country.strip().upper()
        if role == "agency" and (len(country) != 2 or not country.isalpha()):
            raise InputError("an agency token needs --country (ISO 3166 alpha-2)")
        if role != "agency" and country:
            raise InputError("--country applies to agency tokens only")
        token_id = secrets.token_hex(6)
        token = f"{_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        expires = utcnow() + dt.timedelta(days=days) if days is not None else None
        row = ApiTokenRow(
            id=token_id,
            token_sha256=_digest(token),
            role=role,
            subject=subject,
            country=country,
            expires_at=expires,
        )
        with self.db.session() as session:
            session.add(row)
            out = _public(row)
        return {**out, "token": token}

    def revoke(self, token_or_id: str) -> dict[str, Any]:
        key = token_or_id.strip()
        with self.db.session() as session:
            row = session.get(ApiTokenRow, key)
            if row is None:
                stmt = select(ApiTokenRow).where(ApiTokenRow.token_sha256 == _digest(key))
                row = session.exec(stmt).first()
            if row is None:
                raise NotFound(f"no token {key[:16]!r}")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            return _public(row)

    def list(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.exec(select(ApiTokenRow).order_by(col(ApiTokenRow.created_at)))
            return [_public(r) for r in rows]

    def authenticate(self, token: str) -> Principal:
        if not token.startswith(_PREFIX) or len(token) > 200:
            raise Unauthenticated("malformed bearer token")
        digest = _digest(token)
        with self.db.session() as session:
            stmt = select(ApiTokenRow).where(ApiTokenRow.token_sha256 == digest)
            row = session.exec(stmt).first()
            if row is None or not hmac.compare_digest(row.token_sha256, digest):
                raise Unauthenticated("unknown bearer token")
            if row.revoked_at is not None:
                raise Unauthenticated("this token was revoked")
            if row.expires_at is not None and _aware(row.expires_at) <= utcnow():
                raise Unauthenticated("this token has expired")
            return Principal(row.id, row.role, row.subject, row.country)


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC


def _public(row: ApiTokenRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "role": row.role,
        "subject": row.subject,
        "country": row.country or None,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "revoked": row.revoked_at is not None,
    }
