"""A glyph pair across a word space of the specimen's text is no swap of an imitation
(``_seal_text._word_spaces``): an imitation swaps two letters of one word. Seed 221 c00010, a
genuine NO-MATTILSYNET ring, was sent to review for N of NORWEGIAN and F of FOOD fitting
swapped at a fading gap's edge. The space must be the text's, and shown on the strip: an oval's
stretched letters stand as far apart as its words (seed 214 c00038, the imitation "AGRICLOA"),
so the gaps alone do not split the words."""

import cv2
import numpy as np

from verification._seal_glyphs import _swapped, check_glyphs, glyph_windows
from verification._seal_letters import LetterThresholds, words
from verification._seal_text import _overruled, _word_spaces

HEIGHT = 32  # rows of the strip


def _glyph(ch: str) -> np.ndarray:
    """One letter, 0..1 ink, cropped to its inked columns."""
    tile = np.zeros((HEIGHT, 40), np.uint8)
    cv2.putText(tile, ch, (8, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 255, 2, cv2.LINE_AA)
    cols = np.nonzero(tile.max(axis=0) > 0)[0]
    return tile[:, cols[0] : cols[-1] + 1].astype(np.float32) / 255.0


def _strip(text: str, letter_gap: int = 2, space: int = 12, stretched: int = -1) -> np.ndarray:
    """``text`` set letter by letter: ``letter_gap`` columns between letters (5 times as many in
    word ``stretched``), ``space`` columns between words."""
    parts = [np.zeros((HEIGHT, 6), np.float32)]
    for n, word in enumerate(text.split()):
        if n:
            parts.append(np.zeros((HEIGHT, space), np.float32))
        for i, ch in enumerate(word):
            if i:
                gap = letter_gap * (5 if n == stretched else 1)
                parts.append(np.zeros((HEIGHT, gap), np.float32))
            parts.append(_glyph(ch))
    parts.append(np.zeros((HEIGHT, 6), np.float32))
    return np.hstack(parts)


def _with_swap(spec: np.ndarray, k: int) -> np.ndarray:
    """The strip with glyphs ``k`` and ``k + 1`` printed in swapped order."""
    wins = glyph_windows(spec)
    a, b = wins[k], wins[k + 1]
    out = spec.copy()
    out[:, a[0] : b[1]] = _swapped(spec, a, b)
    return out


TEXT = "NORWEGIAN FOOD SAFETY"


def test_a_pair_across_a_word_space_of_the_text_is_overruled():
    spec = _strip(TEXT)
    assert len(glyph_windows(spec)) == len(TEXT.replace(" ", ""))
    k = len("NORWEGIAN") - 1  # N | F
    imp = _with_swap(spec, k)
    check = check_glyphs(spec, imp)
    assert k in check.contradicted
    assert k not in _overruled(spec, imp, check, ring=True)  # no text: the pair stands
    assert k in _overruled(spec, imp, check, ring=True, text=lambda: TEXT)
    assert k in _overruled(spec, imp, check, ring=True, text=lambda: "* " + TEXT + " *")


def test_a_pair_inside_a_word_is_not_overruled():
    spec = _strip(TEXT)
    k = len("NORWE")  # G | I of NORWEGIAN
    imp = _with_swap(spec, k)
    check = check_glyphs(spec, imp)
    assert k in check.contradicted
    assert k not in _overruled(spec, imp, check, ring=True, text=lambda: TEXT)


def test_only_the_texts_spaces_that_the_strip_shows_count():
    spec = _strip(TEXT)
    wins = tuple(glyph_windows(spec))
    ends = {len("NORWEGIAN") - 1, len("NORWEGIANFOOD") - 1}
    assert _word_spaces(spec, wins, TEXT) == ends
    # a space read inside a word, where the strip shows none, is no space
    assert _word_spaces(spec, wins, "NORWE GIAN FOOD SAFETY") == ends
    # the text read a letter short or long: the glyphs do not pair up with it
    assert _word_spaces(spec, wins, "NORWEGAN FOOD SAFETY") == frozenset()
    assert _word_spaces(spec, wins, "NORWEGIAN FOOOD SAFETY") == frozenset()
    # words the strip sets no wider apart than its letters: no space shown
    tight = _strip(TEXT, letter_gap=3, space=0)
    assert _word_spaces(tight, tuple(glyph_windows(tight)), TEXT) == frozenset()


def test_letters_stretched_apart_are_no_word_space():
    # an oval's end stretches the unwrapped letters of AGRICOLA apart: its gaps as wide as a
    # word space elsewhere; only the text's spaces, wider than the gaps around them, count
    text = "SERVICIO AGRICOLA Y GANADERO"
    spec = _strip(text, space=24, stretched=1)
    wins = tuple(glyph_windows(spec))
    groups = words(wins, spec, LetterThresholds())
    assert len(groups) > len(text.split())  # the gaps alone split the words apart
    o = len("SERVICIOAGRIC")  # O | L of AGRICOLA
    assert o not in _word_spaces(spec, wins, text)
    assert _word_spaces(spec, wins, text) == {
        len("SERVICIO") - 1,
        len("SERVICIOAGRICOLA") - 1,
        len("SERVICIOAGRICOLAY") - 1,
    }
    imp = _with_swap(spec, o)
    check = check_glyphs(spec, imp)
    assert o in check.contradicted
    assert o not in _overruled(spec, imp, check, ring=True, text=lambda: text)
