"""The one small interface every partner format implements, and the issues a parse reports.

``parse`` never raises anything but :class:`adapters.errors.AdapterError` subclasses: a document
it cannot read at all is an error; a document it can read with gaps or oddities gives a canonical
document plus a list of :class:`Issue` (warnings the caller may show, store or ignore).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from adapters.canonical import Certificate, Declaration

Severity = Literal["info", "warning", "error"]
DocKind = Literal["certificate", "declaration"]


@dataclass(frozen=True)
class Issue:
    """Something a parser noticed but could live with (or, for ``validate``, a violation)."""

    message: str
    severity: Severity = "warning"
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ", ".join(p for p in (f"line {self.line}" if self.line else None, self.path) if p)
        return f"{self.severity}: {self.message}" + (f" ({where})" if where else "")


@runtime_checkable
class FormatAdapter(Protocol):
    """A partner format: recognise it, read it into the canonical model, write it back."""

    format_id: str
    version: str
    kind: str  # "certificate" | "declaration": what parse returns
    media_type: str

    def sniff(self, data: bytes) -> bool:
        """Cheap check: do these bytes look like this format? Never raises."""
        ...

    def parse(self, data: bytes) -> tuple[Certificate | Declaration, list[Issue]]:
        """Bytes → canonical document + issues; raises only ``AdapterError`` subclasses."""
        ...

    def render(self, doc: Certificate | Declaration) -> bytes:
        """Canonical document → bytes of this format; ``RenderError`` when it cannot."""
        ...

    def validate(self, data: bytes) -> list[Issue]:
        """Structural/schema check of the bytes; an empty list means valid."""
        ...
