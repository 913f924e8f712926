"""Typed errors of the review pipeline, with stable codes the node maps onto ``node.errors``.

    VerificationError              verification.error
    ├── DocumentError              verification.input            (bad input: exit 2 in the CLI)
    │   ├── UnsupportedDocument    verification.input.unsupported
    │   ├── CorruptDocument        verification.input.corrupt
    │   ├── EncryptedDocument      verification.input.encrypted
    │   └── LimitExceeded          verification.input.limit
    ├── TemplateError              verification.template         (template JSON invalid)
    │   └── UnknownTemplate        verification.template.unknown (no registered template fits)
    │       └── TiedTemplates      (the same code: several fit alike)
    ├── RuleSetError               verification.rules            (rule data file invalid)
    └── SpecimenError              verification.specimen         (registry bundle unreadable)

``verification`` imports nothing from ``node``; the node wraps these (``raise InputError(...) from
err``) at its edge. ``DocumentError`` and ``UnknownTemplate`` are the caller's fault; the others are
configuration faults.
"""

from __future__ import annotations

from typing import Any


class VerificationError(Exception):
    code = "verification.error"

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class DocumentError(VerificationError):
    code = "verification.input"


class UnsupportedDocument(DocumentError):
    code = "verification.input.unsupported"


class CorruptDocument(DocumentError):
    code = "verification.input.corrupt"


class EncryptedDocument(DocumentError):
    code = "verification.input.encrypted"


class LimitExceeded(DocumentError):
    code = "verification.input.limit"


class TemplateError(VerificationError):
    code = "verification.template"


class UnknownTemplate(TemplateError):
    code = "verification.template.unknown"


class TiedTemplates(UnknownTemplate):
    """Several templates fit the page alike (``tied``, best first) and its header does not
    tell them apart; the fields read with one of them may (``pipeline``)."""

    def __init__(self, message: str, tied: tuple[Any, ...]) -> None:
        super().__init__(message)
        self.tied = tied


class RuleSetError(VerificationError):
    code = "verification.rules"


class SpecimenError(VerificationError):
    code = "verification.specimen"
