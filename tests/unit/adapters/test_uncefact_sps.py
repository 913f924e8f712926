"""UN/CEFACT SPS (ePhyto) XML: the real Mattilsynet sample and a family of variants from it."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest
from lxml import etree

from adapters.canonical import Certificate, LineItem
from adapters.errors import InvalidDocument, MalformedInput, UnsafeInput, UnsupportedVersion
from adapters.registry import parse_document
from adapters.uncefact_sps import SpsCertificateAdapter
from tests.interop_data import INTEROP

SAMPLE = INTEROP / "ippc-ephyto-mattilsynet" / "SPSCertificateContent.xml"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"


@pytest.fixture(scope="module")
def raw() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture(scope="module")
def parsed(raw: bytes) -> tuple[Certificate, list]:
    doc, issues = SpsCertificateAdapter().parse(raw)
    assert isinstance(doc, Certificate)
    return doc, issues


def _same(a: Certificate, b: Certificate) -> bool:
    return a.model_dump(exclude={"source"}) == b.model_dump(exclude={"source"})


def _writable(doc: Certificate) -> Certificate:
    """``doc`` less the attachments whose content could not be read (the sample's truncated
    one): a rendering has nothing of theirs to write (their base64 is never written out)."""
    return doc.model_copy(update={"attachments": [a for a in doc.attachments if a.content_base64]})


def test_sample_vocabulary_fields_as_in_the_xml(parsed: tuple[Certificate, list]) -> None:
    doc, _ = parsed
    assert doc.certificate_number == "123ABC"
    assert doc.issue_date == date(2016, 4, 22)
    assert doc.place_of_issue == "La Plata, Buenos Aires"
    assert doc.officer_name == "Miguel Perrerra"
    assert doc.consignor_name == "Juan Perez"
    assert doc.consignor_address == "El trébol 853, Brandsen, Buenos Aires, Argentina"
    assert doc.consignee_name == "Importer SA"
    assert doc.consignee_address == "La Ronda, Quito, Ecuador"
    assert (doc.origin_country, doc.destination_country) == ("AR", "EC")
    assert doc.hs_code == "06029048"
    assert doc.net_weight_kg == 10.0
    assert doc.packages == 100
    assert doc.port_of_entry == "Guayaquil (Seattle)"
    assert doc.means_of_transport == "Ocean Vessel: Black Pearl Voyage N° 18"
    assert doc.commodity is not None and doc.commodity.startswith("LIVE TREES AND OTHER PLANTS;")


def test_sample_structured_parts(parsed: tuple[Certificate, list]) -> None:
    doc, _ = parsed
    assert (doc.type_code, doc.status_code, doc.certificate_type) == ("851", "70", "phytosanitary")
    assert doc.issuing_country == "AR" and doc.export_country == "AR"
    assert doc.transit_countries == ["US"]
    assert doc.port_of_entry_code == "USSEA"
    assert doc.issuing_agency == "Servicio Nacional de Sanidad y Calida Agroalimentaria"
    assert [c.seals for c in doc.containers] == [["G2382564"]]
    assert doc.containers[0].number is None
    assert [(t.mode_code, t.means_name) for t in doc.transport] == [
        ("3", None),
        ("1", "Ocean Vessel: Black Pearl"),
    ]
    assert len(doc.line_items) >= 2
    first = doc.line_items[0]
    assert (first.common_name, first.scientific_name, first.intended_use) == (
        "Ribes",
        "Ribes",
        "Planting",
    )
    assert first.gross_weight_kg == 60.0 and first.net_volume == 5.0 and first.volume_unit == "m3"
    assert [(p.level, p.type_code, p.count) for p in first.packages] == [
        (1, "BG", 100),
        (2, "BX", 20),
    ]
    assert first.origin_countries == ["AR", "US"]
    assert first.origin_region == "Valles de la RegiónPatagónica"
    treatment = first.treatments[0]
    assert treatment.chemical == "238, 240"
    assert (treatment.temperature, treatment.temperature_unit) == (32.0, "CEL")
    assert (treatment.duration, treatment.duration_unit) == (3.0, "HUR")
    assert treatment.start_date == date(2016, 4, 12)
    assert {n.subject for n in doc.notes} >= {"SPSFL", "ADEDL", "ADRPN", "DMCL"}
    assert doc.line_items[1].quantity == 33.0 and doc.line_items[1].unit == "pcs"  # "Units"


def test_sample_gives_no_total_of_one_line_of_two_and_says_so() -> None:
    """Its "33 Units" are line 1's alone (line 0 gives no quantity): that was the certificate's
    quantity, for an officer to compare with the whole consignment declared."""
    doc, issues, _ = parse_document(SAMPLE.read_bytes())
    assert [i.quantity for i in doc.line_items] == [None, 33.0]
    assert (doc.quantity, doc.unit) == (None, None) and "quantity" not in doc.flat()
    said = [i for i in issues if i.message.startswith("no total quantity")]
    assert [(i.severity, i.message) for i in said] == [
        ("warning", "no total quantity: line item 0 has no quantity (33 pcs on item 1)")
    ]


def test_sample_attachments_hashed_and_broken_one_reported(
    parsed: tuple[Certificate, list],
) -> None:
    doc, issues = parsed
    kinds = [a.mime_type for a in doc.attachments]
    assert kinds[:4] == ["application/pdf", "image/png", "image/jpeg", "image/gif"]
    readable = [a for a in doc.attachments if a.filename != "UkjentFiltype"]
    assert all(a.sha256 and len(a.sha256) == 64 and a.content_base64 for a in readable)
    broken = [i for i in issues if "base64" in i.message]
    assert len(broken) == 1 and broken[0].line == 122
    # its truncated base64 is not carried on (to be written out as it came), nor hashed as
    # if it were empty
    (unreadable,) = [a for a in doc.attachments if a.filename == "UkjentFiltype"]
    assert (unreadable.content_base64, unreadable.size, unreadable.sha256) == (None, None, None)
    assert doc.source is not None and doc.source.format_version == "17"


def test_round_trip_gives_the_same_model(raw: bytes, parsed: tuple[Certificate, list]) -> None:
    doc, _ = parsed
    adapter = SpsCertificateAdapter()
    rendered = adapter.render(doc)
    again, _ = adapter.parse(rendered)
    assert _same(_writable(doc), again)
    assert len(again.attachments) == len(doc.attachments) - 1
    assert adapter.render(again) == rendered
    assert b"xmlns:rsm=" in rendered and b"ns0:" not in rendered


def _rewrite_prefixes(raw: bytes, mapping: dict[str, str]) -> bytes:
    text = raw.decode()
    for old, new in mapping.items():
        text = text.replace(f"xmlns:{old}=", f"xmlns:{new}=" if new else "xmlns=")
        text = re.sub(rf"(</?){old}:", rf"\1{new}:" if new else r"\1", text)
    return text.encode()


@pytest.mark.parametrize(
    "mapping",
    [{"ns0": "rsm", "ns1": "ram", "ns2": "udt"}, {"ns0": "x", "ns1": "y", "ns2": "z"},
     {"ns0": "", "ns1": "ram", "ns2": "udt"}],
    ids=["rsm-ram-udt", "xyz", "default-namespace"],
)  # fmt: skip
def test_other_prefixes_same_model(
    raw: bytes, parsed: tuple[Certificate, list], mapping: dict[str, str]
) -> None:
    variant = _rewrite_prefixes(raw, mapping)
    assert variant != raw
    doc, _ = SpsCertificateAdapter().parse(variant)
    assert _same(doc, parsed[0])


def test_prefix_bound_to_a_foreign_namespace_is_not_read(raw: bytes) -> None:
    """Same prefix text, different namespace URI: those elements are not SPS elements."""
    variant = raw.replace(RAM.encode(), b"urn:example:not-uncefact", 1)
    doc, issues = SpsCertificateAdapter().parse(variant)
    assert doc.certificate_number is None and doc.consignor_name is None
    assert doc.line_items == []
    assert any("certificate number" in i.message for i in issues)


def _tree(raw: bytes) -> etree._Element:
    return etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))


def test_several_line_items_sum_net_weight(raw: bytes) -> None:
    root = _tree(raw)
    items = root.findall(f".//{{{RAM}}}IncludedSPSTradeLineItem")
    parent = items[0].getparent()
    for weight in ("2,5", "7.5"):  # decimal comma is read too
        clone = copy.deepcopy(items[0])
        clone.find(f"{{{RAM}}}NetWeightMeasure").text = weight
        parent.append(clone)
    doc, _ = SpsCertificateAdapter().parse(etree.tostring(root))
    assert len(doc.line_items) == len(items) + 2
    assert doc.net_weight_kg == 10.0 + 2.5 + 7.5
    assert doc.packages == 300


def test_weight_in_tonnes_converted_to_kg(raw: bytes) -> None:
    variant = raw.replace(
        b'<ns1:NetWeightMeasure unitCode="KGM">10<', b'<ns1:NetWeightMeasure unitCode="TNE">1.5<'
    )
    assert variant != raw
    doc, _ = SpsCertificateAdapter().parse(variant)
    assert doc.net_weight_kg == 1500.0


def test_missing_optional_parts(raw: bytes) -> None:
    root = _tree(raw)
    optional = (
        "ReferenceSPSReferencedDocument", "IncludedSPSNote", "AppliedSPSProcess",
        "MainCarriageSPSTransportMovement", "UtilizedSPSTransportEquipment",
        "SignatorySPSAuthentication", "UnloadingBaseportSPSLocation", "ConsigneeSPSParty",
    )  # fmt: skip
    for name in optional:
        for el in root.findall(f".//{{{RAM}}}{name}"):
            el.getparent().remove(el)
    doc, _ = SpsCertificateAdapter().parse(etree.tostring(root))
    assert doc.certificate_number == "123ABC"
    assert doc.consignee_name is None and doc.means_of_transport is None
    assert doc.officer_name is None and doc.port_of_entry is None
    assert doc.attachments == [] and doc.containers == []
    again, _ = SpsCertificateAdapter().parse(SpsCertificateAdapter().render(doc))
    assert _same(doc, again)


def test_missing_certificate_number_is_an_issue_not_an_error(raw: bytes) -> None:
    variant = raw.replace(b"<ns1:ID>123ABC</ns1:ID>", b"")
    doc, issues = SpsCertificateAdapter().parse(variant)
    assert doc.certificate_number is None
    assert any("certificate number" in i.message for i in issues)


@pytest.mark.parametrize(
    "written",
    ["20160422135308Z", "20160422135308+01", "201604221353+0200", "2016-04-22T13:53:08+01"],
)
def test_issue_date_time_with_its_zone_in_the_un_edifact_forms(raw: bytes, written: str) -> None:
    """DateTimeString formatCode 304/205 (CCYYMMDDHHMMSS and a zone, as the HMRC samples write
    it) and ISO 8601 with an hours-only zone: the issue date was lost, with two warnings."""
    old = b"<ns2:DateTimeString>2016-04-22T13:53:08-03:00<"
    variant = raw.replace(old, f'<ns2:DateTimeString formatCode="304">{written}<'.encode())
    assert variant != raw
    doc, issues = SpsCertificateAdapter().parse(variant)
    assert doc.issue_date == date(2016, 4, 22)
    assert not any("issue date" in i.message for i in issues)


def test_an_unreadable_issue_date_is_one_warning_at_its_date_time_string(raw: bytes) -> None:
    """It was reported twice, the second time at IssueDateTime as if that were another value."""
    variant = raw.replace(b">2016-04-22T13:53:08-03:00<", b">2016-13-45<")
    assert variant != raw
    doc, issues = SpsCertificateAdapter().parse(variant)
    assert doc.issue_date is None
    about = [i for i in issues if "issue date" in i.message]
    assert len(about) == 1 and about[0].path is not None
    assert about[0].path.endswith("/IssueDateTime/DateTimeString")
    bare = raw.replace(  # a date right in IssueDateTime (no DateTimeString) is still read
        b"<ns2:DateTimeString>2016-04-22T13:53:08-03:00</ns2:DateTimeString>", b"2016-04-21"
    )
    assert bare != raw
    assert SpsCertificateAdapter().parse(bare)[0].issue_date == date(2016, 4, 21)


def test_validate_names_what_the_schema_requires_and_the_document_lacks(raw: bytes) -> None:
    adapter = SpsCertificateAdapter()
    assert [i for i in adapter.validate(raw) if i.severity == "error"] == []
    root = _tree(raw)
    for name in ("ConsignorSPSParty", "SignatorySPSAuthentication"):
        for el in root.findall(f".//{{{RAM}}}{name}"):
            el.getparent().remove(el)
    errors = [i.message for i in adapter.validate(etree.tostring(root)) if i.severity == "error"]
    assert errors == [
        "required by the SPS schema and missing: consignor (ConsignorSPSParty)",
        "required by the SPS schema and missing: signatory (SignatorySPSAuthentication)",
    ]


def test_version_8_namespace_dispatch_and_render(
    raw: bytes, parsed: tuple[Certificate, list]
) -> None:
    v8 = raw.replace(b"SPSCertificate:17", b"SPSCertificate:8").replace(
        b"ReusableAggregateBusinessInformationEntity:21",
        b"ReusableAggregateBusinessInformationEntity:8",
    )
    doc, _ = SpsCertificateAdapter().parse(v8)
    assert doc.source is not None and doc.source.format_version == "8"
    assert doc.flat() == parsed[0].flat()
    rendered = SpsCertificateAdapter(render_version="8").render(doc)
    assert b"urn:un:unece:uncefact:data:standard:SPSCertificate:8" in rendered
    assert _same(SpsCertificateAdapter().parse(rendered)[0], _writable(doc))


def test_unsupported_version_and_wrong_root(raw: bytes) -> None:
    with pytest.raises(UnsupportedVersion, match="'99'"):
        SpsCertificateAdapter().parse(raw.replace(b"SPSCertificate:17", b"SPSCertificate:99"))
    with pytest.raises(InvalidDocument, match="not a UN/CEFACT SPSCertificate"):
        SpsCertificateAdapter().parse(b"<a xmlns='urn:x'><b/></a>")
    with pytest.raises(InvalidDocument, match="mandatory parts missing"):
        SpsCertificateAdapter().parse(
            b"<r:SPSCertificate xmlns:r='urn:un:unece:uncefact:data:standard:SPSCertificate:17'/>"
        )


def test_not_well_formed_names_the_line(raw: bytes) -> None:
    broken = raw.replace(b"</ns1:CommonName>", b"</ns1:CommonNam>", 1)
    with pytest.raises(MalformedInput) as err:
        SpsCertificateAdapter().parse(broken)
    expected_line = raw[: raw.index(b"</ns1:CommonName>")].count(b"\n") + 1
    assert err.value.reasons[0].line == expected_line
    assert f"line {expected_line}" in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (b"<ns1:Name>Juan Perez</ns1:Name>", b"<x>" * 300 + b"</x>" * 300, "depth"),
        (b"Juan Perez", b"J" * (11 * 1024 * 1024), "Text node too long"),
        (b"<ns1:CommonName>", b"<!--" + b"c" * (11 * 1024 * 1024) + b"--><ns1:CommonName>", "big"),
    ],
    ids=("nested", "text", "comment"),
)
def test_a_document_beyond_the_parser_limits_is_unsafe_not_malformed(
    raw: bytes, old: bytes, new: bytes, reason: str
) -> None:
    """Well-formed, but nested deeper or longer than libxml2 reads without huge_tree: it was
    "not well-formed XML: ... use XML_PARSE_HUGE option", an option no partner can set."""
    variant = raw.replace(old, new, 1)
    assert variant != raw
    with pytest.raises(UnsafeInput) as err:
        SpsCertificateAdapter().parse(variant)
    assert reason in str(err.value) and "XML_PARSE_HUGE" not in str(err.value)
    assert err.value.reasons[0].line is not None


def test_bom_is_accepted(raw: bytes, parsed: tuple[Certificate, list]) -> None:
    doc, _ = SpsCertificateAdapter().parse(b"\xef\xbb\xbf" + raw)
    assert doc.flat() == parsed[0].flat()


_ROOT = b'<r:SPSCertificate xmlns:r="urn:un:unece:uncefact:data:standard:SPSCertificate:17">'
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    + _ROOT
    + b"&lol2;</r:SPSCertificate>"
)
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    + _ROOT
    + b"&x;</r:SPSCertificate>"
)


@pytest.mark.parametrize(
    "payload", [BILLION_LAUGHS, XXE], ids=["entity-expansion", "external-entity"]
)
def test_entities_are_refused(payload: bytes) -> None:
    with pytest.raises(UnsafeInput, match="DOCTYPE") as err:
        SpsCertificateAdapter().parse(payload)
    assert err.value.reasons[0].line == 2


def test_sniff(raw: bytes) -> None:
    adapter = SpsCertificateAdapter()
    assert adapter.sniff(raw)
    assert adapter.sniff(_rewrite_prefixes(raw, {"ns0": "", "ns1": "ram", "ns2": "udt"}))
    assert not adapter.sniff(b'{"certificate_number": "x"}')
    assert not adapter.sniff(b"<Declaration xmlns='urn:wco:datamodel:WCO:DEC-DMS:2'/>")


def test_render_from_flat_only_canonical() -> None:
    cert = Certificate(
        certificate_number="AU-2026-000123", issue_date="2026-03-12",
        consignor_name="Orchard Pty Ltd",
        consignee_name="Shanghai Fruit Co", origin_country="AU", destination_country="CN",
        hs_code="080810", net_weight_kg=1250.5, packages=48, container_numbers="CSQU3054383",
        means_of_transport="MSC Anna V12", commodity="Fresh apples", officer_name="Jane Citizen",
    )  # fmt: skip
    again, _ = SpsCertificateAdapter().parse(SpsCertificateAdapter().render(cert))
    assert again.flat() == cert.flat()


def test_a_flat_canonical_certificate_keeps_its_type_and_quantity_through_sps() -> None:
    flat = Certificate(
        certificate_number="AU-2026-000123",
        certificate_type="phytosanitary",
        commodity="Fresh apples",
        hs_code="080810",
        quantity=1200,
        unit="kg",
        net_weight_kg=1200.0,
    )
    adapter = SpsCertificateAdapter()
    xml = adapter.render(flat)
    assert b"<ram:TypeCode>851</ram:TypeCode>" in xml
    back, _ = adapter.parse(xml)
    assert (back.type_code, back.certificate_type) == ("851", "phytosanitary")
    assert (back.quantity, back.unit) == (1200.0, "kg")
    ched = Certificate(certificate_number="CHEDA.GB.2024.1", type_code="CVEDA")
    assert b"CVEDA" not in adapter.render(ched)  # another format's code is no 1001 code


def test_a_volume_unit_is_written_as_its_rec20_code() -> None:
    """``unitCode`` takes UN/ECE Rec. 20 codes: a volume in "m3" was written unitCode="m3"."""
    cert = Certificate(
        certificate_number="C1",
        line_items=[{"description": "Logs", "net_volume": 5, "volume_unit": "m3"}],
    )
    adapter = SpsCertificateAdapter()
    xml = adapter.render(cert)
    assert b'<ram:NetVolumeMeasure unitCode="MTQ">5</ram:NetVolumeMeasure>' in xml
    back, _ = adapter.parse(xml)
    assert (back.line_items[0].net_volume, back.line_items[0].volume_unit) == (5.0, "m3")
    ched = Certificate(certificate_number="CHEDA.GB.2024.1", type_code="CVEDA")
    assert b"CVEDA" not in adapter.render(ched)  # another format's code is no 1001 code


HUB_WSDL = INTEROP / "ippc-ephyto-mattilsynet" / "ephyto-hub-DeliveryService.wsdl"
_XS = "{http://www.w3.org/2001/XMLSchema}"


def _hub_sequences() -> dict[str, list[str]]:
    """The child order of each SPS type the IPPC ePhyto Hub's WSDL declares, keyed by the
    element name it types (the hub names its types after them: ``spsConsignment`` ...)."""
    wsdl = etree.parse(str(HUB_WSDL), etree.XMLParser(resolve_entities=False, no_network=True))
    out = {}
    for schema in wsdl.getroot().iter(f"{_XS}schema"):
        if not (schema.get("targetNamespace") or "").startswith("urn:un:unece:uncefact"):
            continue
        for ctype in schema.iter(f"{_XS}complexType"):
            seq = ctype.find(f"{_XS}sequence")
            if ctype.get("name") and seq is not None:
                names = [(e.get("name") or e.get("ref") or "").split(":")[-1] for e in seq]
                out[ctype.get("name", "").lower()] = names
    return out


def test_rendered_certificate_follows_the_hub_schema_element_order(
    parsed: tuple[Certificate, list],
) -> None:
    """A partner validating against the SPS schema refuses children out of sequence: every
    rendered element the hub's WSDL types keeps its children in the WSDL's order (which the
    UN/CEFACT SPSCertificate schema shares: notes, references, signatory; main carriage,
    equipment; notes, classifications; process type, period, characteristics)."""
    sequences = _hub_sequences()
    assert {"spsexchangeddocument", "spsconsignment", "includedspstradelineitem"} <= set(sequences)
    rendered = _tree(SpsCertificateAdapter().render(parsed[0]))
    checked, out_of_order = 0, []
    for el in rendered.iter():
        order = sequences.get(etree.QName(el).localname.lower())
        if order is None:
            continue
        names = [etree.QName(c).localname for c in el if etree.QName(c).localname in order]
        checked += 1
        if [order.index(n) for n in names] != sorted(order.index(n) for n in names):
            out_of_order.append(f"{etree.QName(el).localname}: {names}")
    assert checked > 10 and out_of_order == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'unitCode="KGM">10</', b'unitCode="KGM">-10</'),
        (b"<ns1:ItemQuantity>100.0000<", b"<ns1:ItemQuantity>-100<"),
        (b"<ns1:Content>33</ns1:Content>", b"<ns1:Content>-33</ns1:Content>"),
    ],
    ids=["net-weight", "package-count", "quantity"],
)
def test_a_negative_amount_is_refused_not_passed_on(raw: bytes, old: bytes, new: bytes) -> None:
    """A line's negative weight, count or quantity would reach the flat fields as it stands
    (the document's own negative net weight is refused): the document is refused, naming it."""
    assert raw.count(old) == 1
    with pytest.raises(InvalidDocument, match=r"greater than or equal to 0 \(line_items/"):
        SpsCertificateAdapter().parse(raw.replace(old, new))


def test_the_documents_origin_survives_when_no_goods_line_names_one() -> None:
    """A CHED-A (IPAFFS) has its country of origin at document level and goods lines without
    one: rendered as SPS, which carries an origin per line only, the origin was left out."""
    cert = Certificate(
        certificate_number="CHEDA.GB.2024.1",
        origin_country="ES",
        line_items=[LineItem(sequence=1, description="Bovine"), LineItem(sequence=2)],
    )
    back, _ = SpsCertificateAdapter().parse(SpsCertificateAdapter().render(cert))
    assert back.origin_country == "ES"
    assert [i.origin_country for i in back.line_items] == ["ES", "ES"]
    # a line's own origin is never overwritten, nor the export country written as one
    mixed = cert.model_copy(
        update={"line_items": [LineItem(sequence=1, origin_country="FR"), LineItem(sequence=2)]}
    )
    lines = SpsCertificateAdapter().parse(SpsCertificateAdapter().render(mixed))[0].line_items
    assert [i.origin_country for i in lines] == ["FR", None]
    exported = Certificate(export_country="AR", line_items=[LineItem(sequence=1)])
    assert exported.origin_country == "AR"
    assert b"OriginSPSCountry" not in SpsCertificateAdapter().render(exported)
