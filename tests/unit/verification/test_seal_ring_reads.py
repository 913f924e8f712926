"""A ring reading's extra letter, overruled where the pixels show its neighbours side by side."""

from dataclasses import replace

from verification._ring_text import RingReading, contradictions, letters
from verification._seal_letters import Confirmation
from verification._seal_text import TextEvidence, misread_ring
from verification._seal_visible import PairVisibility

CCPIT = "* CHINA COUNCIL FOR THE PROMOTION OF INTERNATIONAL TRADE *"
READ = "CHINACORUNCILFORTHEPROMOTION"  # an 'R' read between the "O" and "U" of COUNCIL


def _ring(read: str, expected_raw: str) -> RingReading:
    expected = letters(expected_raw)
    return RingReading(expected, read, contradictions(read, expected), expected_raw, read)


def _evidence(groups: tuple[tuple[int, ...], ...], pairs: set[int]) -> TextEvidence:
    n = sum(map(len, groups))
    share = tuple(0.4 if k in pairs else 0.0 for k in range(n))  # the visible ink agrees
    snr = tuple(20.0 if k in pairs else 0.0 for k in range(n))
    conf = Confirmation(
        groups, frozenset(), frozenset(pairs), frozenset(), PairVisibility(share, snr)
    )
    return TextEvidence("ring", (), confirmation=conf)


def _words(sizes: list[int], star_ends: bool = True) -> tuple[tuple[int, ...], ...]:
    out, k = [], 0
    for size in ([1] if star_ends else []) + sizes + ([1] if star_ends else []):
        out.append(tuple(range(k, k + size)))
        k += size
    return tuple(out)


WORDS = [5, 7, 3, 3, 9, 2, 13, 5]  # CHINA COUNCIL FOR THE PROMOTION OF INTERNATIONAL TRADE
O_OF_COUNCIL = 1 + 5 + 1  # glyph index of the "O" (after a star and CHINA)


def test_the_reading_contradicts_on_its_own():
    assert "extra 'R' after 'ACO'" in _ring(READ, CCPIT).contradictions


def test_an_extra_letter_between_a_pair_the_pixels_show_is_overruled():
    ev = _evidence(_words(WORDS), {O_OF_COUNCIL})
    assert misread_ring(_ring(READ, CCPIT), ev) == ()


def test_glyphs_that_do_not_split_into_words_are_paired_with_the_letters_in_order():
    # seed 221 c00075: the ring's tight word spaces left CHINA COUNCIL FOR THE in one run
    groups = _words([25, 2, 17, 3])
    assert sum(map(len, groups)) == 2 + sum(WORDS)
    assert misread_ring(_ring(READ, CCPIT), _evidence(groups, {O_OF_COUNCIL})) == ()
    assert misread_ring(_ring(READ, CCPIT), _evidence(groups, {O_OF_COUNCIL + 1})) != ()


def test_an_extra_letter_stands_where_the_pair_is_not_shown_or_the_glyphs_do_not_pair_up():
    assert misread_ring(_ring(READ, CCPIT), _evidence(_words(WORDS), set())) != ()
    glyph_test_only = _evidence(_words(WORDS), {O_OF_COUNCIL})
    assert glyph_test_only.confirmation is not None
    no_ink = replace(glyph_test_only.confirmation, visible=PairVisibility((0.0,) * 49, (0.0,) * 49))
    assert misread_ring(_ring(READ, CCPIT), replace(glyph_test_only, confirmation=no_ink)) != ()
    uneven = _words([24, 2, 17, 3])  # one glyph fewer than letters: no pairing
    assert misread_ring(_ring(READ, CCPIT), _evidence(uneven, {O_OF_COUNCIL})) != ()


def test_a_letter_added_at_the_end_of_a_word_is_never_overruled():
    # an imitation "NEWE": the extra letter lies between two words, not inside a pair
    nz = "MINISTRY FOR PRIMARY INDUSTRIES NEW ZEALAND"
    read = "MINISTRYFORPRIMARYINDUSTRIESNEWEZEALAND"
    ring = _ring(read, nz)
    assert ring.contradictions
    every = set(range(60))
    assert misread_ring(ring, _evidence(_words([8, 3, 7, 10, 3, 7]), every)) == ring.contradictions
