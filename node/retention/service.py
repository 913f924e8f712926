"""RetentionService: dispose of documents' bytes after ``[retention] documents_days``.

What goes: a document's bytes (``blobs/``), its page images and evidence crops
(``evidence/<sha256>/``) and the payload of the signed envelopes that carried it (inbox and
outbox rows keep their header, signature and receipt). What stays: the document row and its
SHA-256, the anchor leaf, root and Merkle proof, reviews and declaration checks with their
verdicts and reasons, every trace event, and a ``disposed`` event saying when and under which
policy the bytes went. A document is disposed of only once it is older than the period, its
work is done (no anchoring pending, no review or declaration check open, nothing to deliver or
store) and no legal hold is on it: ``node.retention.kept`` names each condition, and ``kept``
lists the documents past the period that stay with the reasons that keep them.

Crash safety: one transaction marks the documents (``document_disposals`` rows, their
``disposed`` events, the envelope payloads stripped); their files are removed after it commits,
and each disposal is flagged ``files_removed`` afterwards. A node killed in between removes the
files at its next apply (idempotent). File removal holds ``home/retention.lock``, which a
backup holds too while it copies: a backup never sees a disposal's files half removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    String,
    delete,
    func,
    insert,
    literal,
    update,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from node.anchoring.service import check_sha256
from node.config import RetentionSettings
from node.domain.states import EventKind
from node.errors import Conflict, Disposed, InputError, NotFound
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.store import DOCUMENT_KINDS
from node.exchange.tables import InboxRow, OutboxRow
from node.retention import kept as _kept
from node.retention.kept import work_done
from node.retention.tables import DisposalRow, HoldRow
from node.storage.blobs import BlobStore
from node.storage.core import DocumentRow, utcnow
from node.storage.db import Database, insert_absent
from node.storage.documents import add_event, add_events, iso

logger = logging.getLogger(__name__)

LOCK_NAME = "retention.lock"
_CHUNK = 500


@contextlib.contextmanager
def files_lock(home: Path, *, shared: bool = False, wait: bool = True) -> Iterator[bool]:
    """``home/retention.lock``: exclusive while disposals' files are removed, shared while a
    backup copies the home (each waits for the other). Yields whether it is held (always when
    ``wait``; without, False if another holds it)."""
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        flags = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def disposal_of(session: Session, sha256: str) -> DisposalRow | None:
    return session.get(DisposalRow, sha256)


def _gone(row: DisposalRow) -> Disposed:
    days = (row.policy or {}).get("documents_days")
    return Disposed(
        f"the bytes of document {row.sha256} were disposed of on {iso(row.disposed_at)} under "
        f"the retention policy (documents_days = {days}); its record, SHA-256 and anchor proof "
        f"remain: `cusdep trace {row.sha256}`",
        disposed_at=iso(row.disposed_at),
    )


def check_kept(db: Database, sha256: str) -> None:
    """``Disposed`` (410) if the document's bytes were disposed of."""
    with db.session() as session:
        row = disposal_of(session, sha256)
    if row is not None:
        raise _gone(row)


def disposed_error(db: Database, sha256: str) -> Disposed | None:
    """For ``BlobStore(gone=...)``: the error for bytes missing because they were disposed of."""
    with db.session() as session:
        row = disposal_of(session, sha256)
    return None if row is None else _gone(row)


def retention_of(db: Database, sha256: str) -> dict[str, Any]:
    """``{"disposed": {...} | None, "held": {...} | None}`` of one document."""
    with db.session() as session:
        gone, held = disposal_of(session, sha256), session.get(HoldRow, sha256)
        return {
            "disposed": None if gone is None else disposal_dict(gone),
            "held": None if held is None else _hold_dict(held),
        }


class RetentionService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        *,
        home: Path,
        settings: RetentionSettings,
        actor: str,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.home = home
        self.evidence_root = home / "evidence"
        self.settings = settings
        self.actor = actor

    @property
    def enabled(self) -> bool:
        return self.settings.documents_days > 0

    # ---- applying the policy ---------------------------------------------------------------
    def apply(
        self, *, dry_run: bool = False, now: dt.datetime | None = None, wait: bool = True
    ) -> dict[str, Any]:
        """Dispose of (or, ``dry_run``, list) the documents the policy lets go; then remove the
        files of every disposal whose files are not removed yet (this run's, and those an
        interrupted apply left). ``wait=False`` (the node's worker): while a backup copies
        the home the files are left for the next apply rather than waited for."""
        days = self.settings.documents_days
        out: dict[str, Any] = {"enabled": self.enabled, "documents_days": days, "dry_run": dry_run}
        if not self.enabled:  # only what an interrupted apply left is completed
            out["files_completed"] = 0 if dry_run else self.remove_files(wait=wait)
            return {
                **out, "cutoff": None, "documents": [], "disposed": 0, "held": self.held(),
                "kept": self.kept_counts(None),
            }  # fmt: skip
        cutoff = self.cutoff(now)
        assert cutoff is not None
        found = self._candidates(cutoff)
        out.update(cutoff=iso(cutoff), held=self.held())
        if dry_run:
            kept = self.kept_counts(cutoff)
            return {**out, "documents": found, "disposed": 0, "files_completed": 0, "kept": kept}
        run_id = str(uuid.uuid4())
        policy = {"documents_days": days, "cutoff": iso(cutoff), "run_id": run_id}
        marked: set[str] = set()
        shas = [d["sha256"] for d in found]
        for start in range(0, len(shas), _CHUNK):
            marked |= self._mark(shas[start : start + _CHUNK], cutoff, policy)
        # the files of these and of any disposal an interrupted apply left
        out["files_completed"] = self.remove_files(wait=wait)
        gone = [d for d in found if d["sha256"] in marked]
        if gone:
            logger.info("retention: disposed of %s documents (run %s)", len(gone), run_id)
        kept = self.kept_counts(cutoff)  # what stays after this run
        if kept["documents"]:
            logger.info("retention: %s: `cusdep retention kept`", _kept.summary(kept))
        return {**out, "run_id": run_id, "documents": gone, "disposed": len(gone), "kept": kept}

    def cutoff(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """Documents that arrived before it are past the period; None when the policy is off."""
        if not self.enabled:
            return None
        return (now or utcnow()) - dt.timedelta(days=self.settings.documents_days)

    def kept_counts(self, cutoff: dt.datetime | None) -> dict[str, Any]:
        """``{"documents": N, "reasons": {reason: count}}`` of the documents past the cutoff
        that stay (``node.retention.kept``)."""
        with self.db.session() as session:
            return _kept.counts(session, cutoff)

    def kept(
        self,
        reason: str | None = None,
        limit: int = 100,
        offset: int = 0,
        now: dt.datetime | None = None,
    ) -> list[dict[str, Any]]:
        """The documents past the cutoff that stay, oldest first, each with the reasons that
        keep it (only those kept for ``reason``, if named: ``InputError`` for an unknown one)."""
        reason = _kept.check_reason(reason)
        if not 1 <= limit <= 10000 or not 0 <= offset <= 10**9:
            raise InputError(f"limit must be 1-10000 and offset 0-{10**9}")
        with self.db.session() as session:
            return _kept.documents(
                session, self.cutoff(now), reason=reason, limit=limit, offset=offset
            )

    def _candidates(self, cutoff: dt.datetime) -> list[dict[str, Any]]:
        stmt = (
            select(DocumentRow)
            .where(*work_done(cutoff))
            .order_by(col(DocumentRow.created_at), col(DocumentRow.sha256))
        )
        with self.db.session() as session:
            rows = list(session.exec(stmt))
        return [
            {"sha256": r.sha256, "kind": r.kind, "state": r.state, "size": r.size,
             "created_at": iso(r.created_at)}
            for r in rows
        ]  # fmt: skip

    def _mark(self, shas: list[str], cutoff: dt.datetime, policy: dict[str, Any]) -> set[str]:
        """One transaction: the disposal rows (one INSERT ... SELECT that checks the conditions
        again, so a hold or new work committed since the listing keeps its document), their
        ``disposed`` events, the envelope payloads stripped."""
        now = utcnow()
        chosen = sa_select(
            col(DocumentRow.sha256),
            literal(policy["run_id"], String),
            literal(self.actor, String),
            literal(policy, JSON),
            literal(now, DateTime),
            literal(False, Boolean),
        ).where(col(DocumentRow.sha256).in_(shas), *work_done(cutoff))
        names = ["sha256", "run_id", "actor", "policy", "disposed_at", "files_removed"]
        table = DisposalRow.__table__  # type: ignore[attr-defined]
        with self.db.session() as session:
            # the documents' rows locked first (PostgreSQL; SQLite has one writer anyway): a
            # hold being put on one waits for this commit and then sees the disposal (410), or
            # committed first and the INSERT ... SELECT below (a new snapshot) sees the hold
            session.exec(_lock_documents(shas))
            session.connection().execute(insert(table).from_select(names, chosen))
            marked = set(
                session.exec(
                    select(DisposalRow.sha256).where(
                        DisposalRow.run_id == policy["run_id"], col(DisposalRow.sha256).in_(shas)
                    )
                )
            )
            detail = {
                "policy": "retention.documents_days",
                **policy,
                "removed": ["document bytes", "page images", "evidence crops", "message payloads"],
                "kept": ["document record", "sha256", "anchor proof", "verdicts", "trace"],
            }
            add_events(session, sorted(marked), EventKind.DISPOSED, self.actor, detail)
            _strip_payloads(session, marked)
        return marked

    def remove_files(self, *, wait: bool = True) -> int:
        """Remove the files of disposals whose files are not removed yet; how many disposals
        were completed. Idempotent: a file already gone is skipped."""
        done = 0
        with files_lock(self.home, wait=wait) as held:
            while held:
                with self.db.session() as session:
                    shas = list(
                        session.exec(
                            select(DisposalRow.sha256)
                            .where(~col(DisposalRow.files_removed))
                            .limit(_CHUNK)
                        )
                    )
                if not shas:
                    return done
                for sha in shas:
                    self.blobs.path(sha).unlink(missing_ok=True)
                    shutil.rmtree(self.evidence_root / sha, ignore_errors=True)
                with self.db.session() as session:
                    session.connection().execute(
                        update(DisposalRow.__table__)  # type: ignore[attr-defined]
                        .where(col(DisposalRow.sha256).in_(shas))
                        .values(files_removed=True)
                    )
                done += len(shas)
        logger.info("retention: a backup holds %s; files removed at the next apply", LOCK_NAME)
        return done

    def disposals(self, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        stmt = (
            select(DisposalRow)
            .order_by(col(DisposalRow.disposed_at), col(DisposalRow.sha256))
            .offset(offset)
            .limit(limit)
        )
        with self.db.session() as session:
            return [disposal_dict(r) for r in session.exec(stmt)]

    # ---- legal holds -----------------------------------------------------------------------
    def hold(self, sha256: str, actor: str, reason: str) -> dict[str, Any]:
        """Put a legal hold on a document: never disposed of while held. ``Conflict`` if held
        already, ``Disposed`` if its bytes are gone."""
        sha, reason = check_sha256(sha256), _reason(reason)
        with self.db.session() as session:
            if session.exec(_lock_documents([sha])).first() is None:  # see ``_mark``
                raise NotFound(f"unknown document {sha}: this node has no record of it")
            if not insert_absent(session, HoldRow(sha256=sha, held_by=actor, reason=reason)):
                held = session.get(HoldRow, sha)
                assert held is not None
                raise Conflict(f"{sha} is held already (by {held.held_by}, {iso(held.held_at)})")
            gone = disposal_of(session, sha)  # read after the row lock: a disposal committed
            if gone is not None:
                raise _gone(gone)
            add_event(session, sha, EventKind.HELD, actor, {"reason": reason})
            row = session.get(HoldRow, sha)
            assert row is not None
            return _hold_dict(row)

    def release(self, sha256: str, actor: str, reason: str) -> dict[str, Any]:
        """Lift a document's legal hold; ``Conflict`` if it is not held."""
        sha, reason = check_sha256(sha256), _reason(reason)
        with self.db.session() as session:
            _known(session, sha)
            held = session.get(HoldRow, sha)
            gone = session.connection().execute(
                delete(HoldRow.__table__).where(col(HoldRow.sha256) == sha)  # type: ignore[attr-defined]
            )
            if held is None or gone.rowcount == 0:
                raise Conflict(f"{sha} is not held")
            add_event(session, sha, EventKind.RELEASED, actor, {"reason": reason})
            return {**_hold_dict(held), "released_by": actor, "release_reason": reason}

    def held(self) -> int:
        with self.db.session() as session:
            return int(session.exec(select(func.count()).select_from(HoldRow)).one())

    def holds(self) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.exec(select(HoldRow).order_by(col(HoldRow.held_at)))
            return [_hold_dict(r) for r in rows]


def _strip_payloads(session: Session, shas: set[str]) -> None:
    """Empty the payload of the envelopes that carried these documents (header, signature,
    digest and receipt stay: what was exchanged, when and with whom remains provable)."""
    if not shas:
        return
    for table in (InboxRow, OutboxRow):
        t = table.__table__  # type: ignore[attr-defined, union-attr]
        keys = [c for c in t.primary_key.columns]
        stmt = sa_select(*keys, t.c.envelope).where(
            t.c.document_sha256.in_(shas), t.c.kind.in_(DOCUMENT_KINDS)
        )
        for *key, raw in list(session.connection().execute(stmt)):
            env = pb.SignedEnvelope.FromString(raw)
            env.ClearField("payload")
            where = [c == v for c, v in zip(keys, key, strict=True)]
            session.connection().execute(
                update(t).where(*where).values(envelope=env.SerializeToString())
            )


def _lock_documents(shas: list[str]) -> Any:
    return (
        select(DocumentRow.sha256)
        .where(col(DocumentRow.sha256).in_(shas))
        .order_by(col(DocumentRow.sha256))
        .with_for_update()
    )


def _known(session: Session, sha: str) -> None:
    if session.get(DocumentRow, sha) is None:
        raise NotFound(f"unknown document {sha}: this node has no record of it")


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise InputError("a reason is required (1-1000 characters)")
    return reason


def _hold_dict(row: HoldRow) -> dict[str, Any]:
    return {
        "document_sha256": row.sha256,
        "held_by": row.held_by,
        "reason": row.reason,
        "held_at": iso(row.held_at),
    }


def disposal_dict(row: DisposalRow) -> dict[str, Any]:
    return {
        "document_sha256": row.sha256,
        "disposed_at": iso(row.disposed_at),
        "actor": row.actor,
        "policy": row.policy,
        "files_removed": row.files_removed,
    }
