"""Request and response models (kept apart from the tables)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from node.errors import InputError
from node.registry.validate import MAX_NAME, MAX_REASON

# a document's ``state`` (``DocumentRow.state``): set by the intake, the review, inbound routing
# and revocation; the list filter takes exactly these
DocumentState = Literal["received", "in_review", "accepted", "rejected", "revoked"]
Sha256 = Field(pattern=r"^[0-9a-fA-F]{64}$", description="hex SHA-256 of the document bytes")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgencyIn(_In):
    id: str = Field(min_length=1, max_length=64, examples=["AU-DAFF"])
    country: str = Field(min_length=2, max_length=2, examples=["AU"])
    name: str = Field(min_length=1, max_length=MAX_NAME)


class SealIn(_In):
    agency: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=1, max_length=64, examples=["AU-DAFF-S1"])
    image_base64: str = Field(min_length=1, description="PNG/JPEG specimen image, base64")

    @field_validator("image_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        return _checked_base64(value)

    def image(self) -> bytes:
        return decode_b64(self.image_base64, "image_base64")


class OfficerIn(_In):
    agency: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=1, max_length=64, examples=["AU-DAFF-O7"])
    name: str = Field(min_length=1, max_length=MAX_NAME)
    signature_base64: str = Field(min_length=1, description="signature specimen image, base64")
    valid_from: str | None = Field(None, examples=["2024-01-01"])
    valid_to: str | None = Field(None, examples=["2028-12-31"])

    @field_validator("signature_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        return _checked_base64(value)

    def signature(self) -> bytes:
        return decode_b64(self.signature_base64, "signature_base64")


class ValidityIn(_In):
    valid_from: str | None = Field(None, examples=["2024-01-01"], description="open if left out")
    valid_to: str | None = Field(None, examples=["2030-12-31"], description="open if left out")


class RevokeIn(_In):
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=r"\S", description="not blank")


class HoldIn(_In):
    reason: str = Field(min_length=1, max_length=1000, pattern=r"\S", description="not blank")


class Hold(BaseModel):
    document_sha256: str
    held_by: str
    reason: str
    held_at: str
    released_by: str | None = None
    release_reason: str | None = None


class KeptDocument(BaseModel):
    """A document past the retention period whose bytes stay, and why (docs/retention.md)."""

    sha256: str
    kind: str
    size: int
    arrived: str
    reasons: list[str]


class DecisionIn(_In):
    decision: Literal["accept", "reject"]
    reason: str = Field("", max_length=2000)


class CheckDecisionIn(_In):
    decision: Literal["clear", "refuse"]
    reason: str = Field("", max_length=2000)
    generation: int | None = Field(
        None, ge=0, description="the check's generation looked at: 409 if checked again since"
    )


class DeclarationCheck(BaseModel):
    """A declaration checked against a certificate the node accepted before it came."""

    declaration_sha256: str
    declaration_number: str | None
    certificate_number: str = Field(description="the key: letters and digits, upper case")
    certificate_printed: str | None = Field(
        default=None,
        description="the number as issued (the issuer's copy, the paper), else as declared; "
        "None before the pair was checked",
    )
    state: Literal["pending", "waiting", "consistent", "review", "inconsistent", "decided"]
    generation: int = Field(description="times the pair was queued; a decision may name it")
    verdict: str | None
    certificate_sha256: str | None = Field(description="what the declaration was checked against")
    source: Literal["electronic", "paper"] | None
    reasons: list[str]
    note: str | None = None
    rules: list[dict[str, Any]]
    decision: Literal["clear", "refuse"] | None
    decided_by: str | None
    reason: str | None
    queued_at: str | None
    checked_at: str | None
    decided_at: str | None


class SendIn(_In):
    to: str = Field(min_length=1, max_length=64, description="partner node id")
    document_sha256: str = Sha256
    kind: Literal["certificate", "declaration"] = "certificate"
    # refuse (409 ``cusdep.conflict.not_issued``) a certificate whose own status says it is
    # not issued; without it such a certificate is sent, its status in the answer
    issued_only: bool = False


class RegistryRecord(BaseModel):
    kind: str
    id: str
    registrar: str
    authoritative: bool
    state: str
    tx_hash: str | None = None
    agency_id: str | None = None
    country: str | None = None
    sha256: str | None = None
    name: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    certificate_type: str | None = None
    source: str | None = Field(
        None, description="the partner node this record came from by registry sync"
    )
    validity_tx_hash: str | None = Field(
        None, description="an officer's last validity change's transaction (set-validity)"
    )
    revoked_reason: str | None = None
    revoke_tx_hash: str | None = Field(None, description="the revocation's transaction")


class Document(BaseModel):
    sha256: str
    kind: str
    format: str
    media_type: str
    size: int
    source: str
    state: str
    created_at: str
    # the retention policy (one document's GET only): when and under which policy its bytes
    # were disposed of, and the legal hold on it; None: kept, not held
    disposed: dict[str, Any] | None = None
    held: dict[str, Any] | None = None


class Revocation(BaseModel):
    document_sha256: str
    leaf: str | None  # None: not anchored by this node (withdrawn from the partners told)
    tx_hash: str | None  # None: found revoked on chain by an earlier request, recorded now
    reason: str
    told: list[str] = []  # the partners it was sent to, each sent the revocation


class Replacement(BaseModel):
    """A replacement certificate queued for the partners the replaced one was sent to."""

    replaced_sha256: str
    certificate_number: str  # the replaced certificate's
    replacement_sha256: str
    replacement_number: str
    told: list[str]  # the partners it was queued for
    message_ids: dict[str, str]  # per partner: stable (sending it again queues nothing)


class Decision(BaseModel):
    decision: str
    outcome: str
    officer: str
    reason: str
    at: str | None


class ReviewBrief(BaseModel):
    document_sha256: str
    # "scan": a paper's scan; "electronic": a partner's electronic certificate held for its own
    # status (``certificate.status``): no pages, seal nor signature
    kind: Literal["scan", "electronic"] = "scan"
    state: str
    verdict: str | None
    template_id: str | None
    certificate_number: str | None
    seal: dict[str, Any] | None
    reasons: list[str]
    forwardable: bool
    queued_at: str
    reviewed_at: str | None
    decision: Decision | None
    # the issuer's revocation of the certificate since (``state=withdrawn`` lists, and one review)
    withdrawn: dict[str, Any] | None = None


class Review(ReviewBrief):
    result: dict[str, Any]
    rules: list[dict[str, Any]]
    declaration_sha256: str | None
    declaration: dict[str, Any] | None
    electronic_copy_sha256: str | None = None  # the issuer's copy the paper was checked against
    electronic_copy: dict[str, Any] | None = None
    # the paper whose seal this one's is the very stamping of (rule seal.unique): sha256,
    # certificate_number, seal_evidence (its crop; None once disposed of) and disposed (when and
    # under which retention policy its bytes and evidence went; else None)
    stamping_of: dict[str, Any] | None = None
    # declarations that came after the paper was accepted, checked against it
    declaration_checks: list[dict[str, Any]] = []
    revoked: dict[str, Any] | None = None  # this paper's own revocation (by an officer here)
    # its bytes, page images and evidence disposed of (retention): when, policy; else None
    disposed: dict[str, Any] | None = None
    # this node's anchoring of it: pending | batched | anchored; None if never queued (only an
    # accepted document is anchored: a rejected one has no anchor proof)
    anchor_state: str | None = None
    comparison: list[dict[str, Any]]
    layout: dict[str, Any]
    # an electronic certificate held for its status: format, sender, issuer_copy, status (with
    # ``text``), replacement (number, sha256, state, review, held_as), its fields as sent,
    # fields_gone (why they are null) and disposed (when, policy) (``node.review.held``);
    # None for a scan
    electronic: dict[str, Any] | None = None
    submitted_by: str
    error: str | None
    queue: dict[str, str | None]


class Event(BaseModel):
    at: str
    kind: str
    actor: str
    detail: dict[str, Any]


class Trace(BaseModel):
    document_sha256: str
    events: list[Event]
    anchor: dict[str, Any] | None
    verified_on_chain: bool
    revoked: bool = False
    anchor_state: str | None = None


class Partner(BaseModel):
    node_id: str
    endpoint: str
    key_id: str


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    message_id: str
    direction: str
    peer: str
    kind: str
    document_sha256: str
    state: str
    # extra keys pass: a certificate just sent carries ``status``, the status it states of
    # itself (``node.exchange.stated``), when it states one; listed messages carry none


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, dict[str, Any]] = {}


def _checked_base64(value: str) -> str:
    """A body field that is not base64 is a malformed body (422, like any schema error), not
    a specimen the registry refuses (400)."""
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None
    return value


def decode_b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{what} is not valid base64") from None
