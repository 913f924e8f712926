"""Documents: submit electronic certificates and declarations, submit paper scans, read."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from node.anchoring.service import check_sha256
from node.api.deps import (
    Admin,
    NodeDep,
    Officer,
    Reader,
    Submitter,
    check_country,
    retention_service,
    review_service,
)
from node.api.routes._body import GuardedRoute, check_declared_scan, raw_body, raw_body_spec
from node.api.schemas import (
    Document,
    DocumentState,
    Hold,
    HoldIn,
    Replacement,
    Revocation,
    RevokeIn,
)
from node.errors import ConfigError
from node.retention.service import check_kept, retention_of
from node.review.intake import get_document, list_documents

router = APIRouter(prefix="/api/v1/documents", tags=["documents"], route_class=GuardedRoute)
_ELECTRONIC = raw_body_spec("application/json", "application/xml", "text/xml")
_SCAN = raw_body_spec("application/pdf", "image/png", "image/jpeg", "image/tiff")
Format = Annotated[str | None, Query(max_length=64, description="adapter id; default: detect")]


@router.post("/certificates", status_code=201, openapi_extra=_ELECTRONIC)
async def submit_certificate(
    request: Request, response: Response, node: NodeDep, who: Submitter, format: Format = None
) -> Document:
    """An electronic certificate (canonical JSON or a partner format such as UN/CEFACT SPS)."""
    data = await raw_body(request, node.settings.verification.max_bytes)
    intake = review_service(node).intake
    doc = await asyncio.to_thread(
        intake.submit_electronic,
        data,
        kind="certificate",
        actor=who.subject,
        format_id=format,
        check=lambda country: check_country(who, country, "certificates"),
    )
    return _stored(doc, response)


@router.post("/declarations", status_code=201, openapi_extra=_ELECTRONIC)
async def submit_declaration(
    request: Request, response: Response, node: NodeDep, who: Officer, format: Format = None
) -> Document:
    """An importer's customs declaration (contract declaration JSON or canonical JSON)."""
    data = await raw_body(request, node.settings.verification.max_bytes)
    review = review_service(node)
    doc = await asyncio.to_thread(
        review.intake.submit_electronic,
        data,
        kind="declaration",
        actor=who.subject,
        format_id=format,
    )
    review.wakeup.set()  # its checks against the certificates accepted before it, now
    return _stored(doc, response)


@router.post("/scans", status_code=202, openapi_extra=_SCAN)
async def submit_scan(
    request: Request,
    node: NodeDep,
    who: Officer,
    declaration: Annotated[str | None, Query(pattern=r"^[0-9a-fA-F]{64}$")] = None,
) -> Document:
    """A paper-origin certificate scan, stored and queued for review. ``Content-Type`` is
    ``application/pdf``, ``image/png``, ``image/jpeg`` or ``image/tiff``; without one or with
    another the answer is 415 before the body is read. A declared type the document's first
    bytes contradict (a JPEG sent as ``image/png``) is 415 too, naming the type to send: the
    declared type is the client's claim about the bytes, and a wrong claim is a media-type
    fault, not a malformed request."""
    data = await raw_body(request, node.settings.verification.max_bytes)
    check_declared_scan(request, data)
    service = review_service(node)
    doc = await asyncio.to_thread(
        service.submit_scan, data, actor=who.subject, declaration_sha256=(declaration or "").lower()
    )
    doc.pop("created", None)  # queued for review either way: 202
    return Document(**doc)


def _stored(doc: dict[str, Any], response: Response) -> Document:
    """201 for a document stored now, 200 for one this node already had (the same bytes)."""
    if not doc.pop("created", True):
        response.status_code = 200
    return Document(**doc)


@router.get("")
async def list_all(
    node: NodeDep,
    who: Reader,
    kind: Literal["certificate", "declaration", "scan", "other"] | None = None,
    state: DocumentState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> list[Document]:
    rows = await asyncio.to_thread(
        list_documents, node.db, kind=kind, state=state, limit=limit, offset=offset
    )
    return [Document(**r) for r in rows]


@router.get("/{sha256}")
async def get_one(node: NodeDep, who: Reader, sha256: str) -> Document:
    """One document's record, with its disposal (``disposed``) and legal hold (``held``)."""
    doc = await asyncio.to_thread(get_document, node.db, check_sha256(sha256))
    return Document(**doc, **await asyncio.to_thread(retention_of, node.db, doc["sha256"]))


@router.post("/{sha256}/revoke")
async def revoke(node: NodeDep, who: Officer, sha256: str, body: RevokeIn) -> Revocation:
    """Revoke a document: on chain if this node anchored it, and told to every partner it
    was sent to (``told``); recorded once as a ``revoked`` event. 404 for a document this
    node does not have, 409 for one neither anchored here nor sent (or revoked already)."""
    await asyncio.to_thread(get_document, node.db, check_sha256(sha256))
    out = await review_service(node).revoke_document(sha256, body.reason, who.subject)
    return Revocation(**out)


@router.post("/{sha256}/replace", status_code=202, openapi_extra=_ELECTRONIC)
async def replace(request: Request, node: NodeDep, who: Officer, sha256: str) -> Replacement:
    """Replace a certificate this node issued and sent by the certificate in the body (a new
    number, naming the replaced one): queued for every partner the replaced one was sent to
    (``told``), recorded as a ``replaced`` event. 404 for a document this node does not have,
    403 for one a partner sent it, 409 for one sent to no partner, 400 for a body that is no
    certificate, names another or keeps the number (``cusdep.input.replacement_number``)."""
    from node.exchange.replacing import send_replacement

    if node.exchange is None:
        raise ConfigError("the exchange is not wired on this node")
    data = await raw_body(request, node.settings.verification.max_bytes)
    out = await asyncio.to_thread(send_replacement, node.exchange, sha256, data, who.subject)
    return Replacement(**out)


@router.post("/{sha256}/hold")
async def hold(node: NodeDep, who: Admin, sha256: str, body: HoldIn) -> Hold:
    """Put a legal hold on a document: the retention policy never disposes of it while held
    (a ``held`` event in its trace). 409 if held already, 410 if its bytes are gone."""
    out = await asyncio.to_thread(retention_service(node).hold, sha256, who.subject, body.reason)
    return Hold(**out)


@router.post("/{sha256}/release")
async def release(node: NodeDep, who: Admin, sha256: str, body: HoldIn) -> Hold:
    """Lift a document's legal hold (a ``released`` event in its trace); 409 if not held."""
    out = await asyncio.to_thread(retention_service(node).release, sha256, who.subject, body.reason)
    return Hold(**out)


# media types a document is served as; anything else (a partner may declare "text/html")
# is served as bytes, never rendered in the node's own origin
_SERVED = frozenset(
    {"application/pdf", "image/jpeg", "image/png", "image/tiff", "application/json",
     "application/xml", "text/xml", "text/plain", "application/octet-stream"}
)  # fmt: skip


@router.get("/{sha256}/content", response_class=Response)
async def content(node: NodeDep, who: Reader, sha256: str) -> Response:
    """The document's original bytes, as an attachment (never rendered by the browser); 410
    once the retention policy disposed of them (its record and trace remain)."""
    doc = await asyncio.to_thread(get_document, node.db, check_sha256(sha256))
    await asyncio.to_thread(check_kept, node.db, doc["sha256"])
    data = await asyncio.to_thread(node.blobs.get, doc["sha256"])
    media = doc["media_type"] if doc["media_type"] in _SERVED else "application/octet-stream"
    headers = {
        "Content-Disposition": f'attachment; filename="{doc["sha256"]}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    return Response(data, media_type=media, headers=headers)
