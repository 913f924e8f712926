import json

import pytest

from verification.bundle import BundleSpecimenSource, MemorySpecimenSource
from verification.errors import SpecimenError
from verification.ports import SpecimenSource


def _write(root, bundle, files=None):
    reg = root / "registry"
    reg.mkdir(parents=True)
    for rel, data in (files or {}).items():
        (reg / rel).parent.mkdir(parents=True, exist_ok=True)
        (reg / rel).write_bytes(data)
    (reg / "bundle.json").write_text(json.dumps(bundle))
    return root


def test_reads_a_simulator_bundle(tmp_path):
    root = _write(
        tmp_path,
        {
            "agencies": [{"id": "AU-DAFF", "country": "au", "name": "Dept"}],
            "seals": [{"id": "S1", "agency": "AU-DAFF", "image": "seals/S1.png"}],
            "officers": [
                {
                    "id": "O1",
                    "agency": "AU-DAFF",
                    "name": "Jane",
                    "signature": "sig/O1.png",
                    "valid_from": "2024-01-01",
                    "valid_to": "2026-06-30",
                }
            ],
            "templates": ["templates/t.json"],
        },
        {"seals/S1.png": b"png", "sig/O1.png": b"sig", "templates/t.json": b'{"id": "T"}'},
    )
    src = BundleSpecimenSource(root)
    assert isinstance(src, SpecimenSource)
    assert src.agency("AU-DAFF").country == "AU"
    assert [s.image for s in src.seals("AU-DAFF")] == [b"png"]
    (officer,) = src.officers("AU-DAFF")
    assert officer.signatures == (b"sig",) and str(officer.valid_to) == "2026-06-30"
    assert src.templates() == [{"id": "T"}]
    assert not src.is_certificate_number_used("AU-1")


@pytest.mark.parametrize(
    ("bundle", "files", "message"),
    [
        (
            {"seals": [{"id": "S", "agency": "A", "image": "../../etc/passwd"}]},
            {},
            "outside the bundle",
        ),
        ({"seals": [{"id": "S", "agency": "A", "image": "missing.png"}]}, {}, "missing.png"),
        (
            {"officers": [{"id": "O", "agency": "A", "signature": "s.png", "valid_to": "soon"}]},
            {"s.png": b"x"},
            "bad date",
        ),
        ({"agencies": {"not": "a list"}}, {}, "list of objects"),
    ],
)
def test_bad_bundles(tmp_path, bundle, files, message):
    with pytest.raises(SpecimenError, match=message):
        BundleSpecimenSource(_write(tmp_path, bundle, files))


def test_not_a_directory(tmp_path):
    with pytest.raises(SpecimenError, match="not a directory"):
        BundleSpecimenSource(tmp_path / "nope")


def test_memory_source_marks_numbers_used():
    src = MemorySpecimenSource()
    src.mark_used("au-2026 0001")
    assert src.is_certificate_number_used("AU-2026-0001")
