"""Image helpers that stand in for slower numpy spellings must give the very same values."""

from __future__ import annotations

import numpy as np
import pytest

from verification.imaging import channel_max, channel_min


@pytest.mark.parametrize(
    "shape", [(1, 1, 3), (37, 53, 3), (400, 300, 3), (9, 11, 4), (6, 7, 1), (0, 5, 3)]
)
def test_channel_max_and_min_equal_numpys_reductions(shape: tuple[int, ...]) -> None:
    rgb = np.random.default_rng(sum(shape)).integers(0, 256, shape, dtype=np.uint8)
    for image in (rgb, rgb[::2, 1::3]):  # contiguous and a strided view
        assert np.array_equal(channel_max(image), image.max(axis=2))
        assert np.array_equal(channel_min(image), image.min(axis=2))
        assert channel_max(image).dtype == np.uint8


def test_other_dtypes_fall_back_to_numpy() -> None:
    rgb = np.random.default_rng(1).random((20, 30, 3))
    assert np.array_equal(channel_max(rgb), rgb.max(axis=2))
    assert np.array_equal(channel_min(rgb), rgb.min(axis=2))
