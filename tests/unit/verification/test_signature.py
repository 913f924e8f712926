"""Signature comparison on simulator-drawn signatures: each document's signature varies a
little (slant, width, pen, jitter) and must still match its officer's specimen; another
officer's signature, even with the same name, must not."""

import random

import cv2
import numpy as np
import pytest

from simulator.signature import signature_mask, specimen_png
from verification.signature import SignatureThresholds, _specimen_mask, similarity

TH = SignatureThresholds()
OFFICERS = [(1101, "Emma Kelly"), (2202, "Peter Walker"), (3303, "Emma Kelly"), (4404, "Li Wei")]


def _signed(style: int, name: str, doc: int) -> np.ndarray:
    """One document's signature as a scan would show it: 200 dpi, blurred, thresholded."""
    mask = signature_mask(style, name, random.Random(doc), height_px=150)
    small = cv2.resize(mask, None, fx=200 / 300, fy=200 / 300, interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (0, 0), 0.8)
    return ((blurred > 0.35) * 255).astype(np.uint8)


@pytest.mark.parametrize("doc", range(4))
@pytest.mark.parametrize("officer", range(len(OFFICERS)))
def test_own_signature_matches_and_others_do_not(officer, doc):
    style, name = OFFICERS[officer]
    crop = _signed(style, name, doc)
    own = similarity(crop, _specimen_mask(specimen_png(style, name)))
    assert own >= TH.accept, own
    for i, (other_style, other_name) in enumerate(OFFICERS):
        if i == officer:
            continue
        other = similarity(crop, _specimen_mask(specimen_png(other_style, other_name)))
        assert other < own and other < TH.reject, (OFFICERS[i], other, own)


def test_blank_crop_scores_zero():
    spec = _specimen_mask(specimen_png(*OFFICERS[0]))
    assert similarity(np.zeros((40, 120), np.uint8), spec) == 0.0


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Signature and official stamp", True),
        ("Signatureandofficial stamp", True),
        ("Signed: ", True),
        ("Firma del funcionario", True),
        ("Consignee (name, full address, country):", False),
        ("The undersigned hereby declares that the above details are correct,", False),
        ("Consignor", False),
    ],
)
def test_signature_labels_start_a_word(text, label):
    """'Consignee' and 'undersigned' once put the search window at the top of the page."""
    from verification.signature import _LABEL

    assert bool(_LABEL.search(text)) is label
