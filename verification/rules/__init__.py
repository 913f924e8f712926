"""Parameterised review rules: versioned data (``data/rules.toml``) + small check functions.

``load_rules(path)`` reads a rule repository (the packaged default, or a node's own file);
``RuleSet.resolve(certificate_type, country)`` merges its sets into ``RuleParams``;
``evaluate(inputs, params)`` runs every enabled check and returns ``RuleResult``s (id, passed,
severity, message with the actual values).
"""

from verification.rules.engine import RuleInputs, evaluate
from verification.rules.loader import (
    DEFAULT_RULES,
    RuleParams,
    RuleSet,
    load_establishments,
    load_rules,
)

__all__ = [
    "DEFAULT_RULES",
    "RuleInputs",
    "RuleParams",
    "RuleSet",
    "evaluate",
    "load_establishments",
    "load_rules",
]
