"""The status an electronic certificate carries, in one small vocabulary across formats.

Each format says in its own codes whether its certificate stands (``Certificate.status_code``
keeps the raw code as the document has it); ``Certificate.status`` is that code read into:

============ ============================================================================
issued       the certificate stands: SPS 70; IPAFFS ``VALIDATED``; OpenAttestation ``issued``
provisional  not issued yet, or being changed: IPAFFS ``DRAFT``, ``SUBMITTED``,
             ``IN_PROGRESS``, ``AMEND``, ``MODIFY``; OpenAttestation ``draft``, ``pending``
replaced     another certificate replaced it: IPAFFS ``REPLACED``, ``SPLIT_CONSIGNMENT``
             (the replacing number, where the format says it, is ``replaced_by``)
withdrawn    its issuer cancelled or withdrew it: SPS 40; IPAFFS ``CANCELLED``, ``DELETED``;
             OpenAttestation ``cancelled``, ``revoked``, ``withdrawn``
rejected     its authority refused it: SPS 41; IPAFFS ``REJECTED``, ``PARTIALLY_REJECTED``;
             OpenAttestation ``rejected``
unknown      a code none of the above lists: kept, not judged (a warning where it is read)
============ ============================================================================

A certificate with no status code has no status (``None``): most formats make it optional.
Only ``issued`` is a valid certificate; an ``unknown`` one is not refused for its code. The
codes are matched without regard to case, spaces or hyphens (``IN PROGRESS``, ``in-progress``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "STATUSES",
    "NOT_VALID",
    "canonical_status",
    "status_code_for",
    "status_of",
    "describe",
]

STATUSES = ("issued", "provisional", "replaced", "withdrawn", "rejected", "unknown")
NOT_VALID = frozenset({"provisional", "replaced", "withdrawn", "rejected"})
"""The statuses under which a certificate is not accepted as valid by the machine."""

# UN/CEFACT SPS (IPPC ePhyto) StatusCode, the ePhyto hub's certificate statuses
_SPS = {"70": "issued", "40": "withdrawn", "41": "rejected"}
# IPAFFS notification ``status`` (the enum of ipaffs-notification.jsonschema.json)
_IPAFFS = {
    "VALIDATED": "issued",
    "DRAFT": "provisional",
    "SUBMITTED": "provisional",
    "IN_PROGRESS": "provisional",
    "AMEND": "provisional",
    "MODIFY": "provisional",
    "SUBMITTED,IN_PROGRESS,MODIFY": "provisional",
    "REPLACED": "replaced",
    "SPLIT_CONSIGNMENT": "replaced",
    "CANCELLED": "withdrawn",
    "DELETED": "withdrawn",
    "REJECTED": "rejected",
    "PARTIALLY_REJECTED": "rejected",
}
# OpenAttestation / TradeTrust document ``status`` (free text: these words)
_WORDS = {
    "ISSUED": "issued",
    "DRAFT": "provisional",
    "PENDING": "provisional",
    "REVOKED": "withdrawn",
    "WITHDRAWN": "withdrawn",
    "CANCELED": "withdrawn",
    "REPLACED": "replaced",
}
_TABLE = {**_WORDS, **_IPAFFS, **_SPS}
# the SPS code written for a status where a canonical document names no code of its own
_SPS_CODE = {status: code for code, status in _SPS.items()}


def _key(code: str) -> str:
    return re.sub(r"[\s\-]+", "_", code.strip()).upper()


def canonical_status(code: str | None) -> str | None:
    """The canonical status of raw status ``code``; None where there is none, ``unknown``
    where no format's table lists it."""
    if code is None or not str(code).strip():
        return None
    return _TABLE.get(_key(str(code)), "unknown")


def status_code_for(status: str | None) -> str | None:
    """The UN/CEFACT SPS StatusCode of a canonical status, None where SPS has none."""
    return _SPS_CODE.get(status or "")


def status_of(doc: Any) -> dict[str, Any]:
    """``{"status", "status_code", "replaced_by"}`` of certificate ``doc``: those it has."""
    said = {k: getattr(doc, k, None) for k in ("status", "status_code", "replaced_by")}
    return {k: v for k, v in said.items() if v}


def describe(said: Mapping[str, Any]) -> str:
    """What an officer reads of a ``status_of``: "withdrawn (status 40)", "replaced by X
    (status REPLACED)"."""
    status, code, replaced_by = (said.get(k) for k in ("status", "status_code", "replaced_by"))
    what = status or "no status"
    if status == "replaced" and replaced_by:
        what = f"replaced by {replaced_by}"
    return f"{what} (status {code})" if code else what
