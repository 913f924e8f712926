"""Bad registry input on the command line, on an embedded anvil: a name that is not one line of
UTF-8 text (bytes ff fe, a newline, 100,000 characters) and a specimen the review cannot compare
(1 x 1 px, no ink), by ``add-*`` and by ``registry import``: exit 2, one stderr line naming
the field, nothing written here or on chain."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

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


def _ring(path: Path, *, dpi: int, paper: tuple[int, int, int] = (255, 255, 255)) -> Path:
    """A 40 mm round stamp (two blue rings) scanned at ``dpi``, on ``paper``."""
    side = round(46 / 25.4 * dpi)
    img = Image.new("RGB", (side, side), paper)
    draw = ImageDraw.Draw(img)
    margin, width = round(3 / 25.4 * dpi), max(2, dpi // 40)
    draw.ellipse([margin, margin, side - margin, side - margin], outline=(30, 50, 160), width=width)
    inner = side // 4
    draw.ellipse([inner, inner, side - inner, side - inner], outline=(30, 50, 160), width=width)
    img.save(path, "PNG", dpi=(dpi, dpi))
    return path


def test_a_specimen_on_tinted_paper_or_with_a_wrong_resolution_is_refused(
    with_agency: Path, tmp_path: Path
) -> None:
    """A seal scanned on cream paper (the paper's tone read as ink: a solid block no impression
    matches), a 600 dpi scan saved as 72 dpi (a 334 mm "stamp") or a signature saved so: each
    was registered on chain, never to match anything. A 16-bit grey scan was refused as having
    "no ink" (decoded clipped white); it is read as it is and registered."""
    seal = ("registry", "add-seal", "--agency", "AU-DAFF", "--image")
    cream = _ring(tmp_path / "cream.png", dpi=300, paper=(240, 228, 190))
    err = _refused(with_agency, *seal, str(cream), "--id", "AU-S1")
    assert "image: 9" in err and "reads as ink" in err and "(240, 228, 190)" in err, err
    as_72 = _ring(tmp_path / "as72.png", dpi=600)
    Image.open(as_72).save(as_72, "PNG", dpi=(72, 72))
    err = _refused(with_agency, *seal, str(as_72), "--id", "AU-S1")
    assert "at the 72 dpi it is read at, larger than any stamp" in err, err
    scribble = Image.new("RGB", (2600, 700), "white")
    ImageDraw.Draw(scribble).line([(50, 500), (900, 100), (1700, 600), (2500, 150)], "navy", 8)
    scribble.save(tmp_path / "sig72.png", "PNG", dpi=(72, 72))
    officer = ("registry", "add-officer", "--agency", "AU-DAFF", "--id", "AU-O1", "--name", "J")
    err = _refused(with_agency, *officer, "--signature", str(tmp_path / "sig72.png"))
    assert "signature: its strokes span" in err and "larger than any signature" in err, err
    assert _listed(with_agency) == [("agency", "AU-DAFF")]

    grey16 = np.asarray(Image.open(_ring(tmp_path / "g.png", dpi=300)).convert("L"))
    Image.fromarray(grey16.astype(np.uint16) * 257).save(tmp_path / "g16.png", dpi=(300, 300))
    cusdep(with_agency, *seal, str(tmp_path / "g16.png"), "--id", "AU-S2")
    assert ("seal", "AU-S2") in _listed(with_agency)


def test_a_date_in_another_iso_form_is_refused(with_agency: Path, tmp_path: Path) -> None:
    """Python's ``date.fromisoformat`` takes "20240101" and "2024-W01-1" too: such a date went
    on chain right but was stored, listed and shared with partners as typed."""
    signature = tmp_path / "sig.png"
    Image.new("RGB", (300, 100), "navy").save(signature, "PNG", dpi=(300, 300))
    officer = ("registry", "add-officer", "--agency", "AU-DAFF", "--id", "AU-O1", "--name", "J")
    for day in ("20240101", "2024-W01-1"):
        err = _refused(with_agency, *officer, "--signature", str(signature), "--valid-from", day)
        assert f"valid_from must be a date YYYY-MM-DD, got {day!r}" in err, err
    assert _listed(with_agency) == [("agency", "AU-DAFF")]


def test_a_revoked_id_registered_again_is_named_revoked(with_agency: Path, tmp_path) -> None:
    """The agency registering a new die under the id it revoked was told the seal was
    "already registered ... with another revoke_tx, revoked_reason (revoke it ...)"."""
    ring = str(_ring(tmp_path / "s.png", dpi=300))
    seal = ("registry", "add-seal", "--agency", "AU-DAFF", "--id", "AU-S1", "--image", ring)
    cusdep(with_agency, *seal)
    cusdep(with_agency, "registry", "revoke", "seal", "--id", "AU-S1", "--reason", "die stolen")
    err = _refused(with_agency, *seal)
    assert "seal 'AU-S1' was revoked by CN (die stolen)" in err, err
    assert "register the new one under a new id" in err and "revoke_tx" not in err


def test_a_template_giving_two_fields_one_label_is_refused(with_agency: Path, tmp_path) -> None:
    """A label copied to the next field and not edited: the review reads one printed label
    for one field, so the other read nothing or the same value; it was registered."""
    template = {
        "id": "AU-DAIRY-2026",
        "certificate_type": "dairy_health",
        "issuing_country": "AU",
        "agency": "AU-DAFF",
        "titles": ["HEALTH CERTIFICATE FOR DAIRY PRODUCTS"],
        "fields": [
            {"name": "origin_country", "labels": ["Country of origin"]},
            {
                "name": "destination_country",
                "labels": ["Country of destination", "Country of Origin:"],
            },
        ],
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    err = _refused(with_agency, "templates", "add", str(path))
    assert "fields[1] (destination_country) has the label 'Country of Origin:'" in err, err
    assert "fields[0] (origin_country) has 'Country of origin'" in err, err
    assert _listed(with_agency) == [("agency", "AU-DAFF")]


def test_a_signature_filed_as_a_seal_is_refused(with_agency: Path, tmp_path: Path) -> None:
    """An agency clerk uploading an officer's signature as the agency's seal (TradeTrust's
    scanned signature, saved at the 300 dpi it reads as 42 x 25 mm): every later review of the
    agency's stamps would fail. Exit 2, one line, nothing registered here or on chain."""
    scan = tmp_path / "signature.jpg"
    here = Path(__file__).resolve().parents[2] / "interop" / "tradetrust" / "images"
    Image.open(here / "signature.jpg").save(scan, "JPEG", quality=95, dpi=(300, 300))
    seal = ("registry", "add-seal", "--agency", "AU-DAFF", "--id", "AU-S1", "--image")
    err = _refused(with_agency, *seal, str(scan))
    assert "image: it looks like a signature, not a stamp impression" in err, err
    assert _listed(with_agency) == [("agency", "AU-DAFF")]
    officer = ("registry", "add-officer", "--agency", "AU-DAFF", "--id", "AU-O1", "--name", "J")
    cusdep(with_agency, *officer, "--signature", str(scan))  # it is a signature
    assert ("officer", "AU-O1") in _listed(with_agency)
