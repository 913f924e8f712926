"""Smart document review: intake, OCR, template extraction, seal, signature, rules, verdict.

Public surface (asserted by ``tests/unit/verification/test_exported_members.py``)::

    Pipeline(source, ocr=None, rules=None, config=None).verify(data, declaration=...,
             arrival_date=..., evidence_dir=...) -> VerificationResult   (sync; run in an executor)
    verify_document(data, source, **kwargs)
    VerificationResult.to_json()   # the ``cusdep verify --json`` shape

Ports: ``OcrEngine``, ``SpecimenSource`` (implemented by the node from its registry, and by
``BundleSpecimenSource`` / ``MemorySpecimenSource`` here). Errors: ``VerificationError`` tree.
"""

from verification.bundle import BundleSpecimenSource, MemorySpecimenSource
from verification.errors import (
    CorruptDocument,
    DocumentError,
    EncryptedDocument,
    LimitExceeded,
    RuleSetError,
    SpecimenError,
    TemplateError,
    UnknownTemplate,
    UnsupportedDocument,
    VerificationError,
)
from verification.intake import IntakeLimits
from verification.ocr import RapidOcrEngine
from verification.pipeline import Pipeline, PipelineConfig, verify_document
from verification.ports import (
    Agency,
    OcrEngine,
    OcrLine,
    OcrWord,
    OfficerSpecimen,
    SealSpecimen,
    SpecimenSource,
)
from verification.results import (
    FieldValue,
    RuleResult,
    SealResult,
    Severity,
    SignatureResult,
    Verdict,
    VerificationResult,
)
from verification.rules import RuleSet, load_establishments, load_rules
from verification.seal import SealThresholds
from verification.signature import SignatureThresholds
from verification.templates import Template, parse_template

__all__ = [
    "Agency",
    "BundleSpecimenSource",
    "CorruptDocument",
    "DocumentError",
    "EncryptedDocument",
    "FieldValue",
    "IntakeLimits",
    "LimitExceeded",
    "MemorySpecimenSource",
    "OcrEngine",
    "OcrLine",
    "OcrWord",
    "OfficerSpecimen",
    "Pipeline",
    "PipelineConfig",
    "RapidOcrEngine",
    "RuleResult",
    "RuleSet",
    "RuleSetError",
    "SealResult",
    "SealSpecimen",
    "SealThresholds",
    "Severity",
    "SignatureResult",
    "SignatureThresholds",
    "SpecimenError",
    "SpecimenSource",
    "Template",
    "TemplateError",
    "UnknownTemplate",
    "UnsupportedDocument",
    "Verdict",
    "VerificationError",
    "VerificationResult",
    "load_establishments",
    "load_rules",
    "parse_template",
    "verify_document",
]
