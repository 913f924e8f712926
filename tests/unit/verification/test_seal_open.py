"""Which swap positions stay open (``_seal_letters.Confirmation.open``) on rendered text strips,
with the visible-ink test deciding where ink shows (``_seal_visible.PairVisibility.seen``,
``doubted``): small, blurred but well inked letters are seen far above the noise although
their share of the visible difference is small; a swap whose ink fits swapped better stays
open even where a glyph test alone found one of its letters."""

import cv2
import numpy as np

from verification._seal_glyphs import check_glyphs
from verification._seal_letters import Confirmation, confirmation, open_positions
from verification._seal_visible import VisibleThresholds
from verification.testing import text_strip

TH = VisibleThresholds()
NO_CLEAR = VisibleThresholds(clear_snr=float("inf"))
NO_DOUBT = VisibleThresholds(doubt_snr=float("inf"))
TEXT = "MINISTRY FOR PRIMARY INDUSTRIES"


def _stamped(strip: np.ndarray, level: float, seed: int, blur: float = 0.0) -> np.ndarray:
    """``strip`` as a stamping leaves it: blurred, times an ink level and grain, on grey paper
    with scan noise."""
    rng = np.random.default_rng(seed)
    ink = cv2.GaussianBlur(strip, (0, 0), blur) if blur else strip
    grain = 1.0 - 0.25 * rng.random(strip.shape)
    noise = rng.normal(0.0, 0.01, strip.shape)
    return np.clip(0.2 + ink * level * grain + noise, 0.0, 1.0).astype(np.float32)


def _confirm(spec: np.ndarray, imp: np.ndarray) -> Confirmation:
    check = check_glyphs(spec, imp)
    return confirmation(spec, imp, check.windows, check.checked, check.confirmed_at)


def _swap(text: str, word: str, i: int) -> str:
    return text.replace(word, word[:i] + word[i + 1] + word[i] + word[i + 2 :])


def test_small_blurred_letters_far_above_the_noise_are_seen():
    spec = text_strip(TEXT, size=11)  # ring text about 11 rows high, as small stamps print it
    conf = _confirm(spec, _stamped(spec, 0.5, seed=2, blur=1.2))
    vis = conf.visible
    clear_only = vis.seen(TH) - vis.confirmed(TH)
    assert clear_only  # printed order far above the noise, by less than confirm_share
    assert all(vis.snr[k] >= TH.clear_snr and vis.share[k] < TH.confirm_share for k in clear_only)
    assert sum(conf.open(th=TH)) < sum(conf.open(th=NO_CLEAR))
    assert not conf.contradicted(TH)


def test_small_blurred_swapped_letters_are_not_seen():
    spec = text_strip(TEXT, size=11)
    for i in range(1, len("INDUSTRIES") - 2):
        conf = _confirm(
            spec, _stamped(text_strip(_swap(TEXT, "INDUSTRIES", i), size=11), 0.5, 2, 1.2)
        )
        word = conf.groups[-1]
        assert len(word) == len("INDUSTRIES")
        assert word[i] not in conf.visible.seen(TH), i
        assert conf.open(th=TH)[-1] >= 1, i


def test_a_pair_whose_ink_fits_swapped_stays_open_though_a_glyph_was_found():
    spec = text_strip(TEXT, size=14)
    conf = _confirm(spec, _stamped(text_strip(_swap(TEXT, "INDUSTRIES", 5), size=14), 1.0, 0))
    word = conf.groups[-1]
    assert len(word) == len("INDUSTRIES")
    vis = conf.visible
    swap, after = word[5], word[6]  # the T, R swapped (INDUSRTIES), and the R, I after them
    assert conf.open(th=NO_DOUBT)[-1] >= 1 and swap not in vis.seen(TH)
    # the pair after the swap shows T, I where the specimen has R, I: its ink fits the pair
    # swapped better, yet the glyph test alone found the I in its place
    assert vis.snr[after] <= -TH.doubt_snr and after in vis.doubted(TH)
    assert after + 1 in conf.glyphs
    assert conf.open(th=TH)[-1] == conf.open(th=NO_DOUBT)[-1] + 1


def test_a_doubted_position_is_still_seen_by_the_recogniser_or_as_invisible():
    groups = ((0, 1, 2, 3),)
    doubted = frozenset({1})
    assert open_positions(groups, {1, 2}, set(), set(), doubted=doubted) == (1,)
    assert open_positions(groups, {1, 2}, set(), {1}, doubted=doubted) == (0,)
    assert open_positions(groups, {1, 2}, set(), set(), frozenset({0}), doubted) == (0,)


def test_genuine_faint_text_keeps_no_doubted_pair():
    spec = text_strip(TEXT)
    for level in (1.0, 0.3, 0.12):
        conf = _confirm(spec, _stamped(spec, level, seed=4, blur=0.8))
        assert not conf.visible.doubted(TH), level
        assert sum(conf.open(th=TH)) <= sum(conf.open(th=NO_DOUBT)), level
