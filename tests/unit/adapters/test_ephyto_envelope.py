"""ePhyto Hub envelopes: unwrap the certificate, check the header against it."""

from __future__ import annotations

import pytest

from adapters.errors import InvalidDocument
from adapters.registry import detect
from adapters.uncefact_sps import EnvelopeHeader, SpsCertificateAdapter, wrap_envelope
from tests.interop_data import INTEROP

SAMPLE = INTEROP / "ippc-ephyto-mattilsynet" / "SPSCertificateContent.xml"


def test_envelope_round_trip_consistent_header() -> None:
    raw = SAMPLE.read_bytes()
    envelope = wrap_envelope(raw, EnvelopeHeader("AR", "EC", "851", "70", "123ABC"))
    assert detect(envelope).format_id == "uncefact-sps-xml"
    doc, issues = SpsCertificateAdapter().parse(envelope)
    direct, _ = SpsCertificateAdapter().parse(raw)
    assert doc.flat() == direct.flat()
    assert [i for i in issues if i.severity == "error"] == []
    assert doc.source is not None and "hub envelope" in (doc.source.format_version or "")
    assert doc.source.sha256 != direct.source.sha256  # type: ignore[union-attr]


def test_envelope_header_that_disagrees_is_reported() -> None:
    envelope = wrap_envelope(SAMPLE.read_bytes(), EnvelopeHeader("AR", "NO", "851", "70", "999XYZ"))
    _, issues = SpsCertificateAdapter().parse(envelope)
    errors = {i.path: i.message for i in issues if i.severity == "error"}
    assert set(errors) == {"/Envelope/To", "/Envelope/NPPOCertificateNumber"}
    assert "'999XYZ'" in errors["/Envelope/NPPOCertificateNumber"]


def test_empty_or_nested_envelopes_are_refused() -> None:
    empty = wrap_envelope(b"", EnvelopeHeader("AR", "EC", "851", "70", "1"))
    with pytest.raises(InvalidDocument, match="without Content"):
        SpsCertificateAdapter().parse(empty)
    inner = wrap_envelope(SAMPLE.read_bytes(), EnvelopeHeader("AR", "EC", "851", "70", "1"))
    nested = wrap_envelope(inner, EnvelopeHeader("AR", "EC", "851", "70", "1"))
    with pytest.raises(InvalidDocument, match="nested"):
        SpsCertificateAdapter().parse(nested)
