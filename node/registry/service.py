"""RegistryService: register and revoke agencies, seal and signature specimens, templates.

Every write is a durable ``registry_write`` operation (idempotency key = kind/registrar/id) and a
local record in state pending; ``_write`` puts it on the TrustRegistry contract — or adopts the
on-chain record when an earlier attempt already landed — and confirms it. If the chain is down
the operation stays pending and the node's worker retries it (``process_pending``). A
revocation is a durable ``registry_revoke`` operation the same way: one whose transaction
landed before the process died is found revoked on chain and recorded, not sent again.

Records are written in our own registrar's name (our country). A record about another country's
agency is an attestation by us, not authoritative; the contract enforces the same. Authoritative
records and their revocations are shared with every pinned partner (``node.registry.sync``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from node.domain.states import OpState, OpType
from node.errors import ChainReverted, ChainUnavailable, Conflict, InputError, NotFound
from node.ports import TrustRegistryChain
from node.registry import validate
from node.registry.sync import RegistryPublisher
from node.registry.tables import RegistryRecordRow
from node.storage.blobs import BlobStore
from node.storage.core import OperationRow, utcnow
from node.storage.db import Database, claimed, insert_absent

logger = logging.getLogger(__name__)

_HASH_KEY = {
    "seal": "image_sha256",
    "officer": "signature_sha256",
    "template": "template_sha256",
}


def _confirmed_by_us(session: Any, key: str, tx: str) -> dict[str, Any] | None:
    """Confirm operation ``key`` with transaction ``tx`` in ``session``'s transaction; its
    payload, or None when another process confirmed it since (it records the outcome)."""
    op = session.exec(select(OperationRow).where(OperationRow.idempotency_key == key)).one()
    claim = (
        update(OperationRow)
        .where(
            col(OperationRow.idempotency_key) == key,
            col(OperationRow.state) != OpState.CONFIRMED.value,
        )
        .values(state=OpState.CONFIRMED.value, result={"tx_hash": tx}, error="")
    )
    return dict(op.payload) if claimed(session, claim) else None


def _rewritten(session: Any, pk: tuple[str, str, str], tx: str) -> None:
    """A confirmed record written again after the chain lost it (``reconcile.py``): its new
    transaction, nothing shared again (partners read the same chain)."""
    session.connection().execute(
        update(RegistryRecordRow)
        .where(
            col(RegistryRecordRow.kind) == pk[0],
            col(RegistryRecordRow.registrar) == pk[1],
            col(RegistryRecordRow.record_id) == pk[2],
            col(RegistryRecordRow.state) == "confirmed",
        )
        .values(tx_hash=tx, updated_at=utcnow())
    )


def _op_key(kind: str, registrar: str, record_id: str) -> str:
    return f"registry:{kind}:{registrar}:{record_id}"


def _revoke_key(kind: str, registrar: str, record_id: str) -> str:
    return f"registry-revoke:{kind}:{registrar}:{record_id}"


class RegistryService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        chain: TrustRegistryChain,
        *,
        country: str,
        actor: str,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.chain = chain
        self.country = country
        self.actor = actor
        # shares our authoritative records with partners (node.registry.sync), set when the
        # exchange is wired; queued in the transaction that confirms or revokes the record
        self.publisher: RegistryPublisher | None = None

    # ---- registration --------------------------------------------------------------------
    async def add_agency(self, agency_id: str, country: str, name: str) -> dict[str, Any]:
        checked = validate.agency(agency_id, country, name)
        country = checked["country"]
        fields = {**checked, "authoritative": country == self.country}
        return await self._register("agency", agency_id, fields, country=country)

    async def add_seal(self, agency_id: str, seal_id: str, image: bytes) -> dict[str, Any]:
        validate.record_id(seal_id)
        await asyncio.to_thread(validate.specimen, image, "image", "seal")
        agency = self._confirmed_agency(agency_id)
        sha = await asyncio.to_thread(self.blobs.put, image)
        fields = {"id": seal_id, "agency_id": agency_id, "image_sha256": sha}
        out = await self._register("seal", seal_id, fields, agency=agency, sha=sha)
        return _warned(out, validate.specimen_warnings(image, "image"))

    async def add_officer(
        self,
        agency_id: str,
        officer_id: str,
        name: str,
        signature: bytes,
        valid_from: str | None = None,
        valid_to: str | None = None,
    ) -> dict[str, Any]:
        name, start, end = validate.officer(officer_id, name, valid_from, valid_to)
        await asyncio.to_thread(validate.specimen, signature, "signature", "signature")
        agency = self._confirmed_agency(agency_id)
        sha = await asyncio.to_thread(self.blobs.put, signature)
        fields = {
            "id": officer_id,
            "agency_id": agency_id,
            "signature_sha256": sha,
            "valid_from": start,
            "valid_to": end,
            "name": name,
            "valid_from_date": valid_from or "",
            "valid_to_date": valid_to or "",
        }
        return await self._register("officer", officer_id, fields, agency=agency, sha=sha)

    async def add_template(self, data: bytes) -> dict[str, Any]:
        doc = validate.template_json(data)
        country = doc["issuing_country"].upper()
        agency = self._confirmed_agency(doc["agency"])
        if agency.country != country:
            raise InputError(
                f"template {doc['id']!r}: agency {doc['agency']!r} is of {agency.country}, "
                f"not of the issuing country {country}"
            )
        sha = await asyncio.to_thread(self.blobs.put, data)
        fields = {
            "id": doc["id"],
            "country": country,
            "template_sha256": sha,
            "authoritative": country == self.country,
            "agency_id": doc["agency"],
            "certificate_type": doc["certificate_type"],
        }
        return await self._register("template", doc["id"], fields, country=country, sha=sha)

    async def revoke(self, kind: str, record_id: str, reason: str) -> dict[str, Any]:
        """Revoke one of our records: a durable ``registry_revoke`` operation, then its
        transaction. A command killed after the transaction left, before it saw the receipt,
        leaves the operation pending: the node's worker (or the same command again) finds
        the record revoked on chain and records it, with that transaction, once."""
        reason = validate.text(reason, "reason", validate.MAX_REASON)
        if self._get(kind, self.country, record_id) is None:
            raise NotFound(f"no {kind} {record_id!r} registered by {self.country}")
        key = _revoke_key(kind, self.country, record_id)
        await asyncio.to_thread(self._persist_revocation, key, kind, record_id, reason)
        try:
            await self._revoke(key)
        except ChainUnavailable as err:
            raise ChainUnavailable(
                f"{err.roll_up()}; the revocation of {kind} {record_id!r} is recorded here and "
                "stays pending: a running node (or the next registry command) sends it once the "
                "chain answers"
            ) from None
        return self._public(kind, self.country, record_id)

    async def set_officer_validity(
        self, officer_id: str, valid_from: str | None, valid_to: str | None
    ) -> dict[str, Any]:
        """Extend, cut short or correct one of our officers' validity (YYYY-MM-DD, UTC; None
        open): a durable ``registry_validity`` operation, then its transaction, then the
        record here and shared with partners (who take the validity from the chain)."""
        start, end = validate.validity(valid_from, valid_to)
        row = self._get("officer", self.country, officer_id)
        if row is None:
            raise NotFound(f"no officer {officer_id!r} registered by {self.country}")
        if row.state != "confirmed":
            raise Conflict(
                f"officer {officer_id!r} is {row.state}: "
                + (
                    "register the officer under a new id"
                    if row.state == "revoked"
                    else "not on chain yet"
                )
            )
        payload = {
            "registrar": self.country,
            "id": officer_id,
            "valid_from": start,
            "valid_to": end,
            "valid_from_date": valid_from or "",
            "valid_to_date": valid_to or "",
        }
        key = await asyncio.to_thread(self._validity_key, officer_id, start, end)
        await asyncio.to_thread(self._persist_op, OpType.REGISTRY_VALIDITY, key, payload)
        try:
            await self._set_validity(key)
        except ChainUnavailable as err:
            raise ChainUnavailable(
                f"{err.roll_up()}; the validity of officer {officer_id!r} is recorded here and "
                "stays pending: a running node (or the next registry command) sends it once the "
                "chain answers"
            ) from None
        return self._public("officer", self.country, officer_id)

    def _validity_key(self, officer_id: str, start: int, end: int) -> str:
        """The operation key of a validity change: the officer's newest change again when it
        asks for the same dates (a command re-run after a crash or an outage sends that one,
        once), else a change of its own, numbered. Not the dates alone: A, then B, then A
        again must set A again, not find A's first operation confirmed and leave B on chain."""
        prefix = f"registry-validity:{self.country}:{officer_id}:"
        with self.db.session() as session:
            keys = list(
                session.exec(
                    select(OperationRow.idempotency_key)
                    .where(OperationRow.type == OpType.REGISTRY_VALIDITY.value)
                    .where(col(OperationRow.idempotency_key).startswith(prefix, autoescape=True))
                    .order_by(col(OperationRow.id).desc())
                )
            )
        dates = f"{start}:{end}"
        if keys and keys[0].removeprefix(prefix).split("#")[0] == dates:
            return keys[0]
        return f"{prefix}{dates}" + (f"#{len(keys) + 1}" if keys else "")

    async def _set_validity(self, key: str) -> None:
        op = await asyncio.to_thread(self._op, key)
        if op.state in (OpState.CONFIRMED, OpState.FAILED):
            return
        p = op.payload
        on_chain = await self.chain.get("officer", p["registrar"], p["id"])
        target = (p["valid_from"], p["valid_to"])
        tx = ""  # on chain as wanted already (an earlier attempt landed): nothing to send
        if on_chain is None or (on_chain["valid_from"], on_chain["valid_to"]) != target:
            try:
                tx = await self.chain.set_officer_validity(p["registrar"], p["id"], *target)
            except ChainReverted as err:
                await asyncio.to_thread(self._settle, key, OpState.FAILED, err.message)
                raise
        await asyncio.to_thread(self._finish_validity, key, tx)
        self._wake()

    def _finish_validity(self, key: str, tx: str) -> None:
        """Confirm the operation; the officer's record takes the validity, shared once."""
        with self.db.session() as session:
            p = _confirmed_by_us(session, key, tx)
            if p is None:
                return  # another process recorded it
            r = session.get(RegistryRecordRow, ("officer", p["registrar"], p["id"]))
            if r is None or r.state != "confirmed":
                return
            dates = {
                k: p[k] for k in ("valid_from", "valid_to", "valid_from_date", "valid_to_date")
            }
            # the change's own transaction; none (the chain held these dates already: an
            # earlier attempt landed) leaves no earlier change's transaction beside them
            kept = {k: v for k, v in r.fields.items() if k != "validity_tx"}
            r.fields = {**kept, **dates, **({"validity_tx": tx} if tx else {})}
            r.updated_at = utcnow()
            session.add(r)
            if self.publisher is not None:
                self.publisher.record(session, r, revision=key)

    def _persist_op(self, op_type: OpType, key: str, payload: dict[str, Any]) -> None:
        """The operation, unless there; one that failed is pending again, with ``payload``."""
        op = OperationRow(type=op_type.value, idempotency_key=key, payload=payload)
        with self.db.session() as session:
            if insert_absent(session, op):
                return
            retry = (
                update(OperationRow)
                .where(
                    col(OperationRow.idempotency_key) == key,
                    col(OperationRow.state) == OpState.FAILED.value,
                )
                .values(state=OpState.PENDING.value, payload=payload, updated_at=utcnow())
            )
            claimed(session, retry)

    def _persist_revocation(self, key: str, kind: str, record_id: str, reason: str) -> None:
        """The revocation's operation, unless there; one that failed (the record was not on
        chain yet) is pending again, with this reason."""
        payload = {"kind": kind, "registrar": self.country, "id": record_id, "reason": reason}
        self._persist_op(OpType.REGISTRY_REVOKE, key, payload)

    async def _revoke(self, key: str) -> None:
        op = await asyncio.to_thread(self._op, key)
        if op.state in (OpState.CONFIRMED, OpState.FAILED):
            return
        p = op.payload
        kind, registrar, record_id = p["kind"], p["registrar"], p["id"]
        on_chain = await self.chain.get(kind, registrar, record_id)
        if on_chain is not None and on_chain["revoked_at"]:  # an earlier attempt landed
            tx = await self.chain.revocation_tx(kind, registrar, record_id)
        else:
            try:
                tx = await self.chain.revoke(kind, registrar, record_id, p["reason"])
            except ChainReverted as err:
                now = await self.chain.get(kind, registrar, record_id)
                if now is None or not now["revoked_at"]:  # not revoked by another writer
                    await asyncio.to_thread(self._settle, key, OpState.FAILED, err.message)
                    raise
                tx = await self.chain.revocation_tx(kind, registrar, record_id)
        await asyncio.to_thread(self._finish_revocation, key, tx)
        self._wake()

    def _settle(self, key: str, state: OpState, error: str) -> bool:
        """The operation moves to ``state`` unless another process confirmed it since."""
        settle = (
            update(OperationRow)
            .where(
                col(OperationRow.idempotency_key) == key,
                col(OperationRow.state) != OpState.CONFIRMED.value,
            )
            .values(
                state=state.value,
                error=error,
                updated_at=utcnow(),
                attempts=col(OperationRow.attempts) + 1,
            )
        )
        with self.db.session() as session:
            return claimed(session, settle)

    def _finish_revocation(self, key: str, tx: str) -> None:
        """Confirm the operation and record the revocation (shared with partners), once."""
        with self.db.session() as session:
            p = _confirmed_by_us(session, key, tx)
            if p is None:
                return  # another process recorded it
            r = session.get(RegistryRecordRow, (p["kind"], p["registrar"], p["id"]))
            if r is None:
                return
            if r.state == "revoked":  # revoked again after the chain lost it (reconcile.py)
                r.fields, r.updated_at = {**r.fields, "revoke_tx": tx}, utcnow()
                session.add(r)
                return
            r.state, r.updated_at = "revoked", utcnow()
            r.fields = {**r.fields, "revoked_reason": p["reason"], "revoke_tx": tx}
            if self.publisher is not None:
                self.publisher.revocation(session, r, p["reason"])

    # ---- durable write -------------------------------------------------------------------
    async def _register(
        self,
        kind: str,
        record_id: str,
        fields: dict[str, Any],
        *,
        country: str = "",
        agency: RegistryRecordRow | None = None,
        sha: str = "",
    ) -> dict[str, Any]:
        key = _op_key(kind, self.country, record_id)
        await asyncio.to_thread(self._persist, kind, record_id, fields, country, agency, sha, key)
        try:
            await self._write(key)
        except ChainUnavailable as err:
            raise type(err)(
                f"{err.roll_up()}; the {kind} {record_id!r} is recorded here and stays pending: "
                "a running node (or the next registry command) writes it once the chain answers"
            ) from None
        return self._public(kind, self.country, record_id)

    def _persist(
        self,
        kind: str,
        record_id: str,
        fields: dict[str, Any],
        country: str,
        agency: RegistryRecordRow | None,
        sha: str,
        key: str,
    ) -> None:
        record = RegistryRecordRow(
            kind=kind,
            registrar=self.country,
            record_id=record_id,
            agency_id=agency.record_id if agency else fields.get("agency_id", ""),
            country=country or (agency.country if agency else ""),
            sha256=sha,
            fields=fields,
            authoritative=bool(agency.authoritative if agency else fields.get("authoritative")),
        )
        with self.db.session() as session:
            # inserted unless there (two commands registering one id at once: one row)
            if not insert_absent(session, record):
                existing = session.get(RegistryRecordRow, (kind, self.country, record_id))
                assert existing is not None
                _same_registration(existing, sha, fields)
                return  # same registration again: idempotent
            session.add(
                OperationRow(
                    type=OpType.REGISTRY_WRITE.value,
                    idempotency_key=key,
                    payload={"kind": kind, "registrar": self.country, "fields": fields},
                )
            )

    async def _write(self, key: str) -> None:
        op = await asyncio.to_thread(self._op, key)
        if op.state == OpState.CONFIRMED:
            return
        p = op.payload
        kind, registrar, fields = p["kind"], p["registrar"], p["fields"]
        on_chain = await self.chain.get(kind, registrar, fields["id"])
        if on_chain is None:
            try:
                tx = await self.chain.register(kind, registrar, _chain_fields(kind, fields))
            except ChainReverted:
                # a concurrent writer (the worker, or another command) landed it first? Judged
                # by the chain, not the error's name: a transaction mined and reverted (a
                # chain with block times, both passed the pre-flight) names no error
                on_chain = await self.chain.get(kind, registrar, fields["id"])
                if on_chain is None or not _same(kind, on_chain, fields):
                    raise
                tx = await self._registered_by(kind, registrar, fields["id"])
        elif _same(kind, on_chain, fields):
            tx = await self._registered_by(kind, registrar, fields["id"])
        else:
            await asyncio.to_thread(self._finish, key, OpState.FAILED, "", "differs on chain")
            raise Conflict(f"{kind} {fields['id']!r} is on chain with different content")
        await asyncio.to_thread(self._finish, key, OpState.CONFIRMED, tx, "")
        self._wake()

    async def _registered_by(self, kind: Any, registrar: str, record_id: str) -> str:
        """The transaction that put a record we find on chain there (a write a crash cut
        short before its receipt, or another process's): an auditor looks it up; "adopted"
        only if the chain's logs do not show it."""
        return await self.chain.registration_tx(kind, registrar, record_id) or "adopted"

    def _wake(self) -> None:
        if self.publisher is not None:
            self.publisher.exchange.wake()

    def _op(self, key: str) -> OperationRow:
        with self.db.session() as session:
            op = session.exec(select(OperationRow).where(OperationRow.idempotency_key == key)).one()
            return op

    def _finish(self, key: str, state: OpState, tx: str, error: str) -> None:
        """Settle the write, unless another process of this home (the worker, another command)
        confirmed it since it was read: that one's transaction stands (ours adopted it), and
        the record is shared once. A record revoked meanwhile stays revoked. Conditional
        UPDATEs, not a read and a write: this write and the other's may run at once."""
        op = col(OperationRow.idempotency_key) == key
        settle = (
            update(OperationRow)
            .where(op, col(OperationRow.state) != OpState.CONFIRMED.value)
            .values(
                state=state.value,
                error=error,
                updated_at=utcnow(),
                attempts=col(OperationRow.attempts) + 1,
                result={"tx_hash": tx},
            )
        )
        with self.db.session() as session:
            if not claimed(session, settle):
                logger.info("registry write %s was confirmed by another process", key)
                return
            if state != OpState.CONFIRMED:
                return
            p = session.exec(select(OperationRow.payload).where(op)).one()
            pk = (p["kind"], p["registrar"], p["fields"]["id"])
            confirm = (
                update(RegistryRecordRow)
                .where(
                    col(RegistryRecordRow.kind) == pk[0],
                    col(RegistryRecordRow.registrar) == pk[1],
                    col(RegistryRecordRow.record_id) == pk[2],
                    col(RegistryRecordRow.state) == "pending",
                )
                .values(state="confirmed", tx_hash=tx, updated_at=utcnow())
            )
            if not claimed(session, confirm):  # written again after the chain lost it
                _rewritten(session, pk, tx)
            elif self.publisher is not None:
                row = session.get(RegistryRecordRow, pk)
                assert row is not None
                self.publisher.record(session, row)

    async def process_pending(self) -> int:
        """Write every pending registry operation (the worker's step). Returns how many."""
        keys = await asyncio.to_thread(self._pending_keys)
        for op_type, key in keys:
            if op_type == OpType.REGISTRY_REVOKE:
                await self._revoke(key)
            elif op_type == OpType.REGISTRY_VALIDITY:
                await self._set_validity(key)
            else:
                await self._write(key)
        return len(keys)

    def _pending_keys(self) -> list[tuple[str, str]]:
        """(type, key) of the registrations and revocations waiting, oldest first."""
        kinds = [OpType.REGISTRY_WRITE, OpType.REGISTRY_REVOKE, OpType.REGISTRY_VALIDITY]
        with self.db.session() as session:
            stmt = (
                select(OperationRow.type, OperationRow.idempotency_key)
                .where(col(OperationRow.type).in_(kinds))
                .where(col(OperationRow.state).in_([OpState.PENDING, OpState.SUBMITTED]))
                .order_by(col(OperationRow.id))
            )
            return [(t, k) for t, k in session.exec(stmt)]

    # ---- reads ---------------------------------------------------------------------------
    def _get(self, kind: str, registrar: str, record_id: str) -> RegistryRecordRow | None:
        with self.db.session() as session:
            return session.get(RegistryRecordRow, (kind, registrar, record_id))

    def _confirmed_agency(self, agency_id: str) -> RegistryRecordRow:
        row = self._get("agency", self.country, agency_id)
        if row is None:
            raise NotFound(
                f"agency {agency_id!r} is not registered by {self.country}: "
                "run `cusdep registry add-agency` first"
            )
        if row.state == "revoked":
            raise InputError(f"agency {agency_id!r} is revoked")
        return row

    def _public(self, kind: str, registrar: str, record_id: str) -> dict[str, Any]:
        row = self._get(kind, registrar, record_id)
        assert row is not None
        return record_dict(row)

    def list(
        self, kind: str | None = None, record_id: str | None = None, agency_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The records, of one kind, with one id (each registrar's), of one agency."""
        with self.db.session() as session:
            stmt = select(RegistryRecordRow)
            if kind:
                stmt = stmt.where(RegistryRecordRow.kind == kind)
            if record_id is not None:
                stmt = stmt.where(RegistryRecordRow.record_id == record_id)
            if agency_id is not None:
                stmt = stmt.where(RegistryRecordRow.agency_id == agency_id)
            rows = session.exec(
                stmt.order_by(col(RegistryRecordRow.kind), col(RegistryRecordRow.record_id))
            )
            return [record_dict(r) for r in rows]


def record_dict(row: RegistryRecordRow) -> dict[str, Any]:
    """The record as the edges show it, every string valid Unicode (``_printable``)."""
    out: dict[str, Any] = {
        "kind": row.kind,
        "id": row.record_id,
        "registrar": row.registrar,
        "authoritative": row.authoritative,
        "state": row.state,
        "tx_hash": row.tx_hash,
    }
    if row.agency_id:
        out["agency_id"] = row.agency_id
    if row.country:
        out["country"] = row.country
    if row.sha256:
        out["sha256"] = row.sha256
    if row.source != "local":
        out["source"] = row.source
    for key in ("name", "valid_from_date", "valid_to_date", "certificate_type"):
        if row.fields.get(key):
            out[key.removesuffix("_date")] = row.fields[key]
    if row.fields.get("validity_tx"):  # the last validity change's own transaction
        out["validity_tx_hash"] = row.fields["validity_tx"]
    if row.fields.get("revoke_tx"):  # the revocation's own transaction, beside the registration's
        out["revoked_reason"] = row.fields.get("revoked_reason", "")
        out["revoke_tx_hash"] = row.fields["revoke_tx"]
    return {k: _printable(v) if isinstance(v, str) else v for k, v in out.items()}


def _printable(value: str) -> str:
    """``value`` with each lone surrogate as U+FFFD. Names are checked on the way in
    (``validate.text``), but a record stored by an earlier version, which took a name that
    was not UTF-8 from its command line (``surrogateescape``), would otherwise fail every JSON
    encoder that shows it (the REST listing answered 500 to all). A surrogate pair is joined
    into the character it stands for."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _same_registration(existing: RegistryRecordRow, sha: str, fields: dict[str, Any]) -> None:
    """Raise ``Conflict`` unless ``existing`` is this registration (image and fields)."""
    if existing.state == "revoked":  # its revocation's fields differ: say what it is
        reason = existing.fields.get("revoked_reason", "")
        raise Conflict(
            f"{existing.kind} {existing.record_id!r} was revoked by {existing.registrar}"
            f"{f' ({reason})' if reason else ''}: a revoked id is never registered again; "
            "register the new one under a new id"
        )
    if existing.sha256 == sha and existing.fields == fields:
        return
    differ = sorted(
        k for k in {*fields, *existing.fields} if fields.get(k) != existing.fields.get(k)
    )
    raise Conflict(
        f"{existing.kind} {existing.record_id!r} is already registered by {existing.registrar} "
        f"with another {', '.join(differ) or 'image'} (revoke it and register it under a new "
        "id)"
    )


def _chain_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    return fields  # the chain adapter picks the keys it needs


def _same(kind: str, on_chain: dict[str, Any], fields: dict[str, Any]) -> bool:
    if kind == "agency":
        return bool(on_chain["country"] == fields["country"])
    key = _HASH_KEY[kind]
    return bool(on_chain[key] == fields[key])


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _warned(out: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The registration's answer with what its registrar should know (logged too)."""
    for warning in warnings:
        logger.warning("%s", warning)
    return {**out, "warnings": warnings} if warnings else out
