"""The example scans in tests/fixtures/scans are exactly what the generator makes.

Regenerate after a deliberate generator change with:
    .venv/bin/python tests/unit/simulator/test_fixtures.py
"""

import json
from pathlib import Path

import pytest

from simulator.cases import build_case
from simulator.world import build_world

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "scans"
SEED = 2026
EXAMPLES = {"genuine": (3, "genuine"), "forged_seal": (2, "forged_seal")}


def _build(name: str):
    index, kind = EXAMPLES[name]
    return build_case(build_world(SEED), SEED, index, kind)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_fixture_is_reproducible(name: str) -> None:
    case = _build(name)
    assert (FIXTURES / f"{name}.jpg").read_bytes() == case.scan
    truth = json.loads((FIXTURES / f"{name}.truth.json").read_text())
    assert truth == case.truth
    assert json.loads((FIXTURES / f"{name}.declaration.json").read_text()) == case.declaration
    assert truth["kind"] == name
    assert truth["expected_verdict"] == ("accept" if name == "genuine" else "reject")
    assert truth["seal"]["present"] and truth["seal"]["registered"] is (name == "genuine")


def _write() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLES:
        case = _build(name)
        (FIXTURES / f"{name}.jpg").write_bytes(case.scan)
        for suffix, obj in (("truth", case.truth), ("declaration", case.declaration)):
            text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
            (FIXTURES / f"{name}.{suffix}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    _write()
