"""A registry bundle registered in one go (``cusdep registry import DIR``), and this node's
own records written out as one (``cusdep registry export DIR``).

A bundle is an issuing agency's set (or a simulator corpus's ``registry/``): agencies, seal and
signature specimens, templates (layout: ``verification.bundle``). Every record is checked
before any is written — ids, countries, images, dates, templates, that each seal, officer and
template names an agency of the bundle or of this registry, and that none differs from a record
of the same id already registered here — so a bundle with one bad record writes nothing.
Then each is registered in order (agencies, seals, officers, templates) like its ``add-*``
command: a record registered before with the same content is left as it is, so an import
stopped part way (the chain down) is finished by running it again.

An export holds the records this node registered that are confirmed on chain (not pending,
not revoked), each file as it was registered — its SHA-256 is the chain's, for an auditor to
check with their own tools — in the layout an import reads, with each record's SHA-256 and
transaction beside it. It is written next to ``DIR`` and renamed into place: whole or not at
all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.errors import Conflict, InputError
from node.registry import validate
from node.registry.service import RegistryService, sha256_hex
from verification.bundle import read_bundle_records
from verification.errors import SpecimenError
from verification.ports import OfficerSpecimen, SealSpecimen

_KINDS = ("agency", "seal", "officer", "template")


@dataclass
class _Plan:
    """What a bundle registers, checked: in the order it is written."""

    agencies: list[dict[str, str]] = field(default_factory=list)
    seals: list[SealSpecimen] = field(default_factory=list)
    officers: list[OfficerSpecimen] = field(default_factory=list)
    templates: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)
    countries: frozenset[str] | None = None  # only the agencies of these, and their records


def read_bundle(directory: str | Path, countries: list[str] | None = None) -> _Plan:
    """The bundle's records, each checked as its ``add-*`` command checks it (``InputError``
    names the first that is not right); ``countries``: import only their agencies' records."""
    try:
        source = read_bundle_records(directory)
    except SpecimenError as err:
        raise InputError(err.message) from None
    plan = _Plan(
        seals=source.seals,
        officers=source.officers,
        countries=frozenset(validate.country(c) for c in countries) if countries else None,
    )
    for a in source.agencies:
        plan.agencies.append(validate.agency(a.id, a.country, a.name, f"agency {a.id!r}"))
    for seal in plan.seals:
        validate.record_id(seal.id, f"seal {seal.id!r}: id")
        validate.specimen(seal.image, f"seal {seal.id!r}: image", "seal")
    for officer in plan.officers:
        _check_officer(officer)
    plan.templates = [(validate.template_json(data), data) for _p, data in source.template_files]
    _no_twice(plan)
    return plan


def _no_twice(plan: _Plan) -> None:
    """``InputError`` for an id the bundle lists twice under one kind."""
    for kind, ids in (
        ("agency", [a["id"] for a in plan.agencies]),
        ("seal", [s.id for s in plan.seals]),
        ("officer", [o.id for o in plan.officers]),
        ("template", [str(doc["id"]) for doc, _data in plan.templates]),
    ):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise InputError(f"the bundle lists {kind} {twice[0]!r} twice")


def _check_officer(officer: OfficerSpecimen) -> None:
    where = f"officer {officer.id!r}"
    validate.officer(
        officer.id, officer.name, _day(officer.valid_from), _day(officer.valid_to), where
    )
    if len(officer.signatures) != 1:
        raise InputError(
            f"{where}: {len(officer.signatures)} signature specimens; one is registered per "
            "officer (register another under a new id)"
        )
    validate.specimen(officer.signatures[0], f"{where}: signature", "signature")


async def import_bundle(registry: RegistryService, plan: _Plan) -> dict[str, Any]:
    """Register ``plan`` (``read_bundle``): checked against what is registered here first,
    then written record by record; the outcome of each and the counts per kind."""
    known = {(r["kind"], r["id"]): r for r in registry.list() if r["registrar"] == registry.country}
    plan = _checked_against(plan, known)
    records: list[dict[str, Any]] = []

    async def one(kind: str, record_id: str, write: Any) -> None:
        before = (kind, record_id) in known
        out = await write
        outcome = "unchanged" if before else "registered"
        records.append({"kind": kind, "id": record_id, "outcome": outcome, "state": out["state"]})

    for a in plan.agencies:
        await one("agency", a["id"], registry.add_agency(a["id"], a["country"], a["name"]))
    for s in plan.seals:
        await one("seal", s.id, registry.add_seal(s.agency_id, s.id, s.image))
    for o in plan.officers:
        write = registry.add_officer(
            o.agency_id, o.id, o.name, o.signatures[0], _day(o.valid_from), _day(o.valid_to)
        )
        await one("officer", o.id, write)
    for doc, data in plan.templates:
        await one("template", doc["id"], registry.add_template(data))
    return {
        "registered": sum(r["outcome"] == "registered" for r in records),
        "unchanged": sum(r["outcome"] == "unchanged" for r in records),
        "by_kind": {
            kind: {
                outcome: sum(r["kind"] == kind and r["outcome"] == outcome for r in records)
                for outcome in ("registered", "unchanged")
            }
            for kind in _KINDS
        },
        "records": records,
    }


def _checked_against(plan: _Plan, known: dict[tuple[str, str], dict[str, Any]]) -> _Plan:
    """The plan's records of its countries' agencies (all without ``countries``), after
    ``InputError`` for one naming an agency neither the bundle nor this registry has (or a
    revoked one) and ``Conflict`` for one that differs from the same id registered here."""
    agencies = {
        rid: rec.get("country", "")
        for (kind, rid), rec in known.items()
        if kind == "agency" and rec["state"] != "revoked"
    }
    agencies.update({a["id"]: a["country"] for a in plan.agencies})

    def kept(kind: str, rid: str, agency: str) -> bool:
        if agency not in agencies:
            raise InputError(f"{kind} {rid!r}: agency {agency!r} is neither in the bundle nor here")
        return plan.countries is None or agencies[agency] in plan.countries

    out = _Plan(
        agencies=[a for a in plan.agencies if kept("agency", a["id"], a["id"])],
        seals=[s for s in plan.seals if kept("seal", s.id, s.agency_id)],
        officers=[o for o in plan.officers if kept("officer", o.id, o.agency_id)],
        templates=[t for t in plan.templates if kept("template", t[0]["id"], t[0]["agency"])],
    )
    for a in out.agencies:
        _same(known, "agency", a["id"], country=a["country"], name=a["name"])
    for s in out.seals:
        _same(known, "seal", s.id, sha256=sha256_hex(s.image))
    for o in out.officers:
        _same(
            known,
            "officer",
            o.id,
            sha256=sha256_hex(o.signatures[0]),
            name=o.name.strip(),
            valid_from=_day(o.valid_from),
            valid_to=_day(o.valid_to),
        )
    for doc, data in out.templates:
        country = str(doc["issuing_country"]).upper()
        if agencies[doc["agency"]] != country:
            raise InputError(
                f"template {doc['id']!r}: agency {doc['agency']!r} is of "
                f"{agencies[doc['agency']]}, not of the issuing country {country}"
            )
        _same(known, "template", str(doc["id"]), sha256=sha256_hex(data))
    return out


def _same(known: dict[tuple[str, str], dict[str, Any]], kind: str, rid: str, **want: Any) -> None:
    rec = known.get((kind, rid))
    if rec is None:
        return
    differ = [k for k, v in want.items() if (rec.get(k) or None) != (v or None)]
    if differ or rec["state"] == "revoked":
        what = "is revoked" if rec["state"] == "revoked" else f"has another {', '.join(differ)}"
        raise Conflict(
            f"{kind} {rid!r} is already registered here and {what}: nothing was imported "
            "(revoke it and register it under a new id)"
        )


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


_EXTENSIONS = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"II*\x00": ".tif", b"MM\x00*": ".tif"}


def export_bundle(
    registry: RegistryService, directory: str | Path, countries: list[str] | None = None
) -> dict[str, Any]:
    """Write this node's confirmed records (of ``countries``' agencies only, if given) as a
    bundle in ``directory`` (new, or an empty directory); what was written and left out."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{directory}: exists and is not an empty directory")
    wanted = {validate.country(c) for c in countries} if countries else None
    ours = [r for r in registry.list() if r["registrar"] == registry.country]
    # a record is exported with its agency, which must be confirmed (and of ``countries``)
    agencies = {
        r["id"]: r.get("country", "")
        for r in ours
        if r["kind"] == "agency" and r["state"] == "confirmed"
    }
    kept = [
        r
        for r in ours
        if r["state"] == "confirmed"
        and r.get("agency_id", r["id"]) in agencies
        and (wanted is None or agencies[r.get("agency_id", r["id"])] in wanted)
    ]
    left = [
        r for r in ours if r["state"] != "confirmed" or r.get("agency_id", r["id"]) not in agencies
    ]
    staging = target.with_name(f".{target.name}.{os.getpid()}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        index = _write_files(registry, staging, kept)
        (staging / "bundle.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {
        "directory": str(target.resolve()),
        "exported": {kind: sum(r["kind"] == kind for r in kept) for kind in _KINDS},
        "left_out": [{"kind": r["kind"], "id": r["id"], "state": r["state"]} for r in left],
    }


def _write_files(
    registry: RegistryService, root: Path, records: list[dict[str, Any]]
) -> dict[str, Any]:
    """The records' files under ``root`` (seals/, signatures/, templates/) and the index."""
    for folder in ("seals", "signatures", "templates"):
        (root / folder).mkdir(parents=True)
    index: dict[str, Any] = {
        "format_version": 1,
        "registrar": registry.country,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "agencies": [],
        "seals": [],
        "officers": [],
        "templates": [],
        "template_records": [],
    }
    for r in records:
        chain = {"sha256": r.get("sha256", ""), "tx_hash": r["tx_hash"]}
        if r["kind"] == "agency":
            index["agencies"].append(
                {"id": r["id"], "country": r["country"], "name": r["name"], "tx_hash": r["tx_hash"]}
            )
        elif r["kind"] == "seal":
            path = _copy(registry, root, "seals", r)
            index["seals"].append({"id": r["id"], "agency": r["agency_id"], "image": path, **chain})
        elif r["kind"] == "officer":
            path = _copy(registry, root, "signatures", r)
            index["officers"].append(
                {
                    "id": r["id"],
                    "agency": r["agency_id"],
                    "name": r["name"],
                    "signature": path,
                    "valid_from": r.get("valid_from"),
                    "valid_to": r.get("valid_to"),
                    **chain,
                }
            )
        else:
            path = _copy(registry, root, "templates", r, ".json")
            index["templates"].append(path)
            index["template_records"].append({"id": r["id"], "path": path, **chain})
    return index


def _copy(
    registry: RegistryService, root: Path, folder: str, record: dict[str, Any], ext: str = ""
) -> str:
    """The record's registered file, written as ``folder/<id><ext>``; its path in the bundle."""
    data = registry.blobs.get(record["sha256"])
    ext = ext or next((e for magic, e in _EXTENSIONS.items() if data.startswith(magic)), ".bin")
    path = f"{folder}/{record['id']}{ext}"
    (root / path).write_bytes(data)
    return path
