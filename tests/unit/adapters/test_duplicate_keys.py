"""A JSON key given twice is refused at every JSON entry point, naming the key and its path.

``json`` keeps the last value in silence (another reader keeps the first): ``{"netWeight": 10,
"netWeight": 1000}`` would mean what the reader makes of it, a tampering vector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.errors import UnsafeInput
from adapters.registry import detect, get_adapter, parse_document
from tests.interop_data import INTEROP

DEFRA = INTEROP / "defra-ipaffs-btms" / "samples"
SAMPLES = {
    "ipaffs-ched-json": DEFRA / "single" / "chedpp-multiple-commodity.json",
    "alvs-clearance-json": next(DEFRA.glob("24GBDSHIXSY6RCKAR3/ALVS/*/*/*/*.json")),
    "openattestation-v2": INTEROP / "open-attestation" / "fixtures" / "v2" / "did-wrapped.json",
}


def _first_key_twice(path: Path) -> tuple[bytes, str]:
    """The real sample with its first top-level key given once more, before the original
    (the original value is the last, the one ``json`` would keep)."""
    raw = path.read_bytes()
    key = next(iter(json.loads(raw)))
    start = raw.index(b"{") + 1
    return raw[:start] + json.dumps(key).encode() + b": null, " + raw[start:], key


@pytest.mark.parametrize("format_id", sorted(SAMPLES))
def test_every_json_adapter_refuses_a_key_given_twice(format_id: str) -> None:
    path = SAMPLES[format_id]
    get_adapter(format_id).parse(path.read_bytes())  # the sample itself is read
    data, key = _first_key_twice(path)
    assert detect(data).format_id == format_id
    with pytest.raises(UnsafeInput) as err:
        get_adapter(format_id).parse(data)
    assert err.value.code == "adapters.unsafe"
    assert f"key {key!r} given more than once (${'.' + key})" in str(err.value)
    assert str(err.value).startswith(f"{format_id}: duplicate key in a JSON object")


def test_canonical_json_names_the_path_of_a_nested_duplicate() -> None:
    data = (
        b'{"doc_type": "declaration", "declaration_number": "D1",\n'
        b' "line_items": [{"hs_code": "0808"}, {"net_weight_kg": 10, "net_weight_kg": 1000}]}'
    )
    with pytest.raises(UnsafeInput, match=r"'net_weight_kg' given more than once") as err:
        get_adapter("cusdep-json").parse(data)
    assert err.value.reasons[0].path == "$.line_items[1].net_weight_kg"
    assert len(err.value.reasons) == 1


def test_detection_says_duplicate_key_not_unknown_format() -> None:
    """The canonical JSON sniffer reads the JSON; a duplicate made it say "not mine" and the
    refusal was "no adapter recognises this document"."""
    data = b'{"doc_type": "declaration", "net_weight_kg": 10, "net_weight_kg": 1000}'
    with pytest.raises(UnsafeInput, match=r"'net_weight_kg' given more than once \(\$\.net_we"):
        parse_document(data)


def test_the_same_key_in_different_objects_is_no_duplicate() -> None:
    data = b'{"doc_type": "declaration", "line_items": [{"quantity": 1}, {"quantity": 2}]}'
    doc, _, _ = parse_document(data)
    assert [i.quantity for i in doc.line_items] == [1.0, 2.0]
