"""Every file in ``../shared/interop`` is exercised somewhere; this file covers the remainder
(WSDL, images, licences, SOURCES.md) and checks no sample is left unclassified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree

from adapters.errors import UnknownFormat
from adapters.registry import detect
from adapters.wco_dm._schema import SCHEMA_DIR

INTEROP = Path(__file__).resolve().parents[3] / ".." / "shared" / "interop"
ALL = sorted(p for p in INTEROP.rglob("*") if p.is_file())

# Where each kind of file is exercised (test module in this folder, or here).
COVERED_BY = {
    "ippc-ephyto-mattilsynet/SPSCertificateContent.xml": "test_uncefact_sps",
    "hmrc-cds-wco-dm/samples/": "test_wco_dm",
    "hmrc-cds-wco-dm/schemas/": "here (shipped copy) + test_wco_dm (validation)",
    "defra-ipaffs-btms/samples/": "test_defra",
    "defra-ipaffs-btms/schemas/": "test_defra::test_schemas_load",
    "open-attestation/": "test_openattestation",
    "tradetrust/fixtures/": "test_openattestation",
    "tradetrust/form-schemas/": "test_openattestation (not wrapped documents)",
    "tradetrust/images/coo.png": "integration/test_tradetrust_coo_ocr + here",
    "tradetrust/images/": "here (images are scans for the review, not partner formats)",
    "ippc-ephyto-mattilsynet/ephyto-hub-DeliveryService.wsdl": "here",
    "LICENSE": "here",
    "SOURCES.md": "here",
}


def _covered(path: Path) -> bool:
    rel = path.relative_to(INTEROP).as_posix()
    return any(rel.startswith(key) or key in rel for key in COVERED_BY)


def test_every_interop_file_is_classified() -> None:
    assert len(ALL) >= 180
    assert [p for p in ALL if not _covered(p)] == []


def test_sources_lists_every_data_file() -> None:
    sources = (INTEROP / "SOURCES.md").read_text("utf-8")
    missing = [
        p.relative_to(INTEROP).as_posix()
        for p in ALL
        if p.name != "SOURCES.md" and p.relative_to(INTEROP).as_posix() not in sources
    ]
    assert missing == []


def test_every_source_folder_carries_its_licence() -> None:
    for folder in (
        "ippc-ephyto-mattilsynet",
        "hmrc-cds-wco-dm",
        "defra-ipaffs-btms",
        "open-attestation",
        "tradetrust",
    ):
        licences = list((INTEROP / folder).glob("LICENSE*"))
        assert licences and "Licen" in licences[0].read_text("utf-8"), folder


@pytest.mark.parametrize("name", ["coo.png", "invoice.png", "bill_of_lading.png", "signature.jpg"])
def test_images_are_not_partner_formats(name: str) -> None:
    data = (INTEROP / "tradetrust" / "images" / name).read_bytes()
    assert data[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1", b"\xff\xd8\xff\xdb")
    with pytest.raises(UnknownFormat, match="no adapter recognises") as err:
        detect(data)
    assert "a scan for the review pipeline" in str(err.value)


def test_hub_wsdl_parses_safely_and_names_the_envelope() -> None:
    path = INTEROP / "ippc-ephyto-mattilsynet" / "ephyto-hub-DeliveryService.wsdl"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    assert etree.QName(root).localname == "definitions"
    names = {el.get("name") for el in root.iter("{http://www.w3.org/2001/XMLSchema}element")}
    assert {"Envelope", "NPPOCertificateNumber", "Content"} <= names
    operations = {el.get("name") for el in root.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}
    assert {
        "DeliverEnvelope",
        "AcknowledgeEnvelopeReceipt",
        "PULLSingleImportEnvelope",
    } <= operations
    text = path.read_text("utf-8")
    assert "urn:un:unece:uncefact:data:standard:SPSCertificate:17" in text


def test_shipped_wco_schemas_are_the_upstream_files() -> None:
    upstream = INTEROP / "hmrc-cds-wco-dm" / "schemas"
    files = sorted(p for p in upstream.rglob("*.xsd"))
    assert len(files) == 17
    for src in files:
        copy = SCHEMA_DIR / src.relative_to(upstream)
        assert (
            hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(src.read_bytes()).digest()
        ), src
