"""What an officer is shown of an electronic certificate held for its own status
(``node.review.statuses``): no scan, no seal, no signature, but the certificate as its
issuer sent it.

A held certificate's review (``result["kind"] == "electronic"``) carries ``electronic``:

* ``format``: the adapter that read it; ``sender``: the partner node that sent it;
  ``issuer_copy``: whether that partner is of its issuing country (then it is the issuer's
  electronic copy of its number, ``CertificateCopyRow``);
* ``status``: ``{"status", "status_code", "replaced_by"}`` (those it has) and ``text``, what the
  officer reads ("withdrawn (status CANCELLED)");
* ``replacement``: for a replaced one, the replacing certificate: ``number``, and where it is on
  this node its ``sha256``, document ``state`` and whether it has a ``review`` to open; else None;
* ``fields``: the certificate's fields read from the stored bytes (number, issuer,
  consignor and consignee, goods, dates ...), ``None`` once its bytes were disposed of.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.status import describe
from node.review.replacements import replacement_of
from node.review.tables import CertificateCopyRow, ReviewRow
from node.review.withdrawn import newest_copy
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow
from verification.normalise import certificate_key

logger = logging.getLogger(__name__)

ELECTRONIC = "electronic"
# shown first, in this order (what identifies the certificate and who issued it); the rest of
# its vocabulary fields follow as the format gives them
_FIRST = (
    "certificate_number",
    "certificate_type",
    "title",
    "issuing_agency",
    "issuing_country",
    "place_of_issue",
    "issue_date",
    "expiry_date",
    "replaces",
)


def is_electronic(result: dict[str, Any] | None) -> bool:
    """Whether a review's result is of an electronic certificate held for its status."""
    return (result or {}).get("kind") == ELECTRONIC


def held_view(session: Any, blobs: BlobStore, row: ReviewRow) -> dict[str, Any]:
    """The ``electronic`` part of held review ``row`` (see the module docstring)."""
    result = row.result or {}
    status = dict(result.get("status") or {})
    copy = session.get(CertificateCopyRow, row.sha256)
    return {
        "format": result.get("format"),
        "sender": row.submitted_by,
        "issuer_copy": copy is not None,
        "status": {**status, "text": describe(status)},
        "replacement": _replacement(session, row.certificate_number, status),
        "fields": _fields(blobs, row.sha256),
    }


def _fields(blobs: BlobStore, sha256: str) -> dict[str, Any] | None:
    from adapters.errors import AdapterError
    from adapters.registry import parse_document

    if not blobs.has(sha256):  # disposed of (retention): its fields went with its bytes
        return None
    try:
        doc, _, _ = parse_document(blobs.get(sha256))
    except AdapterError as err:  # it was read when it was held: a format since changed
        logger.warning("held certificate %s no longer parses: %s", sha256, err)
        return None
    dumped = doc.model_dump(mode="json", exclude_none=True)
    head = {k: dumped[k] for k in _FIRST if dumped.get(k) not in (None, "", [])}
    return {**head, **{k: v for k, v in doc.flat().items() if k not in head}}


def _replacement(session: Any, number: str, status: dict[str, Any]) -> dict[str, Any] | None:
    """The certificate that replaced held certificate ``number``: linked here already
    (``ReplacementRow``), else the issuer's copy of the number its status names; None when it
    names none."""
    linked = replacement_of(session, certificate_key(number)) if number else None
    new = str((linked or {}).get("replaced_by") or status.get("replaced_by") or "").strip()
    if not new:
        return None
    sha = (linked or {}).get("replacement_sha256") or newest_copy(session, certificate_key(new))
    doc = session.get(DocumentRow, sha) if sha else None
    if doc is None:
        return {"number": new, "sha256": None, "state": None, "review": False}
    review = session.get(ReviewRow, doc.sha256) is not None
    return {"number": new, "sha256": doc.sha256, "state": doc.state, "review": review}
