"""Real-world OCR check: the rendered TradeTrust CoO PNG against its own OA v2 data.

The PNG (``tradetrust/images/coo.png``) is the same certificate as
``tradetrust/fixtures/local/v2/coo-selective-disclosure.json``; we OCR it with the review
pipeline's engine and compare the canonical fields. Finding: the image prints certificate
``WBC 208897`` while the signed data says ``WBC208899`` — exactly the paper/electronic mismatch
the review must flag, so the test asserts that the comparison catches it.
"""

from __future__ import annotations

import re

import cv2
import pytest

from adapters import normalize
from adapters.openattestation import OpenAttestationAdapter
from tests.interop_data import INTEROP
from verification.ocr import RapidOcrEngine

TT = INTEROP / "tradetrust"


@pytest.fixture(scope="module")
def ocr_text() -> list[str]:
    image = cv2.imread(str(TT / "images" / "coo.png"))
    assert image is not None and image.shape[:2] == (2975, 1714)
    return [line.text for line in RapidOcrEngine().recognise(image)]


@pytest.mark.slow
def test_coo_png_matches_its_signed_data_except_the_number(ocr_text: list[str]) -> None:
    doc, _ = OpenAttestationAdapter().parse(
        (TT / "fixtures/local/v2/coo-selective-disclosure.json").read_bytes()
    )
    text = "\n".join(ocr_text)
    assert doc.consignor_name and doc.consignee_name and doc.hs_code == "220421"
    best = {
        name: max(normalize.name_similarity(name, line) for line in ocr_text)
        for name in (doc.consignor_name, doc.consignee_name)
    }
    assert all(score >= 0.85 for score in best.values()), best
    assert "2204.21" in text and normalize.hs_code("2204.21") == doc.hs_code
    assert doc.port_of_entry_code and doc.port_of_entry_code in text  # CNPVG
    printed = re.search(r"Certificate No\.?:?\s*([A-Z]{3}\s?\d{6})", text)
    assert printed is not None
    printed_number = printed.group(1).replace(" ", "")
    assert printed_number != doc.certificate_number  # WBC208897 on paper, WBC208899 signed
    assert printed_number[:7] == (doc.certificate_number or "")[:7]
