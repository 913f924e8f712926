"""Grey type over a coloured stamp is no stamp ink (``_ring_text.print_removed``): seed 486
c00042, a genuine NO-MATTILSYNET ring with the officer's typed name across it, the 'A' of
"Astrid" in the word space between FOOD and SAFETY; the black core of the letter was left out
already, its anti-aliased edges were not, and the recogniser read them as an extra 'A' (a
letter added: sent to review)."""

import numpy as np

from simulator.cases import build_case
from simulator.seal import specimen_png
from simulator.world import build_world
from verification._ring_text import ink_darkness, print_removed
from verification.intake import load_pages
from verification.pipeline import PipelineConfig
from verification.ports import SealSpecimen
from verification.seal import check_seal

PAPER, BLUE, GREY = (236, 236, 233), (98, 108, 150), (150, 150, 155)


def _page(*inks: tuple[int, int, int]) -> np.ndarray:
    rgb = np.full((20, 20 * len(inks) + 20, 3), PAPER, np.uint8)
    for n, ink in enumerate(inks):
        rgb[5:15, 20 * n + 5 : 20 * n + 15] = ink
    return rgb


def test_grey_print_is_filled_in_from_around_it_and_coloured_ink_stays() -> None:
    rgb = _page(BLUE, GREY)
    dark = ink_darkness(rgb, 0)
    out = print_removed(rgb, dark)
    paper = int(dark[0, 0])
    assert dark[10, 30] > paper + 60  # the grey type is dark in the ink's channel...
    assert abs(int(out[10, 30]) - paper) <= 2  # ...and goes (paper all around it)
    assert out[10, 10] == dark[10, 10] > paper + 100  # the blue ink stays


def test_a_page_without_coloured_ink_is_left_as_it_is() -> None:
    rgb = _page(GREY, (40, 40, 40))  # a black stamp: nothing plainly coloured
    dark = ink_darkness(rgb, 0)
    assert print_removed(rgb, dark) is dark
    blue = _page(BLUE)  # coloured ink and no print: nothing to fill in
    assert np.array_equal(print_removed(blue, ink_darkness(blue, 0)), ink_darkness(blue, 0))


def test_a_genuine_ring_with_a_typed_name_across_it_is_matched() -> None:
    world = build_world(486)
    case = build_case(world, 486, 42, "genuine")
    die = world.seals[case.truth["seal"]["drawn_as"]]
    assert die.id == "NO-MATTILSYNET-S1"
    page = load_pages(case.scan, PipelineConfig().limits)[0].image
    res = check_seal(page, [SealSpecimen(die.id, die.agency, specimen_png(die))])
    assert res.match and not res.uncertain, res.finding
