"""`cusdep verify` on bad input: exit 2, one stderr line naming the problem, nothing written."""

import contextlib
import io
import json
import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from node.cli import main
from verification.testing import draw_seal, nested_forms_pdf, png_bytes, render_page


def _bundle(root: Path) -> Path:
    reg = root / "registry"
    (reg / "templates").mkdir(parents=True)
    (reg / "seals").mkdir()
    (reg / "seals" / "S1.png").write_bytes(png_bytes(draw_seal("AGENCY OF TESTS")))
    (reg / "agencies.json").write_text(json.dumps([{"id": "AU-DAFF", "country": "AU"}]))
    (reg / "seals.json").write_text(
        json.dumps([{"id": "S1", "agency": "AU-DAFF", "image": "seals/S1.png"}])
    )
    (reg / "officers.json").write_text("[]")
    (reg / "templates" / "t.json").write_text(
        json.dumps(
            {
                "id": "T",
                "certificate_type": "phytosanitary",
                "agency": "AU-DAFF",
                "titles": ["PHYTOSANITARY CERTIFICATE"],
                "fields": [{"name": "certificate_number", "labels": ["Certificate No."]}],
            }
        )
    )
    return root


def _png_claiming(w, h):
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = b"IDAT" + zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + ihdr
        + struct.pack(">I", zlib.crc32(ihdr))
        + struct.pack(">I", len(idat) - 4)
        + idat
        + struct.pack(">I", zlib.crc32(idat))
    )


def _pdf(encrypt=None):
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypt)
    c.drawString(72, 720, "x")
    c.showPage()
    c.save()
    return buf.getvalue()


def _snapshot(*roots):
    return {p for r in roots if r.exists() for p in r.rglob("*")}


CASES = {
    "text": (b"not a document", "not a PDF, PNG, JPEG or TIFF"),
    "empty": (b"", "empty file"),
    "truncated-png": (None, "corrupt"),
    "huge-png": (_png_claiming(12000, 12000), "limit"),
    "encrypted-pdf": (None, "encrypted"),
    "corrupt-pdf": (b"%PDF-1.7\n garbage", "PDF cannot be opened"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exit_2_one_line_nothing_written(case, tmp_path, home, capsys):
    data, needle = CASES[case]
    if case == "truncated-png":
        buf = io.BytesIO()
        Image.new("RGB", (500, 500), "white").save(buf, format="PNG")
        data = buf.getvalue()[:300]
    if case == "encrypted-pdf":
        data = _pdf(encrypt="pw")
    bundle = _bundle(tmp_path / "bundle")
    doc = tmp_path / "doc.bin"
    doc.write_bytes(data)
    before = _snapshot(tmp_path)
    code = main(["verify", str(doc), "--bundle", str(bundle), "--json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("cusdep: error:") and needle in err
    assert _snapshot(tmp_path) == before
    assert not home.exists()


def test_unknown_template_is_bad_input(tmp_path, capsys):
    page = Image.new("RGB", (800, 600), "white")
    doc = tmp_path / "blank.png"
    page.save(doc, dpi=(200, 200))
    code = main(["verify", str(doc), "--bundle", str(_bundle(tmp_path / "b")), "--json"])
    assert code == 2
    assert "template" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--declaration", "DECL"], "declaration"),
        (["--arrival-date", "20-11-2026"], "YYYY-MM-DD"),
        # an unset variable ("--arrival-date $ARRIVAL") was reviewed against today
        (["--arrival-date", ""], "YYYY-MM-DD"),
        (["--arrival-date", "2026-W47-5"], "YYYY-MM-DD"),
        (["--arrival-date", "2026-02-29"], "day is out of range for month"),
        (["--rules", "/nonexistent.toml"], "rules"),
        (["--electronic-copy", "DECL"], "not a document any adapter reads"),
        (["--electronic-copy", "/nonexistent/copy.json"], "no such file"),
    ],
)
def test_bad_options(tmp_path, capsys, args, needle):
    doc = tmp_path / "doc.png"
    Image.new("RGB", (800, 600), "white").save(doc)
    decl = tmp_path / "decl.json"
    decl.write_text("[1, 2]")
    args = [a.replace("DECL", str(decl)) for a in args]
    code = main(["verify", str(doc), "--bundle", str(_bundle(tmp_path / "b")), *args])
    assert code == 2 and needle in capsys.readouterr().err


def test_missing_file(capsys):
    assert main(["verify", "/nonexistent/scan.png", "--json"]) == 2
    assert "no such file" in capsys.readouterr().err


# ``cusdep`` as its console entry runs it: an atexit hook tells whether the interpreter's
# teardown ran.
_ENTRY = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('interpreter teardown\\n'))\n"
    "from node.cli import run\n"
    "run()\n"
)


def _entry(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUSDEP_HOME": str(tmp_path / "home")}
    return subprocess.run(
        [sys.executable, "-c", _ENTRY, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_a_review_writes_its_result_and_evidence_then_leaves_without_teardown(tmp_path):
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-2026-0042"])])
    doc = tmp_path / "doc.png"
    doc.write_bytes(png_bytes(page.image))
    evidence = tmp_path / "evidence"
    bundle = str(_bundle(tmp_path / "b"))
    proc = _entry(
        tmp_path, "verify", str(doc), "--bundle", bundle, "--json", "--evidence", str(evidence)
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # the whole result reached the pipe
    assert out["template_id"] == "T"
    assert out["fields"]["certificate_number"]["value"] == "AU-2026-0042"
    assert any(evidence.rglob("*.png"))  # evidence crops are on disk
    assert "interpreter teardown" not in proc.stderr


def test_an_input_refused_while_the_models_load_exits_2_never_aborts(tmp_path):
    # refused before OCR: the models were still loading on their thread when the process
    # ended, and onnxruntime aborted it ("terminate called without an active exception",
    # exit 134) in about half the runs on a loaded machine
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_claiming(30000, 30000))
    bundle = str(_bundle(tmp_path / "b"))
    for _ in range(3):
        proc = _entry(tmp_path, "verify", str(bomb), "--bundle", bundle, "--json")
        assert proc.returncode == 2, proc.stderr
        assert "terminate called" not in proc.stderr and "limit" in proc.stderr


def test_a_failed_review_exits_through_the_interpreter(tmp_path):
    doc = tmp_path / "blank.png"
    Image.new("RGB", (800, 600), "white").save(doc)
    proc = _entry(tmp_path, "verify", str(doc), "--bundle", str(_bundle(tmp_path / "b")))
    assert proc.returncode == 2 and "template" in proc.stderr
    assert "interpreter teardown" in proc.stderr


def test_an_electronic_copy_must_be_a_certificate(tmp_path, capsys):
    doc = tmp_path / "doc.png"
    Image.new("RGB", (800, 600), "white").save(doc)
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps({"doc_type": "declaration", "declaration_number": "D1"}))
    bundle = str(_bundle(tmp_path / "b"))
    code = main(["verify", str(doc), "--bundle", bundle, "--electronic-copy", str(copy)])
    err = capsys.readouterr().err
    assert code == 2 and "a declaration, not a certificate" in err and len(err.splitlines()) == 1


def test_verify_uses_the_nodes_rule_set_unless_told_otherwise(tmp_path, capsys, monkeypatch):
    doc = tmp_path / "doc.png"
    Image.new("RGB", (800, 600), "white").save(doc)
    bundle = str(_bundle(tmp_path / "b"))
    monkeypatch.setenv("CUSDEP_VERIFICATION__RULES_PATH", "/nonexistent/node-rules.toml")
    assert main(["verify", str(doc), "--bundle", bundle]) == 2
    assert "node-rules.toml" in capsys.readouterr().err
    # --rules names another one for this review (here the packaged file): the node's is not read
    from verification.rules import DEFAULT_RULES

    code = main(["verify", str(doc), "--bundle", bundle, "--rules", str(DEFAULT_RULES)])
    assert "node-rules.toml" not in capsys.readouterr().err
    assert code == 2  # the blank page has no template


# ---- found by the robustness audit (s31) ------------------------------------------------------
def test_a_named_pipe_nothing_writes_to_is_an_empty_file_not_a_hang(tmp_path, capsys):
    fifo = tmp_path / "scan.png"
    os.mkfifo(fifo)
    assert main(["verify", str(fifo), "--bundle", str(_bundle(tmp_path / "b"))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "empty file" in err


def test_no_more_than_the_byte_limit_is_read(tmp_path, capsys, monkeypatch):
    # the whole file was read before the limit was checked: /dev/zero filled the memory
    monkeypatch.setenv("CUSDEP_VERIFICATION__MAX_BYTES", "100000")
    fifo = tmp_path / "endless.png"
    os.mkfifo(fifo)
    written: list[int] = []

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as f:
            for _ in range(100):
                written.append(f.write(b"\x89PNG\r\n\x1a\n" + bytes(65528)))

    writer = threading.Thread(target=write)
    writer.start()
    code = main(["verify", str(fifo), "--bundle", str(_bundle(tmp_path / "b"))])
    writer.join()
    err = capsys.readouterr().err
    assert code == 2 and "larger than 100000 bytes" in err
    assert len(written) < 100  # the reader stopped; the writer's pipe broke


def _lzw_tiff_with_bad_codes() -> bytes:
    noise = np.random.default_rng(3).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, format="TIFF", compression="tiff_lzw")
    data = bytearray(buf.getvalue())
    data[2000:2600] = bytes(range(256)) * 2 + bytes(88)
    return bytes(data)


def _tiff_with_samples_per_pixel(n: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), "white").save(buf, format="TIFF")
    data = buf.getvalue()
    at = data.index(struct.pack("<HHI", 277, 3, 1))
    return data[: at + 8] + struct.pack("<HH", n, 0) + data[at + 12 :]


@pytest.mark.parametrize("case", ["bad-lzw-codes", "samples-per-pixel"])
def test_a_damaged_tiff_gives_one_stderr_line(case, tmp_path):
    # libtiff printed its decoding errors and Pillow logged one: several lines on stderr
    doc = tmp_path / "scan.tif"
    doc.write_bytes(
        _lzw_tiff_with_bad_codes()
        if case == "bad-lzw-codes"
        else _tiff_with_samples_per_pixel(2048)
    )
    proc = _entry(tmp_path, "verify", str(doc), "--bundle", str(_bundle(tmp_path / "b")))
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln != "interpreter teardown"]
    assert len(lines) == 1 and lines[0].startswith("cusdep: error: TIFF image is corrupt"), lines


def test_a_pdf_content_bomb_exits_2_in_one_line_within_its_limits(
    tmp_path, home, capsys, monkeypatch
):
    # a few KB of nested forms: pdfium in the process took 46 s and 3 GB, then a verdict
    monkeypatch.setenv("CUSDEP_VERIFICATION__MAX_RENDER_BYTES", str(256 * 1024 * 1024))
    monkeypatch.setenv("CUSDEP_VERIFICATION__MAX_RENDER_SECONDS", "30")
    bundle = _bundle(tmp_path / "bundle")
    doc = tmp_path / "bomb.pdf"
    doc.write_bytes(nested_forms_pdf(20))
    before = _snapshot(tmp_path)
    code = main(["verify", str(doc), "--bundle", str(bundle), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == "cusdep: error: PDF page 1 needs more than 256 MiB to render\n"
    assert _snapshot(tmp_path) == before
    assert not home.exists()


# ---- a declaration is read as the API's intake reads one (audit: wrong value types) ----------
_DECLARATION = {"declaration_number": "D1", "net_weight_kg": 1200.0, "packages": 48}


@pytest.mark.parametrize(
    ("key", "raw", "needle"),
    [
        ("net_weight_kg", "1e999", "net_weight_kg"),  # inf passed the weight rule
        ("net_weight_kg", "NaN", "got nan"),
        ("net_weight_kg", '"heavy"', "'heavy'"),  # the rule was silently dropped
        ("net_weight_kg", "-5", "got -5"),
        ("net_weight_kg", '"5 m3"', "not a unit of mass"),  # was 5 kg
        ("packages", "[1]", "got [1]"),
        ("packages", "true", "True"),
        ("certificate_numbers", '"AU"', "got 'AU'"),  # was split into letters
        ("quantity", '"abc"', "'abc'"),
        ("declaration_number", "5", "$.declaration_number"),
    ],
)
def test_a_declaration_value_of_the_wrong_type_is_bad_input(tmp_path, capsys, key, raw, needle):
    doc = tmp_path / "doc.png"
    Image.new("RGB", (800, 600), "white").save(doc)
    decl = tmp_path / "decl.json"
    # the key replaced, not given twice: a duplicate key is refused as such (its own message)
    rest = {k: v for k, v in _DECLARATION.items() if k != key}
    decl.write_text(json.dumps(rest)[:-1] + f', "{key}": {raw}}}')
    bundle = str(_bundle(tmp_path / "b"))
    code = main(["verify", str(doc), "--bundle", bundle, "--declaration", str(decl), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("cusdep: error:"), err
    assert key in err and needle in err and str(decl) in err


def test_a_declaration_is_normalised_as_the_node_reads_it():
    from node.review.copies import declaration_fields

    data = json.dumps({**_DECLARATION, "net_weight_kg": "1,200.5 kg", "note": "kept"}).encode()
    fields = declaration_fields(data)
    assert fields["net_weight_kg"] == 1200.5 and fields["packages"] == 48
    assert fields["note"] == "kept"  # keys the vocabulary does not name stay
    # the contract's declaration JSON names no doc_type: it is read as a declaration, not
    # guessed a certificate from keys both share
    assert declaration_fields(b'{"net_weight_kg": 5}')["net_weight_kg"] == 5.0


@pytest.mark.parametrize(
    ("written", "kg"),
    [("32.9183 t", 32918.3), ("72,571 lb", 32917.651883), ("32 918,3 KGM", 32918.3)],
)
def test_a_declared_net_weight_written_with_its_unit_is_read_in_kg(written, kg):
    """The unit was dropped: "32.9183 t" was 32.9183 kg and "72,571 lb" 72,571 kg, so a paper
    certifying 32,918.3 kg was rejected as "+99900%" or "-54.6%" from what was declared."""
    from node.review.copies import declaration_fields

    data = json.dumps({**_DECLARATION, "net_weight_kg": written}).encode()
    assert declaration_fields(data)["net_weight_kg"] == pytest.approx(kg)


@pytest.mark.parametrize("where", ["a-file", "under-a-file"])
def test_an_evidence_directory_that_cannot_be_made_is_bad_input_before_the_review(
    tmp_path, capsys, where
):
    # a file at --evidence was a traceback (FileExistsError, exit 1) after the whole review
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-2026-0042"])])
    doc = tmp_path / "doc.png"
    doc.write_bytes(png_bytes(page.image))
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    evidence = taken if where == "a-file" else taken / "evidence"
    bundle = str(_bundle(tmp_path / "b"))
    before = _snapshot(tmp_path)
    code = main(["verify", str(doc), "--bundle", bundle, "--json", "--evidence", str(evidence)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"cusdep: error: --evidence {evidence}: ")
    assert _snapshot(tmp_path) == before and taken.read_text() == "mine"
