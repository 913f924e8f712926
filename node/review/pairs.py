"""Which declaration-certificate pairs are to be checked (``node.review.matching`` checks them):
queued when a declaration is indexed, queued again when a certificate of that number is
accepted or its issuer's copy arrives. Called in the transaction that changed what a pair is
checked against, so a node stopped at any moment leaves the pair queued, never forgotten."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import col

from node.review.tables import CertificateCopyRow, DeclarationMatchRow, ReviewRow
from node.storage.db import insert_absent

# a pair in these states waits for an officer (the check found a warning, an error)
OPEN = ("review", "inconsistent")
# a pair in these states is checked again when what it is checked against changes (one being
# checked, ``pending``, too: its check started before the change); an officer's decision
# (``decided``) stands
_AGAIN = ("pending", "waiting", "consistent", "review", "inconsistent")


def queue_declaration(session: Any, declaration_sha256: str, keys: Iterable[str]) -> None:
    """Queue the check of a declaration against each certificate key it names."""
    for key in keys:
        insert_absent(
            session,
            DeclarationMatchRow(declaration_sha256=declaration_sha256, certificate_number=key),
        )


def requeue(session: Any, *where: Any, reopen: bool = False) -> int:
    """Queue again the pairs ``where`` says (their generation counted up, so a check running
    on them records nothing); how many. ``reopen``: their decisions set aside too."""
    values: dict[str, Any] = {"state": "pending"}
    if reopen:
        values |= {"decision": "", "decided_by": "", "reason": "", "decided_at": None}
    stmt = (
        update(DeclarationMatchRow)
        .where(*where)
        .values(**values, generation=col(DeclarationMatchRow.generation) + 1)
    )
    return int(session.connection().execute(stmt).rowcount or 0)


def recheck(session: Any, key: str, *, reopen: bool = False) -> int:
    """Queue again the checks of the declarations naming certificate ``key`` (a certificate of
    that number was accepted, or its issuer's copy came); how many. ``reopen``: the decided
    ones too, their decision set aside (the certificate was revoked since: an officer cleared
    the pair on what no longer stands; the decision stays in the declaration's trace)."""
    if not key:
        return 0
    states = (*_AGAIN, "decided") if reopen else _AGAIN
    named = requeue(
        session,
        col(DeclarationMatchRow.certificate_number) == key,
        col(DeclarationMatchRow.state).in_(states),
        reopen=reopen,
    )
    return named + _siblings(session, key)


def _siblings(session: Any, key: str) -> int:
    """Queue again the declarations' checks against the other certificates they name: a
    consignment split under several certificates is judged on their sum (``rules.pairing``),
    which this one's arrival (or revocation) changes. Their decisions stand."""
    named = aliased(DeclarationMatchRow)  # the declarations naming ``key``
    naming = select(col(named.declaration_sha256)).where(col(named.certificate_number) == key)
    return requeue(
        session,
        col(DeclarationMatchRow.declaration_sha256).in_(naming),
        col(DeclarationMatchRow.certificate_number) != key,
        col(DeclarationMatchRow.state).in_(_AGAIN),
    )


def accepted_paper() -> Any:
    """The condition "this paper is accepted" (by the machine, or by an officer's decision)."""
    return or_(
        col(ReviewRow.state) == "accept",
        (col(ReviewRow.state) == "decided") & (col(ReviewRow.decision) == "accept"),
    )


def recheck_found(session: Any) -> int:
    """Queue again the ``waiting`` pairs whose certificate is on the node now (an accepted
    paper, an issuer's copy); how many. Queueing them with the acceptance misses a
    declaration committed meanwhile: on PostgreSQL the acceptance's UPDATE does not see the
    uncommitted pair, nor the pair's check the uncommitted acceptance, and the pair stayed
    ``waiting`` for good."""
    key = col(DeclarationMatchRow.certificate_number)
    paper = exists().where(col(ReviewRow.certificate_key) == key, accepted_paper())
    copy = exists().where(col(CertificateCopyRow.certificate_number) == key)
    return requeue(session, col(DeclarationMatchRow.state) == "waiting", or_(paper, copy))
