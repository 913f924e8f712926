"""``cusdep convert`` end to end: one run through a real subprocess, the rest via ``main()``."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

from node.cli import main
from tests.interop_data import INTEROP

EPHYTO = INTEROP / "ippc-ephyto-mattilsynet" / "SPSCertificateContent.xml"
BROKEN = INTEROP / "hmrc-cds-wco-dm" / "samples" / "TT_IM084a" / "TT_IM084a.xml"


def _subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "import sys; from node.cli import main; sys.exit(main())", *args]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=120)


def _cusdep(*args: str) -> subprocess.CompletedProcess[str]:
    """In-process run of ``main()`` with stdout/stderr captured at the file-descriptor level."""
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        stdout.flush()
    return subprocess.CompletedProcess(list(args), code, out.getvalue().decode(), err.getvalue())


def test_convert_ephyto_prints_the_vocabulary_as_in_the_xml() -> None:
    result = _subprocess("convert", str(EPHYTO), "--to", "canonical-json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    xml = EPHYTO.read_text(encoding="utf-8")
    for key in ("certificate_number", "consignor_name", "consignee_name", "hs_code"):
        assert f">{out[key]}<" in xml, key
    assert (out["origin_country"], out["destination_country"]) == ("AR", "EC")
    assert out["net_weight_kg"] == 10.0 and '<ns1:NetWeightMeasure unitCode="KGM">10<' in xml
    assert '"consignor_address": "El trébol 853' in result.stdout  # UTF-8, not \\u escapes
    assert all("content_base64" not in a for a in out["attachments"])
    # the truncated attachment, and no total of one line's quantity of two (said, not summed)
    assert result.stderr.count("\n") == 2 and "base64" in result.stderr
    assert "no total quantity: line item 0 has no quantity" in result.stderr
    assert "quantity" not in out and "unit" not in out


def test_convert_with_from_and_attachments_and_render_back() -> None:
    result = _cusdep("convert", str(EPHYTO), "--from", "ephyto", "--attachments")
    assert result.returncode == 0
    out = json.loads(result.stdout)
    assert out["attachments"][0]["content_base64"].startswith("JVBERi0")
    back = _cusdep("convert", str(EPHYTO), "--to", "uncefact-sps-xml")
    assert back.returncode == 0 and "<rsm:SPSCertificate" in back.stdout


def test_invalid_input_exit_2_one_line_with_line_number() -> None:
    result = _cusdep("convert", str(BROKEN), "--from", "uncefact-sps-xml")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "not well-formed XML" in lines[0] and "line 164" in lines[0]


def test_unknown_format_and_strict(tmp_path: Path) -> None:
    result = _cusdep("convert", str(EPHYTO), "--from", "edifact")
    assert result.returncode == 2 and "known formats: " in result.stderr
    strict = _cusdep("convert", str(EPHYTO), "--strict")
    assert strict.returncode == 2 and "base64" in strict.stderr
    missing = _cusdep("convert", str(tmp_path / "none.xml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_strict_accepts_a_verified_openattestation_document() -> None:
    """--strict refuses warnings; "proof verified" is information, and a document whose proof
    recomputes is the one an integrator wants through."""
    wrapped = INTEROP / "open-attestation" / "fixtures" / "v2" / "did-wrapped.json"
    strict = _cusdep("convert", str(wrapped), "--strict")
    assert strict.returncode == 0, strict.stderr
    assert json.loads(strict.stdout)["doc_type"] == "certificate"
    assert "info: proof verified" in strict.stderr


def test_validate_flag_reports_schema_errors_with_line(tmp_path: Path) -> None:
    sample = INTEROP / "hmrc-cds-wco-dm" / "samples" / "TT_IM021a" / "Step1_TT_IM021a.xml"
    ok = _cusdep("convert", str(sample), "--validate")
    assert ok.returncode == 0 and json.loads(ok.stdout)["doc_type"] == "declaration"
    broken = tmp_path / "broken.xml"
    broken.write_bytes(
        sample.read_bytes().replace(
            b"<TypeCode>IMD</TypeCode>", b"<TypeCode>IMD</TypeCode><Bogus/>", 1
        )
    )
    bad = _cusdep("convert", str(broken), "--validate")
    assert bad.returncode == 2 and bad.stdout == ""
    assert "schema:" in bad.stderr and "Bogus" in bad.stderr and "line " in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_utf16_documents_are_detected_and_a_dtd_is_named(tmp_path: Path) -> None:
    text = EPHYTO.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    utf16 = tmp_path / "utf16.xml"
    utf16.write_bytes(text.encode("utf-16"))  # with a byte-order mark
    result = _cusdep("convert", str(utf16))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["destination_country"] == "EC"
    dtd = tmp_path / "dtd.xml"
    big = "x" * 20000  # a DTD longer than the head the detectors read
    dtd.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "{big}">]>\n<r>&a;</r>\n')
    result = _cusdep("convert", str(dtd))
    assert result.returncode == 2 and result.stdout == ""
    assert "DOCTYPE/ENTITY declarations are not accepted" in result.stderr


def test_format_options_and_size_are_checked_before_reading(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    for args, says in (
        (("--from", ""), "--from: empty format name"),
        (("--to", "nonsense"), "--to: unknown format 'nonsense'"),
        (("--from", "cusdep-json"), "none of its keys is a canonical field"),
    ):
        result = _cusdep("convert", str(empty), *args)
        assert result.returncode == 2 and result.stdout == "", args
        assert says in result.stderr and result.stderr.count("\n") == 1, result.stderr
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as f:  # sparse: 64 MiB on disk would be slow to write
        f.write(b'<?xml version="1.0"?><x/>')
        f.truncate(64 * 1024 * 1024)
    result = _cusdep("convert", str(huge))
    assert result.returncode == 2 and "larger than 33554432 bytes" in result.stderr


CHED_PP = (
    INTEROP / "defra-ipaffs-btms" / "samples" / "AllChedsNoMatch" / "IPAFFS" / "2024" / "11" / "01"
) / "chedpp-multiple-commodity.json"


def test_a_rendered_document_is_checked_by_the_target_formats_own_validator() -> None:
    """A CHED-PP carries no UN/CEFACT document type code, which an SPS certificate requires:
    the render says so (before, exit 0 in silence and the output failed ``--validate``)."""
    warned = _cusdep("convert", str(CHED_PP), "--to", "uncefact-sps-xml")
    assert warned.returncode == 0 and "<rsm:SPSCertificate" in warned.stdout
    assert "warning: as uncefact-sps-xml: required by the SPS schema and missing: type" in (
        warned.stderr
    )
    refused = _cusdep("convert", str(CHED_PP), "--to", "uncefact-sps-xml", "--validate")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.count("\n") == 1 and "missing: type (TypeCode)" in refused.stderr
    clean = _cusdep("convert", str(EPHYTO), "--to", "uncefact-sps-xml", "--validate")
    assert clean.returncode == 0 and "as uncefact-sps-xml" not in clean.stderr


def test_a_contract_field_the_target_format_cannot_carry_is_named(tmp_path: Path) -> None:
    """The contract's declaration JSON into WCO DM: the arrival date has no place in the CDS
    declaration we write, and was left out with exit 0 and nothing said (a round trip lost
    it); what the format carries (quantity and unit: DE 6/2 TariffQuantity) is not named."""
    declaration = {
        "declaration_number": "DEC-2026-77", "consignor_name": "Orchard Exports Pty Ltd",
        "consignee_name": "上海果品进出口有限公司", "origin_country": "AU", "hs_code": "080810",
        "quantity": 1200, "unit": "kg", "net_weight_kg": 1200.0, "packages": 48,
        "arrival_date": "2026-11-20", "certificate_numbers": ["AU-2026-000123"],
    }  # fmt: skip
    path = tmp_path / "declaration.json"
    path.write_text(json.dumps(declaration, ensure_ascii=False), encoding="utf-8")
    result = _cusdep("convert", str(path), "--to", "wco-dec-xml", "--validate")
    assert result.returncode == 0 and "<Declaration>" in result.stdout
    named = [ln for ln in result.stderr.splitlines() if "warning: as wco-dec-xml:" in ln]
    assert len(named) == 1, result.stderr
    assert "arrival_date ('2026-11-20')" in named[0] and "left out" in named[0]
    # the unit as its UN/ECE Rec. 20 code (it was written as given, unitCode="kg")
    assert '<TariffQuantity unitCode="KGM">1200</TariffQuantity>' in result.stdout
    worded = tmp_path / "worded.json"
    worded.write_text(json.dumps({**declaration, "unit": "cartons"}), encoding="utf-8")
    lost = _cusdep("convert", str(worded), "--to", "wco-dec-xml")
    assert lost.returncode == 0 and "TariffQuantity" not in lost.stdout
    for field in ("quantity (1200.0)", "unit ('cartons')"):
        assert field in lost.stderr and "left out" in lost.stderr, lost.stderr
    clean = _cusdep("convert", str(EPHYTO), "--to", "uncefact-sps-xml")
    assert clean.returncode == 0 and "as uncefact-sps-xml" not in clean.stderr


def test_a_json_key_given_twice_is_exit_2_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_bytes(b'{"declaration_number": "D1", "net_weight_kg": 10, "net_weight_kg": 1000}')
    for args in ((), ("--from", "cusdep-json")):
        result = _cusdep("convert", str(path), *args)
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr.count("\n") == 1
        assert "'net_weight_kg' given more than once ($.net_weight_kg)" in result.stderr


def test_an_attachment_that_is_not_base64_is_exit_2_naming_it(tmp_path: Path) -> None:
    """It was written into the SPS certificate as it came, exit 0."""
    path = tmp_path / "attachment.json"
    path.write_text(json.dumps({
        "doc_type": "certificate", "certificate_number": "C1", "references": [{"id": "R1"}],
        "attachments": [{"filename": "scan.pdf", "mime_type": "application/pdf",
                         "reference_id": "R1", "content_base64": "not base64!!"}],
    }), encoding="utf-8")  # fmt: skip
    for target in ("uncefact-sps-xml", "canonical-json"):
        result = _cusdep("convert", str(path), "--to", target, "--attachments")
        assert (result.returncode, result.stdout) == (2, ""), result.stderr
        assert result.stderr.count("\n") == 1
        assert "attachment 0 (scan.pdf): content is not valid base64" in result.stderr


def test_convert_shows_the_status_a_certificate_carries(tmp_path: Path) -> None:
    """A replaced CHED: its raw status, the status it means and the replacing number in the
    JSON, and one warning line saying it is not valid; an issued ePhyto has no such line."""
    ched = INTEROP / "defra-ipaffs-btms" / "samples" / "single" / "chedpp-multiple-commodity.json"
    value = json.loads(ched.read_bytes())
    value.update(status="REPLACED", replacedBy="CHEDPP.GB.2024.1003992")
    path = tmp_path / "replaced.json"
    path.write_text(json.dumps(value))
    result = _cusdep("convert", str(path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["status_code"], out["status"], out["replaced_by"]) == (
        "REPLACED",
        "replaced",
        "CHEDPP.GB.2024.1003992",
    )
    assert result.stderr.splitlines()[-1] == (
        "cusdep: warning: the certificate is replaced by CHEDPP.GB.2024.1003992 "
        "(status REPLACED): not valid"
    )
    issued = _cusdep("convert", str(EPHYTO))
    assert json.loads(issued.stdout)["status"] == "issued"
    assert "the certificate is" not in issued.stderr
