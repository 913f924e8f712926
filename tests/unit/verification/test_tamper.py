"""Tamper evidence on simulator-rendered, degraded scans: a value pasted over with an
off-white strip and retyped scores above the rule's limit, and its print departs from the
page's other values; the same value printed normally does neither. Value boxes come from the
PDF's text layer mapped through the scan's matrix."""

import math
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from simulator.cases import build_case
from simulator.scan import DPI, scan_pdf, transform_box
from simulator.world import build_world
from verification.results import FieldValue
from verification.rules import load_rules
from verification.tamper import check_tamper, strip_view, tint_blocks

SEED = 31
PARAMS = load_rules().resolve("phytosanitary", "AU").values
LIMIT = float(PARAMS["tamper_score"])
STYLE_LIMIT = float(PARAMS["tamper_style_score"])


@pytest.fixture(scope="module")
def world():
    return build_world(SEED)


def _scan_with_box(
    world, index: int, kind: str, seed: int = SEED
) -> tuple[np.ndarray, tuple[float, ...]]:
    files = build_case(world, seed, index, kind)
    text = files.truth["printed"]["net_weight_kg"][0]
    scan = scan_pdf(files.pdf, np.random.default_rng([seed, index, 99]), "jpg")
    rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(scan.data, np.uint8), 1), cv2.COLOR_BGR2RGB)
    return rgb, _text_box(files.pdf, text, scan.matrix)


def _text_box(pdf: bytes, text: str, matrix: np.ndarray) -> tuple[float, ...]:
    """Scan-pixel box of the first occurrence of ``text`` in the PDF's text layer."""
    doc = pdfium.PdfDocument(pdf)
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
    return tuple(float(v) for v in transform_box(box, matrix))


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


TIGHT_SEED = 346  # a world whose forms print the net weight between close table rules


@pytest.fixture(scope="module")
def tight_world():
    return build_world(TIGHT_SEED)


def test_genuine_value_in_a_tight_table_row_is_not_suspicious(tight_world):
    # seed 346 case 1142: "45,751.07 KG" in a row whose rules lie a few px above and below
    # the glyphs, on a slightly turned scan. The colour step used to be measured on an
    # unturned window (score 3.13 >= 2.4): the rules' JPEG colour bleed crossed the bands.
    rgb, box = _scan_with_box(tight_world, 1142, "genuine", TIGHT_SEED)
    result = _score(rgb, box)
    assert result.checked == ["net_weight_kg"]
    assert result.suspicious == [], result.scores


def test_pasted_over_value_in_a_tight_table_cell_is_suspicious(tight_world):
    # seed 346 case 1015: the strip fills a cell with rules on all four sides: the paper
    # beyond the rules still shows it
    rgb, box = _scan_with_box(tight_world, 1015, "field_altered", TIGHT_SEED)
    assert _score(rgb, box).suspicious == ["net_weight_kg"]


@pytest.mark.parametrize(
    ("seed", "index", "kind"),
    [(701, 100, "genuine"), (703, 77, "genuine"), (701, 87, "field_altered")],
)
def test_the_scan_s_blocky_colour_is_no_strip(seed, index, kind):
    # JPEG keeps colour in 8-pixel blocks at half resolution: the paper's tint steps a few
    # levels from one row of blocks to the next. Both genuine values sat in a row of blocks
    # 2-4 levels off those above and below (scores 2.97 and 2.69 >= 2.4; held-out seeds
    # 217/218 sent three genuine certificates to review so). A strip still shows: 701/87
    # scores 3.48 after the tint's wander (3 levels) is taken off its tint step.
    rgb, box = _scan_with_box(build_world(seed), index, kind, seed)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    blue = rgb[..., 2].astype(np.float32) - rgb[..., 1].astype(np.float32)
    assert tint_blocks(gray, blue, box) >= 2.0
    result = _score(rgb, box)
    assert result.suspicious == ([] if kind == "genuine" else ["net_weight_kg"]), result.scores


TIGHT_CELL = Path(__file__).parents[2] / "fixtures" / "tamper" / "tight_cell_genuine.png"


def test_genuine_value_next_to_a_cell_rule_is_not_suspicious():
    # the page pixels around seed 206 c00020's net weight (see the fixture's README): one
    # column of paper between the glyphs and the cell's rule, darkened by the rule's blur,
    # was taken for the paper under a strip (score 3.83 >= 2.4)
    rgb = cv2.cvtColor(cv2.imread(str(TIGHT_CELL)), cv2.COLOR_BGR2RGB)
    result = _score(rgb, (81.0, 50.5, 247.1, 94.6))
    assert result.checked == ["net_weight_kg"]
    assert result.suspicious == [], result.scores


def test_value_without_box_is_not_checked():
    rgb = np.full((200, 400, 3), 235, np.uint8)
    fields = {"net_weight_kg": FieldValue("1", 0.99, box=None)}
    result = check_tamper(rgb, fields, ["net_weight_kg", "packages"], LIMIT)
    assert result.checked == [] and result.suspicious == []


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_genuine_value_prints_like_the_page(world, index):
    files = build_case(world, SEED, index, "genuine")
    rgb, fields = _scanned_fields(files, index)
    result = check_tamper(rgb, fields, ["net_weight_kg"], math.inf, style_limit=STYLE_LIMIT)
    assert result.suspicious == [] and result.styles["net_weight_kg"] < STYLE_LIMIT


@pytest.mark.parametrize("index", [1, 2, 3])
def test_retyped_value_prints_unlike_the_page(world, index):
    files = build_case(world, SEED, index, "field_altered")
    rgb, fields = _scanned_fields(files, index)
    result = check_tamper(rgb, fields, ["net_weight_kg"], math.inf, style_limit=STYLE_LIMIT)
    assert result.suspicious == ["net_weight_kg"], result.styles


def _scanned_fields(files, index: int) -> tuple[np.ndarray, dict[str, FieldValue]]:
    """A re-scan of the case and every printed value's box (first line) from the text layer."""
    scan = scan_pdf(files.pdf, np.random.default_rng([SEED, index, 99]), "jpg")
    rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(scan.data, np.uint8), 1), cv2.COLOR_BGR2RGB)
    fields = {
        name: FieldValue(lines[0], 0.99, box=_text_box(files.pdf, lines[0], scan.matrix))
        for name, lines in files.truth["printed"].items()
    }
    return rgb, fields


def test_value_retyped_without_a_visible_strip_is_suspicious_by_its_print():
    # seed 200 c00096: the net weight overwritten to match the declaration in Times over a
    # Helvetica form, on a near-white strip (step 1.28 < 2.4 on the corpus scan): accepted
    # before. This re-scan shows more of the strip, so the step is switched off: print alone
    files = build_case(build_world(200), 200, 96, "field_altered")
    rgb, fields = _scanned_fields(files, 96)
    result = check_tamper(rgb, fields, ["net_weight_kg"], math.inf, style_limit=STYLE_LIMIT)
    assert result.styles["net_weight_kg"] >= STYLE_LIMIT
    assert result.suspicious == ["net_weight_kg"]
