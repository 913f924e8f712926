"""Real RapidOCR on rendered pages: the pipeline in-process, and `cusdep verify` as a process.

Two pages only: OCR costs about 1-2 s per page on this machine.
"""

import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from node.chain.devchain import EmbeddedAnvil
from node.config import load_settings
from verification import Pipeline, Verdict
from verification.bundle import BundleSpecimenSource
from verification.testing import draw_seal, draw_signature, paste, png_bytes, render_page

RING = "DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTRY"
TEMPLATE = {
    "id": "AU-PHYTO-2025",
    "certificate_type": "phytosanitary",
    "issuing_country": "AU",
    "agency": "AU-DAFF",
    "titles": ["PHYTOSANITARY CERTIFICATE"],
    "fields": [
        {"name": "certificate_number", "labels": ["Certificate No."]},
        {
            "name": "consignor",
            "labels": ["Name and address of exporter"],
            "split_lines": ["consignor_name", "consignor_address"],
        },
        {"name": "consignee_name", "labels": ["Consignee"]},
        {"name": "origin_country", "labels": ["Place of origin"]},
        {"name": "net_weight_kg", "labels": ["Net weight"]},
        {"name": "container_numbers", "labels": ["Container No."]},
        {"name": "issue_date", "labels": ["Date of issue"]},
        {"name": "officer_name", "labels": ["Name of authorized officer"]},
    ],
}
ROWS = [
    ("Certificate No.", ["AU-2026-000123"]),
    ("Name and address of exporter", []),
    ("", ["Acme Fruit Exports Pty Ltd"]),
    ("", ["12 Harbour Road, Sydney"]),
    ("Consignee", ["Shanghai Fresh Co"]),
    ("Place of origin", ["Australia"]),
    ("Net weight", ["1,250.50 kg"]),
    ("Container No.", ["MSCU1234565"]),
    ("Date of issue", ["10 November 2026"]),
    ("Name of authorized officer", ["Jane Citizen"]),
]
DECLARATION = {
    "consignor_name": "Acme Fruit Exports",
    "consignee_name": "Shanghai Fresh Co",
    "origin_country": "AU",
    "net_weight_kg": 1250.5,
    "container_numbers": "MSCU1234565",
    "certificate_numbers": ["AU-2026-000123"],
}
COPY = {  # the issuer's electronic copy of the page's certificate
    "certificate_number": "AU-2026-000123",
    "issuing_country": "AU",
    "issue_date": "2026-11-10",
    "consignor_name": "Acme Fruit Exports Pty Ltd",
    "consignee_name": "Shanghai Fresh Co",
    "origin_country": "AU",
    "net_weight_kg": 1250.5,
    "container_numbers": ["MSCU1234565"],
}


def _page():
    page = render_page("PHYTOSANITARY CERTIFICATE", [r for r in ROWS if r[1] or r[0]], gap=52)
    paste(page, draw_seal(RING, rotation=25), (980, 1450))
    officer = next(ln for ln in page.lines if "authorized officer" in ln.text)
    paste(page, draw_signature(7, jitter=0.8), (int(officer.box[2]) + 60, int(officer.box[3]) + 30))
    return page


def _bundle(root: Path) -> Path:
    reg = root / "registry"
    for sub in ("seals", "signatures", "templates"):
        (reg / sub).mkdir(parents=True)
    (reg / "seals" / "S1.png").write_bytes(png_bytes(draw_seal(RING)))
    (reg / "signatures" / "O1.png").write_bytes(png_bytes(draw_signature(7)))
    (reg / "templates" / "t.json").write_text(json.dumps(TEMPLATE))
    (reg / "bundle.json").write_text(
        json.dumps(
            {
                "agencies": [
                    {"id": "AU-DAFF", "country": "AU", "name": "Department of Agriculture"}
                ],
                "seals": [{"id": "AU-DAFF-S1", "agency": "AU-DAFF", "image": "seals/S1.png"}],
                "officers": [
                    {
                        "id": "AU-DAFF-O1",
                        "agency": "AU-DAFF",
                        "name": "Jane Citizen",
                        "signature": "signatures/O1.png",
                        "valid_from": "2024-01-01",
                        "valid_to": "2028-12-31",
                    }
                ],
                "templates": ["templates/t.json"],
            }
        )
    )
    return root


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    root = tmp_path_factory.mktemp("ocr")
    path = root / "scan.png"
    path.write_bytes(_page().png())
    return path, _bundle(root / "bundle")


def test_pipeline_reads_every_field_with_real_ocr(document):
    path, bundle = document
    pipe = Pipeline(BundleSpecimenSource(bundle), today=lambda: date(2026, 11, 20))
    res = pipe.verify(path.read_bytes(), declaration=DECLARATION, arrival_date=date(2026, 11, 18))
    got = {k: v.value for k, v in res.fields.items()}
    assert got == {
        "certificate_number": "AU-2026-000123",
        "consignor_name": "Acme Fruit Exports Pty Ltd",
        "consignor_address": "12 Harbour Road, Sydney",
        "consignee_name": "Shanghai Fresh Co",
        "origin_country": "AU",
        "net_weight_kg": "1250.5",
        "container_numbers": "MSCU1234565",
        "issue_date": "2026-11-10",
        "officer_name": "Jane Citizen",
    }
    assert res.seal.match and res.seal.seal_id == "AU-DAFF-S1"
    assert res.verdict is Verdict.ACCEPT, res.reasons


def test_a_paper_that_differs_from_its_issuers_electronic_copy_is_rejected(document):
    path, bundle = document
    pipe = Pipeline(BundleSpecimenSource(bundle), today=lambda: date(2026, 11, 20))
    copy = {**COPY, "net_weight_kg": 1205.5}
    res = pipe.verify(path.read_bytes(), arrival_date=date(2026, 11, 18), electronic_copy=copy)
    rule = next(r for r in res.rules if r.id == "copy.fields")
    assert not rule.passed and "net_weight_kg '1250.5' on paper, 1205.5 in the copy" in rule.message
    assert res.verdict is Verdict.REJECT


def test_a_seal_that_is_the_stamping_on_another_certificate_is_rejected(document):
    """``seal.unique``: the node passes the prints of the seals it reviewed before; the paper's
    own print under another certificate's number is a copied seal, under its own number (the
    same certificate reviewed again) it is not."""
    path, bundle = document
    pipe = Pipeline(BundleSpecimenSource(bundle), today=lambda: date(2026, 11, 20))
    data = path.read_bytes()
    first = pipe.verify(data, declaration=DECLARATION, arrival_date=date(2026, 11, 18))
    assert first.seal.match and first.seal.stamping
    assert "seal.unique" not in {r.id for r in first.rules}  # no history kept: not applicable
    asked: list[str] = []

    def history(number: str):
        def prints(seal_id: str) -> list[tuple[str, str]]:
            asked.append(seal_id)
            return [(number, first.seal.stamping)]

        return prints

    again = pipe.verify(
        data,
        declaration=DECLARATION,
        arrival_date=date(2026, 11, 18),
        stampings=history("AU-2026-000999"),
    )
    rule = next(r for r in again.rules if r.id == "seal.unique")
    assert asked == ["AU-DAFF-S1"]
    assert not rule.passed and "the very stamping on certificate AU-2026-000999" in rule.message
    assert again.verdict is Verdict.REJECT
    same = pipe.verify(
        data,
        declaration=DECLARATION,
        arrival_date=date(2026, 11, 18),
        stampings=history("AU 2026 000123"),
    )
    rule = next(r for r in same.rules if r.id == "seal.unique")
    assert rule.passed and "0 earlier of this die compared" in rule.message
    assert same.verdict is Verdict.ACCEPT, same.reasons


def test_cusdep_verify_process_prints_the_contract_json(document, tmp_path):
    path, bundle = document
    decl = tmp_path / "decl.json"
    decl.write_text(json.dumps({**DECLARATION, "net_weight_kg": 900}))
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps({"doc_type": "certificate", **COPY}))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "node",
            "verify",
            str(path),
            "--bundle",
            str(bundle),
            "--declaration",
            str(decl),
            "--electronic-copy",
            str(copy),
            "--arrival-date",
            "2026-11-18",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["template_id"] == "AU-PHYTO-2025"
    assert out["verdict"] == "reject"
    weight = next(r for r in out["rules"] if r["id"] == "declaration.net_weight")
    assert not weight["passed"] and "1250.5 kg on certificate, 900 kg declared" in weight["message"]
    assert len(out["document_sha256"]) == 64 and out["elapsed_ms"] > 0
    agreed = next(r for r in out["rules"] if r["id"] == "copy.fields")
    assert (
        agreed["passed"] and "values agree with the issuer's electronic copy" in agreed["message"]
    )
    assert out["fields"]["net_weight_kg"]["value"] == 1250.5  # a number, as the contract says


def test_cusdep_verify_takes_the_arrival_date_from_the_declaration(document, tmp_path):
    path, bundle = document
    decl = tmp_path / "decl.json"
    args = [sys.executable, "-m", "node", "verify", str(path), "--bundle", str(bundle), "--json"]
    outs = []
    for arrival in ("2026-11-18", "2031-01-01"):  # in time, and years after its validity
        decl.write_text(json.dumps({**DECLARATION, "arrival_date": arrival}))
        proc = subprocess.run(
            [*args, "--declaration", str(decl)], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(json.loads(proc.stdout))
    validity = [{r["id"]: r for r in out["rules"]} for out in outs]
    assert all(r["passed"] for i, r in validity[0].items() if i.startswith("validity."))
    late = [r for i, r in validity[1].items() if i.startswith("validity.") and not r["passed"]]
    assert late and "2031-01-01" in late[0]["message"]


def _cusdep(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CUSDEP_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "node", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.fixture
def registry_home(document, home: Path):
    """A node (embedded anvil) whose registry holds the bundle's agency, seal, officer and
    template, registered through the CLI."""
    _path, bundle = document
    reg = bundle / "registry"
    steps = [
        ("init", "--country", "AU", "--name", "Australian Border Force"),
        ("registry", "add-agency", "--id", "AU-DAFF", "--country", "AU", "--name", "Agriculture"),
        ("registry", "add-seal", "--agency", "AU-DAFF", "--id", "AU-DAFF-S1", "--image"),
        ("registry", "add-officer", "--agency", "AU-DAFF", "--id", "AU-DAFF-O1"),
        ("templates", "add", str(reg / "templates" / "t.json")),
    ]
    extra = {
        2: (str(reg / "seals" / "S1.png"),),
        3: ("--name", "Jane Citizen", "--signature", str(reg / "signatures" / "O1.png")),
    }
    try:
        for i, step in enumerate(steps):
            proc = _cusdep(home, *step, *extra.get(i, ()))
            assert proc.returncode == 0, proc.stderr
        yield home
    finally:
        settings = load_settings(home)
        pid = EmbeddedAnvil(home, settings.chain.embedded_port).running_pid()
        if pid:
            os.kill(pid, signal.SIGTERM)


def test_cusdep_verify_reads_specimens_from_the_node_registry(document, registry_home, tmp_path):
    path, _bundle = document
    decl = tmp_path / "decl.json"
    decl.write_text(json.dumps(DECLARATION))
    proc = _cusdep(
        registry_home,
        "verify",
        str(path),
        "--declaration",
        str(decl),
        "--arrival-date",
        "2026-11-18",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["template_id"] == "AU-PHYTO-2025"  # the template came from the registry
    assert out["seal"]["match"] and out["seal"]["seal_id"] == "AU-DAFF-S1"
    officer = next(r for r in out["rules"] if r["id"] == "officer.registered")
    assert officer["passed"], officer
    unused = next(r for r in out["rules"] if r["id"] == "certificate.unused")
    assert unused["passed"], unused
