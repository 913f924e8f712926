"""Property: any canonical document renders to a partner format and reads back the same."""

from __future__ import annotations

import os

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
