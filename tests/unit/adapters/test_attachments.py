"""Attachment contents at the edges: base64 that decodes to the type it declares, or refused.

Before, a canonical JSON attachment whose ``content_base64`` was not base64 (or a PDF that was
a PNG) was read in silence and written into an SPS certificate as it came."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from adapters.canonical import Attachment, Certificate
from adapters.cusdep_json import CanonicalJsonAdapter
from adapters.errors import InvalidAttachment, InvalidDocument
from adapters.uncefact_sps import SpsCertificateAdapter
from tests.interop_data import INTEROP

EPHYTO = INTEROP / "ippc-ephyto-mattilsynet" / "SPSCertificateContent.xml"


@pytest.fixture(scope="module")
def canonical() -> dict[str, Any]:
    """The real ePhyto as canonical JSON with its attachments' contents (PDF, PNG, ...)."""
    doc, _ = SpsCertificateAdapter().parse(EPHYTO.read_bytes())
    return doc.to_json_dict()


def _with(canonical: dict[str, Any], index: int, **changes: Any) -> bytes:
    data = json.loads(json.dumps(canonical))
    data["attachments"][index].update(changes)
    return json.dumps(data).encode()


def test_the_real_attachments_read_and_render(canonical: dict[str, Any]) -> None:
    doc, _ = CanonicalJsonAdapter().parse(json.dumps(canonical).encode())
    assert doc.attachments[0].mime_type == "application/pdf"
    assert b"AttachmentBinaryObject" in SpsCertificateAdapter().render(doc)


def test_json_attachment_that_is_not_base64_is_refused_naming_it(
    canonical: dict[str, Any],
) -> None:
    data = _with(canonical, 1, content_base64="iVBORw0KGgo!!not base64")
    with pytest.raises(InvalidAttachment) as err:
        CanonicalJsonAdapter().parse(data)
    assert err.value.code == "adapters.invalid_attachment"
    assert isinstance(err.value, InvalidDocument)
    assert str(err.value) == (
        "cusdep-json: attachment content refused: attachment 1 (US-F-12345-13467-7N.png): "
        "content is not valid base64 ($.attachments[1])"
    )


def test_json_attachment_not_of_its_declared_type_is_refused(canonical: dict[str, Any]) -> None:
    png = canonical["attachments"][1]["content_base64"]
    data = _with(canonical, 0, content_base64=png, size=None, sha256=None)  # "TestPdf.pdf"
    with pytest.raises(InvalidAttachment, match=r"attachment 0 \(TestPdf.pdf\): declared "
                       r"application/pdf but contains image/png"):  # fmt: skip
        CanonicalJsonAdapter().parse(data)
    text = base64.b64encode(b"just text, no PDF").decode()
    with pytest.raises(InvalidAttachment, match="application/pdf but contains something else"):
        CanonicalJsonAdapter().parse(_with(canonical, 0, content_base64=text, sha256=None,
                                           size=None))  # fmt: skip


def test_json_attachment_not_its_declared_hash_or_size_is_refused(
    canonical: dict[str, Any],
) -> None:
    with pytest.raises(InvalidAttachment, match="declared SHA-256 does not match"):
        CanonicalJsonAdapter().parse(_with(canonical, 0, sha256="0" * 64))
    with pytest.raises(InvalidAttachment, match="declared 1 bytes but holds"):
        CanonicalJsonAdapter().parse(_with(canonical, 0, size=1))


def test_other_spellings_and_types_without_magic_are_taken_as_declared(
    canonical: dict[str, Any],
) -> None:
    CanonicalJsonAdapter().parse(_with(canonical, 2, mime_type="image/jpg"))  # a JPEG
    CanonicalJsonAdapter().parse(_with(canonical, 0, mime_type="application/octet-stream"))
    wrapped = canonical["attachments"][0]["content_base64"]
    lines = "\n".join(wrapped[i : i + 76] for i in range(0, len(wrapped), 76))  # MIME style
    CanonicalJsonAdapter().parse(_with(canonical, 0, content_base64=lines))


def test_renderers_refuse_an_attachment_that_is_not_base64() -> None:
    """A document built in code (not read) meets the same check where it is written out."""
    cert = Certificate(
        certificate_number="C1",
        attachments=[Attachment(filename="scan.pdf", mime_type="application/pdf",
                                content_base64="not base64!!")],
    )  # fmt: skip
    for adapter in (SpsCertificateAdapter(), CanonicalJsonAdapter()):
        with pytest.raises(InvalidAttachment, match=r"attachment 0 \(scan.pdf\): content is not"):
            adapter.render(cert)


def test_sps_attachment_not_of_its_declared_type_is_a_warning_and_not_written_out() -> None:
    raw = EPHYTO.read_bytes()
    mislabelled = raw.replace(
        b'filename="US-F-12345-13467-7N.png"',
        b'filename="US-F-12345-13467-7N.png" mimeCode="application/pdf"',
    )
    assert mislabelled != raw
    doc, issues = SpsCertificateAdapter().parse(mislabelled)
    assert any("declared application/pdf but contains image/png" in i.message for i in issues)
    with pytest.raises(InvalidAttachment, match=r"attachment 1 \(US-F-12345-13467-7N.png\)"):
        SpsCertificateAdapter().render(doc)
