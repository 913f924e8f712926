"""The review's intake limits come from the node's settings, every one of them."""

import dataclasses

from node.config import VerificationSettings
from verification.intake import IntakeLimits


def test_every_intake_limit_is_taken_from_the_settings() -> None:
    defaults = IntakeLimits()
    changed = {f.name: getattr(defaults, f.name) * 2 for f in dataclasses.fields(IntakeLimits)}
    limits = VerificationSettings(**changed).intake_limits()
    assert dataclasses.asdict(limits) == changed
