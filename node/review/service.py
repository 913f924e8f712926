"""ReviewService: the machine review of paper scans and the officers' decisions.

Flow per scan: ``pending`` (stored, ``received``) -> the worker runs the ``Verifier`` off the
event loop -> result, layout and evidence crops stored (``home/evidence/<sha>/``), a
``verified`` event with the verdict, then by verdict:

- ``accept``: queued for anchoring and marked forwardable;
- ``review``: waits in the officers' queue;
- ``reject``: recorded (the officer may still look at it and decide).

An officer decides ``accept`` or ``reject`` with a reason; agreeing with the machine is
``confirmed``, disagreeing is ``overridden`` (a reason is then required). The decision is a
``reviewed`` event whose actor is the officer; an accepted document is anchored. Only accepted
or officer-accepted documents are ever anchored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import exists, update
from sqlmodel import col, select

from node.anchoring.service import AnchorService, check_sha256
from node.anchoring.tables import AnchorLeafRow
from node.domain.states import EventKind
from node.errors import Conflict, CusdepError, InputError, NotFound
from node.exchange.withdrawals import Withdrawals, sent_to
from node.registry.reading import DatabaseRead
from node.retention.service import check_kept, disposal_dict, disposal_of
from node.review._memory import release_memory
from node.review.held import held_view, is_electronic
from node.review.intake import Intake, copy_indexed, declaration_indexed, document_revoked
from node.review.matching import MatchService
from node.review.pages import MEDIA_TYPES, is_page, render_again
from node.review.pairs import recheck
from node.review.quantities import QuantityBackfill
from node.review.replacements import replacement_of
from node.review.stampings import copied_from, record_stamping, stampings_of
from node.review.tables import ReviewRow
from node.review.verifier import Verification, Verifier, unreadable
from node.review.view import review_dict
from node.review.withdrawn import withdrawal_of, withdrawn
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow, utcnow
from node.storage.db import Database, claimed
from node.storage.documents import add_event, events_for, reported_anchor, revocation_of
from node.storage.paging import nearest, page_keys
from verification.intake import IntakeLimits
from verification.normalise import certificate_key
from verification.rules.loader import RuleSet, load_rules

logger = logging.getLogger(__name__)

DECISIONS = ("accept", "reject")
OPEN = ("review", "reject")
QUEUE_STATES = ("open", "all", "pending", "accept", "review", "reject", "decided", "withdrawn")
_STATE = {"accept": "accepted", "review": "in_review", "reject": "rejected"}


@dataclass(frozen=True)
class _Against:
    """What a review was checked against: the importer's declaration, the issuer's copy."""

    declaration_sha256: str
    declaration: dict[str, Any] | None
    copy: dict[str, Any] | None  # its fields, and its ``sha256``

    @property
    def copy_sha256(self) -> str | None:
        return None if self.copy is None else self.copy.get("sha256")


def _came_during(session: Any, out: Verification, against: _Against) -> bool:
    """Whether the issuer's copy or a declaration the review went without was indexed while it
    ran (after the review looked, before this record): the router found no paper left for an
    officer to send back, so the record does."""
    number = out.certificate_number
    if against.copy_sha256 is None and copy_indexed(session, number):
        return True
    return not against.declaration_sha256 and declaration_indexed(session, number)


class ReviewService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        anchoring: AnchorService | None,
        verifier: Verifier | None,
        *,
        evidence_root: Path,
        actor: str,
        limits: IntakeLimits | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.anchoring = anchoring
        self.verifier = verifier
        self.evidence_root = evidence_root
        self.actor = actor
        self.limits = limits or IntakeLimits()
        self.intake = Intake(db, blobs, anchoring, limits)
        # declarations checked against the certificates accepted before them
        self.matches = MatchService(db, blobs, rules or load_rules(), actor=actor)
        # quantities of declarations indexed before migration 0011, filled once
        self.quantities = QuantityBackfill(db, blobs)
        self.wakeup = asyncio.Event()
        # called (sha256, review dict) after each machine verdict and each officer decision,
        # e.g. by the exchange to tell the sender; a failing listener is logged, not raised
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        # the partners a revoked document was sent to are told (wired with the exchange)
        self.withdrawals: Withdrawals | None = None

    # ---- the machine review ---------------------------------------------------------------
    def pending(self, limit: int = 16) -> list[str]:
        """Scans waiting for the machine (partners' scans are queued by ``node.inbound``)."""
        with self.db.session() as session:
            waiting = select(ReviewRow.sha256).where(ReviewRow.state == "pending")
            return list(session.exec(waiting.order_by(col(ReviewRow.queued_at)).limit(limit)))

    async def process_pending(self) -> int:
        """Review the waiting scans, then check the queued declaration-certificate pairs (a
        scan accepted now queues those of the declarations that came before it)."""
        done = await self._review_pending()
        return done + await asyncio.to_thread(self.matches.process_pending)

    async def _review_pending(self) -> int:
        shas = await asyncio.to_thread(self.pending)
        for sha in shas:
            try:
                await self.review(sha)
            except Exception as err:  # one bad scan must not stall the queue
                logger.exception("review of %s failed", sha)
                why = f"the machine review failed: {err}"
                await asyncio.to_thread(
                    self._record, sha, unreadable(sha, why), _Against("", None, None), why
                )
        return len(shas)

    def requeue(self, sha256: str) -> dict[str, Any]:
        """Review this scan again (e.g. after a specimen was registered): back to pending."""
        with self.db.session() as session:
            row = self._row_in(session, sha256)
            if row.state == "decided":
                raise Conflict(f"{sha256} was decided by {row.decided_by}; the decision stands")
            if row.verdict == "accept":
                raise Conflict(f"{sha256} was accepted and anchored; revoke it instead")
            if is_electronic(row.result):  # ``node.review.statuses``
                raise Conflict(
                    f"{sha256} is an electronic certificate held for its status: there is no "
                    "machine review to run again; an officer decides it"
                )
            if not _claimed(session, row, state="pending"):
                raise Conflict(f"{sha256} was decided or reviewed meanwhile; look at it again")
        self.wakeup.set()
        return self.get(sha256)

    def requeue_unanchored(self) -> int:
        """Queue for anchoring every accepted document that is not queued: a node stopped
        between an acceptance and its queueing (they are one transaction now; databases of
        earlier versions may hold such documents). Run when the review worker starts."""
        if self.anchoring is None:
            return 0
        queued = exists().where(col(AnchorLeafRow.sha256) == col(DocumentRow.sha256))
        with self.db.session() as session:
            stmt = select(DocumentRow.sha256).where(DocumentRow.state == "accepted", ~queued)
            shas = list(session.exec(stmt))
        if shas:
            logger.warning("%d accepted document(s) were not queued for anchoring", len(shas))
            self.anchoring.enqueue(shas)
        return len(shas)

    def submit_scan(
        self, data: bytes, *, actor: str, declaration_sha256: str = ""
    ) -> dict[str, Any]:
        out = self.intake.submit_scan(data, actor=actor, declaration_sha256=declaration_sha256)
        self.wakeup.set()
        return out

    async def review(self, sha256: str) -> dict[str, Any]:
        """Run the machine review of one stored scan now and record the verdict."""
        if self.verifier is None:
            raise CusdepError("no verifier is configured on this node")
        row = await asyncio.to_thread(self._row, sha256)
        if row.state == "decided":
            raise Conflict(f"{sha256} was decided by {row.decided_by}; the decision stands")
        declaration = await asyncio.to_thread(self._declaration_for, row.declaration_sha256)
        data = await asyncio.to_thread(self.blobs.get, sha256)
        out = await self._verify(sha256, data, declaration)
        number = out.certificate_number
        copy = await asyncio.to_thread(self.intake.electronic_copy, number) if number else None
        found = ""
        if declaration is None and number:
            found = await asyncio.to_thread(self.intake.find_declaration, number)
            if found:
                row.declaration_sha256 = found
                declaration = await asyncio.to_thread(self.intake.declaration, found)
        if found or copy is not None:  # check again, against what was found (OCR is cached)
            out = await self._verify(sha256, data, declaration, copy)
        if copy is None and number:  # its issuer's copy disposed of: not compared, say so
            gone = await asyncio.to_thread(self.intake.disposed_copy, number)
            if gone:
                out.result["reasons"] = [*out.result.get("reasons", []), gone]
                if out.verdict == "accept":
                    out.result["verdict"] = "review"
        against = _Against(row.declaration_sha256, declaration, copy)
        await asyncio.to_thread(self._record, sha256, out, against)
        await asyncio.to_thread(release_memory)  # what the review freed, back to the OS
        result = await asyncio.to_thread(self.get, sha256)
        self._notify(sha256, result)
        return result

    async def _verify(
        self,
        sha256: str,
        data: bytes,
        declaration: dict[str, Any] | None,
        copy: dict[str, Any] | None = None,
    ) -> Verification:
        assert self.verifier is not None
        try:
            return await self.verifier.verify(
                data,
                declaration=declaration,
                evidence_dir=self.evidence_dir(sha256),
                is_used=lambda n: self._number_used(n, sha256),
                electronic_copy=copy,
                stampings=lambda seal_id: stampings_of(self.db, seal_id, sha256),
            )
        except CusdepError as err:
            logger.warning("review of %s could not run: %s", sha256, err.roll_up())
            return unreadable(sha256, err.roll_up())

    def _declaration_for(self, sha: str) -> dict[str, Any] | None:
        return self.intake.declaration(sha) if sha else None

    def _record(self, sha: str, out: Verification, against: _Against, error: str = "") -> None:
        """The machine's verdict (``error``: why the machine could not review it at all, the
        paper left to an officer; cleared by a review that ran)."""
        verdict = out.verdict
        declaration_sha = against.declaration_sha256
        with self.db.session() as session:
            row = session.get(ReviewRow, sha)
            assert row is not None
            if row.state == "decided" or not _claimed(session, row, state=verdict):
                logger.info("%s changed while the machine reviewed it: verdict dropped", sha)
                return
            row.state, row.verdict, row.reviewed_at = verdict, verdict, utcnow()
            row.error = error[:2000]
            if verdict == "review" and _came_during(session, out, against):
                row.state = "pending"  # reviewed again, with what came
            row.result, row.certificate_number = out.result, out.certificate_number
            row.certificate_key = certificate_key(out.certificate_number)
            row.layout = {
                **out.layout,
                "declaration": against.declaration,
                "electronic_copy_sha256": against.copy_sha256,
                "electronic_copy": against.copy,
                "stamping_of": copied_from(session, sha, out.result),
            }
            row.declaration_sha256 = declaration_sha
            row.forwardable = verdict == "accept"
            doc = session.get(DocumentRow, sha)
            if doc is not None:
                doc.state = _STATE.get(verdict, "in_review")
            detail = {
                "verdict": verdict,
                "template_id": out.result.get("template_id"),
                "reasons": out.result.get("reasons", []),
                "declaration_sha256": declaration_sha or None,
                "electronic_copy_sha256": against.copy_sha256,
            }
            add_event(session, sha, EventKind.VERIFIED, self.actor, detail)
            record_stamping(session, sha, out.result)
            if verdict == "accept":
                recheck(session, row.certificate_key)  # declarations that came before it
                if self.anchoring is not None:
                    self.anchoring.queue_in(session, [sha])
        if verdict == "accept" and self.anchoring is not None:
            self.anchoring.wakeup.set()
        logger.info("reviewed %s: %s", sha, verdict)

    def _number_used(self, number: str, sha: str) -> bool:
        return DatabaseRead(self.db).certificate_number_used(number, sha)

    # ---- the officers ---------------------------------------------------------------------
    def decide(self, sha256: str, decision: str, reason: str, officer: str) -> dict[str, Any]:
        """An officer's decision on a document the machine did not accept. Exactly one
        decision stands: the row is claimed from the state it was read in, so of two officers
        deciding at once (or a decision racing a new machine review) one gets ``Conflict``."""
        if decision not in DECISIONS:
            raise InputError(f"decision must be accept or reject, got {decision!r}")
        reason, officer = reason.strip(), officer.strip()
        if not officer:
            raise InputError("a decision needs the deciding officer's id")
        with self.db.session() as session:
            row = self._row_in(session, sha256)
            if row.state == "pending":
                raise Conflict(f"{sha256} has not been reviewed by the machine yet")
            if row.state == "decided":
                raise Conflict(f"{sha256} was already decided by {row.decided_by}")
            if row.verdict == "accept":
                raise Conflict(f"{sha256} was accepted and anchored; revoke it instead")
            outcome = "confirmed" if decision == row.verdict else "overridden"
            if outcome == "overridden" and not reason:
                raise InputError(
                    f"deciding {decision} where the machine said {row.verdict} needs a reason"
                )
            if not _claimed(session, row, state="decided"):
                raise Conflict(f"{sha256} was decided or reviewed meanwhile; look at it again")
            row.state, row.decision, row.outcome = "decided", decision, outcome
            row.decided_by, row.reason, row.decided_at = officer, reason, utcnow()
            row.forwardable = decision == "accept"
            doc = session.get(DocumentRow, sha256)
            if doc is not None:
                doc.state = "accepted" if decision == "accept" else "rejected"
            detail = {
                "decision": decision,
                "outcome": outcome,
                "machine_verdict": row.verdict,
                "reason": reason,
            }
            add_event(session, sha256, EventKind.REVIEWED, officer, detail)
            if decision == "accept":
                recheck(session, row.certificate_key)
            if decision == "accept" and self.anchoring is not None:
                self.anchoring.queue_in(session, [sha256])
        if decision == "accept" and self.anchoring is not None:
            self.anchoring.wakeup.set()
        result = self.get(sha256)
        self._notify(sha256, result)
        return result

    def _not_anchored_here(self, sha: str) -> str:
        """Why this node cannot revoke ``sha``: a partner anchored it (the receiver of a
        document we sent, which reported its anchor), or nobody did."""
        with self.db.session() as session:
            by = [e.actor for e in events_for(session, sha) if reported_anchor(e.kind, e.detail)]
        if by:
            return (
                f"{sha} was anchored by {by[-1]}, not by this node: only {by[-1]} (or the "
                "consortium's admin) can revoke it on chain"
            )
        return f"{sha} is not anchored and was sent to no partner: nothing to revoke"

    async def revoke_document(self, sha256: str, reason: str, actor: str) -> dict[str, Any]:
        """Revoke a document: on chain if this node anchored it (``revokedIn(root, leaf)``),
        and, if this node sent it to partners, a signed revocation queued for each of them
        (``node.exchange.withdrawals``: an issuer withdrawing a certificate); recorded once."""
        sha = check_sha256(sha256)
        reason = reason.strip()
        if not reason:
            raise InputError("a revocation needs a reason")
        if self.anchoring is None:
            raise CusdepError("anchoring is not wired on this node")
        info = await asyncio.to_thread(self.anchoring.info, sha)
        if info is None:
            return await asyncio.to_thread(self._withdraw_only, sha, reason, actor)
        record = functools.partial(self._record_revocation, sha, reason, actor)
        if await self.anchoring.chain.is_revoked_in(info.root, info.leaf):
            told = await asyncio.to_thread(record, None)
            if told is None:
                raise Conflict(f"{sha} is revoked already")
            # revoked on chain by a revocation whose node stopped before it recorded it
            logger.warning("%s was revoked on chain but not here: recorded now", sha)
            return _revoked(sha, info.leaf, None, reason, told)
        tx = await self.anchoring.chain.revoke(info.root, info.proof, info.leaf, reason)
        told = await asyncio.to_thread(record, tx)
        return _revoked(sha, info.leaf, tx, reason, told or [])

    def _withdraw_only(self, sha: str, reason: str, actor: str) -> dict[str, Any]:
        """A document this node did not anchor: withdrawn from the partners it was sent to
        (each anchored what it accepted, and revokes that on chain itself); 404 if this node
        has no such document, 409 if it was sent to no pinned partner or is on its way to the
        chain here."""
        if self.anchoring is not None and self.anchoring.state(sha) is not None:
            raise Conflict(f"{sha} is being anchored here: revoke it once it is")
        with self.db.session() as session:
            if session.get(DocumentRow, sha) is None:  # its bytes not on the node (yet)
                raise NotFound(f"no document {sha} on this node")
            peers = sent_to(session, sha) if self.withdrawals is not None else []
        if not peers:
            raise Conflict(self._not_anchored_here(sha))
        told = self._record_revocation(sha, reason, actor, None, on_chain=False)
        if told is None:
            raise Conflict(f"{sha} is revoked already")
        return _revoked(sha, None, None, reason, told)

    def _record_revocation(
        self, sha: str, reason: str, actor: str, tx: str | None, *, on_chain: bool = True
    ) -> list[str] | None:
        """Record the revocation once, with a revocation queued for each partner the
        document was sent to (in the same transaction): those partners, None where it is
        recorded already. The document is claimed from any state but revoked (one conditional
        UPDATE): of two requests recording it at once, one does. One whose revocation another
        recorded without the transaction (taken for a revocation whose node stopped) adds its
        transaction to that record."""
        with self.db.session() as session:
            claim = (
                update(DocumentRow)
                .where(col(DocumentRow.sha256) == sha, col(DocumentRow.state) != "revoked")
                .values(state="revoked")
            )
            if not claimed(session, claim) and session.get(DocumentRow, sha) is not None:
                if tx is not None:
                    _add_revocation_tx(session, sha, tx)
                return None
            row = session.get(ReviewRow, sha)
            if row is not None:
                row.forwardable = False
            told = self.withdrawals.queue(session, sha, reason) if self.withdrawals else []
            detail: dict[str, Any] = {"reason": reason}
            if on_chain:
                detail["tx_hash"] = tx
            if told:
                detail["told"] = told
            add_event(session, sha, EventKind.REVOKED, actor, detail)
            document_revoked(session, sha)
        if told and self.withdrawals is not None:
            self.withdrawals.wake()
        return told

    def _notify(self, sha256: str, review: dict[str, Any]) -> None:
        for listener in self.listeners:
            try:
                listener(sha256, review)
            except Exception:
                logger.exception("review listener failed for %s", sha256)

    # ---- reads ----------------------------------------------------------------------------
    def queue(self, state: str = "open", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """``open`` (review or reject, undecided), ``all``, one state, or ``withdrawn``
        (accepted, then the issuer revoked its copy of the certificate: each with that
        revocation, ``node.review.withdrawn``)."""
        if state not in QUEUE_STATES:
            raise InputError(f"state must be one of {', '.join(QUEUE_STATES)}, got {state!r}")
        with self.db.session() as session:
            if state in ("all", "withdrawn"):
                stmt = select(ReviewRow) if state == "all" else select(ReviewRow).where(withdrawn())
                stmt = stmt.order_by(col(ReviewRow.queued_at), col(ReviewRow.sha256))
                rows = list(session.exec(stmt.offset(offset).limit(limit)))
            else:  # through the index on (state, queued_at, sha256): no sort of the queue
                rows = _rows_of(session, OPEN if state == "open" else (state,), limit, offset)
            out = [review_dict(r, brief=True) for r in rows]
            if state == "withdrawn":
                for row, brief in zip(rows, out, strict=True):
                    brief["withdrawn"] = withdrawal_of(session, row)
            return out

    def get(self, sha256: str) -> dict[str, Any]:
        with self.db.session() as session:
            row = self._row_in(session, sha256)
            out = review_dict(row)
            out["queue"] = self._neighbours(session, row)
            _with_copy_revoked(session, out)
            out["withdrawn"] = withdrawal_of(session, row)
            out["revoked"] = revocation_of(session, row.sha256)
            gone = disposal_of(session, row.sha256)  # its bytes, pages and evidence: 410
            out["disposed"] = None if gone is None else disposal_dict(gone)
            # how far this node's anchoring of it got (pending | batched | anchored), None if it
            # was never queued (only an accepted document is): a rejected one has no proof
            leaf = session.get(AnchorLeafRow, row.sha256)
            out["anchor_state"] = None if leaf is None else leaf.state
            out["stamping_of"] = _earlier_kept(session, out["stamping_of"])
            held = is_electronic(row.result)  # no scan: the certificate as its issuer sent it
            out["electronic"] = held_view(session, self.blobs, row) if held else None
        # the declarations that came later, checked against this paper once it was accepted
        out["declaration_checks"] = self.matches.against(sha256)
        return out

    def evidence_dir(self, sha256: str) -> Path:
        return self.evidence_root / check_sha256(sha256)

    def evidence_file(self, sha256: str, name: str) -> Path:
        """An evidence crop, or a page image (rendered from the stored scan again when it was
        pruned or lost: ``node.review.pages``)."""
        path = self.evidence_dir(sha256) / name
        check_kept(self.db, sha256)  # disposed of: 410, not "no evidence"
        if "/" in name or name.startswith(".") or path.suffix not in MEDIA_TYPES:
            raise NotFound(f"no evidence {name!r} for {sha256}")
        if not path.is_file() and is_page(name) and self._scan(sha256) and self.blobs.has(sha256):
            render_again(self.blobs.get(sha256), self.limits, path)
        if not path.is_file():
            raise NotFound(f"no evidence {name!r} for {sha256}")
        return path

    def _scan(self, sha256: str) -> bool:
        """Whether a review of that document is of a scan (with pages to render), not of an
        electronic certificate held for its status (``node.review.statuses``)."""
        return not is_electronic(self._row(sha256).result)

    def prune_pages(self, older_than_days: int) -> dict[str, int]:
        """Delete the page images of the reviews made more than ``older_than_days`` ago (the
        evidence crops stay): they are rendered from the stored scan again when looked at."""
        if older_than_days < 0:
            raise InputError(f"--older-than must be 0 or more days, got {older_than_days}")
        before = utcnow() - dt.timedelta(days=older_than_days)
        stmt = select(ReviewRow.sha256).where(col(ReviewRow.reviewed_at) < before)
        with self.db.session() as session:
            shas = list(session.exec(stmt))
        files = size = 0
        for sha in shas:
            for path in self.evidence_dir(sha).glob("page-*.*"):
                if is_page(path.name):
                    size += path.stat().st_size
                    path.unlink(missing_ok=True)
                    files += 1
        return {"reviews": len(shas), "files": files, "bytes": size}

    def _row(self, sha256: str) -> ReviewRow:
        with self.db.session() as session:
            return self._row_in(session, sha256)

    @staticmethod
    def _row_in(session: Any, sha256: str) -> ReviewRow:
        row = session.get(ReviewRow, check_sha256(sha256))
        if row is None:
            raise NotFound(f"no review of {sha256} on this node")
        return row

    @staticmethod
    def _neighbours(session: Any, row: ReviewRow) -> dict[str, str | None]:
        """Previous and next documents waiting in the officers' queue."""
        key, state = (col(ReviewRow.queued_at), col(ReviewRow.sha256)), col(ReviewRow.state)
        here = (row.queued_at, row.sha256)  # in the queue page's order, ties included
        before = nearest(session, state, OPEN, key, before=here)
        after = nearest(session, state, OPEN, key, after=here)
        return {
            "previous": None if before is None else before[1],
            "next": None if after is None else after[1],
        }


def _rows_of(session: Any, states: tuple[str, ...], limit: int, offset: int) -> list[ReviewRow]:
    """A page of the reviews in ``states``, oldest first (``node.storage.paging``)."""
    key = (col(ReviewRow.queued_at), col(ReviewRow.sha256))
    shas = [sha for _, sha in page_keys(session, col(ReviewRow.state), states, key, limit, offset)]
    found = {
        r.sha256: r for r in session.exec(select(ReviewRow).where(col(ReviewRow.sha256).in_(shas)))
    }
    return [found[sha] for sha in shas if sha in found]


def _with_copy_revoked(session: Any, out: dict[str, Any]) -> None:
    """The issuer's copy the paper was reviewed against, marked revoked if the issuer revoked
    it since, replaced if it replaced it since (the review stored the copy as it stood): the
    paper's certificate is withdrawn."""
    copy, sha = out.get("electronic_copy"), out.get("electronic_copy_sha256")
    if isinstance(copy, dict) and sha and not copy.get("revoked"):
        gone = revocation_of(session, sha)
        if gone:
            out["electronic_copy"] = copy = {**copy, "revoked": gone}
    if isinstance(copy, dict) and sha and not copy.get("replaced"):  # or replaced since
        key = certificate_key(str(copy.get("certificate_number") or ""))
        replaced = replacement_of(session, key)
        if replaced:
            out["electronic_copy"] = {**copy, "replaced": replaced}


def _add_revocation_tx(session: Any, sha: str, tx: str) -> None:
    """Name ``tx`` in the document's revocation recorded without its transaction."""
    for event in events_for(session, sha):
        detail = event.detail or {}
        if event.kind == EventKind.REVOKED.value and detail.get("tx_hash") is None:
            event.detail = {**detail, "tx_hash": tx}
            return


def _revoked(
    sha: str, leaf: str | None, tx: str | None, reason: str, told: list[str]
) -> dict[str, Any]:
    return {"document_sha256": sha, "leaf": leaf, "tx_hash": tx, "reason": reason, "told": told}


def _claimed(session: Any, row: ReviewRow, *, state: str) -> bool:
    """Move the review to ``state`` only if it still is as ``row`` was read (state and
    verdict): one conditional UPDATE, so two writers racing from the same reading (two
    officers, a decision and a new machine review) cannot both go on. The rest of the
    caller's changes follow in its transaction, which this write has locked."""
    claim = (
        update(ReviewRow)
        .where(
            col(ReviewRow.sha256) == row.sha256,
            col(ReviewRow.state) == row.state,
            col(ReviewRow.verdict) == row.verdict,
        )
        .values(state=state)
    )
    return claimed(session, claim)


def _earlier_kept(session: Any, earlier: dict[str, Any] | None) -> dict[str, Any] | None:
    """The paper whose stamping this one's seal copies (``copied_from``) with its disposal:
    its bytes and evidence disposed of since (retention), its seal crop is named no more (it
    would answer 410) and ``disposed`` says when and under which policy; else None there."""
    if earlier is None:
        return None
    gone = disposal_of(session, earlier["sha256"])
    if gone is None:
        return {**earlier, "disposed": None}
    return {**earlier, "seal_evidence": None, "disposed": disposal_dict(gone)}
