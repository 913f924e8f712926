"""The review's one port, ``Verifier``, and its real implementation over ``verification``.

``Verifier.verify(data, declaration=..., evidence_dir=..., is_used=..., electronic_copy=...,
stampings=...)`` -> ``Verification`` (async):
the contract's ``cusdep verify --json`` result plus the layout the review screen draws (page
images, field/seal/signature boxes, evidence crop file names), all files under ``evidence_dir``.

``PipelineVerifier`` builds a fresh ``SpecimenSource`` from the node's registry for every run
(only specimens whose SHA-256 matches the chain, ``node.registry.specimens``; the chain's
records read again only when the chain shows a change, ``SpecimenSnapshots``) and runs the
CPU-bound pipeline in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from node.config import Settings
from node.errors import ConfigError, InputError, LimitExceeded, UnsupportedDocument
from node.ports import TrustRegistryChain
from node.registry.specimens import SpecimenSnapshots, trusted_registrars
from node.review.pages import write_pages
from node.storage.blobs import BlobStore
from node.storage.db import Database
from verification import (
    DocumentError,
    IntakeLimits,
    OcrEngine,
    OcrLine,
    Pipeline,
    PipelineConfig,
    RapidOcrEngine,
    UnknownTemplate,
    VerificationResult,
    load_rules,
)
from verification import LimitExceeded as DocLimit
from verification import UnsupportedDocument as DocUnsupported
from verification.errors import RuleSetError
from verification.rules import load_establishments
from verification.rules.loader import RuleSet
from verification.rules.pairing import arrival_date
from verification.stamping import StampingHistory

logger = logging.getLogger(__name__)


@dataclass
class Verification:
    result: dict[str, Any]
    layout: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return str(self.result.get("verdict", "review"))

    @property
    def certificate_number(self) -> str:
        fv = self.result.get("fields", {}).get("certificate_number") or {}
        return str(fv.get("value") or "")


class Verifier(Protocol):
    async def verify(
        self,
        data: bytes,
        *,
        declaration: Mapping[str, Any] | None,
        evidence_dir: Path,
        is_used: Callable[[str], bool],
        electronic_copy: Mapping[str, Any] | None = None,
        stampings: StampingHistory | None = None,
    ) -> Verification: ...


def document_error(err: DocumentError) -> InputError:
    """A pipeline input error as the node's error (mapped once, here)."""
    if isinstance(err, DocLimit):
        return LimitExceeded(err.message, code=err.code)
    if isinstance(err, DocUnsupported):
        return UnsupportedDocument(err.message, code=err.code)
    return InputError(err.message, code=err.code)


def unreadable(sha256: str, reason: str) -> Verification:
    """What the officer sees when the machine could not review at all."""
    return Verification(
        {
            "document_sha256": sha256,
            "template_id": None,
            "fields": {},
            "seal": {"found": False, "seal_id": None, "score": 0.0, "match": False},
            "signature": {"found": False, "officer_id": None, "score": 0.0, "match": False},
            "rules": [],
            "verdict": "review",
            "reasons": [reason],
            "elapsed_ms": 0,
        }
    )


class _CachingOcr:
    """Remembers the last pages' OCR lines, so a second run of the same scan (checked again
    once its declaration is found) costs no OCR."""

    def __init__(self, engine: OcrEngine, size: int = 8) -> None:
        self.engine = engine
        self.name = engine.name
        self._size = size
        self._cache: OrderedDict[str, list[OcrLine]] = OrderedDict()
        self._lock = threading.Lock()

    def recognise(self, image: np.ndarray) -> list[OcrLine]:
        key = hashlib.sha256(image.tobytes()).hexdigest() + str(image.shape)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        lines = self.engine.recognise(image)
        with self._lock:
            self._cache[key] = lines
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return lines


class PipelineVerifier:
    def __init__(
        self, settings: Settings, db: Database, blobs: BlobStore, chain: TrustRegistryChain
    ) -> None:
        self.settings = settings
        self.db = db
        self.blobs = blobs
        self.chain = chain
        self._specimens = SpecimenSnapshots(db, blobs, chain)
        v = settings.verification
        self._limits = v.intake_limits()
        self._ocr = _CachingOcr(RapidOcrEngine())
        self._rules = node_rules(settings)
        try:  # the node's own establishment lists, if it names them
            est = v.establishments_path
            self._config = PipelineConfig(
                limits=self._limits, establishments=load_establishments(est) if est else {}
            )
        except RuleSetError as err:
            raise ConfigError(f"verification: {err.message}", code=err.code) from None

    @property
    def registrars(self) -> set[str]:
        return trusted_registrars(
            self.db, self.settings.node.country, self.settings.chain.trusted_registrars
        )

    async def verify(
        self,
        data: bytes,
        *,
        declaration: Mapping[str, Any] | None,
        evidence_dir: Path,
        is_used: Callable[[str], bool],
        electronic_copy: Mapping[str, Any] | None = None,
        stampings: StampingHistory | None = None,
    ) -> Verification:
        source = await self._specimens.build(
            registrars=await asyncio.to_thread(lambda: self.registrars), is_used=is_used
        )
        pipeline = Pipeline(source, ocr=self._ocr, rules=self._rules, config=self._config)
        against = _Against(declaration, electronic_copy, stampings)
        return await asyncio.to_thread(self._run, pipeline, data, against, evidence_dir)

    def _run(
        self, pipeline: Pipeline, data: bytes, against: _Against, evidence_dir: Path
    ) -> Verification:
        try:
            result = pipeline.verify(
                data,
                declaration=against.declaration,
                arrival_date=arrival_date(against.declaration),
                evidence_dir=evidence_dir,
                electronic_copy=against.electronic_copy,
                stampings=against.stampings,
            )
        except UnknownTemplate as err:
            sha = hashlib.sha256(data).hexdigest()
            return _with_pages(unreadable(sha, err.message), data, self._limits, evidence_dir)
        except DocumentError as err:
            raise document_error(err) from None
        out = Verification(stored_result(result), layout(result))
        return _with_pages(out, data, self._limits, evidence_dir)


def node_rules(settings: Settings) -> RuleSet:
    """The node's rule set (``verification.rules_path``, else the packaged one)."""
    try:
        return load_rules(settings.verification.rules_path or None)
    except RuleSetError as err:
        raise ConfigError(f"verification: {err.message}", code=err.code) from None


@dataclass(frozen=True)
class _Against:
    """What a paper is checked against besides the registry."""

    declaration: Mapping[str, Any] | None
    electronic_copy: Mapping[str, Any] | None
    stampings: StampingHistory | None


def stored_result(result: VerificationResult) -> dict[str, Any]:
    """The result as the node keeps and serves it: evidence files by name (the review's
    evidence route serves them), not by their path on this machine (an officer's audit: the
    REST review and ``review show`` gave away the node's directories)."""
    return {**result.to_json(), "evidence": _evidence_names(result)}


def _evidence_names(result: VerificationResult) -> dict[str, str]:
    return {name: Path(path).name for name, path in result.evidence.items()}


def layout(result: VerificationResult) -> dict[str, Any]:
    """Boxes (page pixels) of the fields, the seal and the signature, for the review screen."""
    boxes: dict[str, Any] = {
        name: {"page": fv.page, "box": list(fv.box)}
        for name, fv in result.fields.items()
        if fv.box is not None
    }
    out: dict[str, Any] = {"fields": boxes}
    for name, part in (("seal", result.seal), ("signature", result.signature)):
        out[name] = {"page": part.page, "box": list(part.box)} if part.box else None
    out["evidence"] = _evidence_names(result)
    return out


def _with_pages(
    out: Verification, data: bytes, limits: IntakeLimits, evidence_dir: Path
) -> Verification:
    out.layout["pages"] = write_pages(data, limits, evidence_dir)
    return out
