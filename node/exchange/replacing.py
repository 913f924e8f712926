"""Sending a replacement certificate (the issuing half of ``node.review.replacements``).

An issuing administration replaces a certificate it sent partners by a new one (ISPM 12: a new
number, naming the one it replaces: canonical ``replaces``, an SPS referenced document). The
replacement is queued in the durable outbox for every partner the replaced certificate went to
(still pinned, its delivery not refused), in one transaction with a ``replaced`` event on the
replaced certificate's trace and its ``certificate_replacements`` row here, under message ids
derived from both documents, so a retry queues nothing twice. Each partner checks it (only the
issuer replaces a certificate) and, accepting it, no longer accepts the replaced one.

Refused here: a replaced document this node does not hold (404) or did not issue (one a
partner sent it: 403), or sent to no partner (409); a file that is no certificate, names no
certificate it replaces, or names another than the one given (400), or keeps its number (a
replacement has a new number: 400, ``cusdep.input.replacement_number``).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from node.anchoring.service import check_sha256
from node.domain.states import EventKind
from node.errors import Conflict, InputError, NotFound
from node.exchange.withdrawals import sent_to
from node.review.replacements import (
    NotCertificateIssuer,
    ReplacedAlready,
    replacement_numbers,
)
from node.review.tables import ReplacementRow
from node.storage.core import DocumentRow
from node.storage.db import insert_absent
from node.storage.documents import add_event
from verification.normalise import certificate_key

if TYPE_CHECKING:
    from node.exchange.service import ExchangeService

logger = logging.getLogger(__name__)


def _certificate(data: bytes, what: str) -> Any:
    """The certificate model of ``data``; InputError if it is none."""
    from adapters.errors import AdapterError
    from adapters.registry import parse_document

    try:
        doc = parse_document(data, None)[0]
    except AdapterError as err:
        raise InputError(f"{what}: not a document any adapter reads ({err})") from None
    if doc.doc_type != "certificate":
        raise InputError(f"{what}: a {doc.doc_type}, not a certificate")
    return doc


def send_replacement(
    exchange: ExchangeService, replaced_sha: str, data: bytes, actor: str, filename: str = ""
) -> dict[str, Any]:
    """Queue replacement ``data`` of certificate ``replaced_sha`` for every partner that was
    sent it; returns what was queued (``told``: those partners)."""
    replaced_sha = check_sha256(replaced_sha)
    with exchange.db.session() as session:
        row = session.get(DocumentRow, replaced_sha)
    if row is None:
        raise NotFound(f"no document {replaced_sha} on this node")
    if row.source != "local":
        raise NotCertificateIssuer(
            f"{replaced_sha} was sent to this node by {row.source}: only its issuer replaces it"
        )
    replaced = _certificate(exchange.document(replaced_sha), f"document {replaced_sha}")
    doc = _certificate(data, "the replacement")
    if not doc.replaces:
        raise InputError(
            "the replacement names no certificate it replaces (canonical JSON `replaces`, "
            "an SPS referenced document of relationship REPLACES)"
        )
    old, new = replacement_numbers(doc)
    number = str(replaced.certificate_number or "")
    if certificate_key(old) != certificate_key(number):
        raise InputError(f"the replacement replaces {old}, not {number} ({replaced_sha})")
    sha = hashlib.sha256(data).hexdigest()
    exchange.blobs.put(data)
    with exchange.db.session() as session:
        before = session.get(ReplacementRow, certificate_key(number))
        if before is not None and before.replacement_sha256 != sha:
            raise ReplacedAlready(
                f"certificate {number} was replaced already, by {before.replacement_number}"
            )
        told = _queue(exchange, session, replaced_sha, sha, data, filename)
        detail = {"certificate_number": number, "replaced_by": new, "replacement_sha256": sha}
        if told["queued"]:
            add_event(
                session, replaced_sha, EventKind.REPLACED, actor, {**detail, "told": told["peers"]}
            )
        insert_absent(
            session,
            ReplacementRow(
                certificate_number=certificate_key(number),
                replaced_number=number,
                replacement_number=new,
                replacement_key=certificate_key(new),
                replacement_sha256=sha,
                issuing_country=str(doc.issuing_country or "").upper(),
                source=exchange.node_id,
            ),
        )
    exchange.wake()
    logger.info("replacement %s of %s queued for %s", sha, replaced_sha, told["peers"])
    return {
        "replaced_sha256": replaced_sha,
        "certificate_number": number,
        "replacement_sha256": sha,
        "replacement_number": new,
        "told": told["peers"],
        "message_ids": told["message_ids"],
    }


def _queue(
    exchange: ExchangeService,
    session: Session,
    replaced_sha: str,
    sha: str,
    data: bytes,
    filename: str,
) -> dict[str, Any]:
    peers = sent_to(session, replaced_sha)
    if not peers:
        raise Conflict(f"{replaced_sha} was sent to no partner: no partner to send a replacement")
    ids = {p: exchange.message_id_for(p, "replacement", replaced_sha, sha) for p in peers}
    queued = [
        p
        for p in peers
        if exchange.queue_document(session, p, data, message_id=ids[p], filename=filename)
    ]
    return {"peers": peers, "message_ids": ids, "queued": queued}
