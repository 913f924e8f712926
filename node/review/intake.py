"""Documents entering through the API: electronic certificates and declarations, paper scans.

Electronic documents are parsed by their adapter (named, or detected); a document that does not
parse is refused with the adapter's reasons. A parsed document is stored, recorded (``received``
then ``verified`` with its format) and queued for anchoring. A declaration's certificate numbers
are indexed so the review can check a scan against it, and so are the certificates partners send
for their own country (the issuers' electronic copies). Paper scans are stored, recorded
``received`` and queued for the machine review (``ReviewService``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import exists, func, insert, update
from sqlmodel import col, select

from adapters.errors import AdapterError
from adapters.registry import parse_declaration, parse_document
from node.anchoring.service import AnchorService
from node.domain.states import EventKind
from node.errors import Conflict, InputError, LimitExceeded, NotFound, UnsupportedDocument
from node.retention.tables import DisposalRow
from node.review.copies import copy_fields, declaration_fields
from node.review.pairs import accepted_paper, queue_declaration, recheck
from node.review.quantities import declared_quantity
from node.review.replacements import replacement_of
from node.review.tables import (
    CertificateCopyRow,
    DeclarationCertificateRow,
    DeclarationIndexRow,
    ReplacementRow,
    ReviewRow,
)
from node.storage.blobs import BlobStore
from node.storage.core import DocumentEventRow, DocumentRow
from node.storage.db import Database, claimed, insert_absent
from node.storage.documents import add_document, add_event, iso, revocation_of
from verification import LimitExceeded as DocLimit
from verification import UnsupportedDocument as DocUnsupported
from verification import VerificationError
from verification.intake import IntakeLimits, check_document
from verification.normalise import certificate_key

logger = logging.getLogger(__name__)

SCAN_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
KINDS = ("certificate", "declaration")


def document_dict(row: DocumentRow) -> dict[str, Any]:
    return {
        "sha256": row.sha256,
        "kind": row.kind,
        "format": row.format,
        "media_type": row.media_type,
        "size": row.size,
        "source": row.source,
        "state": row.state,
        "created_at": row.created_at.isoformat(),
    }


class Intake:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        anchoring: AnchorService | None,
        limits: IntakeLimits | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.anchoring = anchoring
        self.limits = limits or IntakeLimits()  # a scan the review would refuse is refused now

    def submit_electronic(
        self,
        data: bytes,
        *,
        kind: str,
        actor: str,
        format_id: str | None = None,
        check: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """``check(issuing_country)`` may refuse the document (an agency's own country)."""
        if kind not in KINDS:
            raise InputError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        doc, issues, adapter = _parse(data, format_id, kind)
        if doc.doc_type != kind:
            raise InputError(f"this document is a {doc.doc_type}, not a {kind}")
        if check is not None:
            check(
                str(getattr(doc, "issuing_country", None) or doc.flat().get("origin_country", ""))
            )
        sha = self.blobs.put(data)
        media = "application/xml" if data.lstrip()[:1] == b"<" else "application/json"
        with self.db.session() as session:
            row, fresh = add_document(
                session,
                sha,
                kind=kind,
                format=adapter.format_id,
                media_type=media,
                size=len(data),
                source="local",
            )
            if fresh:
                row.state = "accepted"
                add_event(session, sha, EventKind.RECEIVED, actor, {"source": "api", "kind": kind})
                detail = {
                    "verdict": "accept",
                    "format": adapter.format_id,
                    "issues": [str(i) for i in issues],
                }
                add_event(session, sha, EventKind.VERIFIED, actor, detail)
            if kind == "declaration":
                index_declaration(session, sha, doc.flat())
            if row.state == "accepted" and self.anchoring is not None:
                self.anchoring.queue_in(session, [sha])  # a no-op where it is queued already
            out = {**document_dict(row), "created": fresh}
        if self.anchoring is not None:
            self.anchoring.wakeup.set()
        return out

    def submit_scan(
        self, data: bytes, *, actor: str, declaration_sha256: str = ""
    ) -> dict[str, Any]:
        try:
            media = SCAN_TYPES[check_document(data, self.limits)]
        except DocLimit as err:
            raise LimitExceeded(err.message) from None
        except DocUnsupported as err:
            raise UnsupportedDocument(err.message, code="cusdep.input.unsupported") from None
        except VerificationError as err:  # corrupt or encrypted: never reviewable
            raise InputError(err.message, code="cusdep.input.corrupt") from None
        if declaration_sha256:
            self.declaration(declaration_sha256)  # must exist and parse
        sha = self.blobs.put(data)
        with self.db.session() as session:
            row, fresh = add_document(
                session,
                sha,
                kind="scan",
                format=media,
                media_type=media,
                size=len(data),
                source="local",
            )
            if fresh:
                add_event(
                    session, sha, EventKind.RECEIVED, actor, {"source": "api", "kind": "scan"}
                )
            queued = ReviewRow(
                sha256=sha, submitted_by=actor, declaration_sha256=declaration_sha256
            )
            if not insert_absent(session, queued):
                review = session.get(ReviewRow, sha)
                assert review is not None
                if declaration_sha256 and declaration_sha256 != review.declaration_sha256:
                    _against_declaration(session, review, declaration_sha256)
            out = {**document_dict(row), "created": fresh}
        return out

    # ---- declarations ---------------------------------------------------------------------
    def declaration(self, sha256: str) -> dict[str, Any]:
        """The flat (contract) declaration JSON of a stored declaration."""
        with self.db.session() as session:
            row = session.get(DocumentRow, sha256)
            if row is None or row.kind != "declaration":
                raise InputError(f"no declaration {sha256} on this node")
        return _flat(self.blobs.get(sha256))

    def find_declaration(self, certificate_number: str) -> str:
        """The newest declaration naming this certificate number ('' if none), however either
        spells it (``certificate_key``: "e 517 0834559" names the paper's "E-517-0834559")."""
        key = certificate_key(certificate_number)
        if not key:
            return ""
        self._index_new()
        with self.db.session() as session:
            hits = _kept(session, declarations_naming(session, key))
        return max(hits, key=lambda r: r.indexed_at).sha256 if hits else ""

    def electronic_copy(self, certificate_number: str) -> dict[str, Any] | None:
        """The issuer's electronic copy of this certificate, as contract fields (the newest, if
        the issuer sent several), or None: only certificates a partner sent for its own
        country are copies (``CertificateCopyRow``)."""
        key = certificate_key(certificate_number)
        if not key:
            return None
        with self.db.session() as session:
            stmt = (
                select(CertificateCopyRow)
                .where(CertificateCopyRow.certificate_number == key)
                .order_by(col(CertificateCopyRow.indexed_at).desc())
            )
            row = session.exec(stmt).first()
            if row is None or not self.blobs.has(row.sha256):
                return None
            revoked = revocation_of(session, row.sha256)
            replaced = replacement_of(session, key)
        fields = copy_fields(self.blobs.get(row.sha256), f"copy {row.sha256}")
        out = {**fields, "sha256": row.sha256, "source": row.source}
        if replaced:  # its issuer replaced it: no longer accepted (rule ``copy.replaced``)
            out["replaced"] = replaced
        return {**out, "revoked": revoked} if revoked else out

    def disposed_copy(self, certificate_number: str) -> str | None:
        """Why the paper cannot be compared with its issuer's copy when the newest copy's bytes
        were disposed of (``node.retention``), else None."""
        key = certificate_key(certificate_number)
        with self.db.session() as session:
            stmt = (
                select(DisposalRow)
                .join(CertificateCopyRow, col(CertificateCopyRow.sha256) == col(DisposalRow.sha256))
                .where(CertificateCopyRow.certificate_number == key)
                .order_by(col(CertificateCopyRow.indexed_at).desc())
            )
            gone = session.exec(stmt).first() if key else None
            if gone is None:
                return None
            days = (gone.policy or {}).get("documents_days")
            return (
                f"copy.disposed: the issuer's copy {gone.sha256} of certificate "
                f"{certificate_number} was disposed of on {iso(gone.disposed_at)} under the "
                f"retention policy (documents_days = {days}): compare the paper by hand"
            )

    def _index_new(self) -> None:
        """Index declarations that arrived another way (from partners over gRPC)."""
        indexed = exists().where(col(DeclarationIndexRow.sha256) == col(DocumentRow.sha256))
        with self.db.session() as session:
            # those not indexed yet, told by the database (every declaration and every indexed
            # one read into Python took 1.7 s a scan at 40k declarations)
            rows = session.exec(
                select(DocumentRow).where(DocumentRow.kind == "declaration", ~indexed)
            ).all()
            for row in rows:
                if not self.blobs.has(row.sha256):
                    continue
                try:
                    flat = _flat(self.blobs.get(row.sha256))
                except InputError:
                    flat = {}
                index_declaration(session, row.sha256, flat)


def index_declaration(session: Any, sha: str, flat: dict[str, Any]) -> list[str]:
    """Index a declaration (its contract fields ``flat``) under the keys of the certificate
    numbers it lists (the lookup compares keys: a declaration spells a number as the importer
    typed it), its own number and its declared quantities (added up for a certificate several
    declarations draw on, ``node.review.matching``), and send back to the machine every paper
    of those numbers it left for an officer without a declaration named at submission, so that
    the declaration is taken into account (as ``index_copy`` does for the issuer's copy);
    returns those papers' hashes."""
    numbers = [str(n) for n in flat.get("certificate_numbers") or []]
    keys = list(dict.fromkeys(k for k in map(certificate_key, numbers) if k))
    own = str(flat.get("declaration_number") or "").strip()
    indexed = DeclarationIndexRow(
        sha256=sha,
        certificate_numbers=keys,
        declaration_number=own,
        net_weight_kg=declared_quantity(flat.get("net_weight_kg")),
        packages=declared_quantity(flat.get("packages")),
    )
    if not insert_absent(session, indexed):
        return []
    if keys:  # one row a key, in its transaction: how ``naming`` finds it
        pairs = [{"declaration_sha256": sha, "certificate_key": k} for k in keys]
        session.connection().execute(insert(DeclarationCertificateRow), pairs)
    queue_declaration(session, sha, keys)  # against the certificates accepted before it
    for dropped in _dropped(session, indexed):
        recheck(session, dropped)  # what the others drew on it changed
    return _back(session, keys, col(ReviewRow.declaration_sha256) == "")


def _dropped(session: Any, amendment: DeclarationIndexRow) -> set[str]:
    """The certificates earlier versions of this declaration (its number) named and it no
    longer does: drawn on by it no more (a balance, ``partial_use``), their other declarations
    are checked again."""
    if not amendment.declaration_number:
        return set()
    stmt = select(DeclarationIndexRow.certificate_numbers).where(
        DeclarationIndexRow.declaration_number == amendment.declaration_number,
        DeclarationIndexRow.sha256 != amendment.sha256,
    )
    earlier = {k for keys in session.exec(stmt) for k in keys or []}
    return earlier - set(amendment.certificate_numbers)


def declaration_indexed(session: Any, certificate_number: str) -> bool:
    """Whether a declaration naming this certificate number is indexed on the node."""
    key = certificate_key(certificate_number)
    return bool(key) and bool(_kept(session, declarations_naming(session, key)))


def _kept(session: Any, rows: list[DeclarationIndexRow]) -> list[DeclarationIndexRow]:
    """Those whose bytes were not disposed of (``node.retention``): a disposed declaration's
    work was done; a paper that comes later is not reviewed against it (its bytes are gone)."""
    return [r for r in rows if session.get(DisposalRow, r.sha256) is None]


def declarations_naming(session: Any, key: str) -> list[DeclarationIndexRow]:
    """The indexed declarations listing certificate ``key``."""
    return list(session.exec(select(DeclarationIndexRow).where(naming(key))))


def naming(key: str) -> Any:
    """The condition "the declaration's indexed list names certificate ``key``", on
    ``DeclarationIndexRow``: its hash among those the index on ``declaration_certificates``
    gives for the key. (The key in quotes inside each list's JSON, ``LIKE '%"KEY"%'``, read
    the whole index, several times a check: 12-27 ms a lookup at 50,000 declarations, twice
    that at 100,000; 0.5-4 ms through the index, ``bench/declaration_lookup.py``.)"""
    named = select(DeclarationCertificateRow.declaration_sha256).where(
        DeclarationCertificateRow.certificate_key == key
    )
    return col(DeclarationIndexRow.sha256).in_(named)


def copy_indexed(session: Any, certificate_number: str) -> bool:
    """Whether an issuer's copy of this certificate is on the node."""
    key = certificate_key(certificate_number)
    stmt = select(CertificateCopyRow.sha256).where(CertificateCopyRow.certificate_number == key)
    kept = ~exists().where(col(DisposalRow.sha256) == col(CertificateCopyRow.sha256))
    return bool(key) and session.exec(stmt.where(kept)).first() is not None


def index_copy(session: Any, sha: str, doc: Any, source: str) -> list[str]:
    """Record ``doc`` (a certificate partner ``source`` sent for its own country) as the
    issuer's copy, and send back to the machine every paper of that number it left for an
    officer, so that the copy is taken into account; returns those papers' hashes."""
    key = certificate_key(str(doc.flat().get("certificate_number") or ""))
    country = str(getattr(doc, "issuing_country", "") or "")
    copy = CertificateCopyRow(
        sha256=sha, certificate_number=key, issuing_country=country, source=source
    )
    if not key or not insert_absent(session, copy):
        return []
    recheck(session, key)  # the declarations naming it: against the issuer's copy now
    return _papers_back(session, key)


def record_replacement(
    session: Any, sha: str, doc: Any, source: str, numbers: tuple[str, str]
) -> dict[str, Any]:
    """Record issuer ``source``'s replacement ``doc`` (document ``sha``, checked by
    ``replacements.check_replacement``: ``numbers`` = (replaced, replacement)): the replaced
    certificate's key is marked replaced, its issuer's copies here get a ``replaced`` event
    naming the replacement, its papers accepted before a ``verified`` event saying so (their
    acceptance stands until an officer revokes them: listed with the withdrawn ones), the
    declarations naming it are checked again (those an officer cleared too) and its papers
    left for an officer go back to the machine. Returns what the replacement's own trace
    names: ``{"replaces", "replaces_sha256"}``."""
    old, new = numbers
    key = certificate_key(old)
    country = str(getattr(doc, "issuing_country", "") or "").upper()
    row = ReplacementRow(
        certificate_number=key,
        replaced_number=old,
        replacement_number=new,
        replacement_key=certificate_key(new),
        replacement_sha256=sha,
        issuing_country=country,
        source=source,
    )
    stmt = select(CertificateCopyRow.sha256).where(CertificateCopyRow.certificate_number == key)
    copies = sorted(session.exec(stmt))
    if insert_absent(session, row):
        detail = {"certificate_number": old, "replaced_by": new, "replacement_sha256": sha}
        for copy in copies:
            add_event(session, copy, EventKind.REPLACED, source, detail)
        papers = session.exec(
            select(ReviewRow.sha256).where(ReviewRow.certificate_key == key, accepted_paper())
        )
        told = {"check": "issuer_replaced", **detail}
        for paper in papers:
            add_event(session, paper, EventKind.VERIFIED, source, told)
        recheck(session, key, reopen=True)
        again = _papers_back(session, key)
        logger.warning("issuer %s replaced certificate %s by %s (%d paper(s) again)",
                       source, old, new, len(again))  # fmt: skip
    return {"replaces": old, "replaces_sha256": copies}


def document_revoked(session: Any, sha: str) -> list[str]:
    """A document was revoked (by this node, or by the partner that sent it): if it is an
    issuer's copy or an accepted paper, the declarations checked against it are checked again,
    those an officer cleared too, and the papers of a copy's number left for an officer go back
    to the machine (all now see the revocation); returns those papers' hashes."""
    copy = session.get(CertificateCopyRow, sha)
    if copy is not None:
        recheck(session, copy.certificate_number, reopen=True)
        _tell_accepted(session, copy)
        return _papers_back(session, copy.certificate_number)
    paper = session.get(ReviewRow, sha)  # an accepted paper: its declarations, again
    if paper is not None:
        recheck(session, paper.certificate_key, reopen=True)
    return []


def _tell_accepted(session: Any, copy: CertificateCopyRow) -> int:
    """Put the issuer's revocation on the trace of each paper of its number accepted before
    (a ``verified`` event: the paper's acceptance and anchor stand until an officer revokes
    them, but an auditor tracing it sees that the issuer withdrew the certificate); how many."""
    if _revocations(session, copy.sha256) > 1:  # told when it was first revoked
        return 0
    gone = revocation_of(session, copy.sha256) or {}
    key = copy.certificate_number
    stmt = select(ReviewRow.sha256).where(ReviewRow.certificate_key == key, accepted_paper())
    papers = list(session.exec(stmt))
    detail = {
        "check": "issuer_revoked",
        "certificate_number": key,
        "copy_sha256": copy.sha256,
        "reason": gone.get("reason") or "",
    }
    for paper in papers:
        add_event(session, paper, EventKind.VERIFIED, gone.get("by") or copy.source, detail)
    if papers:
        logger.warning("issuer revoked certificate %s: %d accepted paper(s)", key, len(papers))
    return len(papers)


def _revocations(session: Any, sha: str) -> int:
    """How many times a document was revoked (a partner may send its revocation again)."""
    stmt = select(func.count()).where(
        col(DocumentEventRow.sha256) == sha, col(DocumentEventRow.kind) == EventKind.REVOKED.value
    )
    return int(session.exec(stmt).one())


def _papers_back(session: Any, key: str) -> list[str]:
    """The papers of certificate ``key`` left for an officer, back to the machine."""
    return _back(session, [key])


def _back(session: Any, keys: list[str], *where: Any) -> list[str]:
    """The papers of certificates ``keys`` left for an officer, back to the machine: found by
    the key of the number read on each (indexed), not by reading every paper in the officers'
    queue with its result and layout (on each declaration and copy stored, the whole queue)."""
    stmt = select(ReviewRow.sha256).where(
        col(ReviewRow.certificate_key).in_(keys), ReviewRow.state == "review", *where
    )
    again = list(session.exec(stmt))
    return [paper for paper in again if claimed(session, _back_to_machine(paper))]


def _back_to_machine(sha: str) -> Any:
    """A paper left for an officer, back to the machine only if it still is (an officer may
    have decided it since it was read: the decision stands)."""
    return (
        update(ReviewRow)
        .where(col(ReviewRow.sha256) == sha, col(ReviewRow.state) == "review")
        .values(state="pending")
    )


def _parse(data: bytes, format_id: str | None, kind: str | None = None) -> Any:
    """Parse with the named or detected adapter; a declaration (``kind``) through the one
    reading of declarations (``parse_declaration``, as ``cusdep verify`` reads them)."""
    try:
        if kind == "declaration":
            return parse_declaration(data, format_id or None)
        return parse_document(data, format_id or None)
    except AdapterError as err:
        raise InputError(str(err), code=getattr(err, "code", "cusdep.input")) from None


def _flat(data: bytes) -> dict[str, Any]:
    """Contract declaration JSON from a stored declaration (any format), its values checked as
    the intake checks them: one whose values are not of their types is refused, never
    reviewed against as it stands."""
    return declaration_fields(data)


def get_document(db: Database, sha256: str) -> dict[str, Any]:
    with db.session() as session:
        row = session.get(DocumentRow, sha256.lower())
        if row is None:
            raise NotFound(f"no document {sha256} on this node")
        return document_dict(row)


def list_documents(
    db: Database, *, kind: str | None, state: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    with db.session() as session:
        stmt = select(DocumentRow)
        if kind:
            stmt = stmt.where(DocumentRow.kind == kind)
        if state:
            stmt = stmt.where(DocumentRow.state == state)
        stmt = stmt.order_by(col(DocumentRow.created_at).desc(), col(DocumentRow.sha256))
        return [document_dict(r) for r in session.exec(stmt.offset(offset).limit(limit))]


def _against_declaration(session: Any, review: ReviewRow, declaration_sha256: str) -> None:
    """A scan submitted again with another declaration is reviewed again against it, unless
    it is decided or accepted (and anchored): one conditional UPDATE, so a decision at the same
    moment is never reopened."""
    reopen = (
        update(ReviewRow)
        .where(
            col(ReviewRow.sha256) == review.sha256,
            col(ReviewRow.state).in_(("pending", "review", "reject")),
            col(ReviewRow.verdict) != "accept",
        )
        .values(state="pending", declaration_sha256=declaration_sha256)
    )
    if not claimed(session, reopen):
        raise Conflict(
            f"{review.sha256} was {'decided' if review.state == 'decided' else 'accepted'} "
            "already: a new declaration does not reopen it"
        )
