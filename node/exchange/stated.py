"""What a certificate being sent says of its own status (``adapters.status``).

The transport does not judge content: a certificate whose own status says it is not issued
(an IPAFFS CHED still ``SUBMITTED``, one ``CANCELLED``, an ePhyto of StatusCode 40 ...) is sent
all the same, since there are reasons to (a pre-notification ahead of the goods, telling a
partner of a cancellation), and the receiving node holds it for an officer
(``node.review.statuses``). But it does not go unsaid: ``send`` returns the status the
certificate states, warns of one that is not valid, and refuses it when the sender asked for
issued certificates only (``issued_only``: ``Conflict``, code ``cusdep.conflict.not_issued``).
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.status import NOT_VALID, describe, status_of
from node.errors import Conflict

logger = logging.getLogger(__name__)

_READ = ("application/json", "application/xml")  # a scan or PDF states no status to read


def stated_status(data: bytes, media_type: str) -> dict[str, Any] | None:
    """``{"status", "status_code", "replaced_by"}`` (those it has) of the certificate in
    ``data``; None for a file that is no certificate an adapter reads, or states no status."""
    from adapters.errors import AdapterError
    from adapters.registry import parse_document

    if media_type not in _READ:
        return None
    try:
        doc, _, _ = parse_document(data)
    except AdapterError:  # partial canonical JSON, a format nobody reads: sent as it is
        return None
    if doc.doc_type != "certificate":
        return None
    return status_of(doc) or None


def not_valid(status: dict[str, Any] | None) -> bool:
    """Whether a stated status says the certificate is not valid (not issued)."""
    return status is not None and status.get("status") in NOT_VALID


def _said(status: dict[str, Any]) -> str:
    return f"the certificate is {describe(status)}: not valid"


def status_warning(status: dict[str, Any]) -> str:
    """What the sender reads: "the certificate is withdrawn (status CANCELLED): not valid;
    the partner holds it for an officer"."""
    return f"{_said(status)}; the partner holds it for an officer"


def check_issued(status: dict[str, Any] | None, what: str, to: str, *, issued_only: bool) -> None:
    """Refuse (``issued_only``) or log a certificate ``what`` for ``to`` whose own status says
    it is not valid."""
    if not not_valid(status):
        return
    assert status is not None
    if issued_only:
        raise Conflict(
            f"{what}: {_said(status)}; not sent (issued certificates only)",
            code="cusdep.conflict.not_issued",
        )
    logger.info("sending %s to %s: %s", what, to, status_warning(status))  # the CLI warns
