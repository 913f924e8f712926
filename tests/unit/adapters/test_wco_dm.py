"""WCO DM 3.6 declarations: every HMRC CDS sample, the broken one, BOM, notifications, XSD."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.canonical import Declaration
from adapters.errors import InvalidDocument, MalformedInput, UnsupportedVersion
from adapters.registry import detect
from adapters.wco_dm import WcoDeclarationAdapter
from tests.interop_data import INTEROP

SAMPLES = INTEROP / "hmrc-cds-wco-dm" / "samples"
DECLARATIONS = sorted(p for p in SAMPLES.glob("TT_*/*") if p.suffix.lower() == ".xml")
NOT_WELL_FORMED = SAMPLES / "TT_IM084a" / "TT_IM084a.xml"
NOTIFICATIONS = sorted((SAMPLES / "Example_DMS_notifications").glob("*.xml"))
GOOD = [p for p in DECLARATIONS if p != NOT_WELL_FORMED]


def test_the_sample_set_is_complete() -> None:
    assert len(DECLARATIONS) == 67
    assert len(NOTIFICATIONS) == 15
    assert any(p.suffix == ".XML" for p in DECLARATIONS)  # upper-case extension included
    assert any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in DECLARATIONS)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_every_sample_parses_and_validates(path: Path) -> None:
    data = path.read_bytes()
    adapter = WcoDeclarationAdapter()
    assert adapter.sniff(data)
    doc, issues = adapter.parse(data)
    assert isinstance(doc, Declaration)
    assert doc.declaration_number
    assert doc.declaration_type and doc.declaration_type[:2] in {"IM", "EX", "CO"}
    assert doc.line_items, "goods items"
    for item in doc.line_items:
        assert item.hs_code is None or item.hs_code.isdigit()
    assert all(i.severity == "warning" for i in issues)
    assert adapter.validate(data) == []  # the shipped XSDs accept every sample


def test_not_well_formed_sample_names_line_164() -> None:
    with pytest.raises(MalformedInput) as err:
        WcoDeclarationAdapter().parse(NOT_WELL_FORMED.read_bytes())
    assert err.value.reasons[0].line == 164
    assert "line 164" in str(err.value) and "\n" not in str(err.value)


def test_certificate_references_with_document_codes() -> None:
    docs = [WcoDeclarationAdapter().parse(p.read_bytes())[0] for p in GOOD]
    with_certs = [d for d in docs if d.certificate_numbers]
    assert len(with_certs) >= 54  # the domain brief counts 54 samples quoting these codes
    doc = next(d for d in docs if d.lrn == "7849431RGXDI")
    refs = {(r.document_code, r.id, r.status) for r in doc.line_items[0].references}
    assert ("C640", "GBCHD12345", "AE") in refs
    assert doc.certificate_numbers == ["GBCHD12345", "GBAHC1234"]


def test_live_horses_sample_fields() -> None:
    doc, _ = WcoDeclarationAdapter().parse(
        (SAMPLES / "TT_IM021a" / "Step1_TT_IM021a.xml").read_bytes()
    )
    assert doc.declaration_number == "7849431RGXDI"
    assert (doc.declaration_type, doc.function_code) == ("IMD", "9")
    assert doc.consignor_name == "Live Animals Inc"
    assert doc.party("exporter").address.country == "US"  # type: ignore[union-attr]
    assert doc.party("importer").identifiers[0].value == "XI553202734852"  # type: ignore[union-attr]
    assert (doc.origin_country, doc.destination_country, doc.dispatch_country) == ("US", "GB", "US")
    assert doc.hs_code == "0101900000"
    assert doc.net_weight_kg == 3000.0 and doc.line_items[0].gross_weight_kg == 3100.0
    assert doc.packages == 5
    assert doc.port_of_entry == "BELBFSBEL"
    assert doc.containers[0].number == "CN-1234228/34"


def test_tariff_quantity_is_the_items_quantity_in_its_unit() -> None:
    """DE 6/2 supplementary units (``TariffQuantity``): 5 horses are 100 of nothing else.
    HMRC writes no ``unitCode``: the unit is the commodity code's, so none is invented."""
    raw = (SAMPLES / "TT_IM021a" / "Step1_TT_IM021a.xml").read_bytes()
    assert b"<TariffQuantity>100</TariffQuantity>" in raw
    doc, _ = WcoDeclarationAdapter().parse(raw)
    assert (doc.line_items[0].quantity, doc.line_items[0].unit) == (100.0, None)
    assert (doc.quantity, doc.unit) == (100.0, None)
    coded = raw.replace(b"<TariffQuantity>100<", b'<TariffQuantity unitCode="NAR">100<')
    doc, _ = WcoDeclarationAdapter().parse(coded)
    # a UN/ECE Rec. 20 code is read as its unit (NAR: number of articles)
    assert (doc.line_items[0].quantity, doc.line_items[0].unit) == (100.0, "pcs")
    assert doc.flat()["quantity"] == 100.0 and doc.flat()["unit"] == "pcs"


def test_tariff_quantities_of_items_without_a_unit_are_not_summed() -> None:
    """10 shavers (item 2) and 100 horses (item 4), each in its commodity code's unit: each
    line keeps its own; the declaration's quantity is not 110 of anything."""
    doc, _ = WcoDeclarationAdapter().parse(
        (SAMPLES / "TT_IM184a" / "Step1_TT_IM184a.xml").read_bytes()
    )
    assert [i.quantity for i in doc.line_items] == [None, 10.0, None, 100.0]
    assert (doc.quantity, doc.unit) == (None, None)


def test_a_negative_tariff_quantity_is_a_warning_not_a_quantity() -> None:
    raw = (SAMPLES / "TT_IM021a" / "Step1_TT_IM021a.xml").read_bytes()
    doc, issues = WcoDeclarationAdapter().parse(
        raw.replace(b"<TariffQuantity>100<", b"<TariffQuantity>-100<")
    )
    assert doc.line_items[0].quantity is None
    assert any("tariff quantity" in i.message and i.line for i in issues)


def test_tariff_quantity_renders_with_its_unit_and_reads_back() -> None:
    adapter = WcoDeclarationAdapter()
    contract = Declaration(declaration_number="DEC-1", hs_code="080810", quantity=1200, unit="KGM")
    rendered = adapter.render(contract)
    assert b'<TariffQuantity unitCode="KGM">1200</TariffQuantity>' in rendered
    assert adapter.validate(rendered) == []
    again, _ = adapter.parse(rendered)
    assert (again.quantity, again.unit) == (1200.0, "kg")
    unitless = adapter.render(Declaration(declaration_number="D", hs_code="0101", quantity=5))
    assert b"<TariffQuantity>5</TariffQuantity>" in unitless
    # a unit with no Rec. 20 code we know: the quantity is not written without it
    worded = adapter.render(Declaration(declaration_number="D", quantity=5, unit="cartons"))
    assert b"TariffQuantity" not in worded


@pytest.mark.parametrize(
    ("unit", "code", "back"),
    [("kg", "KGM", "kg"), ("litres", "LTR", "l"), ("m3", "MTQ", "m3"), ("t", "TNE", "t"),
     ("pcs", "NAR", "pcs"), ("Units", "NAR", "pcs"), ("pairs", "NPR", "pairs"),
     ("NPR", "NPR", "pairs"), ("l alc", "LPA", "l alc"), ("head", "HEA", "head"),
     ("heads", "HEA", "head")],
)  # fmt: skip
def test_tariff_quantity_unit_is_written_as_its_rec20_code(unit: str, code: str, back: str) -> None:
    """``unitCode="kg"`` was written as given: WCO/CDS takes UN/ECE Rec. 20 codes (KGM)."""
    adapter = WcoDeclarationAdapter()
    rendered = adapter.render(Declaration(declaration_number="D", quantity=7, unit=unit))
    assert f'<TariffQuantity unitCode="{code}">7</TariffQuantity>'.encode() in rendered
    assert adapter.validate(rendered) == []
    again, _ = adapter.parse(rendered)
    assert (again.quantity, again.unit) == (7.0, back)


@pytest.mark.parametrize("unit", ["cartons", "kgs net"])
def test_a_unit_with_no_rec20_code_is_not_guessed(unit: str) -> None:
    """No code is made up (a five-letter word passed as a unitCode before): the quantity is
    left out with its unit, and ``cusdep convert`` names both."""
    rendered = WcoDeclarationAdapter().render(
        Declaration(declaration_number="D", quantity=7, unit=unit)
    )
    assert b"TariffQuantity" not in rendered


def test_goods_items_containers_and_destination_are_read() -> None:
    # DE 7/10 and DE 5/8 may be declared per goods item instead of per consignment
    doc, _ = WcoDeclarationAdapter().parse((SAMPLES / "TT_IM004a" / "TT_IM004a.xml").read_bytes())
    assert doc.container_numbers == "AD12345"
    doc, _ = WcoDeclarationAdapter().parse((SAMPLES / "TT_EX004a" / "TT_EX004a.xml").read_bytes())
    assert doc.destination_country == "SD"


def test_an_export_declarations_goods_location_is_no_port_of_entry() -> None:
    # DE 5/23 names where the goods can be examined: for an export, where they leave from
    path = SAMPLES / "TT_EX013b" / "TT_EX013b.xml"
    export, _ = WcoDeclarationAdapter().parse(path.read_bytes())
    assert export.declaration_type == "EXY"
    assert (export.goods_location, export.port_of_entry) == ("BELBELBEL", None)
    path = SAMPLES / "TT_IM021a" / "Step1_TT_IM021a.xml"
    imported, _ = WcoDeclarationAdapter().parse(path.read_bytes())
    assert imported.goods_location == imported.port_of_entry == "BELBFSBEL"


def test_a_preferential_origin_never_stands_in_for_the_origin() -> None:
    # TT_IM142a: origin 'ZN' (type 1, not an ISO country) and preferential origin FR (type 2)
    path = SAMPLES / "TT_IM142a" / "Step1_TT_IM142a.xml"
    doc, issues = WcoDeclarationAdapter().parse(path.read_bytes())
    assert doc.origin_country is None
    assert doc.line_items[0].origin_countries == ["FR"]
    assert any("'ZN'" in i.message for i in issues)


def test_bom_and_wrapper_and_upper_case_extension() -> None:
    bom = SAMPLES / "TT_IM004a" / "TT_IM004a.xml"
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert WcoDeclarationAdapter().parse(bom.read_bytes())[0].line_items
    wrapped = SAMPLES / "TT_IM039a" / "Step1_TT_IM039a.xml"
    assert b"submitDeclarationRequest" in wrapped.read_bytes()[:400]
    assert detect(wrapped.read_bytes()).format_id == "wco-dec-xml"
    upper = next(p for p in DECLARATIONS if p.suffix == ".XML")
    assert detect(upper.read_bytes()).parse(upper.read_bytes())[0].declaration_number


def test_unknown_country_codes_are_issues_with_lines() -> None:
    _, issues = WcoDeclarationAdapter().parse(
        (SAMPLES / "TT_IM095a" / "Step1_TT_IM095a.xml").read_bytes()
    )
    zn = [i for i in issues if "'ZN'" in i.message]
    assert zn and all(i.line and i.path for i in zn)


@pytest.mark.parametrize("path", NOTIFICATIONS, ids=lambda p: p.name)
def test_notifications_are_rejected_with_their_reason(path: Path) -> None:
    data = path.read_bytes()
    adapter = WcoDeclarationAdapter()
    assert not adapter.sniff(data)
    with pytest.raises(InvalidDocument, match="notification"):
        adapter.parse(data)
    # the samples carry no namespaces, so the RES-DMS schema cannot match their root
    assert any("No matching global declaration" in i.message for i in adapter.validate(data))


def test_schema_violation_reported_with_line() -> None:
    data = (SAMPLES / "TT_IM021a" / "Step1_TT_IM021a.xml").read_bytes()
    broken = data.replace(
        b"<FunctionCode>9</FunctionCode>", b"<FunctionCode>9</FunctionCode><Bogus/>", 1
    )
    issues = WcoDeclarationAdapter().validate(broken)
    assert issues and issues[0].severity == "error" and "Bogus" in issues[0].message
    assert issues[0].line is not None
    assert WcoDeclarationAdapter().parse(broken)[0].declaration_number == "7849431RGXDI"


def test_not_a_declaration() -> None:
    with pytest.raises(InvalidDocument, match="no .*Declaration element"):
        WcoDeclarationAdapter().parse(
            b"<MetaData xmlns='urn:wco:datamodel:WCO:DocumentMetaData-DMS:2'/>"
        )


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_render_round_trip_is_schema_valid_and_lossless(path: Path) -> None:
    adapter = WcoDeclarationAdapter()
    doc, _ = adapter.parse(path.read_bytes())
    rendered = adapter.render(doc)
    assert adapter.validate(rendered) == []
    again, _ = adapter.parse(rendered)
    assert again.model_dump(exclude={"source"}) == doc.model_dump(exclude={"source"})


def test_contract_declaration_json_renders_to_valid_wco() -> None:
    contract = Declaration(
        declaration_number="DEC-1",
        consignor_name="Orchard Pty Ltd",
        consignor_address="12 Harbour Rd, Sydney NSW 2000",
        consignee_name="Shanghai Fruit Co",
        consignee_address="88 Pudong Ave, Shanghai",
        origin_country="AU",
        commodity="apples",
        hs_code="080810",
        net_weight_kg=1200.0,
        packages=48,
        port_of_entry="Shanghai",
        container_numbers="MSCU1234565",
        certificate_numbers=["AU-2026-000123"],
    )
    adapter = WcoDeclarationAdapter()
    rendered = adapter.render(contract)
    assert adapter.validate(rendered) == []
    again, _ = adapter.parse(rendered)
    shared = (
        "declaration_number",
        "consignor_name",
        "consignor_address",  # a flat address survives as its party's address
        "consignee_name",
        "consignee_address",
        "origin_country",
        "hs_code",
        "net_weight_kg",
        "packages",
        "port_of_entry",
        "container_numbers",
        "certificate_numbers",
    )
    assert {k: getattr(again, k) for k in shared} == {k: getattr(contract, k) for k in shared}


def test_render_refuses_what_the_schema_cannot_hold() -> None:
    from adapters.errors import RenderError

    with pytest.raises(RenderError, match="maxLength"):
        WcoDeclarationAdapter().render(Declaration(declaration_number="X" * 36, hs_code="080810"))


def test_another_declaration_version_is_named_as_such() -> None:
    """A partner on another DMS version gets "not supported" with the namespace, not "no
    declaration" (which reads as the wrong kind of file)."""
    raw = (SAMPLES / "TT_IM004a" / "TT_IM004a.xml").read_bytes()
    variant = raw.replace(b"WCO:DEC-DMS:2", b"WCO:DEC-DMS:3")
    assert variant != raw
    with pytest.raises(UnsupportedVersion, match="DEC-DMS:3' is not supported") as err:
        WcoDeclarationAdapter().parse(variant)
    assert err.value.reasons[0].line is not None
