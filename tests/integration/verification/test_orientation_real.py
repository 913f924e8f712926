"""A simulator scan fed sideways or upside down is reviewed like the upright one: the real OCR
reads the page once it is turned, and the verdict, the fields and the evidence boxes (page
pixels of the upright page) are the same. Four real OCR runs of one page."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.integration.verification.genuine_scan import ARRIVAL, DECLARATION, SCANS, TRUTH
from verification import Pipeline
from verification.results import VerificationResult


def _review(pipeline: Pipeline, degrees: int) -> VerificationResult:
    image = Image.open(SCANS / "genuine.jpg")
    buf = io.BytesIO()
    image.rotate(degrees, expand=True).save(buf, format="PNG")
    return pipeline.verify(buf.getvalue(), declaration=DECLARATION, arrival_date=ARRIVAL)


@pytest.fixture(scope="module")
def upright(pipeline: Pipeline) -> VerificationResult:
    return _review(pipeline, 0)


def test_the_upright_scan_is_accepted(upright: VerificationResult) -> None:
    assert upright.verdict == "accept", upright.reasons
    assert upright.signature.match and upright.seal.match


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_turned_scan_is_reviewed_like_the_upright_one(
    pipeline: Pipeline, upright: VerificationResult, degrees: int
) -> None:
    turned = _review(pipeline, degrees)
    assert turned.verdict == upright.verdict, turned.reasons
    assert {k: v.value for k, v in turned.fields.items()} == {
        k: v.value for k, v in upright.fields.items()
    }
    for name, fv in upright.fields.items():  # evidence crops: boxes on the upright page
        if fv.box is not None:
            assert _near(turned.fields[name].box, fv.box), name
    assert _near(turned.signature.box, upright.signature.box)
    assert _near(turned.seal.box, upright.seal.box)
    truth = TRUTH["signature"]["bbox_scan"]
    assert _near(turned.signature.box, tuple(truth), tolerance=20)


def _near(a: object, b: object, tolerance: float = 6.0) -> bool:
    if a is None or b is None:
        return a is b
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))  # type: ignore[call-overload]
