"""A node reviews with the rule set and establishment lists its settings name
(``verification.rules_path``, ``verification.establishments_path``): data, not code."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.config import VerificationSettings
from node.errors import ConfigError
from tests.unit.memory_node import memory_node
from verification.rules import DEFAULT_RULES


def _node(home: Path, **verification: str):
    return memory_node(home, verification=VerificationSettings(**verification))


def test_the_node_reviews_with_the_rule_set_its_settings_name(home: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        DEFAULT_RULES.read_text() + '\n[sets."*/NZ"]\nelectronic_copy_required = true\n'
    )
    est = tmp_path / "est.json"
    est.write_text('{"nz": ["NZ-PH-0001"]}')
    node = _node(home, rules_path=str(rules), establishments_path=str(est))
    verifier = node.extras["review"].verifier
    assert verifier._rules.source == str(rules)
    assert verifier._rules.resolve("phytosanitary", "NZ")["electronic_copy_required"] is True
    assert verifier._rules.resolve("phytosanitary", "AU")["electronic_copy_required"] is False
    assert verifier._config.establishments == {"NZ": frozenset({"NZ-PH-0001"})}


def test_without_settings_the_packaged_rules_and_no_lists(home: Path) -> None:
    verifier = _node(home).extras["review"].verifier
    assert verifier._rules.source == str(DEFAULT_RULES)
    assert verifier._config.establishments == {}


@pytest.mark.parametrize("key", ["rules_path", "establishments_path"])
def test_a_missing_file_stops_the_node_with_a_config_error(home: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="verification: .*cannot read"):
        _node(home, **{key: "/nonexistent/file"})
