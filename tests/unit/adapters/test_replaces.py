"""A replacement certificate names the one it replaces (ISPM 12): ``Certificate.replaces``, as
the formats carry it — IPAFFS's ``replaces`` (the CHED it replaced), an SPS referenced document
of relationship REPLACES (written by the renderer, read back), canonical JSON's ``replaces``."""

from __future__ import annotations

import json

from adapters.canonical import Certificate, Reference
from adapters.defra import IpaffsChedAdapter
from adapters.registry import get_adapter, parse_document
from tests.interop_data import INTEROP

CHED = next((INTEROP / "defra-ipaffs-btms" / "samples").rglob("CHEDPP_GB_2024_5300951-*.json"))


def test_an_ipaffs_notification_names_the_one_it_replaced() -> None:
    ched = json.loads(CHED.read_bytes())
    assert IpaffsChedAdapter().parse(CHED.read_bytes())[0].replaces is None
    ched["replaces"] = "CHEDPP.GB.2024.5300950"  # the schema's field (ipaffs-notification)
    doc, _ = IpaffsChedAdapter().parse(json.dumps(ched).encode())
    assert (doc.certificate_number, doc.replaces) == (
        "CHEDPP.GB.2024.5300951",
        "CHEDPP.GB.2024.5300950",
    )


def test_an_sps_certificate_carries_the_replaced_one_as_a_referenced_document() -> None:
    cert = Certificate(
        certificate_number="AU-2026-000124",
        replaces="AU-2026-000123",
        type_code="851",
        issuing_country="AU",
    )
    xml = get_adapter("uncefact-sps-xml").render(cert)
    assert b"<ram:RelationshipTypeCode>REPLACES</ram:RelationshipTypeCode>" in xml
    doc, _issues, adapter = parse_document(xml, None)
    assert adapter.format_id == "uncefact-sps-xml"
    assert doc.replaces == "AU-2026-000123"
    assert [(r.id, r.document_code) for r in doc.references] == [("AU-2026-000123", "851")]
    # rendered again, the reference is not written twice
    assert get_adapter("uncefact-sps-xml").render(doc).count(b"REPLACES") == 1


def test_replaces_is_derived_from_a_reference_and_kept_in_canonical_json() -> None:
    ref = Reference(id="AU-1", relationship="Replaces")
    assert Certificate(certificate_number="AU-2", references=[ref]).replaces == "AU-1"
    other = Reference(id="PC-9", relationship="ZZZ")
    assert Certificate(certificate_number="AU-2", references=[other]).replaces is None
    data = json.dumps({"doc_type": "certificate", "certificate_number": "AU-2", "replaces": "AU-1"})
    doc, _issues, adapter = parse_document(data.encode(), None)
    assert (adapter.format_id, doc.replaces) == ("cusdep-json", "AU-1")
    assert json.loads(get_adapter("cusdep-json").render(doc))["replaces"] == "AU-1"
