"""What an officer is shown of an electronic certificate held for its own status
(``node.review.statuses``): no scan, no seal, no signature, but the certificate as its
issuer sent it.

A held certificate's review (``result["kind"] == "electronic"``) carries ``electronic``:

* ``format``: the adapter that read it; ``sender``: the partner node that sent it;
  ``issuer_copy``: whether that partner is of its issuing country (then it is the issuer's
  electronic copy of its number, ``CertificateCopyRow``);
* ``status``: ``{"status", "status_code", "replaced_by"}`` (those it has) and ``text``, what the
  officer reads ("withdrawn (status CANCELLED)");
* ``replacement``: for a replaced one, the replacing certificate: ``number``, and where this
  node holds a document of that number its ``sha256``, document ``state``, whether it has a
  ``review`` to open and ``held_as``, what it is here (``REPLACEMENT_SOURCES``: the issuer's
  copy first, then a certificate held for its status from another partner, then a paper
  reviewed here; the newest of each); ``sha256`` None when none is; None when it names none;
* ``fields``: the certificate's fields read from the stored bytes (number, issuer,
  consignor and consignee, goods, dates ...), None when they cannot be read, and then
  ``fields_gone`` says why (``disposed``: its bytes were disposed of; ``unreadable``: they no
  longer parse; ``missing``: they are not in the blob store), else None;
* ``disposed``: when and under which retention policy its bytes were disposed of
  (``retention.service.disposal_dict``: ``disposed_at``, ``policy``, ...), else None.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import col, select

from adapters.status import describe
from node.retention.service import disposal_dict, disposal_of
from node.review.replacements import replacement_of
from node.review.tables import CertificateCopyRow, ReviewRow
from node.review.withdrawn import newest_copy
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow
from verification.normalise import certificate_key

logger = logging.getLogger(__name__)

ELECTRONIC = "electronic"
# what the replacing certificate is on this node, in the order it is looked for
REPLACEMENT_SOURCES = ("issuer_copy", "held", "paper")
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
    gone = disposal_of(session, row.sha256)
    fields, why = (None, "disposed") if gone is not None else _fields(blobs, row.sha256)
    return {
        "format": result.get("format"),
        "sender": row.submitted_by,
        "issuer_copy": copy is not None,
        "status": {**status, "text": describe(status)},
        "replacement": _replacement(session, row.certificate_number, status),
        "fields": fields,
        "fields_gone": why,
        "disposed": None if gone is None else disposal_dict(gone),
    }


def _fields(blobs: BlobStore, sha256: str) -> tuple[dict[str, Any] | None, str | None]:
    """(its fields, None), or (None, why they cannot be read: ``missing`` | ``unreadable``)."""
    from adapters.errors import AdapterError
    from adapters.registry import parse_document

    if not blobs.has(sha256):  # not disposed of (the caller asked): lost from the store
        logger.warning("held certificate %s: its bytes are not in the blob store", sha256)
        return None, "missing"
    try:
        doc, _, _ = parse_document(blobs.get(sha256))
    except AdapterError as err:  # it was read when it was held: a format since changed
        logger.warning("held certificate %s no longer parses: %s", sha256, err)
        return None, "unreadable"
    dumped = doc.model_dump(mode="json", exclude_none=True)
    head = {k: dumped[k] for k in _FIRST if dumped.get(k) not in (None, "", [])}
    return {**head, **{k: v for k, v in doc.flat().items() if k not in head}}, None


def _replacement(session: Any, number: str, status: dict[str, Any]) -> dict[str, Any] | None:
    """The certificate that replaced held certificate ``number`` (linked here already,
    ``ReplacementRow``, else the number its status names) and the document of that number this
    node holds (``_holding``); None when it names none."""
    linked = replacement_of(session, certificate_key(number)) if number else None
    new = str((linked or {}).get("replaced_by") or status.get("replaced_by") or "").strip()
    if not new:
        return None
    found = _holding(session, new, (linked or {}).get("replacement_sha256") or "")
    if found is None:
        return {"number": new, "sha256": None, "state": None, "review": False, "held_as": None}
    doc, held_as = found
    review = session.get(ReviewRow, doc.sha256) is not None
    out = {"number": new, "sha256": doc.sha256, "state": doc.state, "review": review}
    return {**out, "held_as": held_as}


def _holding(session: Any, number: str, linked: str) -> tuple[DocumentRow, str] | None:
    """The document of certificate ``number`` on this node and what it is here: the linked
    replacement or the issuer's (newest) copy; else the newest certificate of that number held
    for its status from a partner not of its issuing country (its review names the number as
    sent: no key, ``statuses.hold``); else the newest paper of it reviewed here. None if none.
    (An issued certificate from a partner not of its issuing country is indexed by no number:
    not found.)"""
    key = certificate_key(number)
    newest = col(ReviewRow.queued_at).desc()
    held = select(ReviewRow.sha256).where(
        col(ReviewRow.certificate_key) == "", col(ReviewRow.certificate_number) == number
    )
    paper = select(ReviewRow.sha256).where(col(ReviewRow.certificate_key) == key)
    looked = (
        ("issuer_copy", lambda: linked or newest_copy(session, key)),
        ("held", lambda: session.exec(held.order_by(newest)).first() if number else ""),
        ("paper", lambda: session.exec(paper.order_by(newest)).first() if key else ""),
    )
    for held_as, find in looked:
        sha = find()
        doc = session.get(DocumentRow, sha) if sha else None
        if doc is not None:
            return doc, held_as
    return None
