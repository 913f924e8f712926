"""The specimen's own ring text as the real recogniser reads it: a one-letter word it leaves
out of the specimen is no contradiction when an impression shows it."""

from simulator.seal import specimen_png
from simulator.world import build_world
from verification._ring_text import (
    band_of,
    ink_channel,
    ink_darkness,
    letters,
    ring_contradictions,
    specimen_text,
)
from verification.ports import SealSpecimen
from verification.seal import prepare_specimen

SEAL = "BR-MAPA-S1"
PRINTED = letters("MINISTERIO DA AGRICULTURA E PECUARIA BRASIL")


def _specimen():
    # world 171's drawing of this seal, as the corpus of seed 171 registers it
    prepared = prepare_specimen(
        SealSpecimen(SEAL, "BR-MAPA", specimen_png(build_world(171).seals[SEAL]))
    )
    assert prepared is not None
    band = band_of(prepared.mask)
    assert band is not None
    dark = ink_darkness(prepared.rgb, ink_channel(prepared.rgb, prepared.mask))
    return prepared.key, dark, band


def test_a_word_the_recogniser_left_out_of_the_specimen_is_no_contradiction():
    key, dark, band = _specimen()
    # the recogniser reads this specimen without its "E" (seed 171: two genuine impressions
    # read with it were contradicted by an "extra 'E' after 'URA'")
    assert letters(specimen_text(key, dark, band)) == PRINTED.replace("URAEPEC", "URAPEC")
    assert ring_contradictions(PRINTED, key, dark, band) == ()


def test_a_swap_still_contradicts_both_readings_of_the_specimen():
    key, dark, band = _specimen()
    swapped = PRINTED.replace("AGRICULTURA", "AGRICLUTURA")
    assert "'UL' read as 'LU'" in ring_contradictions(swapped, key, dark, band)
    added = PRINTED.replace("BRASIL", "BRASSIL")
    assert ring_contradictions(added, key, dark, band) != ()
