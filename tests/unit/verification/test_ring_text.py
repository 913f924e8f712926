"""Ring-text comparison: what counts as a legible contradiction of the specimen's text."""

import numpy as np
import pytest

from simulator.seal import seal_mask
from simulator.world import build_world
from verification._ring_text import band_of, contradictions, letters, word_starts

EXPECTED = letters("DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTRY")


@pytest.mark.parametrize(
    ("read", "found"),
    [
        ("DEPARTMENTOFAGRICULTUREFISHERIESANDFORETSRY", "'ST' read as 'TS'"),  # at the end
        ("DEPARTMENTOFAGIRCULTUREFISHERIESANDFORESTRY", "'RI' read as 'IR'"),
        ("DPEARTMENTOFAGRICULTURE", "'EP' read as 'PE'"),  # at the start
        ("ANDFORESTYR", "'RY' read as 'YR'"),  # at the end of the text, nothing after it
        ("TMENTOFAGRICUTLURE", "'LT' read as 'TL'"),
        ("FISHERIESANDEFORESTRY", "extra 'E' after 'AND'"),
        # A fragment read after an ink gap lies where it is contiguous: one gap of unread
        # letters, not several (seed 203 c00053 and c00084, imitations read so).
        ("DEPARTMENTOFAGRICULTUREFISHEIRES", "'RI' read as 'IR'"),
        ("DEPARTMENTOFULTUREFISHEIRES", "'RI' read as 'IR'"),
        ("DEPARTMENTOFAGRICULTUERFISH", "'RE' read as 'ER'"),
        # a misread letter right after the swap: the cheapest alignment reads "U" as lost in a
        # gap and 'UT' for "TU" with one flanking letter, but 'AGRICLUT' shows 'LU' for "UL"
        # between 'AGRIC' and 'T' (seed 503 c00094, an imitation "AGRICLUTURE")
        ("DEPARTMENTOFAGRICLUTCEFISHERIESAFORESTR", "'UL' read as 'LU'"),
    ],
)
def test_swapped_or_added_letters_contradict(read, found):
    assert found in contradictions(read, EXPECTED)


@pytest.mark.parametrize(
    "read",
    [
        EXPECTED,
        "DEPARTMEOFAGULTUREFISHERIESANDFORESTRY",  # letters lost in ink gaps
        "DEPAKMENTOFAGRICULTUREFISHDEFORESTRY",  # misread letters (K for RT), a gap
        "TMENTOFAGRICULTUREFISH",  # only part legible
        "DEPARTMENTOFAGRICULTUREFISHERIESANDFORESTRYY",  # a star read as a letter at the end
        # the reading ends (an ink gap) right after a misread pair, the text goes on: the end
        # of a reading is no letter read (seed 155 c00011, a genuine 'SOUTH AFRICA' line read
        # 'OUTHFA')
        "TMENTOFGA",
        "TLUREFISHERIES",  # ... nor where it starts in the middle of the text
        "",
    ],
)
def test_gaps_and_misreadings_do_not_contradict(read):
    assert contradictions(read, EXPECTED) == ()


@pytest.mark.parametrize(
    ("read", "expected", "found"),
    [
        ("SERVICIONACIONCULUTRA", "SERVICIO NACIONAL DE PESCA Y ACUICULTURA", "'TU' read as 'UT'"),
        (
            "UEFRANCIASVICESVETERINA",
            "REPUBLIQUE FRANCAISE SERVICES VETERINAIRES",
            "'AI' read as 'IA'",
        ),
        # seed 443 c00049, an imitation "COMMRECE": the alignment put an "E" in a gap and
        # 'EC' for "CE" between 'R' and 'A' (too few flanking letters); 'COMMREC' reads 'RE'
        # for "ER" between 'COMM' and 'C'
        (
            "POUSHAFRICANCHAMDEROFCOMMRECAINNOUSTWY",
            "SOUTH AFRICAN CHAMBER OF COMMERCE AND INDUSTRY",
            "'ER' read as 'RE'",
        ),
    ],
)
def test_a_swap_read_after_an_ink_gap_contradicts(read, expected, found):
    assert found in contradictions(read, letters(expected))


@pytest.mark.parametrize(
    "read",
    [
        # 'E' misread as 'I': 'RCIAN' would be "RICAN" (of AFRICAN) with 'IC' swapped, but
        # that lies far from where the reading sits in the text
        "SOUTHAFRICANCHAMBEROFCOMMERCIANDINDUSTRY",
        "CHAMBEROFCOMMERCIANDIN",
    ],
)
def test_a_transposed_stretch_far_from_the_reading_place_does_not_contradict(read):
    assert contradictions(read, letters("SOUTH AFRICAN CHAMBER OF COMMERCE AND INDUSTRY")) == ()


def test_a_stretch_read_with_letters_in_gaps_is_no_swap():
    # a genuine BR-MAPA ring (seed 531 c00050): 'CUAIRASIL' is "CUA(R)I(AB)RASIL" with three
    # letters in ink gaps, though 'CUA' 'IR' 'A' would read "CUA" 'RI' "A" swapped
    expected = letters("MINISTERIO DA AGRICULTURA E PECUARIA BRASIL")
    assert contradictions("MINISTEAAGRICULTURAEPECUAIRASIL", expected) == ()


AU_LINE = "DEPARTMENT OF AGRICULTURE, FISHERIES AND FORESTRY"


def test_word_starts_index_the_letters_only_text():
    assert word_starts("SOUTH AFRICA") == {5}
    assert word_starts("5ERVICIO NACIONAL, DE") == {7, 15}
    assert word_starts("") == frozenset()


def test_a_swap_inside_a_word_read_beside_one_lost_letter_contradicts():
    # seed 220 c00012, an imitation "AGRCIULTURE": "R" and "L" lost right beside 'CI'
    read = "DEPARTMNTGCIUTUANHERIESANDFORESTRY"
    assert contradictions(read, letters(AU_LINE)) == ()  # without the words: flanks too short
    assert "'IC' read as 'CI' beside an ink gap" in contradictions(
        read, letters(AU_LINE), word_starts(AU_LINE)
    )


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        # genuine impressions: a swap read across two words (seed 401 c00087) ...
        ("EAVICIONACIONADLPESCAYAKUTURA", "SERVICIO NACIONAL DE PESCA Y ACUICULTURA"),
        # ... or with two letters lost beside it (seed 213 c00056)
        ("OUTHAFACNCHAMOIROFCOMMERCEANOTOUSTAY", "SOUTH AFRICAN CHAMBER OF COMMERCE AND INDUSTRY"),
    ],
)
def test_a_swap_across_words_or_two_lost_letters_does_not_contradict(read, expected):
    assert contradictions(read, letters(expected), word_starts(expected)) == ()


CCPIT = "CHINA COUNCIL FOR THE PROMOTION OF INTERNATIONAL TRADE"
MATTILSYNET = "MATTILSYNET NORWEGIAN FOOD SAFETY AUTHORITY"


def test_a_swap_whose_letters_read_after_it_run_to_the_end_of_the_text_contradicts():
    # seed 224 c00071, an imitation "AUTHORTIY" read 'UTHURTIY': one letter read on each side
    # of the swap, and the text ends after the 'Y' (an end counts as two letters read)
    read = "MTILSYNETOREGIANFOODSAFETUTHURTIY"
    found = contradictions(read, letters(MATTILSYNET), word_starts(MATTILSYNET))
    assert found == ("'IT' read as 'TI'",)
    # the same reading of the genuine text, and the swap with a letter after it lost
    starts = word_starts(MATTILSYNET)
    assert contradictions(read.replace("RTIY", "RITY"), letters(MATTILSYNET), starts) == ()
    assert contradictions(read[:-1], letters(MATTILSYNET), starts) == ()


def test_an_extra_letter_inside_a_word_read_no_longer_than_printed_is_a_misread():
    # seed 223 c00058, a genuine CN-CCPIT ring: 'CORUNCL' for "COUNCIL" (R for U, I lost)
    read = "XCHINACORUNCLFORTEOMOTIOINTERNATONALTRIE"
    assert contradictions(read, letters(CCPIT), word_starts(CCPIT)) == ()
    # the same extra letter with the word read in full lengthens it: a letter added
    longer = "XCHINACORUNCILFORTEOMOTIOINTERNATONALTRIE"
    assert contradictions(longer, letters(CCPIT), word_starts(CCPIT)) == ("extra 'R' after 'ACO'",)


@pytest.mark.parametrize(
    "read",
    [
        "CHINACOUNCILSFORTHEPROMOTION",  # a letter added at a word's end ("COUNCILS") ...
        "CHINACONCILSFORTHEPROMOTION",  # ... with a letter of that word lost: still added
        "CHINACOUNCILFORRTHEPROMOTION",  # inside a word read in full
    ],
)
def test_an_extra_letter_that_lengthens_or_ends_a_word_contradicts(read):
    assert contradictions(read, letters(CCPIT), word_starts(CCPIT)) != ()


def test_band_found_on_round_and_oval_stamps_not_on_rectangles():
    world = build_world(11)
    shapes = {}
    for spec in world.seals.values():
        m = (seal_mask(spec, 200) > 0.5).astype(np.uint8) * 255
        side = int(np.hypot(*m.shape)) + 4
        canvas = np.zeros((side, side), np.uint8)
        y0, x0 = (side - m.shape[0]) // 2, (side - m.shape[1]) // 2
        canvas[y0 : y0 + m.shape[0], x0 : x0 + m.shape[1]] = m
        band = band_of(canvas)
        shapes.setdefault(spec.shape, set()).add(band is not None)
        if band is not None:
            assert 0.9 < band.s_out <= 1.0 and 0.6 < band.s_in < 0.8
    assert shapes["round"] == {True} and shapes["oval"] == {True}
    assert shapes["rect"] == {False}


@pytest.mark.parametrize(
    ("raw", "wide", "inside"),
    [
        # 573 BR-MAPA: the one-letter word left out of the specimen's own reading
        (
            " MINISTERIO DA AGRICULTURA PECUARIA BRASIL ",
            "￥MINISTERIO DA AGRICULTURA E PECUARIA BRASIL ",
            True,
        ),
        # 573 CL-SAG: a star read as a letter at the end is no word of the text
        (
            "￥ + ServICIO agRiCOLa Y Ganadero Chile   ￥",
            "￥ ?  SeRVICIO AGRICOLA Y GaNadERO ChIlE   Y",
            False,
        ),
        # words run together or split apart: not the same words
        (
            "DEPARTMENT OF AGRICULTURE FISHERIES AND FORESTRY ",
            "DEPARTMENT OF AGRICULTURE FISHERIESAND FORESTRY",
            False,
        ),
        ("MINISTRY FOR PRIMARY INDUSTRIES", "MINISTRY FOR PRIMARY INDUSTRIES", False),
        ("", "MINISTRY", False),
    ],
)
def test_the_specimen_read_widened_counts_only_for_a_word_the_first_reading_left_out(
    raw, wide, inside
):
    from verification._ring_text import _words_inside

    assert _words_inside(raw, wide) is inside


def test_held_out_genuine_ring_whose_specimen_reading_lost_a_word_is_matched():
    """573 c00046, a genuine BR-MAPA oval: against the specimen read without its "E", the
    recogniser preferred the swap 'EPCUARIA' by 9.4 nats where "E P" stood at a gap's edge."""
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(573, 46, "genuine")
    assert truth["seal"]["registered"] and truth["seal"]["forgery"] is None
    result = check_seal(page, own)
    assert result.match, result.finding
