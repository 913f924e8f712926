"""The OCR engine on rendered pages: real RapidOCR models, page coordinates, orientation."""

from __future__ import annotations

import numpy as np
import pytest

from verification import ocr
from verification.ocr import RapidOcrEngine
from verification.testing import render_page

ROWS = [
    ("Certificate No.", ["AU-2026-000123"]),
    ("Consignee", ["Shanghai Fresh Co"]),
    ("Net weight", ["1,250.50 kg"]),
]


@pytest.fixture(scope="module")
def page() -> tuple[np.ndarray, list[str]]:
    rendered = render_page("PHYTOSANITARY CERTIFICATE", ROWS, gap=60)
    return np.asarray(rendered.image.convert("RGB")), [ln.text for ln in rendered.lines]


def _texts(lines: list) -> list[str]:
    return [ln.text for ln in lines]


def _reads(texts: list[str], *wanted: str) -> bool:
    return all(any(w in t for t in texts) for w in wanted)


def test_reads_every_printed_line_with_boxes_on_the_page(page) -> None:
    image, printed = page
    lines = RapidOcrEngine().recognise(image)
    texts = _texts(lines)
    assert texts[0] == "PHYTOSANITARY CERTIFICATE"  # reading order: the title first
    assert _reads(texts, "AU-2026-000123", "Shanghai Fresh Co", "1,250.50 kg")
    h, w = image.shape[:2]
    for ln in lines:
        x0, y0, x1, y1 = ln.box
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
        for word in ln.words:  # word boxes are in page coordinates, inside their line
            assert x0 - 3 <= word.box[0] and word.box[2] <= x1 + 3
            assert y0 - 3 <= word.box[1] and word.box[3] <= y1 + 3
    number = next(ln for ln in lines if "AU-2026-000123" in ln.text)
    assert number.box[1] > next(ln for ln in lines if "PHYTOSANITARY" in ln.text).box[3]


def test_small_detector_input_reads_the_same_text(page) -> None:
    image, _printed = page
    texts = _texts(RapidOcrEngine(det_max_side=1280).recognise(image))
    assert _reads(texts, "AU-2026-000123", "Shanghai Fresh Co", "1,250.50 kg")


def test_an_upside_down_page_is_still_read(page) -> None:
    image, _printed = page
    texts = _texts(RapidOcrEngine().recognise(np.ascontiguousarray(image[::-1, ::-1])))
    assert _reads(texts, "AU-2026-000123", "Shanghai Fresh Co", "1,250.50 kg")


def test_a_blank_page_has_no_lines() -> None:
    assert RapidOcrEngine().recognise(np.full((600, 400, 3), 255, np.uint8)) == []


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="det_max_side"):
        RapidOcrEngine(det_max_side=100)


def test_background_warm_up_and_first_page_load_the_models_once(page) -> None:
    image, _printed = page
    ocr._load.cache_clear()
    engine = RapidOcrEngine(threads=1)
    thread = engine.warm_up_in_background()
    texts = _texts(engine.recognise(image))  # races the warm-up for the models
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert _reads(texts, "AU-2026-000123")
    assert ocr._load.cache_info().misses == 1


def test_a_page_known_upright_is_read_without_the_engines_own_vote(page, monkeypatch) -> None:
    image, _printed = page
    engine = RapidOcrEngine()
    checked = engine.recognise(image)
    votes: list[int] = []
    real = ocr._upside_down
    monkeypatch.setattr(ocr, "_upside_down", lambda m, crops: votes.append(1) or real(m, crops))
    upright = engine.recognise_upright(image)
    assert votes == []  # no 0/180 vote on a page oriented before
    assert upright == checked  # the same lines as with the vote (it said upright)
    engine.recognise(image)
    assert votes == [1]  # ... which plain recognise still takes


def test_the_detector_run_matches_rapidocrs_own_detector(page) -> None:
    """``_run_detector`` (table-normalised input, arena shrunk after the run) finds the very
    boxes RapidOCR's ``TextDetector`` does, and its input is the library's, bit for bit."""
    image, _printed = page
    det = ocr._models(ocr.DEFAULT_THREADS).det
    theirs, _elapsed = det(image)
    ours = ocr._run_detector(det, image)
    np.testing.assert_array_equal(ours, theirs)
    pre = det.get_preprocess(max(image.shape[:2]))
    noise = np.random.default_rng(7).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    np.testing.assert_array_equal(ocr._normalised(pre.resize(noise), pre), pre(noise))


def test_only_the_detector_session_keeps_a_memory_arena() -> None:
    """The detector's large activations come from onnxruntime's arena (fresh mmaps per layer
    cost ~0.8 s of page faults on a process's first page); the recogniser's and classifier's
    sessions keep RapidOCR's setting (no arena)."""
    models = ocr._models(ocr.DEFAULT_THREADS)
    assert models.det.infer.session.get_session_options().enable_cpu_mem_arena
    assert not models.rec.session.session.get_session_options().enable_cpu_mem_arena
    assert not models.cls.infer.session.get_session_options().enable_cpu_mem_arena
    assert ocr._shrink().get_run_config_entry("memory.enable_memory_arena_shrinkage") == "cpu:0"
