"""Declarations checked against the certificates the node accepted without them.

A paper the machine (or an officer) accepted before the importer's declaration came was never
compared with it, nor is an issuer's electronic certificate ever compared with a declaration by
its own review. Each declaration-certificate pair is a ``DeclarationMatchRow``, queued in the
transaction that made it checkable (``node.review.pairs``) and checked here, off the request,
by the review worker:

- ``waiting``: no accepted certificate of that number on the node yet (checked when one is);
- ``consistent``: every pairing rule passed (``verification.rules.pairing``);
- ``review`` / ``inconsistent``: a warning / an error, e.g. another net weight, or another
  declaration already naming the certificate; listed for an officer, who ``clear``s the pair or
  ``refuse``s it.

A certificate whose rule set allows partial use (``partial_use``: partial shipments written off
against it) may be named by several declarations: each is checked against the balance the
earlier ones left (``_drawn_on``, one aggregate over their indexed quantities, an amended one
counted at its latest version), and its check queues again those of the later ones, whose
balance it changes (``_later_again``).

A pair whose certificate is its issuer's copy whose own status says it does not stand
(withdrawn, replaced, rejected, provisional: ``node.review.statuses``) goes to an officer
(``certificate.status``), as does one naming a replaced certificate (``certificate.replaced``).

The certificate's acceptance stands either way (it is authentic; the pairing is what failed):
the finding is the declaration's, a ``verified`` event on it, and the officer's decision a
``reviewed`` one. The issuer's electronic copy, where one came, is checked against before an
accepted paper.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, exists, func, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from adapters.errors import AdapterError
from adapters.registry import parse_document
from adapters.status import status_of
from node.domain.states import EventKind
from node.errors import Conflict, Disposed, InputError, NotFound
from node.review.copies import declaration_fields
from node.review.intake import naming
from node.review.pairs import OPEN, accepted_paper, recheck_found, requeue
from node.review.replacements import replaced_text, replacement_of
from node.review.statuses import RULE as STATUS_RULE
from node.review.statuses import not_valid, status_text
from node.review.tables import (
    CertificateCopyRow,
    DeclarationIndexRow,
    DeclarationMatchRow,
    ReviewRow,
)
from node.storage.blobs import BlobStore
from node.storage.core import utcnow
from node.storage.db import Database, claimed
from node.storage.documents import add_event, revocation_of
from node.storage.paging import page_keys
from verification.normalise import certificate_key
from verification.pipeline import utc_today
from verification.results import FieldValue
from verification.rules.engine import Drawn
from verification.rules.loader import RuleSet
from verification.rules.pairing import (
    check_pairing,
    fields_of,
    kind_known,
    partial_use,
    same_kind,
)

logger = logging.getLogger(__name__)

DECISIONS = ("clear", "refuse")
STATES = ("open", "all", "pending", "waiting", "consistent", "review", "inconsistent", "decided")
_NAMED = 3  # earlier declarations of the certificate named in a reuse finding; the rest counted
_STATE = {"accept": "consistent", "review": "review", "reject": "inconsistent"}
_REVIEWED_AGAINST = (
    "the paper was reviewed against this declaration and accepted: what its review compared "
    "stands; only another declaration naming the certificate is judged here"
)


@dataclass(frozen=True)
class _Certificate:
    sha256: str
    source: str  # electronic | paper
    fields: dict[str, FieldValue]
    certificate_type: str
    country: str
    declaration_sha256: str = ""  # the declaration a paper was reviewed against
    revoked: dict[str, Any] | None = None  # ``storage.documents.revocation_of``
    status: dict[str, Any] = field(default_factory=dict)  # a copy's ``adapters.status.status_of``


class MatchService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        rules: RuleSet,
        *,
        actor: str,
        today: Callable[[], dt.date] = utc_today,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.rules = rules
        self.actor = actor
        self.today = today

    # ---- the machine's check --------------------------------------------------------------
    def pending(self, limit: int = 64) -> list[tuple[str, str]]:
        with self.db.session() as session:
            stmt = (
                select(
                    DeclarationMatchRow.declaration_sha256, DeclarationMatchRow.certificate_number
                )
                .where(DeclarationMatchRow.state == "pending")
                .order_by(col(DeclarationMatchRow.queued_at))
                .limit(limit)
            )
            return [(d, k) for d, k in session.exec(stmt)]

    def requeue_found(self) -> int:
        """Queue again the pairs left ``waiting`` for a certificate that is here now (see
        ``pairs.recheck_found``); run by the review worker when it starts and every minute."""
        with self.db.session() as session:
            found = recheck_found(session)
        if found:
            logger.warning("%d declaration check(s) waited for a certificate accepted", found)
        return found

    def process_pending(self) -> int:
        """Check the queued pairs (a page of them); how many were taken."""
        pairs, page = self.pending(), _Page()
        for declaration_sha, key in pairs:
            try:
                self.check(declaration_sha, key, page)
            except Disposed as err:  # the declaration's bytes went (retention): an officer sees
                logger.warning("declaration %s against %s: %s", declaration_sha, key, err)
                self._failed(declaration_sha, key, err)
            except InputError as err:  # what it is checked against cannot be read: told why
                logger.warning("declaration %s against %s: %s", declaration_sha, key, err)
                self._failed(declaration_sha, key, err)
            except Exception as err:  # one bad pair must not stall the queue
                logger.exception("check of declaration %s against %s failed", declaration_sha, key)
                self._failed(declaration_sha, key, err)
        return len(pairs)

    def check(self, declaration_sha: str, key: str, page: _Page | None = None) -> None:
        """Check one queued pair and record the outcome (nothing if it is not queued).
        ``page``: the other certificates of the declarations checked before in this page."""
        with self.db.session() as session:
            row = session.get(DeclarationMatchRow, (declaration_sha, key))
            if row is None or row.state != "pending":
                return
            declaration = declaration_fields(
                self.blobs.get(declaration_sha), f"declaration {declaration_sha}"
            )
            found = self._certificate(session, key)
            state, verdict, result = self._judge(session, row, declaration, found, page)
            result["declaration_number"] = str(declaration.get("declaration_number") or "")
            result["certificate_printed"] = _printed(key, found, declaration)
            settled = self._settle(session, row, state, verdict, found, result)
            if settled and found is not None:
                _later_again(session, declaration_sha, key, self._partial(found))
                _absent_again(session, declaration_sha, key)
                detail = {
                    "check": "certificate",
                    "certificate_number": key,
                    "certificate_sha256": found.sha256,
                    "source": found.source,
                    "verdict": verdict,
                    "reasons": result["reasons"],
                }
                add_event(session, declaration_sha, EventKind.VERIFIED, self.actor, detail)
        logger.info("declaration %s against %s: %s", declaration_sha, key, state)

    def _judge(
        self,
        session: Any,
        row: DeclarationMatchRow,
        declaration: dict[str, Any],
        found: _Certificate | None,
        page: _Page | None = None,
    ) -> tuple[str, str, dict[str, Any]]:
        """(state, verdict, result) of the pair against ``found``."""
        key = row.certificate_number
        replaced = replacement_of(session, key)
        if replaced is not None:  # the declaration is to name the replacement: an officer sees
            number = _printed(key, found, declaration)
            why = (
                f"certificate.replaced: {replaced_text(number, replaced)}; the declaration "
                f"names the replaced certificate, no longer accepted: it should name "
                f"{replaced['replaced_by']}"
            )
            return "review", "review", _result(why)
        if found is None:
            return "waiting", "", _result(f"no accepted certificate {key} on this node yet")
        if found.revoked is not None:  # the declaration cannot rest on a revoked certificate
            gone = found.revoked
            reason = f": {gone['reason']}" if gone.get("reason") else ""
            by, at, number = gone["by"], _shown_time(gone["at"]), _printed(key, found, declaration)
            why = f"certificate.revoked: {by} revoked certificate {number}{reason} ({at})"
            return "inconsistent", "reject", _result(why)
        if found.status:  # the issuer's copy says it does not stand: an officer sees
            number = _printed(key, found, declaration)
            why = f"{STATUS_RULE}: {status_text(number, found.status)}: not accepted as valid"
            return "review", "review", _result(why)
        reviewed_against = found.declaration_sha256 == row.declaration_sha256
        parts = self._parts(session, declaration, row, found, page or _Page())
        pairing = check_pairing(
            found.fields,
            declaration,
            rules=self.rules,
            certificate_type=found.certificate_type,
            country=found.country,
            today=self.today(),
            others=self._others(session, row.declaration_sha256, key),
            parts=parts,
            drawn=self._drawn(session, row, found, parts),
            reviewed_against=reviewed_against,
        )
        result = pairing.to_json()
        if absent := sorted(certificate_key(n) for n, p in (parts or {}).items() if p is None):
            result["absent"] = absent  # checked again when one comes (``_absent_again``)
        if reviewed_against:
            result["note"] = _REVIEWED_AGAINST
        return _STATE[str(pairing.verdict)], str(pairing.verdict), result

    @staticmethod
    def _settle(
        session: Any,
        row: DeclarationMatchRow,
        state: str,
        verdict: str,
        found: _Certificate | None,
        result: dict[str, Any],
    ) -> bool:
        """Record the outcome if the pair is still queued as it was read (not queued again
        meanwhile: then its next check records it)."""
        stmt = (
            update(DeclarationMatchRow)
            .where(
                col(DeclarationMatchRow.declaration_sha256) == row.declaration_sha256,
                col(DeclarationMatchRow.certificate_number) == row.certificate_number,
                col(DeclarationMatchRow.state) == "pending",
                col(DeclarationMatchRow.generation) == row.generation,
            )
            .values(
                state=state,
                verdict=verdict,
                certificate_sha256=found.sha256 if found else "",
                source=found.source if found else "",
                result=result,
                checked_at=utcnow(),
            )
        )
        return claimed(session, stmt)

    def _failed(self, declaration_sha: str, key: str, err: Exception) -> None:
        """A pair whose check could not run goes to an officer, with why."""
        message = getattr(err, "message", None) or str(err) or type(err).__name__
        with self.db.session() as session:
            row = session.get(DeclarationMatchRow, (declaration_sha, key))
            if row is not None and row.state == "pending":
                result = _result(f"the check could not run: {message}")
                self._settle(session, row, "review", "review", None, result)

    def _certificate(self, session: Any, key: str) -> _Certificate | None:
        """What the declaration is checked against: the issuer's electronic copy (the newest),
        else the paper of that number accepted last."""
        copies = select(CertificateCopyRow).where(CertificateCopyRow.certificate_number == key)
        unreadable: list[str] = []
        for copy in session.exec(copies.order_by(col(CertificateCopyRow.indexed_at).desc())):
            if not self.blobs.has(copy.sha256):
                gone = self.blobs.gone(copy.sha256) if self.blobs.gone is not None else None
                if gone is not None:  # disposed of (retention), not yet written: skipped
                    unreadable.append(f"the issuer's copy {copy.sha256}: {gone.message}")
                continue
            try:
                doc, _issues, _adapter = parse_document(self.blobs.get(copy.sha256), None)
            except AdapterError as err:
                unreadable.append(f"the issuer's copy {copy.sha256} could not be read: {err}")
                continue
            flat = {k: v for k, v in doc.flat().items() if not isinstance(v, dict)}
            return _Certificate(
                copy.sha256,
                "electronic",
                fields_of(flat, confidence=1.0),
                str(getattr(doc, "certificate_type", "") or ""),
                copy.issuing_country,
                revoked=revocation_of(session, copy.sha256),
                status=status_of(doc) if not_valid(doc) else {},
            )
        stmt = select(ReviewRow).where(ReviewRow.certificate_key == key, accepted_paper())
        paper = session.exec(stmt.order_by(col(ReviewRow.reviewed_at).desc())).first()
        if paper is None and unreadable:  # not "waiting": the sweep would queue it every minute
            raise InputError(unreadable[0])
        if paper is None:
            return None
        result = paper.result or {}
        return _Certificate(
            paper.sha256,
            "paper",
            fields_of(result.get("fields") or {}),
            str(result.get("certificate_type") or ""),
            str(result.get("issuing_country") or ""),
            paper.declaration_sha256,
            revocation_of(session, paper.sha256),
        )

    def _parts(
        self,
        session: Any,
        declaration: dict[str, Any],
        row: DeclarationMatchRow,
        found: _Certificate,
        page: _Page,
    ) -> dict[str, dict[str, FieldValue] | str | None] | None:
        """The other certificates the declaration names, as ``RuleInputs.parts`` has them: of
        ``found``'s kind with their fields, None where none is here, why where one is but is
        not counted, those of another kind left out. None: the declaration names no other."""
        listed = declaration.get("certificate_numbers") or []
        named = {certificate_key(str(n)): str(n) for n in listed}
        named.pop(row.certificate_number, None)
        if not named:
            return None
        seen = page.of(session, row)
        parts: dict[str, dict[str, FieldValue] | str | None] = {}
        for other, printed in sorted(named.items()):
            if other not in seen.certificates:
                try:
                    seen.certificates[other] = self._certificate(session, other)
                except InputError:  # its own pair tells why; this one counts it as not known
                    seen.certificates[other] = _UNREADABLE
            part = _part(seen.certificates[other], found)
            if part is not _ANOTHER_KIND:
                parts[printed] = part
        return parts

    def _others(self, session: Any, declaration_sha: str, key: str) -> list[str]:
        """The declarations indexed before this one that name the certificate: the first
        ``_NAMED`` by number, then how many more. Each one named is its bytes read and parsed;
        naming them all made the checks of one certificate's declarations quadratic (2,000 of
        them: 5.5 minutes), and the reason as long as the list."""
        mine = session.get(DeclarationIndexRow, declaration_sha)
        if mine is None:
            return []
        at, sha = col(DeclarationIndexRow.indexed_at), col(DeclarationIndexRow.sha256)
        earlier = select(DeclarationIndexRow).where(naming(key), _before(mine), _another(mine))
        count = select(func.count()).select_from(earlier.subquery())
        first = session.exec(earlier.order_by(at, sha).limit(_NAMED)).all()
        named = [self._number_of(r) for r in first]
        more = int(session.exec(count).one()) - len(first)
        return [*named, f"{more} more"] if more > 0 else named

    def _partial(self, found: _Certificate) -> bool:
        return partial_use(self.rules, found.certificate_type, found.country)

    def _drawn_on_by_several(self, session: Any, key: str) -> bool:
        """Whether certificate ``key`` is here and its rule set allows partial use."""
        try:
            found = self._certificate(session, key)
        except InputError:  # unreadable: its pairs are for an officer anyway
            return False
        return found is not None and self._partial(found)

    def _drawn(
        self,
        session: Any,
        row: DeclarationMatchRow,
        found: _Certificate,
        parts: dict[str, dict[str, FieldValue] | str | None] | None,
    ) -> Drawn | None:
        """What the earlier declarations drew on the certificate, where its rule set allows
        partial use and the declaration names no other of its kind (a consignment split under
        several is judged on their sum instead, ``_parts``); else None."""
        if parts or not self._partial(found):
            return None
        mine = session.get(DeclarationIndexRow, row.declaration_sha256)
        return Drawn() if mine is None else _drawn_on(session, mine, row.certificate_number)

    def _number_of(self, row: DeclarationIndexRow) -> str:
        try:
            fields = declaration_fields(self.blobs.get(row.sha256), f"declaration {row.sha256}")
        except Exception:  # noqa: BLE001  (unreadable: named by its hash)
            fields = {}
        number = str(fields.get("declaration_number") or "")
        return f"{number} ({row.sha256[:12]})" if number else row.sha256[:12]

    # ---- the officers ---------------------------------------------------------------------
    def decide(
        self,
        declaration_sha: str,
        number: str,
        decision: str,
        reason: str,
        officer: str,
        seen: int | None = None,
    ) -> dict[str, Any]:
        """An officer clears a pair the check did not find consistent, or refuses it. A reason
        is needed unless refusing what the check found inconsistent. ``seen``: the check's
        ``generation`` the officer looked at; a pair checked again since is a Conflict (the
        new check may say otherwise, e.g. against the issuer's copy that came meanwhile)."""
        if decision not in DECISIONS:
            raise InputError(f"decision must be clear or refuse, got {decision!r}")
        reason, officer, key = reason.strip(), officer.strip(), certificate_key(number)
        if not officer:
            raise InputError("a decision needs the deciding officer's id")
        with self.db.session() as session:
            row = self._row_in(session, declaration_sha, key)
            if row.state == "decided":
                raise Conflict(f"{_name(row)} was already decided by {row.decided_by}")
            if row.state not in OPEN:
                raise Conflict(f"{_name(row)} is {row.state}: nothing for an officer to decide")
            if seen is not None and seen != row.generation:
                raise Conflict(f"{_name(row)} was checked again since you looked; look again")
            if not reason and not (decision == "refuse" and row.state == "inconsistent"):
                raise InputError(
                    f"deciding {decision} where the check said {row.state} needs a reason"
                )
            stmt = (
                update(DeclarationMatchRow)
                .where(
                    col(DeclarationMatchRow.declaration_sha256) == declaration_sha,
                    col(DeclarationMatchRow.certificate_number) == key,
                    col(DeclarationMatchRow.state) == row.state,
                    col(DeclarationMatchRow.generation) == row.generation,
                )
                .values(
                    state="decided",
                    decision=decision,
                    decided_by=officer,
                    reason=reason,
                    decided_at=utcnow(),
                )
            )
            if not claimed(session, stmt):
                raise Conflict(f"{_name(row)} was decided or checked again meanwhile; look again")
            if decision == "refuse" and self._drawn_on_by_several(session, key):
                _later_again(session, declaration_sha, key, partial=True)  # it draws nothing now
            detail = {
                "check": "certificate",
                "certificate_number": key,
                "decision": decision,
                "machine_verdict": row.verdict,
                "reason": reason,
            }
            add_event(session, declaration_sha, EventKind.REVIEWED, officer, detail)
        return self.get(declaration_sha, key)

    # ---- reading --------------------------------------------------------------------------
    def get(self, declaration_sha: str, number: str) -> dict[str, Any]:
        with self.db.session() as session:
            return match_dict(self._row_in(session, declaration_sha, certificate_key(number)))

    def of_declaration(self, declaration_sha: str) -> list[dict[str, Any]]:
        with self.db.session() as session:
            stmt = select(DeclarationMatchRow).where(
                DeclarationMatchRow.declaration_sha256 == declaration_sha
            )
            rows = session.exec(stmt.order_by(col(DeclarationMatchRow.certificate_number))).all()
            if not rows and not session.get(DeclarationIndexRow, declaration_sha):
                raise NotFound(f"no declaration {declaration_sha} on this node")
            return [match_dict(r) for r in rows]

    def against(self, certificate_sha: str) -> list[dict[str, Any]]:
        """The declarations checked against this certificate (a paper, an issuer's copy)."""
        with self.db.session() as session:
            stmt = select(DeclarationMatchRow).where(
                DeclarationMatchRow.certificate_sha256 == certificate_sha
            )
            rows = session.exec(stmt.order_by(col(DeclarationMatchRow.queued_at))).all()
            return [match_dict(r) for r in rows]

    def list(self, state: str = "open", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Pairs by state, oldest first; ``open`` = waiting for an officer."""
        if state not in STATES:
            raise InputError(f"state must be one of {', '.join(STATES)}, got {state!r}")
        key = (
            col(DeclarationMatchRow.queued_at),
            col(DeclarationMatchRow.declaration_sha256),
            col(DeclarationMatchRow.certificate_number),
        )
        with self.db.session() as session:
            if state == "all":
                stmt = select(DeclarationMatchRow).order_by(*key).offset(offset).limit(limit)
                return [match_dict(r) for r in session.exec(stmt)]
            # through the index on (state, *key): no sort of every open pair
            states = OPEN if state == "open" else (state,)
            page = page_keys(session, col(DeclarationMatchRow.state), states, key, limit, offset)
            rows = [session.get(DeclarationMatchRow, (sha, number)) for _, sha, number in page]
            return [match_dict(r) for r in rows if r is not None]

    @staticmethod
    def _row_in(session: Any, declaration_sha: str, key: str) -> DeclarationMatchRow:
        row = session.get(DeclarationMatchRow, (declaration_sha, key))
        if row is None:
            raise NotFound(f"declaration {declaration_sha} names no certificate {key!r}")
        return row


@dataclass
class _Seen:
    generations: dict[str, int]  # of the declaration's pairs, when these were looked up
    certificates: dict[str, _Certificate | str | None] = field(default_factory=dict)


class _Page:
    """The certificates a declaration names, looked up once for the checks of its pairs in
    one page, not once per pair: a declaration of 50 certificates arriving one by one looked
    up 50 x 50 x 49 / 2 of them (a minute of the worker). What was looked up stands while the
    pair checked has the generation it had then: any certificate's arrival, acceptance or
    revocation queues every pair of the declarations naming it again (``pairs.recheck``)."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}

    def of(self, session: Any, row: DeclarationMatchRow) -> _Seen:
        seen = self._seen.get(row.declaration_sha256)
        if seen is None or seen.generations.get(row.certificate_number) != row.generation:
            stmt = select(
                DeclarationMatchRow.certificate_number, DeclarationMatchRow.generation
            ).where(DeclarationMatchRow.declaration_sha256 == row.declaration_sha256)
            seen = _Seen(dict(session.exec(stmt).all()))
            self._seen[row.declaration_sha256] = seen
        return seen


_ANOTHER_KIND = "another kind"
_UNREADABLE = "its issuer's copy could not be read"


def _part(
    cert: _Certificate | str | None, found: _Certificate
) -> dict[str, FieldValue] | str | None:
    """``cert`` as a part of ``found``'s consignment: its fields, None if not here, or why it
    is not counted. A type not known may be a part or the whole: the sum cannot be told, and
    an officer is told why (not "inconsistent", as if ``found`` alone were all of it)."""
    if cert is None or isinstance(cert, str):
        return cert
    if cert.revoked is not None:
        return "revoked"
    if not kind_known(found.certificate_type):
        return "this certificate's type not known"
    if not kind_known(cert.certificate_type):
        return "its type not known"
    if not same_kind(cert.certificate_type, found.certificate_type):
        return _ANOTHER_KIND
    return cert.fields


def _before(mine: DeclarationIndexRow) -> Any:
    """The condition "indexed before ``mine``" (the hash orders those indexed at one time)."""
    return _precedes(DeclarationIndexRow, mine)


def _precedes(a: Any, b: Any) -> Any:
    """The condition "``a`` indexed before ``b``": ``a`` the declaration index (or an alias of
    it), ``b`` a row of it or another alias."""
    return or_(a.indexed_at < b.indexed_at, (a.indexed_at == b.indexed_at) & (a.sha256 < b.sha256))


def _drawn_on(session: Any, mine: DeclarationIndexRow, key: str) -> Drawn:
    """What the other declarations begun before ``mine`` (before its first version: an
    amendment is judged where it was begun, or two would count each other) drew on certificate
    ``key``, added up
    by the database (reading their files made the reuse finding quadratic: ``_NAMED``). A
    declaration number counts once, at its latest version, even one indexed after ``mine``: an
    importer's correction replaces what it corrects, so the balance ``mine`` was judged on
    changes with it (``_later_again`` queues ``mine`` again); a latest version no longer naming
    ``key`` draws nothing on it, nor one an officer refused against it. A declaration without a
    number is its own."""
    index, newer, older = (
        DeclarationIndexRow,
        aliased(DeclarationIndexRow),
        aliased(DeclarationIndexRow),
    )
    start = _first_version(session, mine)  # ``mine`` begun: an amendment where it amends
    number = col(index.declaration_number)
    amended = exists().where(col(newer.declaration_number) == number, _precedes(index, newer))
    begun = exists().where(col(older.declaration_number) == number, _precedes(older, start))
    refused = exists().where(  # an officer refused it against this certificate: none drawn
        col(DeclarationMatchRow.declaration_sha256) == col(index.sha256),
        col(DeclarationMatchRow.certificate_number) == key,
        col(DeclarationMatchRow.decision) == "refuse",
    )
    weight, packages = col(index.net_weight_kg), col(index.packages)
    stmt = select_columns(
        func.count(),
        func.coalesce(func.sum(weight), 0.0),
        func.coalesce(func.sum(packages), 0.0),
        func.count(weight),
        func.count(packages),
    ).where(
        naming(key),
        _another(mine),
        or_((number == "") & _before(start), (number != "") & ~amended & begun),
        ~refused,
    )
    n, weighed, packed, with_weight, with_packages = session.connection().execute(stmt).one()
    return Drawn(
        net_weight_kg=float(weighed),
        packages=float(packed),
        declarations=int(n),
        net_weight_unknown=int(n) - int(with_weight),
        packages_unknown=int(n) - int(with_packages),
    )


def _another(mine: DeclarationIndexRow) -> Any:
    """The condition "another declaration than ``mine``", not a version of it: one of the same
    declaration number amends it (an importer's correction is no second use of a certificate)."""
    other = col(DeclarationIndexRow.sha256) != mine.sha256
    if not mine.declaration_number:
        return other
    return other & (col(DeclarationIndexRow.declaration_number) != mine.declaration_number)


def _later_again(session: Any, declaration_sha: str, key: str, partial: bool = False) -> int:
    """Queue again the consistent checks of declarations of ``key`` indexed after this one: two
    declarations committed at once (PostgreSQL) may each have been checked before the other
    was there, the later one then consistent though this one came first. ``partial``: the
    certificate allows partial use, and this declaration's quantity changes the balance of
    those begun after it (after its first version: an amendment replaces what it amends,
    ``_drawn_on``), either way: those left for an officer are checked again too (not those
    decided). In the usual order there are none; how many."""
    mine = session.get(DeclarationIndexRow, declaration_sha)
    if mine is None:
        return 0
    since = _first_version(session, mine) if partial else mine
    later = select(DeclarationIndexRow.sha256).where(naming(key), ~_before(since), _another(mine))
    if partial:  # not an amendment of one begun before: its balance does not count this one
        older, number = aliased(DeclarationIndexRow), col(DeclarationIndexRow.declaration_number)
        begun = exists().where(col(older.declaration_number) == number, _precedes(older, since))
        later = later.where((number == "") | ~begun)
    states = ("consistent", *OPEN) if partial else ("consistent",)
    return requeue(
        session,
        col(DeclarationMatchRow.certificate_number) == key,
        col(DeclarationMatchRow.state).in_(states),
        col(DeclarationMatchRow.declaration_sha256).in_(later),
    )


def _first_version(session: Any, mine: DeclarationIndexRow) -> DeclarationIndexRow:
    """The first declaration indexed of ``mine``'s number (``mine`` itself if it has none)."""
    if not mine.declaration_number:
        return mine
    at, sha = col(DeclarationIndexRow.indexed_at), col(DeclarationIndexRow.sha256)
    stmt = select(DeclarationIndexRow).where(
        DeclarationIndexRow.declaration_number == mine.declaration_number
    )
    return session.exec(stmt.order_by(at, sha).limit(1)).first() or mine


def _absent_again(session: Any, declaration_sha: str, key: str) -> int:
    """Queue again the declaration's pairs checked when certificate ``key``, here now, was not
    (their sum left it out): its arrival queues them, but on PostgreSQL an arrival committed
    with the declaration does not see its pairs, and ``recheck_found`` queues only the waiting
    one. Once each: checked again, ``key`` is not absent from them. How many."""
    stmt = select(DeclarationMatchRow).where(
        DeclarationMatchRow.declaration_sha256 == declaration_sha,
        col(DeclarationMatchRow.state).in_(("consistent", *OPEN)),
        cast(col(DeclarationMatchRow.result), String).contains(json.dumps(key), autoescape=True),
    )
    stale = [r.certificate_number for r in session.exec(stmt) if key in _absent(r)]
    if not stale:
        return 0
    return requeue(
        session,
        col(DeclarationMatchRow.declaration_sha256) == declaration_sha,
        col(DeclarationMatchRow.certificate_number).in_(stale),
        col(DeclarationMatchRow.state).in_(("consistent", *OPEN)),
    )


def _absent(row: DeclarationMatchRow) -> list[str]:
    return list((row.result or {}).get("absent") or [])


def match_dict(row: DeclarationMatchRow) -> dict[str, Any]:
    result = row.result or {}
    return {
        "declaration_sha256": row.declaration_sha256,
        "declaration_number": result.get("declaration_number") or None,
        "certificate_number": row.certificate_number,
        "certificate_printed": result.get("certificate_printed") or None,
        "state": row.state,
        "generation": row.generation,  # a decision may name it (``decide(seen=...)``)
        "verdict": row.verdict or None,
        "certificate_sha256": row.certificate_sha256 or None,
        "source": row.source or None,
        "reasons": list(result.get("reasons") or []),
        "note": result.get("note") or None,
        "rules": list(result.get("rules") or []),
        "decision": row.decision or None,
        "decided_by": row.decided_by or None,
        "reason": row.reason or None,
        "queued_at": _iso(row.queued_at),
        "checked_at": _iso(row.checked_at),
        "decided_at": _iso(row.decided_at),
    }


def _printed(key: str, found: _Certificate | None, declaration: dict[str, Any]) -> str:
    """Certificate ``key`` as issued (the number on the issuer's copy or as read on the paper),
    else as the declaration writes it: what an officer finds on the paper ("AU-2026-000123"),
    not the key the pair is filed under ("AU2026000123")."""
    number = found.fields.get("certificate_number") if found is not None else None
    if number is not None and number.value and certificate_key(number.value) == key:
        return number.value.strip()
    for listed in declaration.get("certificate_numbers") or []:
        if certificate_key(str(listed)) == key:
            return str(listed).strip()
    return key


def _shown_time(at: str) -> str:
    """An ISO time as the officer's screens show it: "2026-12-06 07:12:05 UTC"."""
    try:
        when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    when = when.astimezone(dt.UTC) if when.tzinfo else when
    return f"{when:%Y-%m-%d %H:%M:%S} UTC"


def _iso(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).isoformat().replace("+00:00", "Z")


def _name(row: DeclarationMatchRow) -> str:
    return f"declaration {row.declaration_sha256} against certificate {row.certificate_number}"


def _result(reason: str) -> dict[str, Any]:
    return {"reasons": [reason], "rules": []}
