"""A declaration_mismatch case's declaration really differs from its certificate."""

import datetime as dt
import random

from simulator.cases import _declaration, _mismatch, differing
from simulator.layouts import LAYOUTS
from simulator.values import make_values


def test_differing_draws_again_while_the_value_equals_the_one_before() -> None:
    draws = iter(["Tasman Foods B.V.", "TASMAN FOODS B.V.", "Kiwi Harvest Ltd"])
    assert differing(lambda: next(draws), "Tasman Foods B.V.") == "Kiwi Harvest Ltd"


def test_every_mismatch_changes_the_declared_value() -> None:
    """Seeds 7158 and 9725 drew the certificate's own consignee again (one consignee
    mismatch in about 420 did, before ``differing``); the rest are a sample."""
    day = dt.date(2026, 9, 19)
    for seed in (7158, 9725, *range(200)):
        rng = random.Random(seed)
        layout = LAYOUTS[seed % len(LAYOUTS)]
        values = make_values(rng, layout, day)
        decl = _declaration(rng, values, day + dt.timedelta(days=20), seed)
        before = dict(decl)
        defects: list[dict[str, str]] = []
        _mismatch(rng, decl, values, defects)
        what = defects[0]["code"].removeprefix("declaration.")
        assert str(decl[what]).casefold() != str(before[what]).casefold(), (seed, what)
