"""Property tests: every parser returns a canonical document or raises its own AdapterError.

Each property runs per parser; default ``CUSDEP_FUZZ_EXAMPLES`` = 100 examples per parser and
property (a few hundred per parser in all). For the deep run (10,000 per parser and property):
``CUSDEP_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest tests/unit/adapters/test_fuzz_parsers.py``.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.base import FormatAdapter
from adapters.canonical import Certificate, Declaration
from adapters.errors import AdapterError
from adapters.registry import detect, get_adapter, known_formats
from tests.interop_data import INTEROP

EXAMPLES = int(os.environ.get("CUSDEP_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES <= 100,  # the default run is reproducible; deep runs explore
)

SAMPLES: dict[str, list[Path]] = {
    "uncefact-sps-xml": [INTEROP / "ippc-ephyto-mattilsynet" / "SPSCertificateContent.xml"],
    "wco-dec-xml": [
        INTEROP / "hmrc-cds-wco-dm/samples/TT_IM021a/Step1_TT_IM021a.xml",
        INTEROP / "hmrc-cds-wco-dm/samples/TT_IM039a/Step1_TT_IM039a.xml",
        INTEROP / "hmrc-cds-wco-dm/samples/TT_IM004a/TT_IM004a.xml",
    ],
    "ipaffs-ched-json": [
        INTEROP / "defra-ipaffs-btms/samples/AllChedsWithDecision/IPAFFS/chedp.json",
        INTEROP / "defra-ipaffs-btms/samples/AllChedsWithDecision/IPAFFS/cheda.json",
    ],
    "alvs-clearance-json": [
        INTEROP / "defra-ipaffs-btms/samples/AllChedsWithDecision/ALVS/cr-chedp-match.json"
    ],
    "openattestation-v2": [
        INTEROP / "tradetrust/fixtures/local/v2/coo-selective-disclosure.json",
        INTEROP / "open-attestation/fixtures/v2/did-wrapped.json",
    ],
    "cusdep-json": [],
}
CANONICAL = json.dumps(
    {"certificate_number": "AU-1", "origin_country": "AU", "net_weight_kg": "1,250.5 kg",
     "line_items": [{"hs_code": "0808.10", "packages": [{"count": 3}]}], "issue_date": "12/03/2026"}
).encode()  # fmt: skip
DATA = {fid: [p.read_bytes() for p in paths] for fid, paths in SAMPLES.items()}
DATA["cusdep-json"] = [CANONICAL]
FORMATS = sorted(known_formats())


def _check(adapter: FormatAdapter, data: bytes) -> None:
    try:
        doc, issues = adapter.parse(data)
    except AdapterError as err:
        assert str(err) and "\n" not in str(err)
        return
    assert isinstance(doc, Certificate | Declaration)
    assert isinstance(issues, list)
    doc.to_json_dict()  # the canonical JSON can always be produced


def test_every_format_has_fuzz_seeds() -> None:
    assert set(DATA) == set(FORMATS)


@pytest.mark.parametrize("fid", FORMATS)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes(fid: str, data: bytes) -> None:
    _check(get_adapter(fid), data)


@pytest.mark.parametrize("fid", FORMATS)
@FUZZ
@given(data=st.data())
def test_byte_mutations_of_samples(fid: str, data: st.DataObject) -> None:
    sample = DATA[fid][data.draw(st.integers(0, len(DATA[fid]) - 1))]
    buf = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, max(0, len(buf) - 1)))
        op = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if op == "flip" and buf:
            buf[pos] = data.draw(st.integers(0, 255))
        elif op == "delete":
            del buf[pos : pos + data.draw(st.integers(1, 64))]
        elif op == "insert":
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
        else:
            del buf[pos:]
    _check(get_adapter(fid), bytes(buf))
    try:
        detect(bytes(buf))
    except AdapterError:
        pass


_XML_SAFE = st.characters(blacklist_categories=("Cs", "Cc"))
_TEXT = st.text(_XML_SAFE, max_size=40) | st.sampled_from(
    ["", "0", "-1", "1e309", "NaN", "ZZ", "AUS", "31/02/2026", "9" * 30, "KGM", "1,2,3", " "]
)


@pytest.mark.parametrize("fid", ["uncefact-sps-xml", "wco-dec-xml"])
@FUZZ
@given(data=st.data())
def test_xml_tree_mutations(fid: str, data: st.DataObject) -> None:
    sample = DATA[fid][data.draw(st.integers(0, len(DATA[fid]) - 1))]
    root = etree.fromstring(
        sample.removeprefix(b"\xef\xbb\xbf"), etree.XMLParser(resolve_entities=False)
    )
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(data.draw(st.integers(1, 5))):
        el = elements[data.draw(st.integers(0, len(elements) - 1))]
        op = data.draw(st.sampled_from(["text", "drop", "dup", "attr"]))
        parent = el.getparent()
        if op == "text":
            el.text = data.draw(_TEXT)
        elif op == "drop" and parent is not None:
            parent.remove(el)
        elif op == "dup" and parent is not None:
            parent.append(copy.deepcopy(el))
        elif op == "attr":
            el.set("unitCode", data.draw(st.sampled_from(["TNE", "KGM", "XXX", "", "LBR"])))
    try:
        mutated = etree.tostring(root)
    except (ValueError, etree.SerialisationError):
        return
    _check(get_adapter(fid), mutated)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@pytest.mark.parametrize(
    "fid", ["ipaffs-ched-json", "alvs-clearance-json", "openattestation-v2", "cusdep-json"]
)
@FUZZ
@given(data=st.data())
def test_json_subtree_replacement(fid: str, data: st.DataObject) -> None:
    doc = json.loads(DATA[fid][data.draw(st.integers(0, len(DATA[fid]) - 1))].decode("utf-8-sig"))
    paths = [p for p in _paths(doc) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        node = doc
        try:
            for step in path[:-1]:
                node = node[step]
            node[path[-1]] = data.draw(_JSON)
        except (KeyError, IndexError, TypeError):
            continue
    _check(get_adapter(fid), json.dumps(doc).encode())
