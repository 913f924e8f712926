from __future__ import annotations

import hashlib

import pytest

from node.errors import InputError
from node.exchange._pb import documents_pb2 as docs
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import MalformedMessage
from node.exchange.payloads import build_document, parse_payload, sniff_media_type


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (b"%PDF-1.7", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n..", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"II*\x00", "image/tiff"),
        (b'  {"a": 1}', "application/json"),
        (b"<?xml version='1.0'?><a/>", "application/xml"),
        (b"\x00\x01", "application/octet-stream"),
    ],
)
def test_media_type_sniffing(data: bytes, media_type: str) -> None:
    assert sniff_media_type(data) == media_type


def test_canonical_json_fields_travel_alongside_the_original_bytes() -> None:
    data = b'{"certificate_number": "AU-1", "net_weight_kg": "1250.5", "packages": 48, "x": 1}'
    doc = build_document(data, "certificate", filename="c.json")
    assert doc.original == data and doc.document_sha256 == hashlib.sha256(data).hexdigest()
    assert doc.format_id == "cusdep-json" and doc.WhichOneof("canonical") == "certificate"
    assert doc.certificate.certificate_number == "AU-1"
    assert doc.certificate.net_weight_kg == 1250.5 and doc.certificate.packages == 48
    decl = build_document(b'{"certificate_numbers": ["A", "B"], "quantity": "oops"}', "declaration")
    assert list(decl.declaration.certificate_numbers) == ["A", "B"]
    assert not decl.declaration.HasField("quantity")  # unusable value: only in the original


def test_scans_and_partner_formats_are_carried_as_is() -> None:
    scan = build_document(b"%PDF-1.4 scanned", "certificate")
    assert scan.media_type == "application/pdf" and scan.WhichOneof("canonical") is None
    xml = build_document(b"<rsm:SPSCertificate xmlns:rsm='x'/>", "certificate")
    assert xml.format_id == "uncefact-sps"
    with pytest.raises(InputError):
        build_document(b"", "certificate")
    with pytest.raises(InputError):
        build_document(b"x", "invoice")


def test_parse_payload_checks_shape_per_kind() -> None:
    doc = build_document(b'{"certificate_number": "AU-1"}', "certificate")
    parsed = parse_payload(pb.MESSAGE_KIND_CERTIFICATE, doc.SerializeToString())
    assert parsed.kind == "certificate" and parsed.document_sha256 == doc.document_sha256
    bad = [
        (pb.MESSAGE_KIND_CERTIFICATE, b"\xff\xff"),
        (pb.MESSAGE_KIND_CERTIFICATE, docs.Document(document_sha256="0" * 64).SerializeToString()),
        (pb.MESSAGE_KIND_DECLARATION, doc.SerializeToString()),  # canonical certificate inside
        (pb.MESSAGE_KIND_REGISTRY_UPDATE, docs.RegistryUpdate().SerializeToString()),
        (pb.MESSAGE_KIND_REVOCATION, docs.Revocation(reason="x").SerializeToString()),
        (99, b""),
    ]
    for kind, payload in bad:
        with pytest.raises(MalformedMessage):
            parse_payload(kind, payload)
    update = docs.RegistryUpdate(registrar_country="AU", agency=docs.Agency(id="AU-DAFF"))
    assert parse_payload(pb.MESSAGE_KIND_REGISTRY_UPDATE, update.SerializeToString()).kind == (
        "registry_update"
    )
    rev = docs.Revocation(target=docs.Revocation.TARGET_DOCUMENT, subject_id="ab" * 32)
    assert parse_payload(pb.MESSAGE_KIND_REVOCATION, rev.SerializeToString()).document_sha256 == (
        "ab" * 32
    )


def test_review_outcome_payload_names_a_document_and_a_verdict() -> None:
    kind = pb.MESSAGE_KIND_REVIEW_OUTCOME
    ok = docs.ReviewOutcome(document_sha256="ab" * 32, verdict="accept", decided_by="officer")
    parsed = parse_payload(kind, ok.SerializeToString())
    assert parsed.kind == "review_outcome" and parsed.document_sha256 == "ab" * 32
    for bad in (
        docs.ReviewOutcome(document_sha256="xyz", verdict="accept", decided_by="machine"),
        docs.ReviewOutcome(document_sha256="ab" * 32, verdict="maybe", decided_by="machine"),
        docs.ReviewOutcome(document_sha256="ab" * 32, verdict="reject", decided_by="robot"),
    ):
        with pytest.raises(MalformedMessage):
            parse_payload(kind, bad.SerializeToString())
