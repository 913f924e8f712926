"""ISO 6346 freight container numbers: check digit and generation."""

from __future__ import annotations

import random
import re

_PATTERN = re.compile(r"^[A-Z]{3}[UJZ][0-9]{7}$")


def _letter_values() -> dict[str, int]:
    values: dict[str, int] = {}
    n = 10
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if n % 11 == 0:
            n += 1
        values[ch] = n
        n += 1
    return values


_VALUES = _letter_values()


def check_digit(first10: str) -> int:
    """Check digit for the owner code + category + 6-digit serial (10 characters)."""
    total = 0
    for i, ch in enumerate(first10.upper()):
        val = int(ch) if ch.isdigit() else _VALUES[ch]
        total += val * (2**i)
    return total % 11 % 10


def is_valid(number: str) -> bool:
    n = number.strip().upper()
    return bool(_PATTERN.match(n)) and check_digit(n[:10]) == int(n[10])


def container_number(rng: random.Random, owner: str | None = None) -> str:
    from simulator._pools import CONTAINER_OWNERS

    prefix = owner or rng.choice(CONTAINER_OWNERS)
    body = f"{prefix}{rng.randint(0, 999999):06d}"
    return f"{body}{check_digit(body)}"
