"""The explicit adapter map: ids, aliases, detection, and the coded error listing known ids."""

from __future__ import annotations

import json

import pytest

from adapters import FormatAdapter, UnknownFormat, detect, get_adapter, known_formats
from adapters.canonical import Certificate
from adapters.cusdep_json import CanonicalJsonAdapter
from adapters.errors import InvalidDocument, MalformedInput
from tests.interop_data import INTEROP


def test_every_known_format_is_a_format_adapter() -> None:
    assert "uncefact-sps-xml" in known_formats() and "cusdep-json" in known_formats()
    for format_id in known_formats():
        adapter = get_adapter(format_id)
        assert isinstance(adapter, FormatAdapter)
        assert adapter.format_id == format_id
        assert adapter.version


def test_aliases_and_case() -> None:
    assert get_adapter("ePhyto").format_id == "uncefact-sps-xml"
    assert get_adapter(" CANONICAL-JSON ").format_id == "cusdep-json"


def test_unknown_id_is_coded_and_lists_known_ids() -> None:
    with pytest.raises(UnknownFormat) as err:
        get_adapter("edifact-d96a")
    assert err.value.code == "adapters.unknown_format"
    for format_id in known_formats():
        assert format_id in str(err.value)


def test_detect() -> None:
    sample = (INTEROP / "ippc-ephyto-mattilsynet" / "SPSCertificateContent.xml").read_bytes()
    assert detect(sample).format_id == "uncefact-sps-xml"
    assert detect(b'{"certificate_number": "A-1"}').format_id == "cusdep-json"
    with pytest.raises(UnknownFormat, match="no adapter recognises"):
        detect(b"%PDF-1.7 ...")


def test_canonical_json_round_trip_and_errors() -> None:
    adapter = CanonicalJsonAdapter()
    cert = Certificate(certificate_number="A-1", origin_country="AU", net_weight_kg=12.5)
    doc, issues = adapter.parse(adapter.render(cert))
    assert doc.flat() == cert.flat() and issues == []
    _, issues = adapter.parse(json.dumps({"certificate_number": "A", "colour": "red"}).encode())
    assert [i.path for i in issues] == ["$.colour"]
    with pytest.raises(InvalidDocument, match=r"\$\.origin_country"):
        adapter.parse(b'{"origin_country": "Atlantis"}')
    with pytest.raises(MalformedInput, match="line 2"):
        adapter.parse(b'{"a": 1,\n oops}')
    with pytest.raises(InvalidDocument, match="must be an object"):
        adapter.parse(b"[1, 2]")
