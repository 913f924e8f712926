"""Property: any canonical document renders to a partner format and reads back the same."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters._countries import COUNTRIES
from adapters.canonical import Certificate, Declaration
from adapters.cusdep_json import CanonicalJsonAdapter
from adapters.errors import RenderError
from adapters.uncefact_sps import SpsCertificateAdapter
from adapters.wco_dm import WcoDeclarationAdapter

EXAMPLES = int(os.environ.get("CUSDEP_FUZZ_EXAMPLES", "100"))
PROPS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=EXAMPLES <= 100,
)

_WORD = st.text(
    st.characters(whitelist_categories=("L", "N"), max_codepoint=0x2FFF), min_size=1, max_size=12
)
_TEXT = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)
_COUNTRY = st.sampled_from([c[0] for c in COUNTRIES])
_HS = st.text("0123456789", min_size=6, max_size=10)
_KG = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False).map(float)
_DATE = st.dates().map(lambda d: d.isoformat())


@PROPS
@given(
    number=_TEXT,
    consignor=_TEXT,
    consignee=_TEXT,
    origin=_COUNTRY,
    destination=_COUNTRY,
    hs=_HS,
    kg=_KG,
    packages=st.integers(0, 10**6),
    commodity=_TEXT,
    issued=_DATE,
    officer=_TEXT,
    place=_TEXT,
)
def test_certificate_flat_fields_survive_sps_xml(**kw: object) -> None:
    cert = Certificate(
        certificate_number=kw["number"],
        consignor_name=kw["consignor"],
        consignee_name=kw["consignee"],
        origin_country=kw["origin"],
        destination_country=kw["destination"],
        hs_code=kw["hs"],
        net_weight_kg=kw["kg"],
        packages=kw["packages"],
        commodity=kw["commodity"],
        issue_date=kw["issued"],
        officer_name=kw["officer"],
        place_of_issue=kw["place"],
    )
    adapter = SpsCertificateAdapter()
    again, _ = adapter.parse(adapter.render(cert))
    assert again.flat() == cert.flat()
    assert (
        CanonicalJsonAdapter().parse(CanonicalJsonAdapter().render(again))[0].flat() == again.flat()
    )


@PROPS
@given(
    number=_TEXT,
    consignor=_TEXT,
    consignee=_TEXT,
    origin=_COUNTRY,
    hs=_HS,
    kg=_KG,
    packages=st.integers(0, 10**6),
    commodity=_TEXT,
    certs=st.lists(_TEXT.map(lambda t: t.replace(" ", "-")), max_size=3, unique=True),
)
def test_declaration_flat_fields_survive_wco_xml(**kw: object) -> None:
    decl = Declaration(
        declaration_number=kw["number"],
        consignor_name=kw["consignor"],
        consignee_name=kw["consignee"],
        origin_country=kw["origin"],
        hs_code=kw["hs"],
        net_weight_kg=kw["kg"],
        packages=kw["packages"],
        commodity=kw["commodity"],
        certificate_numbers=kw["certs"],
    )
    adapter = WcoDeclarationAdapter()
    try:
        rendered = adapter.render(decl)
    except RenderError as err:  # only for values the CDS schema cannot hold (lengths)
        assert "maxLength" in str(err) or "length" in str(err)
        return
    assert adapter.validate(rendered) == []
    again, _ = adapter.parse(rendered)
    assert again.flat() == decl.flat()


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1f", "\ufffe", "\uffff"])
def test_a_character_xml_cannot_carry_is_a_render_error_naming_the_field(char: str) -> None:
    """A canonical JSON may hold a NUL or a control character (JSON escapes it); no XML can:
    lxml's bare ValueError was a traceback out of ``cusdep convert --to uncefact-sps-xml``."""
    cert = Certificate(certificate_number="TR-1", consignee_name=f"İzmir{char}Gıda")
    with pytest.raises(RenderError) as err:
        SpsCertificateAdapter().render(cert)
    assert err.value.reasons[0].path == "$.consignee_name"
    assert f"U+{ord(char):04X}" in str(err.value)
    decl = Declaration(declaration_number="D-1", consignor_name=f"Hải Phòng{char}")
    with pytest.raises(RenderError, match="XML cannot carry"):
        WcoDeclarationAdapter().render(decl)


def test_text_in_any_script_survives_sps_xml_exactly() -> None:
    """Bidi and zero-width characters, NFD marks, CJK, Arabic, emoji and markup are XML text:
    a name is written and read back as it was (no normalisation on the way)."""
    import unicodedata

    name = unicodedata.normalize("NFD", "Hải Phòng") + " 上海 تونس \u202egnp\u200b 🚢 <&\"'>\\"
    cert = Certificate(certificate_number="TR-1", consignee_name=name)
    back, _ = SpsCertificateAdapter().parse(SpsCertificateAdapter().render(cert))
    assert back.consignee_name == name
