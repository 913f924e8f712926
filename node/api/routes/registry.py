"""Registry: agencies, seal and signature specimens, templates — register, revoke, list."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response

from node.api.deps import NodeDep, RegistryReader, RegistryWriter, check_country
from node.api.routes._body import GuardedRoute, json_limit
from node.api.schemas import AgencyIn, OfficerIn, RegistryRecord, RevokeIn, SealIn, ValidityIn
from node.errors import ConfigError, InputError, NotFound
from node.registry.service import RegistryService
from node.registry.validate import MAX_SPECIMEN_BYTES
from node.runtime import Node

router = APIRouter(prefix="/api/v1/registry", tags=["registry"], route_class=GuardedRoute)
Kind = Literal["agency", "seal", "officer", "template"]
# a specimen image of the largest size the registry takes, in base64, with the other fields
SPECIMEN_JSON_BYTES = 4 * -(-MAX_SPECIMEN_BYTES // 3) + 64 * 1024


def _registry(node: Node) -> RegistryService:
    if node.registry is None:
        raise ConfigError("the registry is not wired on this node")
    return node.registry


def _record(node: Node, kind: str, record_id: str) -> dict[str, Any]:
    for r in _registry(node).list(kind, record_id):
        if r["registrar"] == node.settings.node.country:
            return r
    raise NotFound(f"no {kind} {record_id!r} registered by {node.settings.node.country}")


def _agency_country(node: Node, agency_id: str) -> str:
    return str(_record(node, "agency", agency_id).get("country", ""))


@router.get("")
async def list_records(
    node: NodeDep,
    who: RegistryReader,
    kind: Kind | None = None,
    id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,  # noqa: A002
    agency: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> list[RegistryRecord]:
    """Registry records: all, of one ``kind``, with one ``id`` (each registrar's record of
    it), or of one ``agency`` (its seals, officers, templates)."""
    rows = await asyncio.to_thread(_registry(node).list, kind, id, agency)
    return [RegistryRecord(**r) for r in rows]


@router.post("/agencies", status_code=201)
async def add_agency(node: NodeDep, who: RegistryWriter, body: AgencyIn) -> RegistryRecord:
    check_country(who, body.country, "agencies")
    return RegistryRecord(**await _registry(node).add_agency(body.id, body.country, body.name))


@router.post("/seals", status_code=201)
@json_limit(SPECIMEN_JSON_BYTES)
async def add_seal(node: NodeDep, who: RegistryWriter, body: SealIn) -> RegistryRecord:
    check_country(who, _agency_country(node, body.agency), "seals")
    return RegistryRecord(**await _registry(node).add_seal(body.agency, body.id, body.image()))


@router.post("/officers", status_code=201)
@json_limit(SPECIMEN_JSON_BYTES)
async def add_officer(node: NodeDep, who: RegistryWriter, body: OfficerIn) -> RegistryRecord:
    check_country(who, _agency_country(node, body.agency), "officers")
    out = await _registry(node).add_officer(
        body.agency, body.id, body.name, body.signature(), body.valid_from, body.valid_to
    )
    return RegistryRecord(**out)


@router.post("/templates", status_code=201)
async def add_template(
    node: NodeDep, who: RegistryWriter, body: Annotated[dict[str, Any], Body()]
) -> RegistryRecord:
    """A template JSON object (contract format)."""
    country = body.get("issuing_country")
    if not isinstance(country, str) or not country.strip():
        raise InputError("template: missing key 'issuing_country'")
    check_country(who, country, "templates")
    data = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
    return RegistryRecord(**await _registry(node).add_template(data))


@router.post("/{kind}/{record_id}/revoke")
async def revoke(
    node: NodeDep, who: RegistryWriter, kind: Kind, record_id: str, body: RevokeIn
) -> RegistryRecord:
    record = _record(node, kind, record_id)
    country = record.get("country") or _agency_country(node, record.get("agency_id", ""))
    check_country(who, country, f"{kind} records")
    return RegistryRecord(**await _registry(node).revoke(kind, record_id, body.reason))


@router.post("/officer/{record_id}/validity")
async def set_validity(
    node: NodeDep, who: RegistryWriter, record_id: str, body: ValidityIn
) -> RegistryRecord:
    """Extend, cut short or correct one of our officers' validity (on chain, then shared)."""
    record = _record(node, "officer", record_id)
    check_country(who, _agency_country(node, record.get("agency_id", "")), "officer records")
    service = _registry(node)
    return RegistryRecord(
        **await service.set_officer_validity(record_id, body.valid_from, body.valid_to)
    )


@router.get("/{kind}/{record_id}/specimen", response_class=Response)
async def specimen(
    node: NodeDep,
    who: RegistryReader,
    kind: Literal["seal", "officer"],
    record_id: str,
    registrar: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
) -> Response:
    """The registered specimen image (seal, or an officer's signature)."""
    country = (registrar or node.settings.node.country).upper()
    for r in _registry(node).list(kind, record_id):
        if r["registrar"] == country and r.get("sha256"):
            data = node.blobs.get(r["sha256"])
            return Response(data, media_type=_image_type(data))
    raise NotFound(f"no {kind} specimen {record_id!r} registered by {country}")


def _image_type(data: bytes) -> str:
    """The media type of a stored specimen: one of the three the registry takes
    (``validate.specimen_image``)."""
    head = data[:4]
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    raise InputError("specimen is not a PNG, JPEG or TIFF image")
