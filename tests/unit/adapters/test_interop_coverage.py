"""Every file in ``tests/interop`` is exercised somewhere; this file covers the remainder
(WSDL, images, licences, SOURCES.md, the upstream hashes of the shipped WCO schemas) and checks
no sample is left unclassified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree

from adapters.errors import UnknownFormat
from adapters.registry import detect
from adapters.wco_dm._schema import SCHEMA_DIR
from tests.interop_data import INTEROP, WCO_SCHEMA_HASHES

ALL = sorted(p for p in INTEROP.rglob("*") if p.is_file())

# Where each kind of file is exercised (test module in this folder, or here).
COVERED_BY = {
    "ippc-ephyto-mattilsynet/SPSCertificateContent.xml": "test_uncefact_sps",
    "hmrc-cds-wco-dm/samples/": "test_wco_dm",
    # the XSDs themselves ship in adapters/wco_dm/schema (validated via test_wco_dm)
    "hmrc-cds-wco-dm/schemas.sha256": "here (upstream hashes of the shipped schema copy)",
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
    # 184 upstream files + SOURCES.md + the hash manifest, minus the 17 XSDs shipped elsewhere
    assert len(ALL) >= 165
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


@pytest.mark.parametrize(
    ("sample", "said"),
    [
        ("defra-ipaffs-btms/samples/single/asb-gmr.json", "a GVMS goods movement reference"),
        ("defra-ipaffs-btms/samples/single/decision-one-item.json", "a decision from ALVS"),
        (
            "hmrc-cds-wco-dm/samples/Example_DMS_notifications/06_DMSDOC.xml",
            "a WCO response (WCOTypeName RES)",
        ),
        (
            "ippc-ephyto-mattilsynet/ephyto-hub-DeliveryService.wsdl",
            "an XML document whose root element is definitions",
        ),
    ],
)
def test_a_document_of_another_kind_is_named_in_its_refusal(sample: str, said: str) -> None:
    """An integrator learns what the file is, not only that no adapter reads it."""
    with pytest.raises(UnknownFormat, match="no adapter recognises") as err:
        detect((INTEROP / sample).read_bytes())
    assert f"(it is {said}" in str(err.value)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "an empty file"),
        (b"  \n", "an empty file"),
        (b"[1, 2]", "a JSON array, not an object"),
        (b'{"invoice": 1, "total": 2}', "a JSON object with the keys invoice, total)"),
        (
            b'{"@context": ["https://www.w3.org/2018/credentials/v1"]}',
            "a W3C verifiable credential",
        ),
        (b"\xef\xbb\xbf<a:Invoice xmlns:a='x'/>", "an XML document whose root element is Invoice"),
        # JSON in another encoding was named by its keys, or not at all, as if unknown
        ('{"doc_type": "certificate"}'.encode("utf-16"), "JSON not encoded in UTF-8"),
        ('{"doc_type": "certificate"}'.encode("utf-16-le"), "JSON not encoded in UTF-8"),
        (b'{"doc_type": "certificate", "certificate_number": "\xff\xfe"}', "JSON not encoded"),
        ('{"doc_type": "x", "name": "Müller"}'.encode("latin-1"), "JSON not encoded in UTF-8"),
        (b'\xef\xbb\xbf{"invoice": 1}', "a JSON object with the keys invoice)"),
    ],
)
def test_the_refusal_says_what_little_it_can_tell(data: bytes, said: str) -> None:
    with pytest.raises(UnknownFormat) as err:
        detect(data)
    assert f"(it is {said}" in str(err.value)


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


def _upstream_wco_hashes() -> dict[str, str]:
    """``sha256sum`` lines of the upstream HMRC XSDs, relative to ``SCHEMA_DIR``."""
    entries = {}
    for line in WCO_SCHEMA_HASHES.read_text("utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        assert len(digest) == 64 and name not in entries, line
        entries[name.lstrip("*")] = digest
    return entries


def test_shipped_wco_schemas_are_the_upstream_files() -> None:
    upstream = _upstream_wco_hashes()
    assert len(upstream) == 17
    # every XSD shipped, except cusdep's own entry schema, is an upstream file ...
    shipped = sorted(
        p.relative_to(SCHEMA_DIR).as_posix()
        for p in SCHEMA_DIR.rglob("*.xsd")
        if p.name != "cusdep_all.xsd"
    )
    assert shipped == sorted(upstream)
    # ... byte for byte
    for name, digest in upstream.items():
        assert hashlib.sha256((SCHEMA_DIR / name).read_bytes()).hexdigest() == digest, name


def test_wco_hash_manifest_matches_sources() -> None:
    """The manifest names exactly the schema files SOURCES.md lists; their sizes match it too."""
    sources = (INTEROP / "SOURCES.md").read_text("utf-8")
    prefix = "hmrc-cds-wco-dm/schemas/"
    listed = {}
    for line in sources.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0].startswith(prefix):
            listed[cells[0].removeprefix(prefix)] = int(cells[1])
    assert sorted(listed) == sorted(_upstream_wco_hashes())
    for name, size in listed.items():
        assert (SCHEMA_DIR / name).stat().st_size == size, name


def test_shipped_wco_schemas_carry_the_upstream_licence() -> None:
    ours = SCHEMA_DIR / "LICENSE-Apache-2.0.txt"
    upstream = INTEROP / "hmrc-cds-wco-dm" / "LICENSE-Apache-2.0.txt"
    assert ours.read_bytes() == upstream.read_bytes()
