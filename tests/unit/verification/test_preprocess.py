"""Pre-processing helpers: the histogram percentiles must equal numpy's sorted ones."""

from __future__ import annotations

import numpy as np
import pytest

from verification.preprocess import percentiles_u8, prepare_for_ocr


@pytest.mark.parametrize("seed", range(20))
def test_histogram_percentiles_equal_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4000))
    values = rng.integers(0, 256, size=n, dtype=np.uint8)
    if seed % 2:  # two-valued, where interpolation between order statistics matters
        values = rng.choice(np.array([3, 200], dtype=np.uint8), size=n)
    qs = (0.0, 0.5, 50.0, 99.0, 100.0)
    assert percentiles_u8(values, qs) == pytest.approx(list(np.percentile(values, qs)))
    assert percentiles_u8(values, (50.0,))[0] == pytest.approx(float(np.median(values)))


def test_red_stamp_ink_is_whitened_and_black_text_kept() -> None:
    page = np.full((300, 400, 3), 235, np.uint8)
    page[50:60, 20:200] = (20, 20, 20)  # printed text
    page[100:200, 200:300] = (200, 40, 40)  # stamp ink
    out = prepare_for_ocr(page)
    assert "drop-stamp-ink" in out.steps
    assert (out.image[120:180, 220:280] == 235).all()
    assert (out.image[52:58, 30:190] < 60).all()


@pytest.mark.parametrize("seed", range(6))
def test_image_and_channel_percentiles_equal_numpy(seed: int) -> None:
    """Pages and their channels go through OpenCV's histogram: still numpy's numbers."""
    rng = np.random.default_rng(seed)
    h, w = (int(v) for v in rng.integers(1, 300, size=2))
    image = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    qs = (0.5, 50.0, 99.0)
    for c in range(3):
        want = list(np.percentile(image[..., c], qs))
        assert percentiles_u8(image, qs, channel=c) == pytest.approx(want)
    gray = np.ascontiguousarray(image[..., 1])
    assert percentiles_u8(gray, qs) == pytest.approx(list(np.percentile(gray, qs)))
    strided = image[::2, ::3, 0]  # not contiguous: numpy's histogram
    assert percentiles_u8(strided, qs) == pytest.approx(list(np.percentile(strided, qs)))


@pytest.mark.parametrize("seed", range(6))
def test_noise_sigma_equals_the_float_median_of_the_laplacian(seed: int) -> None:
    import cv2

    from verification.preprocess import _noise_sigma

    rng = np.random.default_rng(seed)
    gray = np.clip(rng.normal(200, 4 + 6 * seed, size=(181 + seed, 240)), 0, 255).astype(np.uint8)
    lap = cv2.Laplacian(gray[::2, ::2].astype(np.float32), cv2.CV_32F)
    assert _noise_sigma(gray) == float(np.median(np.abs(lap)) * 1.4826 / 2.0)


def _noisy_strokes(sd: float) -> np.ndarray:
    """Grey paper ruled with one-pixel dark strokes (a thin face at 200 dpi), plus noise."""
    rng = np.random.default_rng(7)
    page = np.full((600, 800), 225.0)
    page[100:500:20, 50:750] = 60.0
    grey = np.clip(page + rng.normal(0, sd, page.shape), 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


@pytest.mark.parametrize("sd", [4.0, 6.0])
def test_a_scans_usual_noise_leaves_one_pixel_strokes_alone(sd: float) -> None:
    # noise sigma 11 and 17, as the simulator's scans (9.6-16.3): a median filter would wipe
    # the strokes (seed 222 c00046's typewriter face, 13 fields misread)
    out = prepare_for_ocr(_noisy_strokes(sd))
    assert "denoise" not in out.steps
    assert float(out.image[100:500:20, 50:750].mean()) < 100  # the strokes are still ink


def test_heavy_noise_is_median_filtered() -> None:
    out = prepare_for_ocr(_noisy_strokes(10.0))  # noise sigma 28
    assert "denoise" in out.steps
