"""The node's registry as the review pipeline's ``SpecimenSource``.

Only specimens whose SHA-256 matches the on-chain record of a trusted registrar (our own country,
``chain.trusted_registrars`` and each pinned partner's country — whose authoritative records
arrive by registry sync, ``node.registry.apply``) and that are not revoked on chain are handed
over; anything
else is simply absent, so the review can never match against a swapped file. The snapshot is
built asynchronously (chain reads) and then answers the pipeline's synchronous calls. A
long-running node builds it with ``SpecimenSnapshots``, which reads the chain again only when
the chain shows a change (``build_specimens`` reads everything, for a one-shot process).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from node.errors import NotFound
from node.ports import BlockMark, RegistryHistory, RegistryRecords
from node.registry.reading import DatabaseRead, RegistryRead, RegistryRecord
from node.storage.blobs import BlobStore
from verification.ports import Agency, OfficerSpecimen, RevokedSeal, SealSpecimen

if TYPE_CHECKING:
    from node.storage.db import Database

logger = logging.getLogger(__name__)

_HASH_FIELD = {"seal": "image_sha256", "officer": "signature_sha256", "template": "template_sha256"}


class RegistrySpecimens:
    def __init__(
        self,
        agencies: dict[str, Agency],
        seals: list[SealSpecimen],
        officers: list[OfficerSpecimen],
        templates: list[Mapping[str, Any]],
        is_used: Callable[[str], bool],
        unusable: Sequence[tuple[str, str]] = (),
        revoked: Sequence[RevokedSeal] = (),
    ) -> None:
        self._agencies = agencies
        self._seals = seals
        self._unusable = list(unusable)  # (agency id, seal id): stored file altered or lost
        self._revoked = list(revoked)
        self._officers = officers
        self._templates = templates
        self._is_used = is_used

    def templates(self) -> Sequence[Mapping[str, Any]]:
        return list(self._templates)

    def agency(self, agency_id: str) -> Agency | None:
        return self._agencies.get(agency_id)

    def seals(self, agency_id: str | None = None) -> Sequence[SealSpecimen]:
        return [s for s in self._seals if agency_id is None or s.agency_id == agency_id]

    def officers(self, agency_id: str) -> Sequence[OfficerSpecimen]:
        return [o for o in self._officers if o.agency_id == agency_id]

    def unusable_seals(self, agency_id: str) -> Sequence[str]:
        return [i for a, i in self._unusable if a == agency_id]

    def revoked_seals(self, agency_id: str) -> Sequence[RevokedSeal]:
        return [r for r in self._revoked if r.specimen.agency_id == agency_id]

    def is_certificate_number_used(self, number: str) -> bool:
        return self._is_used(number)


def _read(db: Database | RegistryRead) -> RegistryRead:
    """The node's database as the registry's read port (a ``RegistryRead`` as it is)."""
    return db if isinstance(db, RegistryRead) else DatabaseRead(db)


def trusted_registrars(
    db: Database | RegistryRead, own: str, configured: Iterable[str] = ()
) -> set[str]:
    """Our own registrar, the configured ones, and the country of every pinned partner."""
    partners = _read(db).partner_countries()
    return {own.upper(), *(c.upper() for c in configured), *partners}


def _rows(db: Database | RegistryRead, registrars: set[str]) -> list[RegistryRecord]:
    return [r for r in _read(db).confirmed_records() if r.registrar in registrars]


def _on_chain_ok(row: RegistryRecord, record: dict[str, Any] | None) -> bool:
    if record is None or record.get("revoked_at"):
        return False
    if row.kind == "agency":
        return bool(record["country"] == row.country)
    return bool(record[_HASH_FIELD[row.kind]] == row.sha256)


def _revoked_seal(row: RegistryRecord, record: dict[str, Any]) -> bool:
    """A seal revoked on chain whose record here is the chain's (same image)."""
    return (
        row.kind == "seal"
        and bool(record.get("revoked_at"))
        and record.get("image_sha256") == row.sha256
    )


def _as_revoked(row: RegistryRecord, record: dict[str, Any], data: bytes) -> RevokedSeal:
    return RevokedSeal(
        SealSpecimen(row.record_id, row.agency_id, data),
        _date(int(record["revoked_at"])),
        str(row.fields.get("revoked_reason", "")),
    )


def _validity(row: RegistryRecord, record: dict[str, Any] | None) -> tuple[dt.date | None, ...]:
    """An officer's validity as the chain holds it (its registrar may have extended or cut it
    short since the record was stored here), else as stored."""
    held = record if record is not None and "valid_from" in record else row.fields
    return _date(int(held.get("valid_from", 0))), _date(int(held.get("valid_to", 0)))


def _date(ts: int) -> dt.date | None:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date() if ts else None


def _stored(blobs: BlobStore, row: RegistryRecord) -> bytes | None:
    """The record's stored bytes if they still hash to the SHA-256 the chain holds (the row's,
    checked against the chain above); None, with a warning, if the file was altered or lost:
    only what the chain vouches for is compared."""
    try:
        data = blobs.get(row.sha256)
    except NotFound:
        data = b""
    if hashlib.sha256(data).hexdigest() != row.sha256:
        logger.warning(
            "%s %s/%s: its stored file does not hash to the chain's SHA-256: not used",
            row.kind,
            row.registrar,
            row.record_id,
        )
        return None
    return data


async def build_specimens(
    db: Database | RegistryRead,
    blobs: BlobStore,
    chain: RegistryRecords,
    *,
    registrars: set[str],
    is_used: Callable[[str], bool] = lambda _n: False,
) -> RegistrySpecimens:
    rows = await asyncio.to_thread(_rows, db, registrars)
    records = await chain.get_many(_keys(rows))
    return _specimens(rows, records, lambda row: _stored(blobs, row), is_used)


def _keys(rows: Sequence[RegistryRecord]) -> list[tuple[str, str, str]]:
    return [(r.kind, r.registrar, r.record_id) for r in rows]


@dataclass(frozen=True)
class _Read:
    """The rows a snapshot was built from and the chain's records of them as of ``mark``."""

    rows: list[RegistryRecord]
    mark: BlockMark
    records: list[dict[str, Any] | None]


class SpecimenSnapshots:
    """``build_specimens`` for a process that reviews again and again (the node's verifier).

    The database rows are read for every review (a row confirmed, revoked or swapped is a
    change); the chain's records of them are read again only when the rows changed or the
    chain shows a change since they were read (``RegistryHistory.unchanged_since``: the block
    they were read at is still the chain's, and the TrustRegistry emitted no event since, as it
    does on every change of its state). Records are read as of the head taken before them, so
    a write mined meanwhile is an event after that block: the next review reads again. Each
    review gets its own ``RegistrySpecimens`` (its own ``is_used``), built from the records
    and the specimen files as ``build_specimens`` builds it; a file is read and hashed again
    unless it is the very file that hashed right before (``_VerifiedFiles``)."""

    def __init__(
        self, db: Database | RegistryRead, blobs: BlobStore, chain: RegistryHistory
    ) -> None:
        self.db = db
        self.chain = chain
        self.files = _VerifiedFiles(blobs)
        self._last: _Read | None = None

    async def build(
        self, *, registrars: set[str], is_used: Callable[[str], bool] = lambda _n: False
    ) -> RegistrySpecimens:
        rows = await asyncio.to_thread(_rows, self.db, registrars)
        last = self._last
        mark = None
        if last is not None and last.rows == rows:
            mark = await self.chain.unchanged_since(last.mark)
        if last is not None and mark is not None:
            read = _Read(rows, mark, last.records)
        else:
            mark = await self.chain.head()
            read = _Read(rows, mark, await self.chain.get_many(_keys(rows), at=mark))
        self._last = read
        self.files.keep_only({r.sha256 for r in rows})
        return _specimens(read.rows, read.records, self.files.get, is_used)


class _VerifiedFiles:
    """Specimen files that hashed to their SHA-256, kept with the identity of the file read
    (inode, size, modification and change times; stat taken before the read): a file written
    to since, or replaced, has another (its change time is set by any write and by setting
    its modification time back, and no one but the clock sets it), and is read and hashed
    again. Only a file whose change time was already ``settle_ns`` old when read is kept,
    so a write within the same tick of the file system's clock cannot go unseen. Only files
    that hashed right are kept: one altered or lost is found so, and said, at every review."""

    settle_ns = 2_000_000_000

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self._kept: dict[str, tuple[tuple[int, ...], bytes]] = {}

    def get(self, row: RegistryRecord) -> bytes | None:
        try:
            st = os.stat(self.blobs.path(row.sha256))
        except OSError:
            st = None
        ident = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) if st else None
        kept = self._kept.get(row.sha256)
        if kept is not None and kept[0] == ident:
            return kept[1]
        self._kept.pop(row.sha256, None)
        data = _stored(self.blobs, row)
        if data is not None and ident is not None and time.time_ns() - ident[3] >= self.settle_ns:
            self._kept[row.sha256] = (ident, data)
        return data

    def keep_only(self, shas: set[str]) -> None:
        """Forget the files of records no longer read."""
        for sha in self._kept.keys() - shas:
            del self._kept[sha]


def _specimens(
    rows: Sequence[RegistryRecord],
    records: Sequence[dict[str, Any] | None],
    stored: Callable[[RegistryRecord], bytes | None],
    is_used: Callable[[str], bool],
) -> RegistrySpecimens:
    checks = [_on_chain_ok(r, rec) for r, rec in zip(rows, records, strict=True)]
    claims: dict[str, list[tuple[str, Agency]]] = {}  # agency id -> (registrar, agency)
    seals: list[tuple[str, SealSpecimen]] = []  # (registrar, seal)
    officers: dict[tuple[str, str, str], OfficerSpecimen] = {}  # (registrar, agency, id)
    templates: list[Mapping[str, Any]] = []
    lost: list[tuple[str, SealSpecimen]] = []  # seals the chain vouches for, their file not
    revoked: list[tuple[str, RevokedSeal]] = []
    for row, rec, ok in zip(rows, records, checks, strict=True):
        if rec is not None and _revoked_seal(row, rec):
            data = stored(row)
            if data is not None:
                revoked.append((row.registrar, _as_revoked(row, rec, data)))
            continue
        if row.state != "confirmed":
            continue
        if not ok:
            logger.warning(
                "%s %s/%s does not match the chain: not used",
                row.kind,
                row.registrar,
                row.record_id,
            )
            continue
        if row.kind == "agency":
            agency = Agency(row.record_id, row.country, row.fields.get("name", ""))
            claims.setdefault(row.record_id, []).append((row.registrar, agency))
            continue
        data = stored(row)
        if data is None:
            if row.kind == "seal":
                lost.append((row.registrar, SealSpecimen(row.record_id, row.agency_id, b"")))
            continue
        if row.kind == "seal":
            seals.append((row.registrar, SealSpecimen(row.record_id, row.agency_id, data)))
        elif row.kind == "officer":
            key = (row.registrar, row.agency_id, row.record_id)
            prev = officers.get(key)
            sigs = (prev.signatures if prev else ()) + (data,)
            officers[key] = OfficerSpecimen(
                row.record_id,
                row.agency_id,
                row.fields.get("name", ""),
                sigs,
                *_validity(row, rec),
            )
        elif row.kind == "template":
            templates.append(json.loads(data.decode("utf-8-sig")))
    agencies, members = _agencies(claims)
    # a seal or officer is its registrar's: used only for the agency that registrar's record
    # of that id is (not another registrar's namesake), and not if that one is not trusted
    used = [s for registrar, s in seals if (registrar, s.agency_id) in members]
    live = [o for (registrar, aid, _), o in officers.items() if (registrar, aid) in members]
    unusable = [(s.agency_id, s.id) for registrar, s in lost if (registrar, s.agency_id) in members]
    gone = [r for registrar, r in revoked if (registrar, r.specimen.agency_id) in members]
    return RegistrySpecimens(agencies, used, live, templates, is_used, unusable, gone)


def _agencies(
    claims: Mapping[str, list[tuple[str, Agency]]],
) -> tuple[dict[str, Agency], set[tuple[str, str]]]:
    """Each agency id's agency, and the (registrar, agency id) records that stand for it.

    Registrars are trusted each for their own records, not for one another's: two registrars'
    records of one id are one agency only if they name the same country (its authority's
    record and an importing authority's attestation). A partner's namesake of another country
    (NZ registering "AU-DAFF" as a New Zealand agency, with its own seals) would otherwise
    have lent its seals to the Australian agency. Where countries differ, the id's own country
    prefix decides ("AU-DAFF" is Australian); where none does, the id is used by nobody."""
    agencies: dict[str, Agency] = {}
    members: set[tuple[str, str]] = set()
    for agency_id, entries in claims.items():
        countries = {a.country for _, a in entries}
        country = next(iter(countries)) if len(countries) == 1 else _prefix(agency_id)
        if len(countries) > 1:
            claimants = ", ".join(sorted(f"{r} ({a.country})" for r, a in entries))
            logger.warning(
                "agency id %s is registered for several countries by %s: %s",
                agency_id,
                claimants,
                f"{country}'s used" if country in countries else "not used",
            )
        chosen = [(r, a) for r, a in entries if a.country == country]
        if not chosen:
            continue
        authority = [a for r, a in chosen if r == a.country]  # the agency's own authority's
        agencies[agency_id] = (authority or [a for _, a in chosen])[0]
        members |= {(r, agency_id) for r, _ in chosen}
    return agencies, members


def _prefix(agency_id: str) -> str:
    head, _, rest = agency_id.partition("-")
    return head.upper() if rest and len(head) == 2 else ""
