import random

import pytest

from simulator.iso6346 import check_digit, container_number, is_valid


@pytest.mark.parametrize("number", ["CSQU3054383", "MSKU9070323", "TGHU9999995"])
def test_known_valid_numbers(number: str) -> None:
    assert is_valid(number)


def test_wrong_check_digit_is_rejected() -> None:
    assert check_digit("CSQU305438") == 3
    assert not is_valid("CSQU3054384")
    assert not is_valid("CSQ3054383")


def test_generated_numbers_are_valid() -> None:
    rng = random.Random(5)
    numbers = {container_number(rng) for _ in range(300)}
    assert len(numbers) > 250
    assert all(is_valid(n) for n in numbers)
