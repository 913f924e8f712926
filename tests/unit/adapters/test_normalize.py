"""Normalisation of printed values (dates, numbers, countries, HS codes, containers, names)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from adapters import normalize as n


@pytest.mark.parametrize(
    "text",
    ["12/03/2026", "12 March 2026", "2026-03-12", "12.03.2026", "12-03-2026", "12th March, 2026",
     "March 12, 2026", "2026-03-12T13:53:08-03:00", "20260312", "2026年3月12日", "12 mars 2026",
     " 12 Mar 2026 ", "12/03/26", "2026/03/12"],
)  # fmt: skip
def test_dates_day_first(text: str) -> None:
    assert n.parse_date(text) == date(2026, 3, 12)


@pytest.mark.parametrize(
    "text",
    ["10. desember 2026", "10 de dezembro de 2026", "10 dez. 2026", "10 de diciembre de 2026",
     "10 dicembre 2026", "10 december 2026", "10-Dec-2026", "10-DEZ-2026", "10/dic/2026",
     "10 déc. 2026"],
)  # fmt: skip
def test_dates_with_the_month_named_as_partners_print_it(text: str) -> None:
    # Norwegian, Brazilian, Chilean papers: the date was not read, the paper went to an officer
    # with its validity unchecked
    assert n.parse_date(text) == date(2026, 12, 10)


@pytest.mark.parametrize(
    "text", ["05-MAR-26", "05MAR26", "5-Mar-26", "05/Mar/26", "05.MAR.26", "2026-MAR-05",
             "05 Mar 2026"],
)  # fmt: skip
def test_dates_with_an_abbreviated_month_and_a_two_digit_year(text: str) -> None:
    # "05-MAR-26" (as shipping and military papers print it) was not read: validity unchecked
    assert n.parse_date(text) == date(2026, 3, 5)


@pytest.mark.parametrize(
    "text", ["12 March 20", "12 May 20", "5 Mar 26", "05-MAR 26", "Mar 05, 26", "05-MAR-262"]
)
def test_a_two_digit_year_spaced_from_its_month_is_a_year_cut_short(text: str) -> None:
    """A "12 May 20" is "12 May 2026" cut at the crop's edge, not 12 May 2020 (a genuine paper
    six years expired): not a date, so the field is doubtful and an officer looks."""
    with pytest.raises(n.NormalizationError):
        n.parse_date(text)


def test_dates_month_first_when_asked() -> None:
    assert n.parse_date("03/12/2026", "MDY") == date(2026, 3, 12)
    assert n.parse_date("03/12/2026") == date(2026, 12, 3)
    assert n.parse_date("12 March 2026", "MDY") == date(2026, 3, 12)


def test_dates_year_first_when_asked() -> None:
    # a YMD template's two-digit year: read day first, "26/03/05" was 26 March 2005, a genuine
    # paper 21 years expired
    assert n.parse_date("26/03/05", "YMD") == date(2026, 3, 5)
    assert n.parse_date("26.3.5", "YMD") == date(2026, 3, 5)
    assert n.parse_date("2026/03/05", "YMD") == date(2026, 3, 5)
    assert n.parse_date("05/03/2026", "YMD") == date(2026, 3, 5)  # a four-digit year is last
    assert n.parse_date("26/03/05", "DMY") == date(2005, 3, 26)
    with pytest.raises(n.NormalizationError):
        n.parse_date("26/02/30", "YMD")


@pytest.mark.parametrize("text", ["", "31/02/2026", "yesterday", "12 Smarch 2026", "1/2/3/4"])
def test_bad_dates_raise(text: str) -> None:
    with pytest.raises(n.NormalizationError):
        n.parse_date(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,250.50 kg", 1250.5), ("1.250,50", 1250.5), ("1 250,5 kg", 1250.5), ("12,5", 12.5),
     ("1,250", 1250.0), ("1.5", 1.5), ("100.0000", 100.0), ("1.250.000", 1_250_000.0),
     ("1,250,000.25", 1_250_000.25), ("-3", -3.0), ("NET 19 500 KGS", 19500.0), (48, 48.0),
     ("0,250", 0.25)],
)  # fmt: skip
def test_numbers(text: str, value: float) -> None:
    assert n.parse_number(text) == value


def test_quantity_with_units_and_kg_conversion() -> None:
    assert n.parse_quantity("1,250.50 kg") == (1250.5, "kg")
    assert n.parse_quantity("2.5 t") == (2.5, "t")
    assert n.parse_quantity("48") == (48.0, None)
    assert n.to_kg(2.5, "TNE") == 2500.0
    assert n.to_kg(500, "GRM") == 0.5
    assert n.to_kg(10, "KGM") == 10.0
    with pytest.raises(n.NormalizationError):
        n.to_kg(1, "MTQ")
    with pytest.raises(n.NormalizationError):
        n.parse_number("kg")


@pytest.mark.parametrize(
    ("text", "code"),
    [("AU", "AU"), ("au", "AU"), ("AUS", "AU"), ("Australia", "AU"), ("United Kingdom", "GB"),
     ("UK", "GB"), ("Korea, Republic of", "KR"), ("Viet Nam", "VN"), ("Türkiye", "TR"),
     ("People's Republic of China", "CN"), ("the Netherlands", "NL"), ("Côte d'Ivoire", "CI"),
     ("ARG", "AR"), ("Ecuador", "EC")],
)  # fmt: skip
def test_countries(text: str, code: str) -> None:
    assert n.country_code(text) == code


def test_unknown_country_raises() -> None:
    with pytest.raises(n.NormalizationError, match="unknown country"):
        n.country_code("Atlantis")


def test_hs_codes() -> None:
    assert n.hs_code("0808.10") == "080810"
    assert n.hs_code("0207 12 90 00") == "0207129000"
    with pytest.raises(n.NormalizationError):
        n.hs_code("x")


def test_container_numbers_iso6346() -> None:
    assert n.container_check_digit("CSQU305438") == 3
    assert n.is_valid_container_number("CSQU 305438-3")
    assert not n.is_valid_container_number("CSQU3054384")
    assert not n.is_valid_container_number("CSQ3054383")
    assert n.container_number("csqu305438 3") == "CSQU3054383"
    with pytest.raises(n.NormalizationError):
        n.container_number("CSQU3054384")
    assert n.container_number("CSQU3054384", check=False) == "CSQU3054384"
    assert n.container_numbers("csqu3054383; msku 1234565,CSQU3054383") == (
        "CSQU3054383, MSKU1234565"
    )
    assert n.container_numbers(["a1", "b2"]) == "A1, B2"


def test_container_lists_split_registrations_and_keep_other_identifiers() -> None:
    # IPAFFS CHED-P sample: two registrations, "KA8194IP / BC9424XF", and "GP067VP GR701DQ"
    assert n.container_numbers("KA8194IP / BC9424XF") == "KA8194IP, BC9424XF"
    assert n.container_numbers("GP067VP GR701DQ") == "GP067VP, GR701DQ"
    # an ISO 6346 number written in parts stays one number
    assert n.container_numbers("MSCU 123456 5") == "MSCU1234565"
    assert n.container_numbers("tghu 000000-1") == "TGHU0000001"
    # another identifier is kept as written (HMRC TT_IM021a), not run together
    assert n.container_numbers("cn-1234228/34") == "CN-1234228/34"
    assert n.container_identifier("  ad12345 ") == "AD12345"
    with pytest.raises(n.NormalizationError):
        n.container_identifier(" - ")


def test_names_for_fuzzy_matching() -> None:
    assert n.normalize_name("ACME Trading Co., Ltd.") == "acme trading"  # a trade, not a form
    assert n.normalize_name("Importer S.A.") == n.normalize_name("IMPORTER SA")
    assert n.normalize_name("Müller GmbH & Co. KG") == "muller"
    assert n.name_similarity("Juan Perez", "PEREZ, Juan") == 1.0
    assert n.name_similarity("Shanghai Fruit Import Co Ltd", "Shanghai Fruit Import") == 1.0
    assert n.name_similarity("Apple Farm", "Orange Grove") < 0.6
    # held-out seed 254 c00091: a consignee switched on the declaration, one trade for another
    assert n.name_similarity("Coastal Trading K.K.", "COASTAL FOODS K.K.") < 0.85
    assert n.name_similarity("Coastal Trading K.K.", "COASTAL TRADING KK") == 1.0
    assert n.name_similarity("", "x") == 0.0


@pytest.mark.parametrize(
    ("printed", "recorded"),
    [
        ("Aydın Fındık Gıda", "AYDIN FINDIK GIDA"),  # Turkish dotless i
        ("İzmir Tarım A.Ş.", "IZMIR TARIM AS"),  # and dotted capital I
        ("Łódź Foods", "Lodz Foods"),
        ("Đà Nẵng Seafood", "Da Nang Seafood"),
        ("Øresund Fisk", "Oresund Fisk"),
        ("Straße Handel", "Strasse Handel"),
        ("Æon Trading", "Aeon Trading"),
        (unicodedata.normalize("NFD", "Công ty Hải Phòng"), "Công ty Hải Phòng"),
        ("ＳＩＮＯ　ＦＯＯＤＳ", "Sino Foods"),  # full-width
    ],
)
def test_a_name_in_its_own_script_is_the_name_spelt_in_ascii(printed: str, recorded: str) -> None:
    """The same party, as the certificate prints it and as an ASCII-only declaration or
    registry spells it: letters no decomposition folds (ı, ł, đ, ø, ß, æ) folded too."""
    assert n.normalize_name(printed) == n.normalize_name(recorded)
    assert n.name_similarity(printed, recorded) == 1.0


def test_zoned_xs_dates_and_every_rec20_mass_unit() -> None:
    assert str(n.parse_date("2016-04-22Z")) == "2016-04-22"  # an xs:date with its zone
    assert str(n.parse_date("2016-04-22+02:00")) == "2016-04-22"
    # UN/EDIFACT 2379 date-times with their zone (304, 205) and ISO 8601's hours-only zone
    assert str(n.parse_date("20260226154205+01")) == "2026-02-26"
    assert str(n.parse_date("20240125094643Z")) == "2024-01-25"
    assert str(n.parse_date("202401250946-0330")) == "2024-01-25"
    assert str(n.parse_date("2016-04-22T13:53:08+01")) == "2016-04-22"
    for odd in ("20240125+01", "2016-04-22-05"):  # a zone needs a time
        with pytest.raises(n.NormalizationError):
            n.parse_date(odd)
    assert n.to_kg(5_000_000, "MGM") == 5.0  # UNECE Rec. 20: milligram
    assert n.to_kg(16, "ONZ") == 0.453592  # ounce
    assert n.to_kg(3, "DTN") == 300.0  # decitonne
    with pytest.raises(n.NormalizationError):
        n.to_kg(1, "MTQ")  # a volume is no mass


def test_a_number_in_exponent_notation_is_refused_not_read_as_its_mantissa() -> None:
    # "1e3" was read as 1.0 (unit "e3"): an ePhyto's NetWeightMeasure 1e3 gave 1 kg, silently
    from adapters.normalize import NormalizationError, parse_number

    for text in ("1e3", "2E-3", "1.5e+2 kg"):
        with pytest.raises(NormalizationError, match="exponent"):
            parse_number(text)
    assert parse_number("5 each") == 5.0 and parse_number("12 KGM") == 12.0


@pytest.mark.parametrize(
    ("unit", "name", "code"),
    [("kg", "kg", "KGM"), ("KGM", "kg", "KGM"), ("Kilograms", "kg", "KGM"), ("l", "l", "LTR"),
     ("litres", "l", "LTR"), ("MTQ", "m3", "MTQ"), ("TNE", "t", "TNE"), ("NAR", "pcs", "NAR"),
     ("H87", "pcs", "NAR"), ("Units", "pcs", "NAR"), ("NPR", "pairs", "NPR"),
     ("LPA", "l alc", "LPA"), ("MTK", "m2", "MTK"), ("head", "head", "HEA"),
     ("heads", "head", "HEA"), ("HEA", "head", "HEA"),
     ("cartons", None, None), ("KX", None, None)],
)  # fmt: skip
def test_units_and_their_rec20_codes_one_table(
    unit: str, name: str | None, code: str | None
) -> None:
    """One table both ways: a code read is its unit, the unit written is its code; a unit
    the table lacks has no code (``cartons``: no Rec. 20 code is guessed for it). Heads of
    animals are Rec. 20 ``HEA`` (UN/CEFACT vocab-codes, Rec 20 Annex II/III, current)."""
    assert n.unit_name(unit) == name
    assert n.rec20_code(unit) == code
    if code is not None:
        assert n.unit_name(code) == name and n.rec20_code(code) == code
    assert n.normalize_unit(unit) == (name or unit.lower())
