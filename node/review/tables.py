"""Review results: one row per reviewed scan (the machine verdict, then the officer's decision)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from node.storage.core import utcnow


class ReviewRow(SQLModel, table=True):
    __tablename__ = "reviews"
    __table_args__ = (
        # the officers' queue and the worker's pending scans, a page at a time in queue order
        # without sorting them all (``node.storage.paging``); also every lookup by state
        Index("ix_reviews_state_queued_at", "state", "queued_at", "sha256"),
    )

    sha256: str = Field(primary_key=True, max_length=64)
    # pending -> accept | review | reject | failed ; officer decision -> decided
    state: str = Field(default="pending")
    verdict: str = ""  # the machine verdict
    decision: str = ""  # the officer's: accept | reject
    outcome: str = ""  # confirmed | overridden
    decided_by: str = ""
    reason: str = ""
    forwardable: bool = False
    certificate_number: str = Field(default="", index=True)
    # its key (``verification.normalise.certificate_key``): how a declaration finds the paper
    certificate_key: str = Field(default="", index=True)
    # indexed: the retention policy asks of each old document whether a review names it
    declaration_sha256: str = Field(default="", index=True)
    submitted_by: str = ""
    error: str = ""  # why the machine review failed (the paper left to an officer), else ""
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    layout: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    queued_at: dt.datetime = Field(default_factory=utcnow, index=True)
    reviewed_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None


class DeclarationIndexRow(SQLModel, table=True):
    """Certificate numbers named by each stored declaration (to pair a scan with it), as
    their keys (``verification.normalise.certificate_key``: letters and digits, upper case)."""

    __tablename__ = "declaration_index"

    sha256: str = Field(primary_key=True, max_length=64)
    certificate_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # the declaration's own number: a later declaration of that number is an amendment of it,
    # not a second use of its certificates ("" where the declaration had none, or before 0010)
    # (indexed: the balance of a certificate several declarations draw on counts the latest
    # version of each number, ``node.review.matching``)
    declaration_number: str = Field(default="", index=True)
    # its declared quantities, added up for a certificate several declarations may draw on
    # without reading their files (None: not declared, or indexed before 0011: not known)
    net_weight_kg: float | None = None
    packages: float | None = None
    indexed_at: dt.datetime = Field(default_factory=utcnow)


class DeclarationCertificateRow(SQLModel, table=True):
    """One row per certificate key a declaration names (``DeclarationIndexRow.certificate_numbers``
    again, one key a row): the declarations naming a certificate are found through the index
    on the key, not by reading every declaration's list (a scan of the index, growing with
    the declarations a node keeps, ``bench/declaration_lookup.py``). Written with the declaration's
    index row, in its transaction (``node.review.intake.index_declaration``); neither is
    updated since, and deleting the index row deletes its keys."""

    __tablename__ = "declaration_certificates"
    __table_args__ = (
        # the declarations naming a key, read from the index alone
        Index(
            "ix_declaration_certificates_certificate_key", "certificate_key", "declaration_sha256"
        ),
    )

    declaration_sha256: str = Field(
        primary_key=True, max_length=64, foreign_key="declaration_index.sha256", ondelete="CASCADE"
    )
    certificate_key: str = Field(primary_key=True)


class DeclarationMatchRow(SQLModel, table=True):
    """A declaration checked against a certificate it names that the node accepted without it:
    a paper reviewed before the declaration came, or the issuer's electronic copy
    (``node.review.matching``); one row per declaration and certificate key."""

    __tablename__ = "declaration_matches"
    __table_args__ = (
        # the open pairs an officer clears, and the pending ones the worker checks, a page at a
        # time in queue order without sorting them all (``node.storage.paging``)
        Index(
            "ix_declaration_matches_state_queued_at",
            "state",
            "queued_at",
            "declaration_sha256",
            "certificate_number",
        ),
    )

    declaration_sha256: str = Field(primary_key=True, max_length=64)
    certificate_number: str = Field(primary_key=True, index=True)  # its key
    # pending (to check) -> waiting (no accepted certificate of that number here yet)
    # | consistent | review | inconsistent ; an officer's decision -> decided
    state: str = Field(default="pending")
    # counts the times the pair was queued: a check records its outcome only if the pair was
    # not queued again while it ran (a copy arriving then would be lost)
    generation: int = 0
    verdict: str = ""  # the check's: accept | review | reject
    certificate_sha256: str = Field(default="", index=True)  # what it was checked against
    source: str = ""  # "electronic" (the issuer's copy) | "paper" (an accepted scan)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    decision: str = ""  # the officer's: clear | refuse
    decided_by: str = ""
    reason: str = ""
    queued_at: dt.datetime = Field(default_factory=utcnow, index=True)
    checked_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None


class CertificateCopyRow(SQLModel, table=True):
    """An issuer's electronic copy of a certificate: a certificate a partner node sent for its
    own country (``rules.electronic`` checks a paper original against it)."""

    __tablename__ = "certificate_copies"

    sha256: str = Field(primary_key=True, max_length=64)
    certificate_number: str = Field(index=True)  # letters and digits only, upper case
    issuing_country: str = Field(max_length=2)
    source: str  # the partner node that sent it
    indexed_at: dt.datetime = Field(default_factory=utcnow)


class ReplacementRow(SQLModel, table=True):
    """A certificate its issuer replaced (ISPM 12: the replacement has a new number and names
    the one it replaces; the replaced one is no longer accepted): one row per replaced
    certificate key, written when the issuer's replacement arrives (``node.review.replacements``),
    whether or not the replaced certificate itself is on this node."""

    __tablename__ = "certificate_replacements"

    certificate_number: str = Field(primary_key=True)  # the replaced one's key
    replaced_number: str = ""  # as the replacement spells it
    replacement_number: str = ""  # the replacement's own number, as it spells it
    replacement_key: str = Field(default="", index=True)
    replacement_sha256: str = Field(max_length=64)
    issuing_country: str = Field(max_length=2)
    source: str  # the partner node (of the issuing country) that sent the replacement
    replaced_at: dt.datetime = Field(default_factory=utcnow)


class SealStampingRow(SQLModel, table=True):
    """The print of a matched seal impression on a reviewed paper (``verification.stamping``):
    a later paper whose seal is the same stamping had it copied (rule ``seal.unique``)."""

    __tablename__ = "seal_stampings"
    __table_args__ = (
        # the newest prints of a die, read in order (``stampings_of``) instead of sorting
        # every print of it on each review
        Index("ix_seal_stampings_seal_id_recorded_at", "seal_id", "recorded_at"),
    )

    sha256: str = Field(primary_key=True, max_length=64)  # the reviewed scan
    seal_id: str
    certificate_number: str  # as read on the paper
    stamping: str  # hex, one byte per cell of the die's grid
    recorded_at: dt.datetime = Field(default_factory=utcnow)
