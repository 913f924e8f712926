"""OpenAttestation v2 / TradeTrust: proof recomputation on every sample, conversion, tampering."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path

import pytest

from adapters.errors import (
    InvalidAttachment,
    InvalidDocument,
    TamperedDocument,
    UnknownFormat,
    UnsupportedVersion,
)
from adapters.openattestation import OpenAttestationAdapter, check_proof, keccak256
from adapters.openattestation.proof import target_hash
from adapters.registry import detect, parse_document
from adapters.uncefact_sps import SpsCertificateAdapter
from tests.interop_data import INTEROP

OA, TT = INTEROP / "open-attestation", INTEROP / "tradetrust"
ALL = sorted([*OA.rglob("*.json"), *TT.rglob("*.json")])
TAMPERED = OA / "fixtures" / "v2" / "obfuscated-wrapped.json"


def _json(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def _is_v2_wrapped(path: Path) -> bool:
    doc = _json(path)
    return "openattestation.com/2.0" in str(doc.get("version")) and "signature" in doc


WRAPPED_V2 = [p for p in ALL if _is_v2_wrapped(p)]
INTACT = [p for p in WRAPPED_V2 if p != TAMPERED]
V3 = [p for p in ALL if "openattestation.com/3.0" in str(_json(p).get("version"))]
OTHER = [p for p in ALL if p not in WRAPPED_V2 and p not in V3]


def test_keccak_is_not_sha3() -> None:
    assert (
        keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"").hex() != hashlib.sha3_256(b"").hexdigest()


def test_sample_counts() -> None:
    assert len(WRAPPED_V2) == 12 and TAMPERED in WRAPPED_V2
    assert len(INTACT) == 11  # the 10 the brief counts + did-signed-ocsp-responder
    assert len(ALL) == len(WRAPPED_V2) + len(V3) + len(OTHER)


@pytest.mark.parametrize("path", INTACT, ids=lambda p: p.name)
def test_intact_wrapped_documents_verify_and_convert(path: Path) -> None:
    data = path.read_bytes()
    assert detect(data).format_id == "openattestation-v2"
    check = check_proof(_json(path))
    assert check.valid
    doc, issues = OpenAttestationAdapter().parse(data)
    assert issues[0].severity == "info" and check.merkle_root in issues[0].message
    assert any(n.subject == "oa.merkleRoot" for n in doc.notes)


def test_obfuscated_fixture_is_reported_as_tampered() -> None:
    with pytest.raises(TamperedDocument) as err:
        OpenAttestationAdapter().parse(TAMPERED.read_bytes())
    assert err.value.code == "adapters.tampered"
    assert any(r.path == "$.signature.targetHash" for r in err.value.reasons)


@pytest.mark.parametrize("path", INTACT[:4], ids=lambda p: p.name)
def test_changing_any_value_breaks_the_proof(path: Path) -> None:
    doc = _json(path)
    node = doc["data"]
    while True:  # walk down to the first salted string leaf and change one character
        key = next(iter(node)) if isinstance(node, dict) else 0
        if isinstance(node[key], str):
            node[key] = node[key] + "x"
            break
        node = node[key]
    with pytest.raises(TamperedDocument):
        OpenAttestationAdapter().parse(json.dumps(doc).encode())


def test_selective_disclosure_keeps_the_proof() -> None:
    """Obfuscating a field (moving its leaf hash to privacy.obfuscatedData) still verifies."""
    from adapters.openattestation.proof import flatten

    doc = _json(TT / "fixtures/local/v2/invoice.json")
    key = "billTo"
    removed = {k: v for k, v in flatten(doc["data"]).items() if k.split(".")[0] == key}
    hashes = [
        keccak256(json.dumps({k: v}, separators=(",", ":")).encode()).hex()
        for k, v in removed.items()
    ]
    del doc["data"][key]
    doc["privacy"] = {"obfuscatedData": hashes}
    parsed, issues = OpenAttestationAdapter().parse(json.dumps(doc).encode())
    assert parsed.consignee_name is None
    assert any("obfuscated" in i.message for i in issues)


def test_coo_converts_to_the_canonical_vocabulary() -> None:
    doc, _ = OpenAttestationAdapter().parse(
        (TT / "fixtures/local/v2/coo-selective-disclosure.json").read_bytes()
    )
    assert (doc.certificate_number, doc.certificate_type) == ("WBC208899", "origin")
    assert doc.consignor_name == "TREASURY WINE ESTATES VINTNERS LIMITED"
    assert doc.consignee_name == "East meets west fine wines"
    assert (doc.origin_country, doc.destination_country) == ("AU", "CN")
    assert doc.hs_code == "220421" and len(doc.line_items) == 3
    assert doc.packages == 6 and doc.line_items[0].gross_weight_kg == 900.0
    assert doc.port_of_entry_code == "CNPVG" and doc.place_of_issue == "Adelaide"
    assert doc.issue_date is not None and doc.issue_date.isoformat() == "2020-06-03"


def test_country_names_normalised() -> None:
    doc, _ = OpenAttestationAdapter().parse((OA / "fixtures/v2/did-wrapped.json").read_bytes())
    assert (doc.origin_country, doc.destination_country) == ("AU", "CN")  # "AUSTRALIA", "CHINA"
    assert doc.commodity == "16667 CARTONS OF RED WINE"


@pytest.mark.parametrize("path", V3, ids=lambda p: p.name)
def test_v3_documents_are_refused_with_their_version(path: Path) -> None:
    with pytest.raises(UnsupportedVersion, match="v3"):
        OpenAttestationAdapter().parse(path.read_bytes())


@pytest.mark.parametrize("path", OTHER, ids=lambda p: str(p.relative_to(INTEROP)))
def test_raw_documents_schemas_and_w3c_credentials_are_not_wrapped_v2(path: Path) -> None:
    data = path.read_bytes()
    with pytest.raises(InvalidDocument, match="not a wrapped OpenAttestation v2 document"):
        OpenAttestationAdapter().parse(data)
    with pytest.raises(UnknownFormat):
        detect(data)


def test_malformed_proof_fields_are_invalid_not_crashes() -> None:
    doc = _json(INTACT[0])
    for bad in (["zz"], True, "0x" + "0" * 64, {"a": 1}):  # True: found by the 10k fuzz run
        doc["signature"]["proof"] = bad
        with pytest.raises(InvalidDocument, match="proof entries"):
            OpenAttestationAdapter().parse(json.dumps(doc).encode())


def test_privacy_of_the_wrong_shape_is_invalid() -> None:
    doc = _json(INTACT[0])
    for bad, match in (
        ([1], "privacy must be an object"),
        ({"obfuscatedData": "x"}, "obfuscatedData"),
    ):
        doc["privacy"] = bad
        with pytest.raises(InvalidDocument, match=match):
            OpenAttestationAdapter().parse(json.dumps(doc).encode())


NESTED = TT / "fixtures/local/v2/invoice-nested-documents.json"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


def _rewrapped(doc: dict, attachments: list[dict]) -> bytes:
    """``doc`` with these (salted) attachments and a proof recomputed for them, as an issuer
    would have wrapped it (a batch of one: merkleRoot = targetHash)."""
    doc = copy.deepcopy(doc)
    doc["data"]["attachments"] = [
        {k: f"00000000-0000-4000-8000-00000000000{i}:string:{v}" for k, v in att.items()}
        for i, att in enumerate(attachments)
    ]
    target = target_hash(doc["data"], [])
    doc["signature"] = {**doc["signature"], "targetHash": target, "merkleRoot": target,
                        "proof": []}  # fmt: skip
    doc.pop("privacy", None)
    return json.dumps(doc).encode()


def test_attachments_are_read_checked_and_carried_on() -> None:
    """``attachments[]`` was ignored: TradeTrust's invoice carries its nested document (a
    salted "uuid:string:<base64>"); it is the certificate's attachment, hashed, and goes on
    to canonical JSON and into an SPS certificate."""
    raw = NESTED.read_bytes()
    salted = _json(NESTED)["data"]["attachments"][0]["data"]
    content = base64.b64decode(salted.split(":", 2)[2])
    doc, issues, _ = parse_document(raw)
    assert check_proof(_json(NESTED)).valid  # the proof is over the salted leaves, unchanged
    assert [i.severity for i in issues] == ["info"]
    [att] = doc.attachments
    assert (att.filename, att.mime_type, att.size) == (
        "invoice.json",
        "application/octet-stream",
        len(content),
    )
    assert att.sha256 == hashlib.sha256(content).hexdigest()
    assert base64.b64decode(att.content_base64 or "") == content
    assert json.loads(content)["version"].endswith("/2.0/schema.json")
    assert doc.to_json_dict()["attachments"][0]["sha256"] == att.sha256
    sps = SpsCertificateAdapter()
    again, _ = sps.parse(sps.render(doc))
    assert [(a.filename, a.sha256) for a in again.attachments] == [("invoice.json", att.sha256)]


def test_an_attachment_that_is_not_base64_is_a_warning_and_its_content_left_out() -> None:
    """The upstream transferable fixture's attachment is a placeholder ("BASE64_ENCODED_FILE"
    declared application/pdf): the document still verifies and converts; its content is not
    carried on as it came."""
    path = OA / "fixtures" / "v2" / "wrapped-transferable-document.json"
    doc, issues = OpenAttestationAdapter().parse(path.read_bytes())
    [att] = doc.attachments
    assert (att.filename, att.mime_type, att.content_base64) == (
        "sample.pdf",
        "application/pdf",
        None,
    )
    assert [(i.severity, i.message, i.path) for i in issues[1:]] == [
        (
            "warning",
            "attachment is not valid base64; its content is left out",
            "$.data.attachments[0]",
        )
    ]


def test_an_attachment_not_of_its_declared_type_is_a_warning_and_no_renderer_writes_it() -> None:
    wrapped = _rewrapped(
        _json(NESTED), [{"filename": "cert.pdf", "type": "application/pdf", "data": PNG}]
    )
    doc, issues = OpenAttestationAdapter().parse(wrapped)  # the rewrapped proof holds
    assert doc.attachments[0].mime_type == "application/pdf"
    assert any(
        i.message == "attachment declared application/pdf but contains image/png"
        and i.path == "$.data.attachments[0]"
        for i in issues
    )
    with pytest.raises(InvalidAttachment, match="attachment content refused"):
        SpsCertificateAdapter().render(doc)
    fine = _rewrapped(_json(NESTED), [{"filename": "p.png", "type": "image/png", "data": PNG}])
    doc, issues = OpenAttestationAdapter().parse(fine)
    assert doc.attachments[0].size == 24 and [i.severity for i in issues] == ["info"]


def test_changing_an_attachment_breaks_the_proof() -> None:
    doc = _json(NESTED)
    leaf = doc["data"]["attachments"][0]
    leaf["data"] = leaf["data"][:-4] + "AAAA"
    with pytest.raises(TamperedDocument):
        OpenAttestationAdapter().parse(json.dumps(doc).encode())
