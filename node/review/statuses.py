"""Electronic certificates whose own status says they are not valid (``adapters.status``).

A partner's certificate that says it is provisional (an IPAFFS CHED still ``SUBMITTED``),
replaced, withdrawn (ePhyto 40, a ``CANCELLED`` CHED) or rejected is not accepted as valid by
the machine, nor refused: its issuer's word that the certificate does not stand is kept and
acted on. Routed (``node.inbound``), such a certificate is:

* held for an officer: document state ``in_review``, a ``reviews`` row in the officers' queue
  (state ``review``, rule ``certificate.status``, the reason naming the status and, for a
  replaced one, the replacing number), not anchored until an officer accepts it;
* when its issuer sent it, indexed as the issuer's copy, the newest of its number: papers of it
  are reviewed against a copy carrying that status (rule ``copy.status``) and the declarations
  naming it go to an officer (``node.review.matching``);
* when it is replaced and the replacing certificate's copy is on the node already (it came
  first, naming no certificate it replaces), linked to it as a replacement would be
  (``intake.record_replacement``: rule ``copy.replaced``, papers listed as withdrawn).

An unknown status code is not judged (the certificate is accepted; its adapter warns), and a
certificate without a status code has none.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.status import NOT_VALID, describe, status_of
from node.domain.states import EventKind
from node.review.intake import index_copy, record_replacement
from node.review.replacements import replacement_of
from node.review.tables import CertificateCopyRow, ReviewRow
from node.review.withdrawn import newest_copy
from node.storage.core import DocumentRow, utcnow
from node.storage.db import insert_absent
from node.storage.documents import add_event
from verification.normalise import certificate_key

logger = logging.getLogger(__name__)

RULE = "certificate.status"


def not_valid(doc: Any) -> bool:
    """Whether certificate ``doc`` says by its own status that it is not valid."""
    return doc.doc_type == "certificate" and getattr(doc, "status", None) in NOT_VALID


def status_text(number: str, status: dict[str, Any]) -> str:
    """What an officer reads: "certificate X is withdrawn (status 40) by its issuer's own
    status: not accepted as valid"."""
    return f"certificate {number or '(no number)'} is {describe(status)} by its issuer's own status"


def hold(
    session: Any,
    row: DocumentRow,
    doc: Any,
    *,
    actor: str,
    issuer: bool,
    detail: dict[str, Any],
) -> None:
    """Hold partner ``row.source``'s certificate ``doc`` (document ``row``) for an officer;
    ``issuer``: the partner is of its issuing country (then it is the issuer's copy);
    ``detail``: the ``verified`` event's detail so far (format, issues, from)."""
    number = str(doc.certificate_number or "")
    status = status_of(doc)
    why = f"{RULE}: {status_text(number, status)}: not accepted as valid; an officer decides"
    row.state = "in_review"
    if issuer:  # the newest copy of its number: what papers and declarations are checked against
        index_copy(session, row.sha256, doc, row.source)
    linked = _link_replaced(session, row, doc, number) if issuer else None
    if linked:
        why += f"; linked to its replacement {linked['replaced_by']} on this node"
    elif status.get("status") == "replaced" and not status.get("replaced_by"):
        why += " (it names no replacing certificate)"
    finding = {"id": RULE, "passed": False, "severity": "error", "message": why}
    result = {"kind": "electronic", "format": row.format, "reasons": [why], "rules": [finding]}
    held = ReviewRow(
        sha256=row.sha256,
        state="review",
        verdict="review",
        submitted_by=row.source,
        certificate_number=number,  # no key: it is no paper of that number
        result={**result, "status": status, **({"replacement": linked} if linked else {})},
        reviewed_at=utcnow(),
    )
    insert_absent(session, held)
    told = {**detail, "verdict": "review", "reasons": [why], "status": status}
    add_event(session, row.sha256, EventKind.VERIFIED, actor, told)
    logger.warning("certificate %s from %s held for an officer: %s", number, row.source, why)


def _link_replaced(session: Any, row: DocumentRow, doc: Any, number: str) -> dict[str, Any] | None:
    """A certificate arriving as replaced, by a certificate whose issuer's copy (of the same
    country) is here: recorded as that one's replacement (as if it had named the one it
    replaces); returns the replacement (``replacements.replacement_of``), None if none is."""
    new = str(getattr(doc, "replaced_by", "") or "").strip()
    if doc.status != "replaced" or not new or not number:
        return None
    before = replacement_of(session, certificate_key(number))
    if before is not None:  # the replacement came first, naming it: linked already
        return before
    country = str(getattr(doc, "issuing_country", "") or "").upper()
    newest = newest_copy(session, certificate_key(new))
    copy = session.get(CertificateCopyRow, newest) if newest else None
    if copy is None or copy.issuing_country.upper() != country:
        return None
    record_replacement(session, copy.sha256, doc, row.source, (number, new))
    return replacement_of(session, certificate_key(number))
