"""The two ports of the review pipeline, each a narrow ``typing.Protocol``.

``OcrEngine``
    ``recognise(image) -> list[OcrLine]``: one call per page, an RGB ``numpy`` array (H, W, 3),
    returns text lines with axis-aligned boxes (page pixels), the detector's quadrilateral, a
    confidence in [0, 1] and words with their own boxes. Real: ``verification.ocr.RapidOcrEngine``.

``SpecimenSource``
    What the review needs from a trust registry. The node implements it from its registry and
    must hand over only specimens whose SHA-256 matches the chain; a specimen that fails that
    check is simply absent. Five methods, all synchronous (the pipeline runs in an executor):

    - ``templates() -> Sequence[Mapping]``: registered template JSON objects (contract format).
    - ``agency(agency_id) -> Agency | None``.
    - ``seals(agency_id=None) -> Sequence[SealSpecimen]``: one agency's seals, or all seals.
    - ``officers(agency_id) -> Sequence[OfficerSpecimen]``: the agency's registered officers.
    - ``is_certificate_number_used(number) -> bool``: a certificate number already presented.

    Real: ``verification.bundle.BundleSpecimenSource`` (a simulator registry directory) and the
    node's registry; fake: ``verification.bundle.MemorySpecimenSource``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

import numpy as np

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in page pixels, x0 <= x1 and y0 <= y1."""


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: Box
    confidence: float


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: Box
    confidence: float
    words: tuple[OcrWord, ...] = ()
    quad: tuple[tuple[float, float], ...] = ()


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def recognise(self, image: np.ndarray) -> list[OcrLine]:
        """Text lines of one RGB page image (H, W, 3, uint8)."""
        ...


@dataclass(frozen=True)
class Agency:
    id: str
    country: str
    name: str = ""


@dataclass(frozen=True)
class SealSpecimen:
    id: str
    agency_id: str
    image: bytes = field(repr=False)


@dataclass(frozen=True)
class RevokedSeal:
    """A seal its registrar revoked (a stolen or lost die): a paper stamped with it is
    rejected naming it, not as a seal "unlike the specimens"."""

    specimen: SealSpecimen
    revoked_on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class OfficerSpecimen:
    id: str
    agency_id: str
    name: str
    signatures: tuple[bytes, ...] = field(default=(), repr=False)
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_to is not None and day > self.valid_to)


@runtime_checkable
class SpecimenSource(Protocol):
    def templates(self) -> Sequence[Mapping[str, Any]]: ...

    def agency(self, agency_id: str) -> Agency | None: ...

    def seals(self, agency_id: str | None = None) -> Sequence[SealSpecimen]: ...

    def revoked_seals(self, agency_id: str) -> Sequence[RevokedSeal]:
        """The agency's seals revoked on chain whose specimen this source still holds."""
        ...

    def unusable_seals(self, agency_id: str) -> Sequence[str]:
        """Ids of the agency's registered seals whose specimen this source holds but cannot
        use (its stored file altered or lost): a seal that matches no usable one may be one of
        these, which is the node's fault, not the paper's."""
        ...

    def officers(self, agency_id: str) -> Sequence[OfficerSpecimen]: ...

    def is_certificate_number_used(self, number: str) -> bool: ...
