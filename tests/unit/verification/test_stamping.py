"""A seal copied from one certificate on to another carries that one stamping's ink
(``verification.stamping``, rule ``seal.unique``): real simulated stampings, the seal stage as
the pipeline runs it."""

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.unit.verification.stamping import simulated_stamping
from verification.intake import load_pages
from verification.pipeline import PipelineConfig
from verification.seal import check_seal
from verification.stamping import SAME_STAMPING, closest, same_stamping


def _rescanned(page: np.ndarray, seed: int) -> np.ndarray:
    """The page printed and scanned again: turned, shifted, blurred, grainy, JPEG."""
    rng = np.random.default_rng(seed)
    im = Image.fromarray(page).rotate(
        1.5, resample=Image.Resampling.BICUBIC, fillcolor=(235, 235, 230), translate=(9, -6)
    )
    im = im.filter(ImageFilter.GaussianBlur(0.8))
    noisy = np.asarray(im).astype(np.float32) + rng.normal(0, 4, (im.height, im.width, 1))
    out = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=70)
    return load_pages(out.getvalue(), PipelineConfig().limits)[0].image


@pytest.fixture(scope="module")
def stampings():
    """Two genuine certificates of seed 9002 stamped with one die (AU-DAFF-S2): cases 1, 3."""
    _t1, first, own = simulated_stamping(9002, 1, "genuine")
    _t3, second, own3 = simulated_stamping(9002, 3, "genuine")
    assert own[0].id == own3[0].id == "AU-DAFF-S2"
    return first, second, own


def test_a_copied_seal_is_one_stamping_and_two_stampings_are_not(stampings):
    first, second, own = stampings
    a = check_seal(first, own)
    copy = check_seal(_rescanned(first, 1), own)
    b = check_seal(second, own)
    assert a.match and copy.match and b.match
    assert len(a.stamping) == 2 * 16 * 16
    assert same_stamping(a.stamping, copy.stamping) >= SAME_STAMPING
    assert same_stamping(a.stamping, b.stamping) < SAME_STAMPING
    earlier = [("AU-2026-1", a.stamping), ("AU 2026 3", b.stamping)]
    seen = closest(copy.stamping, "AU-2026-2", earlier)
    assert seen.certificate_number == "AU-2026-1" and seen.compared == 2
    assert seen.similarity >= SAME_STAMPING


def test_the_same_certificate_reviewed_again_is_no_copy():
    print_ = (bytes(range(0, 250, 1)) + bytes(6)).hex()
    assert same_stamping(print_, print_) == pytest.approx(1.0)
    assert closest(print_, "AU-2026-1", [("au 2026 1", print_)]).compared == 0
    assert closest(print_, "", [("AU-2026-1", print_)]).similarity == pytest.approx(1.0)


def test_prints_with_too_few_cells_in_common_or_of_another_grid_say_nothing():
    full = (bytes(range(100, 200)) + bytes([255]) * 156).hex()
    apart = (bytes([255]) * 156 + bytes(range(100, 200))).hex()
    assert same_stamping(full, apart) == 0.0
    assert same_stamping(full, full[:-2]) == 0.0
    assert same_stamping("", "") == 0.0
