"""SpecimenSource implementations: a simulator registry bundle on disk, and an in-memory fake.

Bundle layout (``cusdep simulate corpus`` writes it under ``DIR/registry/``)::

    bundle.json        {"agencies": [{"id", "country", "name"}],
                        "seals": [{"id", "agency", "image": "seals/AU-DAFF-S1.png"}],
                        "officers": [{"id", "agency", "name", "signature": "signatures/….png",
                                      "valid_from", "valid_to"}],
                        "templates": ["templates/AU-PHYTO-2025.json", …]}
    used_certificates.json (optional) ["AU-2026-000123", …]

A record may list its file's ``sha256`` (``cusdep registry export`` writes the chain's, and
``template_records``: ``{"id", "path", "sha256"}`` for templates): a file that does not hash to
it was changed after it was listed, and the bundle is refused, naming both digests.

Without ``bundle.json``, ``agencies.json``, ``seals.json``, ``officers.json`` (lists as above)
and every ``templates/*.json`` are read instead.

Paths inside are relative to the bundle directory. Files are read once, on construction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from verification.errors import SpecimenError
from verification.normalise import certificate_key
from verification.ports import Agency, OfficerSpecimen, RevokedSeal, SealSpecimen

logger = logging.getLogger(__name__)


class MemorySpecimenSource:
    """The fake: everything held in memory; ``mark_used`` records certificate numbers."""

    def __init__(
        self,
        agencies: Iterable[Agency] = (),
        seals: Iterable[SealSpecimen] = (),
        officers: Iterable[OfficerSpecimen] = (),
        templates: Iterable[Mapping[str, Any]] = (),
        used_numbers: Iterable[str] = (),
        unusable_seals: Iterable[tuple[str, str]] = (),
        revoked_seals: Iterable[RevokedSeal] = (),
    ) -> None:
        self._agencies = {a.id: a for a in agencies}
        self._unusable = list(unusable_seals)  # (agency id, seal id)
        self._revoked = list(revoked_seals)
        self._seals = list(seals)
        self._officers = list(officers)
        self._templates = list(templates)
        self._used = {certificate_key(n) for n in used_numbers}

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
        return certificate_key(number) in self._used

    def mark_used(self, number: str) -> None:
        self._used.add(certificate_key(number))


@dataclass(frozen=True)
class BundleRecords:
    """A bundle's records as listed (duplicates kept), each template file's bytes as they are
    (what a registry registers: its SHA-256)."""

    agencies: list[Agency]
    seals: list[SealSpecimen]
    officers: list[OfficerSpecimen]
    template_files: list[tuple[Path, bytes]]
    root: Path


def read_bundle_records(directory: str | Path) -> BundleRecords:
    """The records of the bundle in ``directory`` (or its ``registry/``); ``SpecimenError``
    names what cannot be read."""
    root = Path(directory)
    if (root / "registry").is_dir():
        root = root / "registry"
    if not root.is_dir():
        raise SpecimenError(f"registry bundle {directory}: not a directory")
    index = _load_json(root / "bundle.json") if (root / "bundle.json").exists() else None
    if index is not None and not isinstance(index, Mapping):
        raise SpecimenError(f"registry bundle: {root / 'bundle.json'} must be an object")
    return BundleRecords(
        agencies=[_agency(a) for a in _with_ids(_records(root, "agencies", index), "agencies")],
        seals=[_seal(root, s) for s in _with_ids(_records(root, "seals", index), "seals")],
        officers=[
            _officer(root, o) for o in _with_ids(_records(root, "officers", index), "officers")
        ],
        template_files=_template_files(root, index),
        root=root,
    )


class BundleSpecimenSource(MemorySpecimenSource):
    """A simulator registry bundle directory (see the module docstring for the layout)."""

    def __init__(self, directory: str | Path) -> None:
        records = read_bundle_records(directory)
        self.root = records.root
        super().__init__(
            agencies=records.agencies,
            seals=records.seals,
            officers=records.officers,
            templates=[_parse(path, data) for path, data in records.template_files],
            used_numbers=_optional_list(records.root / "used_certificates.json"),
        )


def _load_json(path: Path) -> Any:
    return _parse(path, _read(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise SpecimenError(f"registry bundle: cannot read {path} ({err.strerror})") from None


def _parse(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SpecimenError(f"registry bundle: {path} is not JSON ({err})") from None


def _records(root: Path, name: str, index: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    path = root / f"{name}.json"
    if index is not None:
        data = index.get(name, [])
        path = root / "bundle.json"
    elif not path.exists():
        raise SpecimenError(f"registry bundle {root}: missing bundle.json or {name}.json")
    else:
        data = _load_json(path)
    if isinstance(data, Mapping):
        data = data.get(name, list(data.values()))
    if not isinstance(data, list) or not all(isinstance(x, Mapping) for x in data):
        raise SpecimenError(f"registry bundle: {path} must hold a list of objects")
    return data


def _with_ids(records: list[Mapping[str, Any]], name: str) -> list[Mapping[str, Any]]:
    """``records``, after ``SpecimenError`` for one without an id (named by its place)."""
    for i, record in enumerate(records):
        if record.get("id") in (None, ""):
            raise SpecimenError(f"registry bundle: {name}[{i}] has no id")
    return records


def _inside(root: Path, rel: str, what: str) -> Path:
    path = (root / rel).resolve()
    if root.resolve() not in path.parents:
        raise SpecimenError(f"registry bundle: {what} path {rel!r} is outside the bundle")
    return path


def _image(root: Path, rel: Any, what: str) -> bytes:
    if not isinstance(rel, str):
        raise SpecimenError(f"registry bundle: {what} has no image path")
    path = _inside(root, rel, what)
    try:
        return path.read_bytes()
    except OSError as err:
        raise SpecimenError(f"registry bundle: {what} image {rel}: {err.strerror}") from None


def _agency(a: Mapping[str, Any]) -> Agency:
    return Agency(
        id=str(a["id"]), country=str(a.get("country", "")).upper(), name=str(a.get("name", ""))
    )


def _seal(root: Path, s: Mapping[str, Any]) -> SealSpecimen:
    sid = str(s["id"])
    agency = str(s.get("agency") or s.get("agency_id"))
    image = _listed(_image(root, s.get("image"), f"seal {sid}"), s, f"seal {sid}")
    return SealSpecimen(sid, agency, image)


def _officer(root: Path, o: Mapping[str, Any]) -> OfficerSpecimen:
    oid = str(o["id"])
    sigs = o.get("signatures") or [o.get("signature")]
    images = tuple(_image(root, p, f"officer {oid}") for p in sigs)
    if len(images) == 1:  # a listed sha256 is the one signature's (as an export writes it)
        images = (_listed(images[0], o, f"officer {oid}"),)
    return OfficerSpecimen(
        id=oid,
        agency_id=str(o.get("agency") or o.get("agency_id")),
        name=str(o.get("name", "")),
        signatures=images,
        valid_from=_day(o.get("valid_from"), f"officer {oid!r}: valid_from"),
        valid_to=_day(o.get("valid_to"), f"officer {oid!r}: valid_to"),
    )


def _listed(data: bytes, record: Mapping[str, Any], what: str) -> bytes:
    """``data``, after ``SpecimenError`` if ``record`` lists a ``sha256`` it does not have."""
    listed = str(record.get("sha256") or "").lower().removeprefix("0x")
    actual = hashlib.sha256(data).hexdigest()
    if listed and listed != actual:
        raise SpecimenError(
            f"registry bundle: {what}: its file's SHA-256 is {actual}, not the {listed} the "
            "bundle lists for it (changed after it was listed)"
        )
    return data


def _day(value: Any, what: str) -> date | None:
    """``value`` (YYYY-MM-DD) as a date; ``what`` names the record and field it is of."""
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        raise SpecimenError(
            f"registry bundle: {what}: bad date {value!r} (not a date YYYY-MM-DD)"
        ) from None


def _template_files(root: Path, index: Mapping[str, Any] | None) -> list[tuple[Path, bytes]]:
    if index is not None and isinstance(index.get("templates"), list):
        paths = [_inside(root, str(p), "template") for p in index["templates"]]
    else:
        folder = root / "templates"
        if not folder.is_dir():
            raise SpecimenError(f"registry bundle {root}: missing templates/")
        paths = sorted(folder.glob("*.json"))
    listed = _template_records(root, index)
    return [
        (path, _listed(_read(path), listed.get(path, {}), f"template {path.name}"))
        for path in paths
    ]


def _template_records(root: Path, index: Mapping[str, Any] | None) -> dict[Path, Mapping[str, Any]]:
    """The bundle's ``template_records`` (an export's: each template's ``sha256``) by path."""
    records = index.get("template_records") if index is not None else None
    if not isinstance(records, list):
        return {}
    return {
        _inside(root, str(r["path"]), "template"): r
        for r in records
        if isinstance(r, Mapping) and isinstance(r.get("path"), str)
    }


def _optional_list(path: Path) -> list[str]:
    if not path.exists():
        return []
    data = _load_json(path)
    return [str(x) for x in data] if isinstance(data, list) else []
