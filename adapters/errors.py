"""The adapters' own error tree; the node maps it once at its edges (``InputError`` → exit 2).

    AdapterError                 adapters.error
    ├── UnknownFormat            adapters.unknown_format     no adapter with that id / none sniffs
    ├── MalformedInput           adapters.malformed          not well-formed XML/JSON (line named)
    ├── UnsafeInput              adapters.unsafe             DTD/entities, too large, too deep
    ├── UnsupportedVersion       adapters.unsupported_version namespace or version we do not speak
    ├── InvalidDocument          adapters.invalid            well-formed, but not the format
    │   └── InvalidAttachment    adapters.invalid_attachment attachment not base64 / not its type
    ├── TamperedDocument         adapters.tampered           hashes/proof do not recompute
    └── RenderError              adapters.render             canonical → partner format impossible

Every error carries ``reasons``: :class:`Reason` (message, XML/JSON path, line). ``str(err)`` is
one line: the message followed by the reasons joined with ``"; "``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """Why a document was refused, and where: an XPath-like or JSON path and a 1-based line."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path:
            where.append(self.path)
        return f"{self.message} ({', '.join(where)})" if where else self.message


class AdapterError(Exception):
    code = "adapters.error"

    def __init__(
        self,
        message: str,
        reasons: list[Reason] | tuple[Reason, ...] = (),
        *,
        format_id: str | None = None,
    ) -> None:
        self.message = message
        self.reasons = list(reasons)
        self.format_id = format_id
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        head = f"{self.format_id}: {self.message}" if self.format_id else self.message
        if not self.reasons:
            return head
        shown = "; ".join(str(r) for r in self.reasons[:10])
        more = f"; ... {len(self.reasons) - 10} more" if len(self.reasons) > 10 else ""
        return " ".join(f"{head}: {shown}{more}".split())


class UnknownFormat(AdapterError):
    code = "adapters.unknown_format"


class MalformedInput(AdapterError):
    code = "adapters.malformed"


MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # a larger partner document (XML or JSON) is UnsafeInput


class UnsafeInput(AdapterError):
    code = "adapters.unsafe"


class UnsupportedVersion(AdapterError):
    code = "adapters.unsupported_version"


class InvalidDocument(AdapterError):
    code = "adapters.invalid"


class InvalidAttachment(InvalidDocument):
    """An attachment whose content is not base64, or not the type (size, SHA-256) it declares."""

    code = "adapters.invalid_attachment"


class TamperedDocument(AdapterError):
    code = "adapters.tampered"


class RenderError(AdapterError):
    code = "adapters.render"
