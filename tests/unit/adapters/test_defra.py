"""DEFRA IPAFFS CHEDs + ALVS clearance requests: every sample read, pairs matched, decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from adapters.canonical import Certificate, Declaration
from adapters.defra import AlvsClearanceAdapter, IpaffsChedAdapter, read_decision
from adapters.errors import InvalidDocument, UnknownFormat
from adapters.matching import (
    commodity_prefix_match,
    match_declaration,
    normalize_reference,
    unquoted_certificates,
)
from adapters.registry import detect
from tests.interop_data import INTEROP

DEFRA = INTEROP / "defra-ipaffs-btms"
SAMPLES = DEFRA / "samples"
ALL = sorted(SAMPLES.rglob("*.json"))
CHEDS = [p for p in ALL if b'"partOne"' in p.read_bytes()]
REQUESTS = [p for p in ALL if "/ALVS/" in str(p) or p.name == "cr-one-item.json"]
DECISIONS = [
    p
    for p in ALL
    if "/DECISIONS/" in str(p) or p.name in ("decision-one-item.json", "finalisation.json")
]
GMR = SAMPLES / "single" / "asb-gmr.json"


def test_every_sample_is_classified() -> None:
    assert len(ALL) == 28
    assert set(ALL) == set(CHEDS) | set(REQUESTS) | set(DECISIONS) | {GMR}
    assert (len(CHEDS), len(REQUESTS), len(DECISIONS)) == (15, 7, 5)


@pytest.mark.parametrize("path", CHEDS, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_ched_parses(path: Path) -> None:
    data = path.read_bytes()
    assert detect(data).format_id == "ipaffs-ched-json"
    doc, issues = IpaffsChedAdapter().parse(data)
    assert isinstance(doc, Certificate)
    assert doc.certificate_type in {"ched-a", "ched-p", "ched-d", "ched-pp"}
    assert doc.line_items and all(i.hs_code and i.hs_code.isdigit() for i in doc.line_items)
    assert doc.origin_country and len(doc.origin_country) == 2
    assert (doc.certificate_number is None) == any("reference number" in i.message for i in issues)
    assert doc.inconsistencies() == []  # totals agree with the commodity lines


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_clearance_request_parses(path: Path) -> None:
    data = path.read_bytes()
    assert detect(data).format_id == "alvs-clearance-json"
    doc, _ = AlvsClearanceAdapter().parse(data)
    assert isinstance(doc, Declaration) and doc.line_items


@pytest.mark.parametrize("path", DECISIONS, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_decisions_and_finalisation_are_not_declarations(path: Path) -> None:
    data = path.read_bytes()
    with pytest.raises(InvalidDocument, match="not an ALVS clearance request"):
        AlvsClearanceAdapter().parse(data)
    decision = read_decision(data)
    assert all(d.decision_code for d in decision.items)


def test_gmr_is_not_a_document_we_read() -> None:
    data = GMR.read_bytes()
    with pytest.raises(UnknownFormat):
        detect(data)
    with pytest.raises(InvalidDocument):
        read_decision(data)


def test_chedp_fields() -> None:
    doc, _ = IpaffsChedAdapter().parse(
        (SAMPLES / "AllChedsWithDecision/IPAFFS/chedp.json").read_bytes()
    )
    assert doc.certificate_number == "CHEDP.GB.2024.5249429"
    assert doc.net_weight_kg == 19500.0 and doc.packages == 1950
    assert [(i.hs_code, i.net_weight_kg) for i in doc.line_items] == [
        ("020712", 17250.0),
        ("020714", 2250.0),
    ]
    assert doc.port_of_entry == "GBFXT1" and doc.origin_country == "UA"
    assert doc.containers[0].seals == ["C72704475"]
    assert any(n.subject == "decision" and "Acceptable" in n.content for n in doc.notes)


def test_ched_official_transport_and_registrations() -> None:
    doc, _ = IpaffsChedAdapter().parse((SAMPLES / "single/cheda-one-commodity.json").read_bytes())
    assert doc.officer_name == "Percy Inspector-Tester"  # partTwo's official veterinarian
    # MeansOfTransport: "id" is the vessel or vehicle, "document" its transport document
    assert doc.transport[0].means_name == "2121" and doc.transport[0].journey_id is None
    assert any(r.id == "21" and r.document_code == "transport document" for r in doc.references)
    doc, _ = IpaffsChedAdapter().parse(
        (SAMPLES / "AllChedsWithDecision/IPAFFS/chedp.json").read_bytes()
    )
    assert doc.container_numbers == "KA8194IP, BC9424XF"


def test_a_fractional_package_count_is_read_with_a_warning() -> None:
    from adapters._collect import JsonCollector

    c = JsonCollector()
    assert c.integer("100.5", "$.packages", "packages") == 100
    assert [i.message for i in c.issues] == ["packages: 100.5 is not a whole number; read as 100"]
    assert JsonCollector().integer("12", "$.packages", "packages") == 12


def test_a_plant_health_quantity_in_kilograms_keeps_its_fraction() -> None:
    """CHED-PP quantities are in their ``type_quantity``: 12.5 kg was rounded to 12 (with a
    "not a whole number" warning); a count of animals is still whole."""
    path = SAMPLES / "single" / "chedpp-multiple-commodity.json"
    ched = json.loads(path.read_text(encoding="utf-8-sig"))
    sets = ched["partOne"]["commodities"]["complementParameterSet"]
    for data in sets:
        data["keyDataPair"] += [
            {"key": "quantity", "data": "12.5"},
            {"key": "type_quantity", "data": "Kilograms"},
        ]
    doc, issues = IpaffsChedAdapter().parse(json.dumps(ched).encode())
    assert doc.quantity == 12.5 * len(sets) and doc.unit == "kg"  # was 12 per set
    assert not any("whole number" in i.message for i in issues)
    cheda = (SAMPLES / "single" / "cheda-one-commodity.json").read_bytes()
    animals = IpaffsChedAdapter().parse(cheda.replace(b'"data": "1"', b'"data": "1.5"'))
    assert any("whole number" in i.message for i in animals[1])


def test_reference_normalisation_across_formats() -> None:
    assert normalize_reference("CHEDP.GB.2024.5249429") == normalize_reference("GBCHD2024.5249429")
    assert normalize_reference("CHEDA.GB.2024.5249486") == normalize_reference("gbchd2024.5249486")
    assert normalize_reference("CHEDPP.GB.2024.5300951") == "GB20245300951"
    assert normalize_reference("CHEDP.GB.2024.5249429") != normalize_reference("GBCHD2024.5249430")
    assert normalize_reference(" ab-12/3 ") == "AB123"


def test_commodity_prefix() -> None:
    assert commodity_prefix_match("020712", "0207129000")
    assert commodity_prefix_match("0207129000", "020712")
    assert not commodity_prefix_match("020714", "0207129000")
    assert not commodity_prefix_match("02", "0207129000")  # fewer than 4 digits
    assert not commodity_prefix_match(None, "0207")


def _load(paths: list[Path]) -> tuple[list[Certificate], list[Declaration]]:
    cheds = [IpaffsChedAdapter().parse(p.read_bytes())[0] for p in paths if p in CHEDS]
    crs = [AlvsClearanceAdapter().parse(p.read_bytes())[0] for p in paths if p in REQUESTS]
    return cheds, crs


@pytest.mark.parametrize("kind", ["cheda", "chedd", "chedp"])
def test_with_decision_pairs_match_as_the_samples_decided(kind: str) -> None:
    cheds, _ = _load(sorted((SAMPLES / "AllChedsWithDecision" / "IPAFFS").glob("*.json")))
    request, _ = AlvsClearanceAdapter().parse(
        (SAMPLES / f"AllChedsWithDecision/ALVS/cr-{kind}-match.json").read_bytes()
    )
    result = match_declaration(request, cheds)
    assert result.outcome == "match", [(i.item_number, i.reasons) for i in result.items]
    ched = next(c for c in cheds if c.certificate_type == f"ched-{kind[4:]}")
    decision = next(n.content for n in ched.notes if n.subject == "decision")
    assert decision.startswith("Acceptable")  # the IPAFFS decision our match reproduces


def test_chedp_net_mass_total_and_tampered_variants() -> None:
    cheds, _ = _load([SAMPLES / "AllChedsWithDecision/IPAFFS/chedp.json"])
    raw = json.loads((SAMPLES / "AllChedsWithDecision/ALVS/cr-chedp-match.json").read_text())
    ok = AlvsClearanceAdapter().parse(json.dumps(raw).encode())[0]
    assert sum(i.net_weight_kg or 0 for i in ok.line_items) == cheds[0].net_weight_kg == 19500.0
    raw["items"][0]["itemNetMass"] = 18000  # 18000 + 2250 > 19500 * 1.02
    heavy = match_declaration(AlvsClearanceAdapter().parse(json.dumps(raw).encode())[0], cheds)
    assert heavy.outcome == "mismatch"
    assert any(
        "net mass 20250 kg declared, 19500 kg certified" in r
        for i in heavy.items
        for r in i.reasons
    )
    raw["items"][0]["itemNetMass"] = 17250
    raw["items"][1]["taricCommodityCode"] = "0203111000"
    wrong = match_declaration(AlvsClearanceAdapter().parse(json.dumps(raw).encode())[0], cheds)
    assert [i.outcome for i in wrong.items] == ["match", "mismatch"]
    raw["items"][1]["documents"][0]["documentReference"] = "GBCHD2024.9999999"
    missing = match_declaration(AlvsClearanceAdapter().parse(json.dumps(raw).encode())[0], cheds)
    assert missing.items[1].outcome == "no-match"


def test_no_match_cheds_are_quoted_by_no_request() -> None:
    cheds, crs = _load(ALL)
    nomatch = {p for p in (SAMPLES / "AllChedsNoMatch").rglob("*.json")}
    expected = {IpaffsChedAdapter().parse(p.read_bytes())[0].certificate_number for p in nomatch}
    unquoted = {c.certificate_number for c in unquoted_certificates(cheds, crs)}
    assert expected <= unquoted
    assert "CHEDP.GB.2024.5249429" not in unquoted


def test_chedpp_versions_and_the_legacy_x00_decision() -> None:
    """Our rules link CR 24GBDSHIXSY6RCKAR3 to CHEDPP.GB.2024.5300951 (reference, CN prefix
    06029047/0602904700, 700 + 200 = 900 kg). The sample decisions are X00 from a DUCR/part-number
    lookup in the plant-health system, a rule we do not model, so we only check they are X00."""
    case = SAMPLES / "24GBDSHIXSY6RCKAR3"
    cheds, crs = _load(sorted(case.rglob("*.json")))
    assert {c.status_code for c in cheds} == {"SUBMITTED", "IN_PROGRESS", "VALIDATED"}
    assert [d.version for d in sorted(crs, key=lambda d: d.version or 0)] == [1, 2, 3]
    for cr in crs:
        assert match_declaration(cr, cheds).outcome == "match"
    decisions = [
        read_decision(p.read_bytes()) for p in sorted((case / "DECISIONS").rglob("*.json"))
    ]
    assert [d.decision_number for d in decisions] == [1, 2, 3]
    assert {i.decision_code for d in decisions for i in d.items} == {"X00"}


def test_schemas_load() -> None:
    schema = json.loads(
        (DEFRA / "schemas" / "ipaffs-notification.jsonschema.json").read_text("utf-8-sig")
    )
    chedp = json.loads((SAMPLES / "AllChedsWithDecision/IPAFFS/chedp.json").read_text())
    assert set(chedp) <= set(schema["properties"]) | {"etag"}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    xsd = etree.XMLSchema(
        etree.parse(str(DEFRA / "schemas" / "sendALVSClearanceRequest.xsd"), parser)
    )
    assert xsd is not None
    wsdl = etree.parse(str(DEFRA / "schemas" / "sendALVSClearanceRequest.wsdl"), parser)
    assert etree.QName(wsdl.getroot()).localname == "definitions"


def test_ched_operators_keep_the_country_of_their_address() -> None:
    """An economic operator's country is its address's ``countryISOCode`` (IPAFFS schema):
    every consignor and consignee of the samples that gives a two-letter one keeps it."""
    checked = 0
    for path in CHEDS:
        raw = json.loads(path.read_bytes())
        doc, _ = IpaffsChedAdapter().parse(path.read_bytes())
        for role in ("consignor", "consignee"):
            code = raw["partOne"].get(role, {}).get("address", {}).get("countryISOCode")
            if code and len(code) == 2:
                party = doc.party(role)
                assert party is not None and party.address is not None, (path.name, role)
                assert party.address.country == code, (path.name, role)
                checked += 1
    assert checked >= 8


def test_ched_p_establishment_of_origin_is_the_establishment_number() -> None:
    path = SAMPLES / "single" / "chedp-one-commodity.json"
    raw = json.loads(path.read_bytes())
    (origin,) = raw["partOne"]["veterinaryInformation"]["establishmentsOfOrigin"]
    doc, _ = IpaffsChedAdapter().parse(path.read_bytes())
    assert doc.establishment_number == origin["approvalNumber"] == "AF 0023"
    assert doc.flat()["establishment_number"] == "AF 0023"
    party = doc.party("establishment")
    assert party is not None and party.name == origin["name"]
    assert party.address is not None and party.address.country == origin["country"]


def test_ched_commodities_of_the_wrong_shape_are_said_not_read_as_none() -> None:
    path = SAMPLES / "single" / "chedp-one-commodity.json"
    raw = json.loads(path.read_bytes())
    goods = raw["partOne"]["commodities"]
    raw["partOne"]["commodities"] = [goods]
    doc, issues = IpaffsChedAdapter().parse(json.dumps(raw).encode())
    said = [i for i in issues if i.path == "$.partOne.commodities"]
    assert len(said) == 1 and "not an object (list)" in said[0].message
    assert doc.line_items == []
    fine, fine_issues = IpaffsChedAdapter().parse(path.read_bytes())
    assert fine.line_items and not [i for i in fine_issues if i.path == "$.partOne.commodities"]
