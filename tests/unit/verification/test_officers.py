"""The officer name read, matched to the registry and spelt as registered where only spaces
and stray marks differ."""

import pytest

from verification.officers import as_registered, match_officer
from verification.ports import OfficerSpecimen
from verification.results import FieldValue


def _officer(name: str) -> OfficerSpecimen:
    return OfficerSpecimen(id=name.lower().replace(" ", "-"), agency_id="NO-MATTILSYNET", name=name)


@pytest.mark.parametrize(
    ("read", "registered"),
    [
        ("Kar i Hansen", "Kari Hansen"),  # a word gap inside the given name (seed 150)
        ("L.a r s Nilsen", "Lars Nilsen"),  # specks read as dots (seed 186)
        ("c Julien Laurent", "Julien Laurent"),  # a lone letter before the name (seed 150)
        ("E Beatriz Ferreira", "Beatriz Ferreira"),
        ("Ole Nilsen r", "Ole Nilsen"),
    ],
)
def test_a_name_read_with_stray_spaces_or_marks_is_spelt_as_registered(read, registered):
    fv = FieldValue(read, 0.9, raw=read)
    out = as_registered(fv, _officer(registered))
    assert out.value == registered
    assert out.raw == read  # what the page shows stays on record


@pytest.mark.parametrize(
    ("read", "registered"),
    [
        ("Maanus Nilsen", "Magnus Nilsen"),  # another letter: maybe another person
        ("IDI Liam Harris", "Liam Harris"),  # more than a lone letter before it
        ("Ole Nilsen", "Ola Nilsen"),
        ("J Smith", "Smith"),  # a two-word reading keeps its initial
    ],
)
def test_a_name_with_other_letters_stays_as_read(read, registered):
    fv = FieldValue(read, 0.9, raw=read)
    assert as_registered(fv, _officer(registered)).value == read


def test_match_officer_picks_the_closest_registered_name():
    officers = [_officer("Kari Hansen"), _officer("Lars Nilsen")]
    best, score = match_officer(FieldValue("L.a r s Nilsen", 0.9), officers)
    assert best is not None and best.name == "Lars Nilsen"
    assert score > 0.9
