"""``cusdep registry import`` and ``export`` (in-memory chain): a whole bundle registered in one
go, checked first so that one bad or conflicting record writes nothing, idempotent, finished by
a rerun; this node's confirmed records written out as a bundle another node imports."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from node.errors import ChainUnavailable, Conflict, InputError
from node.registry.bundle import export_bundle, import_bundle, read_bundle
from tests.unit.memory_node import memory_node
from tests.unit.registry.records import AU_TEMPLATE, png

NZ_TEMPLATE = {**AU_TEMPLATE, "id": "NZ-PHYTO", "issuing_country": "NZ", "agency": "NZ-MPI"}


def _bundle(root: Path, **change: object) -> Path:
    """A two-country bundle (AU and NZ: an agency, a seal, an officer, a template each), with
    ``change`` replacing whole lists of ``bundle.json``."""
    (root / "seals").mkdir(parents=True)
    (root / "signatures").mkdir()
    (root / "templates").mkdir()
    for name, colour in (
        ("AU-S1", "red"),
        ("NZ-S1", "blue"),
        ("AU-O1", "black"),
        ("NZ-O1", "navy"),
    ):
        folder = "seals" if "-S" in name else "signatures"
        (root / folder / f"{name}.png").write_bytes(png(colour))
    for t in (AU_TEMPLATE, NZ_TEMPLATE):
        (root / "templates" / f"{t['id']}.json").write_text(json.dumps(t))
    index = {
        "agencies": [
            {"id": "AU-DAFF", "country": "AU", "name": "Department of Agriculture"},
            {"id": "NZ-MPI", "country": "NZ", "name": "Ministry for Primary Industries"},
        ],
        "seals": [
            {"id": "AU-S1", "agency": "AU-DAFF", "image": "seals/AU-S1.png"},
            {"id": "NZ-S1", "agency": "NZ-MPI", "image": "seals/NZ-S1.png"},
        ],
        "officers": [
            {
                "id": "AU-O1",
                "agency": "AU-DAFF",
                "name": "Jane Citizen",
                "signature": "signatures/AU-O1.png",
                "valid_from": "2024-01-01",
                "valid_to": "2028-12-31",
            },
            {
                "id": "NZ-O1",
                "agency": "NZ-MPI",
                "name": "Aroha Smith",
                "signature": "signatures/NZ-O1.png",
            },
        ],
        "templates": ["templates/AU-PHYTO.json", "templates/NZ-PHYTO.json"],
        **change,
    }
    (root / "bundle.json").write_text(json.dumps(index))
    return root


def _ids(node) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(r["kind"], r["id"]) for r in node.registry.list()}


async def test_a_bundle_is_registered_whole_and_on_chain(node, tmp_path) -> None:
    out = await import_bundle(node.registry, read_bundle(_bundle(tmp_path / "b")))
    assert (out["registered"], out["unchanged"]) == (8, 0)
    assert out["by_kind"]["officer"] == {"registered": 2, "unchanged": 0}
    assert [r["kind"] for r in out["records"]][:2] == ["agency", "agency"]  # agencies first
    assert all(r["state"] == "confirmed" for r in out["records"])
    officer = await node.extras["chain"].get("officer", "CN", "AU-O1")
    assert officer is not None and officer["valid_to"] > officer["valid_from"] > 0
    template = next(r for r in node.registry.list() if r["id"] == "NZ-PHYTO")
    assert template["country"] == "NZ" and template["authoritative"] is False


async def test_importing_again_changes_nothing(node, tmp_path) -> None:
    plan = read_bundle(_bundle(tmp_path / "b"))
    await import_bundle(node.registry, plan)
    again = await import_bundle(node.registry, plan)
    assert (again["registered"], again["unchanged"]) == (0, 8)


async def test_only_the_countries_asked_for_are_imported(node, tmp_path) -> None:
    out = await import_bundle(node.registry, read_bundle(_bundle(tmp_path / "b"), ["nz"]))
    assert {(r["kind"], r["id"]) for r in out["records"]} == {
        ("agency", "NZ-MPI"),
        ("seal", "NZ-S1"),
        ("officer", "NZ-O1"),
        ("template", "NZ-PHYTO"),
    }


async def test_a_seal_of_an_agency_registered_before_is_added_to_it(node, tmp_path) -> None:
    await node.registry.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    root = _bundle(
        tmp_path / "b",
        agencies=[],
        officers=[],
        templates=[],
        seals=[{"id": "AU-S1", "agency": "AU-DAFF", "image": "seals/AU-S1.png"}],
    )
    out = await import_bundle(node.registry, read_bundle(root))
    assert [(r["kind"], r["id"], r["outcome"]) for r in out["records"]] == [
        ("seal", "AU-S1", "registered")
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agencies": [{"id": "AU DAFF", "country": "AU", "name": "x"}]}, "'AU DAFF'"),
        ({"agencies": [{"id": "AU-DAFF", "country": "XX", "name": "x"}]}, "ISO 3166"),
        (
            {"seals": [{"id": "AU-S1", "agency": "AU-DAFF", "image": "templates/AU-PHYTO.json"}]},
            "not a PNG, JPEG or TIFF",
        ),
        ({"seals": [{"id": "AU-S1", "agency": "AU-DAFF", "image": "../x.png"}]}, "outside"),
        (
            {"seals": [{"id": "AU-S9", "agency": "US-APHIS", "image": "seals/AU-S1.png"}]},
            "agency 'US-APHIS' is neither in the bundle nor here",
        ),
        (
            {
                "officers": [
                    {
                        "id": "AU-O1",
                        "agency": "AU-DAFF",
                        "name": "J",
                        "signature": "signatures/AU-O1.png",
                        "valid_from": "2028-01-01",
                        "valid_to": "2024-01-01",
                    }
                ]
            },
            "officer 'AU-O1': valid_to 2024-01-01 is before valid_from 2028-01-01",
        ),
        ({"templates": ["templates/AU-PHYTO.json", "templates/AU-PHYTO.json"]}, "twice"),
        (
            {
                "agencies": [
                    {"id": "AU-DAFF", "country": "NZ", "name": "x"},
                    {"id": "NZ-MPI", "country": "NZ", "name": "y"},
                ]
            },
            "template 'AU-PHYTO': agency 'AU-DAFF' is of NZ, not of the issuing country AU",
        ),
    ],
)
async def test_one_bad_record_and_nothing_is_written(node, tmp_path, change, message) -> None:
    with pytest.raises(InputError, match=message):
        await import_bundle(node.registry, read_bundle(_bundle(tmp_path / "b", **change)))
    assert _ids(node) == set()


async def test_a_record_differing_from_one_registered_here_writes_nothing(node, tmp_path) -> None:
    await node.registry.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    await node.registry.add_seal("AU-DAFF", "AU-S1", png("green"))  # another image
    with pytest.raises(
        Conflict, match="seal 'AU-S1' is already registered here and has another sha256"
    ):
        await import_bundle(node.registry, read_bundle(_bundle(tmp_path / "b")))
    assert _ids(node) == {("agency", "AU-DAFF"), ("seal", "AU-S1")}


@pytest.mark.parametrize(
    ("kind", "path", "what"),
    [
        ("seals", "seals/AU-S1.png", "seal AU-S1"),
        ("officers", "signatures/AU-O1.png", "officer AU-O1"),
        ("template_records", "templates/AU-PHYTO.json", "template AU-PHYTO.json"),
    ],
)
async def test_a_file_changed_after_the_bundle_listed_its_sha256_is_refused(
    node, tmp_path, kind, path, what
) -> None:
    """An export lists each file's SHA-256 (the chain's); a file changed since is refused."""
    root = _bundle(tmp_path / "b")
    index = json.loads((root / "bundle.json").read_text())
    listed = hashlib.sha256((root / path).read_bytes()).hexdigest()
    if kind == "template_records":
        index[kind] = [{"id": "AU-PHYTO", "path": path, "sha256": listed}]
    else:
        index[kind][0]["sha256"] = listed
    (root / "bundle.json").write_text(json.dumps(index))
    read_bundle(root)  # as listed: read
    (root / path).write_bytes((root / path).read_bytes() + b" ")
    with pytest.raises(InputError, match=f"{what}: its file's SHA-256 is .*, not the {listed}"):
        read_bundle(root)
    assert _ids(node) == set()


async def test_a_bundle_that_is_not_there_or_not_json_is_refused(tmp_path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        read_bundle(tmp_path / "nowhere")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "bundle.json").write_text("{")
    with pytest.raises(InputError, match="is not JSON"):
        read_bundle(tmp_path / "bad")


async def test_an_import_stopped_by_the_chain_is_finished_by_running_it_again(
    node, tmp_path
) -> None:
    plan = read_bundle(_bundle(tmp_path / "b"))
    node.extras["chain"].down = True
    with pytest.raises(ChainUnavailable, match="stays pending"):
        await import_bundle(node.registry, plan)
    node.extras["chain"].down = False
    out = await import_bundle(node.registry, plan)
    assert out["registered"] + out["unchanged"] == 8
    assert all(r["state"] == "confirmed" for r in node.registry.list())


async def test_an_export_holds_each_file_as_registered_and_imports_elsewhere(
    node, tmp_path, home
) -> None:
    source = _bundle(tmp_path / "b")
    await import_bundle(node.registry, read_bundle(source))
    out = export_bundle(node.registry, tmp_path / "out")
    assert out["exported"] == {"agency": 2, "seal": 2, "officer": 2, "template": 2}
    index = json.loads((tmp_path / "out" / "bundle.json").read_text())
    seal = next(s for s in index["seals"] if s["id"] == "AU-S1")
    data = (tmp_path / "out" / seal["image"]).read_bytes()
    assert data == (source / "seals" / "AU-S1.png").read_bytes()
    on_chain = await node.extras["chain"].get("seal", "CN", "AU-S1")
    assert seal["sha256"] == on_chain["image_sha256"] == hashlib.sha256(data).hexdigest()
    assert seal["tx_hash"]
    officer = next(o for o in index["officers"] if o["id"] == "AU-O1")
    assert (officer["valid_from"], officer["valid_to"]) == ("2024-01-01", "2028-12-31")

    other = memory_node(home.parent / "other")
    again = await import_bundle(other.registry, read_bundle(tmp_path / "out"))
    assert again["registered"] == 8
    shas = {(r["kind"], r["id"]): r.get("sha256") for r in other.registry.list()}
    assert shas == {(r["kind"], r["id"]): r.get("sha256") for r in node.registry.list()}


async def test_an_export_leaves_out_what_is_not_confirmed_on_chain(node, tmp_path) -> None:
    await import_bundle(node.registry, read_bundle(_bundle(tmp_path / "b")))
    await node.registry.revoke("agency", "NZ-MPI", "merged")  # its seal, officer, template too
    node.extras["chain"].down = True
    with pytest.raises(ChainUnavailable):
        await node.registry.add_seal("AU-DAFF", "AU-S2", png("green"))  # stays pending
    out = export_bundle(node.registry, tmp_path / "out")
    assert out["exported"] == {"agency": 1, "seal": 1, "officer": 1, "template": 1}
    assert {(r["kind"], r["id"], r["state"]) for r in out["left_out"]} >= {
        ("agency", "NZ-MPI", "revoked"),
        ("seal", "AU-S2", "pending"),
        ("seal", "NZ-S1", "confirmed"),  # its agency is revoked
    }


async def test_only_the_countries_asked_for_are_exported(node, tmp_path) -> None:
    await import_bundle(node.registry, read_bundle(_bundle(tmp_path / "b")))
    out = export_bundle(node.registry, tmp_path / "out", ["AU"])
    index = json.loads((tmp_path / "out" / "bundle.json").read_text())
    assert out["exported"]["seal"] == 1 and [a["id"] for a in index["agencies"]] == ["AU-DAFF"]
    assert index["templates"] == ["templates/AU-PHYTO.json"]


async def test_an_export_never_writes_into_a_directory_with_files(node, tmp_path) -> None:
    await import_bundle(node.registry, read_bundle(_bundle(tmp_path / "b")))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not an empty directory"):
        export_bundle(node.registry, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
    assert not list(tmp_path.glob(".out.*"))  # no staging left behind
