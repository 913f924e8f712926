"""The registry's one set of input checks (``node.registry.validate``), as the service runs them
for every edge and ``registry import`` runs them on a bundle: names that are one line of valid
Unicode within the API's limit, specimens the review can compare, messages that name fields
(not CLI flags), templates without unknown keys; and a listing that shows what an earlier
version stored (a name that was not UTF-8) instead of failing to encode it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from node.errors import InputError
from node.registry import validate
from node.registry.bundle import import_bundle, read_bundle
from node.registry.tables import RegistryRecordRow
from simulator import seal as sim_seal
from simulator import signature as sim_signature
from simulator.layouts import LAYOUTS, template_json
from simulator.world import build_world
from tests.unit.registry.records import AU_TEMPLATE, png
from tests.unit.registry.test_bundle import _bundle


def _image(size: tuple[int, int], ink: tuple[int, int, int, int] | None = None) -> bytes:
    """A white PNG of ``size`` (no dpi: read as 300 dpi), a red box at ``ink`` if given."""
    img = Image.new("RGB", size, "white")
    if ink is not None:
        img.paste((200, 0, 0), ink)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


ONE_PIXEL = _image((1, 1), (0, 0, 1, 1))
BLANK = _image((400, 400))
SPECK = _image((400, 400), (190, 190, 200, 200))  # 10 px of ink: 0.8 mm at 300 dpi

BAD_NAMES = [
    ("\udcff\udcfe", "invalid Unicode"),  # bytes ff fe on a command line (surrogateescape)
    ("Jane\nCitizen", "control character"),
    ("Jane\tCitizen", "control character"),
    ("Jane\u2028Citizen", "one line"),
    ("x" * 100_000, "at most 200 characters"),
    ("   ", "must not be empty"),
]


async def _nothing_written(node) -> None:
    assert node.registry.list() == []
    assert await node.extras["chain"].get("agency", "CN", "AU-DAFF") is None


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
async def test_an_agency_name_that_is_not_one_line_of_text_is_refused(node, name, why) -> None:
    with pytest.raises(InputError, match=why) as info:
        await node.registry.add_agency("AU-DAFF", "AU", name)
    assert info.value.message.startswith("name ")
    await _nothing_written(node)


@pytest.mark.parametrize(("name", "why"), BAD_NAMES)
async def test_an_officer_name_that_is_not_one_line_of_text_is_refused(node, name, why) -> None:
    await node.registry.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    with pytest.raises(InputError, match=why):
        await node.registry.add_officer("AU-DAFF", "AU-O1", name, png("blue"))
    assert [r["kind"] for r in node.registry.list()] == ["agency"]
    assert await node.extras["chain"].get("officer", "CN", "AU-O1") is None


async def test_names_of_any_script_within_the_limit_are_registered(node) -> None:
    name = "农业部 — Département " + "é" * 150
    assert len(name) <= validate.MAX_NAME
    out = await node.registry.add_agency("CN-GACC", "CN", f"  {name} ")
    assert out["name"] == name and out["state"] == "confirmed"


async def test_a_revocation_reason_is_one_line_of_text(node) -> None:
    await node.registry.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    with pytest.raises(InputError, match="reason must be one line"):
        await node.registry.revoke("agency", "AU-DAFF", "lost\x00")
    with pytest.raises(InputError, match="reason must be at most 500"):
        await node.registry.revoke("agency", "AU-DAFF", "x" * 501)
    assert node.registry.list()[0]["state"] == "confirmed"


@pytest.mark.parametrize(
    ("image", "why"),
    [
        (ONE_PIXEL, "too small to compare"),
        (BLANK, "has no ink"),
        (SPECK, "too small to compare"),
    ],
)
async def test_a_specimen_the_review_cannot_compare_is_refused(node, image, why) -> None:
    reg = node.registry
    await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    with pytest.raises(InputError, match=why) as seal:
        await reg.add_seal("AU-DAFF", "AU-S1", image)
    assert seal.value.message.startswith("image: ")
    with pytest.raises(InputError, match=why) as signature:
        await reg.add_officer("AU-DAFF", "AU-O1", "Jane Citizen", image)
    assert signature.value.message.startswith("signature: ")
    assert [r["kind"] for r in reg.list()] == ["agency"]
    assert await node.extras["chain"].get("seal", "CN", "AU-S1") is None


def test_every_specimen_the_simulator_draws_is_taken() -> None:
    world = build_world(7)
    for spec in world.seals.values():
        validate.specimen(sim_seal.specimen_png(spec), spec.id, "seal")
    for officer in world.officers.values():
        data = sim_signature.specimen_png(officer.style_seed, officer.name)
        validate.specimen(data, officer.id, "signature")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.add_agency("AU DAFF", "AU", "x"), "id must be 1-64"),
        (lambda r: r.add_agency("AU-DAFF", "XX", "x"), "country must be an ISO 3166"),
        (lambda r: r.add_seal("AU-DAFF", "S1", b""), "image: empty file"),
        (lambda r: r.add_officer("AU-DAFF", "O1", "J", png("blue"), "2024-99-01"), "valid_from"),
        (lambda r: r.add_officer("AU-DAFF", "O1", "J", png("blue"), None, "soon"), "valid_to"),
        (
            lambda r: r.add_officer("AU-DAFF", "O1", "J", png("blue"), "2028-01-01", "2024-01-01"),
            "valid_to 2024-01-01 is before valid_from 2028-01-01",
        ),
        (lambda r: r.add_officer("AU-DAFF", "O1", "J", b"x"), "signature: not a PNG"),
    ],
)
async def test_messages_name_the_field_not_a_command_line_flag(node, call, field) -> None:
    """The REST API and the CLI both show these: "--image" meant nothing to an API client."""
    await node.registry.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    with pytest.raises(InputError) as info:
        await call(node.registry)
    assert info.value.message.startswith(field.split(":")[0]) and field in info.value.message
    assert "--" not in info.value.message


def test_a_too_large_specimen_names_the_field() -> None:
    buf = io.BytesIO()
    Image.new("1", (5000, 4000)).save(buf, "PNG")  # 20 megapixels
    with pytest.raises(InputError, match=r"^image: 5000x4000 pixels is too large"):
        validate.specimen(buf.getvalue(), "image", "seal")


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ({**AU_TEMPLATE, "date_ordr": "MDY"}, "unknown key 'date_ordr'"),
        (
            {**AU_TEMPLATE, "fields": [{"name": "certificate_number", "labels": ["No."], "x": 1}]},
            r"fields\[0\] has unknown key 'x'",
        ),
        ({**AU_TEMPLATE, "titles": ["PHYTO\udcffCERTIFICATE"]}, "U\\+DCFF"),
        ({**AU_TEMPLATE, "certificate_type": "phyto\nsanitary"}, "U\\+000A"),
    ],
)
async def test_a_template_with_an_unknown_key_or_bad_text_is_refused(
    node, template, message
) -> None:
    await node.registry.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    data = json.dumps(template).encode()  # ensure_ascii: a lone surrogate as "\udcff"
    with pytest.raises(InputError, match=message):
        await node.registry.add_template(data)
    assert [r["kind"] for r in node.registry.list()] == ["agency"]


def test_every_template_the_simulator_writes_and_the_contracts_example_are_taken() -> None:
    contract = {
        **AU_TEMPLATE,
        "date_order": "MDY",
        "fields": [
            {"name": "certificate_number", "labels": ["No."], "pattern": r"AU-\d+"},
            {
                "name": "consignor",
                "labels": ["Name and address of exporter"],
                "split_lines": ["consignor_name", "consignor_address"],
            },
        ],
    }
    for doc in [contract, *(template_json(layout) for layout in LAYOUTS)]:
        assert validate.template_json(json.dumps(doc).encode())["id"] == doc["id"]


def test_a_partners_template_may_carry_keys_this_version_does_not_know() -> None:
    """Registry sync (``apply``): a newer node's template is taken; its new keys are unread."""
    data = json.dumps({**AU_TEMPLATE, "revision": 2}).encode()
    assert validate.template_json(data, known_keys_only=False)["id"] == "AU-PHYTO"


async def test_a_bundle_date_error_names_the_record_and_field(tmp_path: Path) -> None:
    officer = {
        "id": "AU-O1",
        "agency": "AU-DAFF",
        "name": "Jane Citizen",
        "signature": "signatures/AU-O1.png",
        "valid_from": "2024-99-01",
    }
    with pytest.raises(InputError) as info:
        read_bundle(_bundle(tmp_path / "b", officers=[officer]))
    assert "officer 'AU-O1': valid_from" in info.value.message
    assert "'2024-99-01'" in info.value.message


async def test_a_bundle_record_without_an_id_is_named_by_its_place(tmp_path: Path) -> None:
    seals = [{"agency": "AU-DAFF", "image": "seals/AU-S1.png"}]
    with pytest.raises(InputError, match=r"seals\[0\] has no id"):
        read_bundle(_bundle(tmp_path / "b", seals=seals))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"agencies": [{"id": "AU-DAFF", "country": "AU", "name": "Dept\nof Agriculture"}]},
            "agency 'AU-DAFF': name must be one line",
        ),
        (
            {"seals": [{"id": "AU-S1", "agency": "AU-DAFF", "image": "seals/tiny.png"}]},
            "seal 'AU-S1': image: its ink spans",
        ),
        (
            {
                "officers": [
                    {
                        "id": "AU-O1",
                        "agency": "AU-DAFF",
                        "name": "J",
                        "signature": "seals/blank.png",
                    }
                ]
            },
            "officer 'AU-O1': signature: the image has no ink",
        ),
    ],
)
async def test_a_bundle_with_a_bad_name_or_specimen_writes_nothing(
    node, tmp_path: Path, change, message
) -> None:
    root = _bundle(tmp_path / "b", **change)
    (root / "seals" / "tiny.png").write_bytes(ONE_PIXEL)
    (root / "seals" / "blank.png").write_bytes(BLANK)
    with pytest.raises(InputError, match=message):
        await import_bundle(node.registry, read_bundle(root))
    assert node.registry.list() == []


async def test_the_listing_shows_a_name_an_earlier_version_stored_not_utf8(node) -> None:
    """Such a record (a name from a command line that was not UTF-8) made every JSON encoder
    that showed the listing fail; its characters that are not text show as U+FFFD."""
    with node.db.session() as session:
        session.add(
            RegistryRecordRow(
                kind="officer",
                registrar="CN",
                record_id="CN-O1",
                agency_id="CN-GACC",
                fields={"name": "Li \udcff\udcfe Wei", "revoked_reason": "x"},
                state="confirmed",
            )
        )
    (record,) = node.registry.list("officer")
    assert record["name"] == "Li \ufffd\ufffd Wei"
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # what a JSON response does
