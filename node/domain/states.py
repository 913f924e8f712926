"""Named states: document lifecycle events (the ``trace`` vocabulary) and operation states."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    REVIEWED = "reviewed"
    ANCHORED = "anchored"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REVOKED = "revoked"
    REPLACED = "replaced"  # its issuer replaced the certificate (node.review.replacements)
    HELD = "held"  # a legal hold: never disposed of while held
    RELEASED = "released"  # the hold lifted
    DISPOSED = "disposed"  # the bytes deleted under the retention policy (the rows stay)


class OpState(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    FAILED = "failed"


class OpType(StrEnum):
    ANCHOR_BATCH = "anchor_batch"
    SEND = "send"
    REGISTRY_WRITE = "registry_write"
    REGISTRY_REVOKE = "registry_revoke"
    REGISTRY_VALIDITY = "registry_validity"
