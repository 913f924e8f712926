"""The real recogniser's likelihood of a text on a rendered line (``ocr.text_log_likelihoods``):
it prefers the letters printed to the same letters with two swapped, both ways round, on a
small faint line where its own reading goes wrong; the seal check takes such a preference for
a swap as evidence (``_seal_spelling``)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from simulator.seal import font
from verification import ocr
from verification._ring_text import letters
from verification._seal_spelling import swaps
from verification.ocr import read_line, text_log_likelihoods

PRINTED = "SOUTH AFRICAN CHAMBER OF COMMERCE AND INDUSTRY"
SWAPPED = PRINTED.replace("COMMERCE", "CMOMERCE")


def _line(text: str, size: int, ink: float, seed: int) -> np.ndarray:
    """``text`` in the seals' bold face, grey ``ink`` on white with grain, as BGR."""
    f = font(size)
    w = int(f.getlength(text)) + 16
    img = Image.new("L", (w, size + 12), 0)
    ImageDraw.Draw(img).text((8, 6), text, font=f, fill=255)
    cover = np.asarray(img, dtype=np.float32) / 255.0
    rng = np.random.default_rng(seed)
    grey = 255.0 - 255.0 * ink * cover * (0.7 + 0.3 * rng.random(cover.shape))
    out = np.clip(grey + rng.normal(0, 12, cover.shape), 0, 255).astype(np.uint8)
    return np.repeat(out[:, :, None], 3, axis=2)


@pytest.mark.parametrize(("shown", "other"), [(PRINTED, SWAPPED), (SWAPPED, PRINTED)])
def test_the_text_shown_is_likelier_than_its_swap(shown: str, other: str) -> None:
    image = _line(shown, 12, 0.6, 3)
    got_shown, got_other = text_log_likelihoods(image, [shown, other])
    assert got_shown - got_other > 3.0


def test_a_faint_line_misread_still_prefers_its_own_swap() -> None:
    image = _line(SWAPPED, 7, 0.3, 1)
    read = letters(read_line(image)[0])
    assert read not in (letters(PRINTED), letters(SWAPPED))  # decoding garbles it
    scores = text_log_likelihoods(image, [PRINTED, *(v for _at, v in swaps(PRINTED))])
    best = max(range(1, len(scores)), key=scores.__getitem__)
    assert swaps(PRINTED)[best - 1][1] == SWAPPED
    assert scores[best] - scores[0] > 3.0


def test_a_line_read_first_is_scored_from_that_reading_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image = _line(PRINTED, 10, 0.5, 8)
    monkeypatch.setattr(ocr, "_LINE_OUTPUTS", ocr._LineOutputs())
    fresh = text_log_likelihoods(image, [PRINTED, SWAPPED])
    monkeypatch.setattr(ocr, "_LINE_OUTPUTS", ocr._LineOutputs())
    read_line(image)
    assert ocr._LINE_OUTPUTS.get(image) is not None
    assert text_log_likelihoods(image, [PRINTED, SWAPPED]) == pytest.approx(fresh, abs=1e-6)


def test_kept_outputs_are_the_last_few_by_content() -> None:
    kept = ocr._LineOutputs(size=2)
    a, b, c = (np.full((4, 4, 3), v, np.uint8) for v in (1, 2, 3))
    for img in (a, b, c):
        kept.keep(img, img[:, :, 0].astype(np.float32))
    assert kept.get(a) is None  # the oldest went
    assert kept.get(c.copy()) is not None  # found by content, not identity
    assert kept.get(np.full((2, 8, 3), 3, np.uint8)) is None  # same bytes, other shape
