"""Tamper evidence on simulator-rendered, degraded scans: a value pasted over with an
off-white strip and retyped scores above the rule's limit; the same value printed normally
does not. The value box comes from the PDF's text layer mapped through the scan's matrix."""

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from simulator.cases import build_case
from simulator.scan import DPI, scan_pdf, transform_box
from simulator.world import build_world
from verification.results import FieldValue
from verification.rules import load_rules
from verification.tamper import check_tamper, strip_view

SEED = 31
LIMIT = float(load_rules().resolve("phytosanitary", "AU").values["tamper_score"])


@pytest.fixture(scope="module")
def world():
    return build_world(SEED)


def _scan_with_box(world, index: int, kind: str) -> tuple[np.ndarray, tuple[float, ...]]:
    files = build_case(world, SEED, index, kind)
    text = files.truth["printed"]["net_weight_kg"][0]
    scan = scan_pdf(files.pdf, np.random.default_rng([SEED, index, 99]), "jpg")
    rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(scan.data, np.uint8), 1), cv2.COLOR_BGR2RGB)
    doc = pdfium.PdfDocument(files.pdf)
    page = doc[0]
    tp = page.get_textpage()
    found = tp.search(text).get_next()
    assert found is not None, text
    chars = [tp.get_charbox(i) for i in range(found[0], found[0] + found[1])]
    height, k = page.get_height(), DPI / 72.0
    box = (
        min(c[0] for c in chars) * k - 3,
        (height - max(c[3] for c in chars)) * k - 3,
        max(c[2] for c in chars) * k + 3,
        (height - min(c[1] for c in chars)) * k + 3,
    )
    doc.close()
    return rgb, tuple(float(v) for v in transform_box(box, scan.matrix))


def _score(rgb, box):
    fields = {"net_weight_kg": FieldValue("1", 0.99, box=box)}
    return check_tamper(rgb, fields, ["net_weight_kg"], LIMIT)


@pytest.mark.parametrize("index", [1, 2, 3])
def test_pasted_over_value_is_suspicious(world, index):
    rgb, box = _scan_with_box(world, index, "field_altered")
    result = _score(rgb, box)
    assert result.checked == ["net_weight_kg"]
    assert result.suspicious == ["net_weight_kg"], result.scores
    assert strip_view(rgb, box).shape[2] == 3


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_genuine_value_is_not_suspicious(world, index):
    rgb, box = _scan_with_box(world, index, "genuine")
    result = _score(rgb, box)
    assert result.checked == ["net_weight_kg"]
    assert result.suspicious == [], result.scores


def test_value_without_box_is_not_checked():
    rgb = np.full((200, 400, 3), 235, np.uint8)
    fields = {"net_weight_kg": FieldValue("1", 0.99, box=None)}
    result = check_tamper(rgb, fields, ["net_weight_kg", "packages"], LIMIT)
    assert result.checked == [] and result.suspicious == []
