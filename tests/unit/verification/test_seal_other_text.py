"""Another agency's round stamp whose outline, emblem and layout fit the claimed agency's
specimen: its ring reads as another text (``_seal_confirm._reads_other_text``)."""

import pytest

from verification._ring_text import letters, share_in_order, share_in_runs

US_APHIS = letters("UNITED STATES DEPARTMENT OF AGRICULTURE APHIS PPQ")
CL_SAG = letters("SERVICIO AGRICOLA Y GANADERO CHILE")


@pytest.mark.parametrize(
    ("read", "least"),
    [
        ("UNITEDSTATESRTMENTOFAGRICULTUREAPHIPN", 0.9),  # gaps: pieces of its own words
        ("CULTUREAPHISPPQUNITEDSTA", 0.9),  # begun anywhere round the ring
        ("DEPARTMOFAGRRE", 0.6),
    ],
)
def test_a_ring_read_through_its_gaps_gives_pieces_of_its_own_text(read, least):
    assert share_in_runs(read, US_APHIS) >= least


def test_another_stamps_ring_gives_no_piece_of_the_specimens_text():
    # 558 c00051: FR-DGAL's SERVICES VETERINAIRES read on a US-APHIS certificate
    assert share_in_runs("UEASRVIVETENARES", US_APHIS) == 0.0
    assert share_in_runs("", US_APHIS) == 1.0  # nothing read: nothing said


@pytest.mark.parametrize(
    ("seed", "index", "kind", "claimed", "drawn"),
    [
        (558, 51, "foreign_seal", "US-APHIS-S1", "FR-DGAL-S1"),  # held out: was accepted
        (553, 111, "genuine", "FR-DGAL-S1", "NO-MATTILSYNET-S1"),  # another die of one world
    ],
)
def test_another_agencys_round_stamp_that_fits_the_specimen_is_refused_on_its_text(
    seed, index, kind, claimed, drawn
):
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(seed, index, kind, claimed)
    assert truth["seal"]["drawn_as"] == drawn
    result = check_seal(page, own)
    assert not result.match
    assert "another stamp?" in result.finding


def test_a_ring_read_through_wide_gaps_keeps_its_letters_in_order():
    """572 c00171, a genuine CL-SAG oval: no run of four letters of its own text, every letter
    in its order; another stamp's text read on a ring (558 c00051) leaves letters out of it."""
    read = "COAOAYDECHE"
    assert share_in_runs(read, CL_SAG) == 0.0 and share_in_order(read, CL_SAG) == 1.0
    assert share_in_order("UEASRVIVETENARES", US_APHIS) == 0.875
    assert share_in_order("ZZZ", US_APHIS) == 0.0 and share_in_order("", US_APHIS) == 1.0


def test_held_out_genuine_ring_read_through_wide_gaps_is_matched():
    from tests.unit.verification.stamping import simulated_stamping
    from verification.seal import check_seal

    truth, page, own = simulated_stamping(572, 171, "genuine")
    assert truth["seal"]["registered"] and truth["seal"]["forgery"] is None
    result = check_seal(page, own)
    assert result.match, result.finding
