"""Rejections on receipt: one class (and one gRPC status) per check, all from node.errors.

check                          class                gRPC status          code (cusdep.*)
unknown sender / certificate   UnknownSender        UNAUTHENTICATED      exchange.unknown_sender
signer key not pinned          UnknownKey           UNAUTHENTICATED      exchange.unknown_key
signer key retired, overlap over RetiredKeyExpired  UNAUTHENTICATED      exchange.retired_key
recipient is not this node     WrongRecipient       PERMISSION_DENIED    exchange.wrong_recipient
signature does not verify      BadSignature         FAILED_PRECONDITION  exchange.bad_signature
payload SHA-256 differs        PayloadHashMismatch  DATA_LOSS            exchange.payload_hash
created-at outside the window  ClockSkew            OUT_OF_RANGE         exchange.clock_skew
message id seen, new digest    ReplayedMessage      ALREADY_EXISTS       replay
message too large              OversizedMessage     RESOURCE_EXHAUSTED   input.limit
envelope/payload malformed     MalformedMessage     INVALID_ARGUMENT     exchange.malformed
partner's refusal budget spent RefusalsThrottled    RESOURCE_EXHAUSTED   exchange.throttled
                               (``node.exchange.throttle``: the delivery refused whole)
"""

from __future__ import annotations

from node.errors import (
    GrpcStatus,
    InputError,
    LimitExceeded,
    PermissionDenied,
    ReplayDetected,
    Unauthenticated,
    VerificationFailed,
)


class UnknownSender(Unauthenticated):
    code = "cusdep.exchange.unknown_sender"


class UnknownKey(UnknownSender):
    """The signer key is neither the sender's pinned key nor one its card retired: the sender
    rotated its key and this node has not pinned its new card yet. The sender keeps the
    message and tries again (``outbox``), so it arrives once the card is pinned."""

    code = "cusdep.exchange.unknown_key"


class RetiredKeyExpired(UnknownSender):
    """The signer key is one the sender retired, and the overlap its card gave it is over."""

    code = "cusdep.exchange.retired_key"


class WrongRecipient(PermissionDenied):
    code = "cusdep.exchange.wrong_recipient"


class BadSignature(VerificationFailed):
    code = "cusdep.exchange.bad_signature"


class PayloadHashMismatch(VerificationFailed):
    code = "cusdep.exchange.payload_hash"
    grpc_status = GrpcStatus("DATA_LOSS")


class ClockSkew(InputError):
    code = "cusdep.exchange.clock_skew"
    grpc_status = GrpcStatus("OUT_OF_RANGE")


class ReplayedMessage(ReplayDetected):
    pass


class OversizedMessage(LimitExceeded):
    pass


class MalformedMessage(InputError):
    code = "cusdep.exchange.malformed"


class ReceiptInvalid(VerificationFailed):
    """A partner's receipt does not verify against its pinned key (sender side)."""

    code = "cusdep.exchange.receipt_invalid"
