"""Letter-level evidence on simulator-drawn stamps (real impressions: pressure gradient, gaps,
grain): genuine impressions whose text is legible are matched, gappy ones matched or left for
review, never rejected; imitations whose pixels pass the cell test (two letters of a
rectangle's inner text or of a ring swapped, a rectangle's stars removed) are not matched; one
whose swapped letters fall into an ink gap shows nothing legible against the specimen, but its
unconfirmed letters are counted (``seal.text`` rule), and a strict rule set sends it to review."""

import logging
from dataclasses import replace

import numpy as np
import pytest

from simulator.seal import colourise, impression, seal_mask, specimen_png
from simulator.world import INKS, build_world
from verification._seal_glyphs import check_glyphs, glyph_windows
from verification.intake import WORK_DPI
from verification.ports import SealSpecimen
from verification.seal import check_seal, find_candidates
from verification.testing import render_page, swap_in_longest_word

WORLD = build_world(21)


def _spec(shape: str):
    return next(s for s in WORLD.seals.values() if s.shape == shape)


def _page_with(
    spec, seed: int, angle: float, turn_page: bool = False, mask: np.ndarray | None = None
) -> np.ndarray:
    page = render_page("PHYTOSANITARY CERTIFICATE", [("Certificate No.", ["AU-1"])]).rgb().copy()
    if mask is None:
        mask = impression(spec, WORK_DPI, np.random.default_rng(seed), angle)
    ink = np.asarray(colourise(mask, INKS[spec.ink]), dtype=np.float32)
    y, x = 1400, 700
    h, w = ink.shape[:2]
    region = page[y : y + h, x : x + w].astype(np.float32)
    page[y : y + h, x : x + w] = (region * ink / 255.0).astype(np.uint8)
    return np.ascontiguousarray(page[::-1, ::-1]) if turn_page else page


def _specimen(spec) -> SealSpecimen:
    return SealSpecimen(spec.id, spec.agency, specimen_png(spec))


def _stamping(spec, seed: int, erase: np.ndarray | None = None) -> np.ndarray:
    """One upright stamping like ``simulator.seal.impression`` (pressure gradient, grain), its
    only ink gap where ``erase`` (design-sized, 0..1) is set: the text otherwise legible."""
    import cv2

    rng = np.random.default_rng(seed)
    mask = seal_mask(spec, WORK_DPI).copy()
    if erase is not None:
        mask *= 1.0 - erase
    mask = np.pad(mask, 6)
    h, w = mask.shape
    ramp = np.clip(np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :] + 0.5, 0, 1)
    pressure = 0.55 + 0.45 * np.repeat(ramp, h, axis=0)
    grain = 1.0 - 0.25 * rng.random((h, w), dtype=np.float32)
    return cv2.GaussianBlur(mask * pressure * grain, (0, 0), 0.6)


def _erase_swap(genuine, forged) -> np.ndarray:
    """An ink gap over the letters where ``forged`` differs from ``genuine`` and about a letter
    and a half on either side (an ink blotch of a few letters, as stampings leave them; a gap
    over the two swapped letters alone leaves one swap position open, which the thresholds
    allow at a limit of 1)."""
    import cv2

    diff = np.abs(seal_mask(genuine, WORK_DPI) - seal_mask(forged, WORK_DPI)) > 0.2
    gap = cv2.dilate(diff.astype(np.uint8), np.ones((9, 41), np.uint8))
    return gap.astype(np.float32)


@pytest.mark.parametrize("shape", ["rect", "round", "oval"])
def test_genuine_impressions_with_legible_text_match(shape):
    spec = _spec(shape)
    page = _page_with(spec, 0, 0.0, mask=_stamping(spec, 8))
    res = check_seal(page, [_specimen(spec)])
    assert res.found and res.match and not res.uncertain and res.seal_id == spec.id


@pytest.mark.parametrize(
    ("shape", "seed", "angle", "turn_page"),
    [("rect", 1, 12.0, False), ("round", 2, -40.0, False), ("oval", 3, 95.0, True)],
)
def test_genuine_gappy_impressions_are_matched_or_left_for_review(shape, seed, angle, turn_page):
    spec = _spec(shape)
    res = check_seal(_page_with(spec, seed, angle, turn_page), [_specimen(spec)])
    assert res.found and res.seal_id == spec.id
    assert res.match or res.uncertain
    if res.match:
        assert res.text_checked  # and its unconfirmed letters counted for the seal.text rule


@pytest.mark.parametrize("shape", ["rect", "round"])
def test_swap_hidden_in_an_ink_gap_is_counted_unconfirmed(shape, caplog):
    spec = _spec(shape)
    if shape == "rect":
        lines = list(spec.inner_text)
        lines[0] = swap_in_longest_word(lines[0])
        forged = replace(spec, inner_text=tuple(lines))
    else:
        forged = replace(spec, ring_text=swap_in_longest_word(spec.ring_text))
    page = _page_with(forged, 0, 0.0, mask=_stamping(forged, 9, _erase_swap(spec, forged)))
    with caplog.at_level(logging.INFO, logger="verification._seal_confirm"):
        res = check_seal(page, [_specimen(spec)])
    assert res.found and res.score >= 0.93  # the cells match: only the text can tell
    # nothing legible contradicts the specimen: the seal matches on what can be seen, and the
    # places the swap could hide are counted: more than a strict rule set's limit of 1
    assert res.match and res.text_checked and res.text_unconfirmed >= 2
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "not wholly confirmed" in said and "contradict" not in said and "swap better" not in said
    legible = check_seal(_page_with(spec, 0, 0.0, mask=_stamping(spec, 9)), [_specimen(spec)])
    assert legible.match and legible.text_unconfirmed < res.text_unconfirmed


def test_rectangle_with_swapped_inner_letters_is_not_matched():
    spec = _spec("rect")
    lines = list(spec.inner_text)
    lines[0] = swap_in_longest_word(lines[0])
    forged = replace(spec, inner_text=tuple(lines))
    res = check_seal(_page_with(forged, 4, 7.0), [_specimen(spec)])
    assert res.found and not res.match and res.uncertain


def test_rectangle_without_its_stars_is_not_matched():
    spec = _spec("rect")
    forged = replace(spec, emblem="" if spec.emblem else "star")
    res = check_seal(_page_with(forged, 5, -5.0), [_specimen(spec)])
    assert res.found and not res.match


def test_ring_with_swapped_letters_is_not_matched():
    spec = _spec("round")
    forged = replace(spec, ring_text=swap_in_longest_word(spec.ring_text))
    res = check_seal(_page_with(forged, 6, 30.0), [_specimen(spec)])
    assert res.found and not res.match


def _strip(text: str, width: int = 0, size: int = 26) -> np.ndarray:
    """White-on-black text centred in the strip, as a stamp centres its lines."""
    from PIL import Image, ImageDraw

    from verification.testing import font

    img = Image.new("L", (width or 24 * len(text) + 20, 40), 0)
    draw = ImageDraw.Draw(img)
    draw.text((img.width / 2, 20), text, font=font(size, bold=True), fill=255, anchor="mm")
    return np.asarray(img, dtype=np.float32) / 255.0


def test_glyph_pairs_confirmed_contradicted_or_unclear():
    spec = _strip("AGRICULTURE")
    assert len(glyph_windows(spec)) == len("AGRICULTURE")
    same = check_glyphs(spec, spec)
    assert same.all_confirmed and not same.contradicted
    swapped = check_glyphs(spec, _strip("AGIRCULTURE"))
    assert swapped.contradicted and not swapped.all_confirmed
    blank = check_glyphs(spec, np.zeros_like(spec))  # an ink gap: no evidence either way
    assert blank.confirmed == 0 and not blank.contradicted


def test_a_glyph_cut_by_the_strips_end_is_not_paired():
    """A ring's strip starts at its seam, which can cut a mark in two (held-out seed 416 c00067,
    a genuine CL-SAG oval: the cut star and the next mark "fit a swap", and the seal was sent to
    review). Pairs with a glyph touching either end of the strip are not judged."""
    whole = _strip("AGRICULTURE")
    cut = whole[:, 52:-52]  # the strip's ends through the first and the last letter
    windows = glyph_windows(cut)
    assert windows[0][0] == 0 and windows[-1][1] == cut.shape[1]
    check = check_glyphs(cut, _strip("GARICULTUER")[:, 52:-52])
    assert check.pairs == len(windows) - 3
    assert 0 not in check.checked and len(windows) - 2 not in check.checked
    assert check_glyphs(cut, _strip("AGIRCULTURE")[:, 52:-52]).contradicted  # inside: judged


def test_an_added_letter_moves_the_glyphs():
    spec = _strip("DEPARTMENT OF AGRICULTURE", 520, 20)
    assert not check_glyphs(spec, spec).layout_moved
    # the line is centred: one letter more moves every glyph by half a letter
    added = _strip("DEPARTMENT OFE AGRICULTURE", 520, 20)
    assert check_glyphs(spec, added).layout_moved


def test_tint_along_the_page_edge_is_not_a_stamp_but_a_gappy_one_is_offered_whole():
    spec = _spec("rect")
    page = _page_with(spec, 7, 3.0)
    page[-12:, :, :] = (200, 120, 120)  # reddish scanner-lid tint, 12 px high
    cands = find_candidates(page)
    assert cands and all(c.box[3] < page.shape[0] - 12 for c in cands)
    x0, y0, x1, y1 = cands[0].box
    assert x1 - x0 > 0.9 * spec.size_mm[0] / 25.4 * WORK_DPI  # the whole impression first
