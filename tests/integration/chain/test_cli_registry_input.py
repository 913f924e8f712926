"""Bad registry input on the command line, on an embedded anvil: a name that is not one line of
UTF-8 text (bytes ff fe, a newline, 100,000 characters) and a specimen the review cannot compare
(1 x 1 px, no ink), by ``add-*`` and by ``registry import``: exit 2, one stderr line naming
the field, nothing written here or on chain."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.integration.chain.homes import cusdep


def _png(path: Path, size: tuple[int, int], colour: str) -> Path:
    Image.new("RGB", size, colour).save(path, "PNG", dpi=(300, 300))
    return path


def _refused(home: Path, *args: str) -> str:
    proc = cusdep(home, *args, check=False)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("cusdep: error: ")
    return proc.stderr


def _listed(home: Path) -> list[tuple[str, str]]:
    out = json.loads(cusdep(home, "registry", "list", "--json").stdout)
    return [(r["kind"], r["id"]) for r in out]


@pytest.fixture
def with_agency(node_home: Path) -> Path:
    cusdep(node_home, "registry", "add-agency", "--id", "AU-DAFF", "--country", "AU", "--name", "D")
    return node_home


def test_a_name_that_is_not_one_line_of_text_is_refused(with_agency: Path, tmp_path) -> None:
    signature = _png(tmp_path / "sig.png", (300, 100), "navy")
    officer = ("registry", "add-officer", "--agency", "AU-DAFF", "--id", "AU-O1")
    for name, why in (
        ("\udcff\udcfe", "invalid Unicode"),  # the bytes ff fe as the argument
        ("Jane\nCitizen", "control character"),
        ("x" * 100_000, "at most 200 characters"),
    ):
        err = _refused(with_agency, *officer, "--name", name, "--signature", str(signature))
        assert "name must" in err and why in err, err
    err = _refused(
        with_agency, "registry", "add-agency", "--id", "NZ-MPI", "--country", "NZ", "--name", "\t"
    )
    assert "name must not be empty" in err
    assert _listed(with_agency) == [("agency", "AU-DAFF")]
    # and the listing stays readable: a good name still goes through
    cusdep(with_agency, *officer, "--name", "Jane Citizen", "--signature", str(signature))
    assert ("officer", "AU-O1") in _listed(with_agency)


def test_a_specimen_the_review_cannot_compare_is_refused(with_agency: Path, tmp_path) -> None:
    dot = _png(tmp_path / "1px.png", (1, 1), "red")
    blank = _png(tmp_path / "blank.png", (400, 400), "white")
    seal = ("registry", "add-seal", "--agency", "AU-DAFF", "--id", "AU-S1", "--image")
    assert "image: its ink spans" in _refused(with_agency, *seal, str(dot))
    assert "image: the image has no ink" in _refused(with_agency, *seal, str(blank))
    officer = ("registry", "add-officer", "--agency", "AU-DAFF", "--id", "AU-O1", "--name", "J")
    err = _refused(with_agency, *officer, "--signature", str(dot))
    assert "signature: its strokes span" in err

    bundle = tmp_path / "bundle"
    (bundle / "seals").mkdir(parents=True)
    (bundle / "seals" / "S.png").write_bytes(dot.read_bytes())
    index = {
        "agencies": [{"id": "NZ-MPI", "country": "NZ", "name": "MPI"}],
        "seals": [{"id": "NZ-S1", "agency": "NZ-MPI", "image": "seals/S.png"}],
        "officers": [],
        "templates": [],
    }
    (bundle / "bundle.json").write_text(json.dumps(index))
    err = _refused(with_agency, "registry", "import", str(bundle))
    assert "seal 'NZ-S1': image: its ink spans" in err
    assert _listed(with_agency) == [("agency", "AU-DAFF")]  # not even the bundle's agency


def test_an_import_with_a_bad_date_names_the_record_and_field(
    node_home: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "signatures").mkdir(parents=True)
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), "navy").save(buf, "PNG")
    (bundle / "signatures" / "O.png").write_bytes(buf.getvalue())
    officer = {
        "id": "NZ-O1",
        "agency": "NZ-MPI",
        "name": "Aroha Smith",
        "signature": "signatures/O.png",
        "valid_to": "2024-99-01",
    }
    index = {
        "agencies": [{"id": "NZ-MPI", "country": "NZ", "name": "MPI"}],
        "seals": [],
        "officers": [officer],
        "templates": [],
    }
    (bundle / "bundle.json").write_text(json.dumps(index))
    err = _refused(node_home, "registry", "import", str(bundle))
    assert "officer 'NZ-O1': valid_to" in err and "'2024-99-01'" in err, err
    assert _listed(node_home) == []
