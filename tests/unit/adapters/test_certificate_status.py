"""The status a certificate carries, read into one vocabulary (``adapters.status``) from each
format, the raw code kept: UN/CEFACT SPS (ePhyto) StatusCode, IPAFFS CHED ``status`` (with
``replacedBy``), OpenAttestation ``status``; and written back where the format has a place."""

from __future__ import annotations

import json

import pytest

from adapters.canonical import Certificate, load_canonical
from adapters.defra import IpaffsChedAdapter
from adapters.registry import parse_document
from adapters.status import NOT_VALID, STATUSES, canonical_status, status_code_for
from adapters.uncefact_sps import SpsCertificateAdapter
from tests.interop_data import INTEROP

SPS = INTEROP / "ippc-ephyto-mattilsynet" / "SPSCertificateContent.xml"
CHED = INTEROP / "defra-ipaffs-btms" / "samples" / "single" / "chedpp-multiple-commodity.json"
COO = INTEROP / "tradetrust" / "fixtures" / "local" / "v2" / "coo-selective-disclosure.json"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        # UN/CEFACT SPS StatusCode (ePhyto)
        ("70", "issued"),
        ("40", "withdrawn"),
        ("41", "rejected"),
        # IPAFFS notification status: the whole enum of ipaffs-notification.jsonschema.json
        ("VALIDATED", "issued"),
        ("DRAFT", "provisional"),
        ("SUBMITTED", "provisional"),
        ("IN_PROGRESS", "provisional"),
        ("AMEND", "provisional"),
        ("MODIFY", "provisional"),
        ("SUBMITTED,IN_PROGRESS,MODIFY", "provisional"),
        ("REPLACED", "replaced"),
        ("SPLIT_CONSIGNMENT", "replaced"),
        ("CANCELLED", "withdrawn"),
        ("DELETED", "withdrawn"),
        ("REJECTED", "rejected"),
        ("PARTIALLY_REJECTED", "rejected"),
        # OpenAttestation words, and spellings of the same codes
        ("issued", "issued"),
        ("revoked", "withdrawn"),
        ("in progress", "provisional"),
        ("Cancelled", "withdrawn"),
        # not known: kept, not judged
        ("99", "unknown"),
        ("ON_HOLD", "unknown"),
        ("", None),
        (None, None),
    ],
)
def test_the_mapping_table(code: str | None, status: str | None) -> None:
    assert canonical_status(code) == status


def test_only_issued_and_unknown_are_not_judged() -> None:
    assert set(STATUSES) - NOT_VALID == {"issued", "unknown"}


def _ched(**changed: str) -> bytes:
    value = json.loads(CHED.read_bytes())
    value.update(changed)
    return json.dumps(value).encode()


def test_ipaffs_samples_keep_their_raw_status() -> None:
    doc, issues = IpaffsChedAdapter().parse(CHED.read_bytes())
    assert (doc.status_code, doc.status, doc.replaced_by) == ("VALIDATED", "issued", None)
    assert not [i for i in issues if "status" in i.message]
    cheds = [
        IpaffsChedAdapter().parse(p.read_bytes())[0]
        for p in sorted((INTEROP / "defra-ipaffs-btms" / "samples").rglob("*.json"))
        if b'"partOne"' in p.read_bytes()
    ]
    assert {(c.status_code, c.status) for c in cheds} == {
        ("SUBMITTED", "provisional"),
        ("IN_PROGRESS", "provisional"),
        ("VALIDATED", "issued"),
    }


def test_ipaffs_replaced_ched_names_its_replacement() -> None:
    doc, issues = IpaffsChedAdapter().parse(
        _ched(status="REPLACED", replacedBy="CHEDPP.GB.2024.1003992")
    )
    assert (doc.status_code, doc.status, doc.replaced_by) == (
        "REPLACED",
        "replaced",
        "CHEDPP.GB.2024.1003992",
    )
    out = doc.to_json_dict()
    assert (out["status_code"], out["status"], out["replaced_by"]) == (
        "REPLACED",
        "replaced",
        "CHEDPP.GB.2024.1003992",
    )
    # canonical JSON keeps all three through a round trip
    again = load_canonical(json.loads(json.dumps(out)))
    assert isinstance(again, Certificate)
    assert (again.status_code, again.status, again.replaced_by) == (
        "REPLACED",
        "replaced",
        "CHEDPP.GB.2024.1003992",
    )


def test_ipaffs_unknown_status_is_kept_with_a_warning() -> None:
    doc, issues = IpaffsChedAdapter().parse(_ched(status="ON_HOLD"))
    assert (doc.status_code, doc.status) == ("ON_HOLD", "unknown")
    assert [i.message for i in issues if "status" in i.message] == [
        "status 'ON_HOLD' is not an IPAFFS status known here: kept"
    ]


def test_sps_sample_is_issued_and_a_withdrawn_one_reads_withdrawn() -> None:
    data = SPS.read_bytes()
    doc, _ = SpsCertificateAdapter().parse(data)
    assert (doc.status_code, doc.status) == ("70", "issued")
    withdrawn, _ = SpsCertificateAdapter().parse(
        data.replace(b"<ns1:StatusCode>70<", b"<ns1:StatusCode>40<", 1)
    )
    assert (withdrawn.status_code, withdrawn.status) == ("40", "withdrawn")


def test_sps_round_trip_keeps_the_status() -> None:
    adapter = SpsCertificateAdapter()
    data = SPS.read_bytes().replace(b"<ns1:StatusCode>70<", b"<ns1:StatusCode>41<", 1)
    doc, _ = adapter.parse(data)
    again, _ = adapter.parse(adapter.render(doc))
    assert (again.status_code, again.status) == ("41", "rejected")


def test_a_canonical_status_without_a_code_is_written_as_its_sps_code() -> None:
    doc, _ = SpsCertificateAdapter().parse(SPS.read_bytes())
    data = doc.to_json_dict()
    del data["status_code"]
    data["status"] = "withdrawn"
    cert = load_canonical(data)
    assert isinstance(cert, Certificate)
    out, _ = SpsCertificateAdapter().parse(SpsCertificateAdapter().render(cert))
    assert (out.status_code, out.status) == ("40", "withdrawn")
    assert status_code_for("provisional") is None  # SPS has no code for it: none written


def test_a_canonical_status_outside_the_vocabulary_is_refused() -> None:
    with pytest.raises(ValueError, match="status must be one of issued, provisional"):
        Certificate(certificate_number="X", status="cancelled")


def test_openattestation_sample_is_issued() -> None:
    doc, _, _ = parse_document(COO.read_bytes(), None)
    assert isinstance(doc, Certificate)
    assert (doc.status_code, doc.status) == ("issued", "issued")
