"""The node's registry as the review pipeline's ``SpecimenSource``.

Only specimens whose SHA-256 matches the on-chain record of a trusted registrar (our own country,
``chain.trusted_registrars`` and each pinned partner's country — whose authoritative records
arrive by registry sync, ``node.registry.apply``) and that are not revoked on chain are handed
over; anything
else is simply absent, so the review can never match against a swapped file. The snapshot is
built asynchronously (chain reads) and then answers the pipeline's synchronous calls.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from node.errors import NotFound
from node.ports import RegistryRecords
from node.registry.reading import DatabaseRead, RegistryRead, RegistryRecord
from node.storage.blobs import BlobStore
from verification.ports import Agency, OfficerSpecimen, SealSpecimen

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
    ) -> None:
        self._agencies = agencies
        self._seals = seals
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
    records = await chain.get_many([(r.kind, r.registrar, r.record_id) for r in rows])
    checks = [_on_chain_ok(r, rec) for r, rec in zip(rows, records, strict=True)]
    agencies: dict[str, Agency] = {}
    seals: list[SealSpecimen] = []
    officers: dict[tuple[str, str], OfficerSpecimen] = {}
    templates: list[Mapping[str, Any]] = []
    for row, ok in zip(rows, checks, strict=True):
        if not ok:
            logger.warning(
                "%s %s/%s does not match the chain: not used",
                row.kind,
                row.registrar,
                row.record_id,
            )
            continue
        if row.kind == "agency":
            agencies[row.record_id] = Agency(row.record_id, row.country, row.fields.get("name", ""))
            continue
        data = _stored(blobs, row)
        if data is None:
            continue
        if row.kind == "seal":
            seals.append(SealSpecimen(row.record_id, row.agency_id, data))
        elif row.kind == "officer":
            key = (row.agency_id, row.record_id)
            prev = officers.get(key)
            sigs = (prev.signatures if prev else ()) + (data,)
            officers[key] = OfficerSpecimen(
                row.record_id,
                row.agency_id,
                row.fields.get("name", ""),
                sigs,
                _date(int(row.fields.get("valid_from", 0))),
                _date(int(row.fields.get("valid_to", 0))),
            )
        elif row.kind == "template":
            templates.append(json.loads(data.decode("utf-8-sig")))
    # a seal or officer of an agency that is not (or no longer) trusted is not used either
    seals = [s for s in seals if s.agency_id in agencies]
    live = [o for o in officers.values() if o.agency_id in agencies]
    return RegistrySpecimens(agencies, seals, live, templates, is_used)
