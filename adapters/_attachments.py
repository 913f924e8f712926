"""Attachment contents at the edges: base64 that decodes, to the type it declares.

Shared by the readers that take attachment contents (canonical JSON, UN/CEFACT SPS,
OpenAttestation) and the renderers that write them (SPS, canonical JSON): undecodable base64,
or a PDF that is a PNG, is refused with :class:`~adapters.errors.InvalidAttachment` naming the
attachment, never written out as it came (a partner format's reader warns and leaves
undecodable content out: :func:`read_content`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import Any

from adapters.canonical import Attachment
from adapters.errors import InvalidAttachment, Reason

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),
)
_SPELLINGS = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "application/x-pdf": "application/pdf",
}


def decode(text: str) -> bytes:
    """Base64 (line breaks and spaces allowed) → bytes; ``ValueError`` if it is not base64."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None


def sniffed_type(content: bytes) -> str | None:
    """The media type the content's first bytes say (PDF, PNG, JPEG, GIF, TIFF, ZIP)."""
    return next((mime for magic, mime in MAGIC if content.startswith(magic)), None)


def type_problem(declared: str | None, content: bytes) -> str | None:
    """Why ``content`` is not of the ``declared`` type, for the types whose first bytes are
    known (others, e.g. ``application/octet-stream``, are taken as declared)."""
    if not declared:
        return None
    media = declared.split(";")[0].strip().lower()
    media = _SPELLINGS.get(media, media)
    if media not in {mime for _, mime in MAGIC}:
        return None
    found = sniffed_type(content)
    if found == media:
        return None
    return f"declared {declared} but contains {found or 'something else'}"


def read_content(raw: str, declared: str | None) -> tuple[dict[str, Any], str | None]:
    """A partner's attachment content as the canonical attachment's fields (type, size,
    SHA-256, base64), and what is wrong with it, for the reader to warn of: content that is
    not base64 is left out (never carried on, or written out, as it came); content of
    another type than declared is kept, and every renderer refuses it (:func:`refuse_invalid`).
    Shared by the readers of partner formats (UN/CEFACT SPS, OpenAttestation)."""
    text = "".join(raw.split())
    try:
        content = decode(text)
    except ValueError:
        return {"mime_type": declared}, "attachment is not valid base64; its content is left out"
    problem = type_problem(declared, content)
    fields = {
        "mime_type": declared or sniffed_type(content),
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content_base64": text or None,
    }
    return fields, (f"attachment {problem}" if problem else None)


def refuse_invalid(
    attachments: Sequence[Attachment], *, format_id: str, path: str = "$.attachments"
) -> None:
    """``InvalidAttachment`` naming each attachment whose content is not base64, not of its
    declared type, or not the size or SHA-256 it declares."""
    reasons = [
        Reason(f"attachment {i} ({att.filename or 'no filename'}): {why}", f"{path}[{i}]")
        for i, att in enumerate(attachments)
        if (why := _problem(att)) is not None
    ]
    if reasons:
        raise InvalidAttachment("attachment content refused", reasons, format_id=format_id)


def _problem(att: Attachment) -> str | None:
    if att.content_base64 is None:
        return None
    try:
        content = decode(att.content_base64)
    except ValueError:
        return "content is not valid base64"
    if att.size is not None and att.size != len(content):
        return f"declared {att.size} bytes but holds {len(content)}"
    if att.sha256 is not None and att.sha256.lower() != hashlib.sha256(content).hexdigest():
        return "declared SHA-256 does not match its content"
    return type_problem(att.mime_type, content)
