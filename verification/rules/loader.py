"""Load and merge the rule repository (TOML) and approved-establishment lists (JSON)."""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verification.errors import RuleSetError
from verification.results import Severity

logger = logging.getLogger(__name__)

DEFAULT_RULES = Path(__file__).parent / "data" / "rules.toml"

_NUMERIC = {
    "min_field_confidence": (0.0, 1.0),
    "validity_days": (1, 3650),
    "net_weight_tolerance_pct": (0.0, 100.0),
    "quantity_tolerance_pct": (0.0, 100.0),
    "hs_prefix_digits": (2, 10),
    "name_similarity": (0.0, 1.0),
    "officer_name_similarity": (0.0, 1.0),
    "tamper_score": (0.0, 100.0),
    "tamper_style_score": (0.0, float("inf")),
    "seal_text_max_unconfirmed": (0, float("inf")),
    "same_stamping": (0.5, 1.0),
    "signature_accept_score": (0.5, 1.0),
}
_BOOLEAN = ("electronic_copy_required", "partial_use")


@dataclass(frozen=True)
class RuleParams:
    values: Mapping[str, Any]
    severity: Mapping[str, Severity]
    disabled: frozenset[str]
    version: str
    sets: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def severity_of(self, rule_id: str) -> Severity:
        return self.severity.get(rule_id, Severity.ERROR)


@dataclass(frozen=True)
class RuleSet:
    version: str
    sets: Mapping[str, Mapping[str, Any]]
    source: str = ""
    establishments: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def resolve(self, certificate_type: str, country: str) -> RuleParams:
        """The parameters for a certificate type (as templates name it, or as partners' documents
        do: "origin" and UN/CEFACT "861" read the set of ``certificate_of_origin``) and issuing
        country."""
        types = list(dict.fromkeys([certificate_kind(certificate_type), certificate_type]))
        names = ["default", f"*/{country}", *types, *(f"{t}/{country}" for t in types)]
        values: dict[str, Any] = {}
        severity: dict[str, Severity] = {}
        disabled: set[str] = set()
        used = []
        for name in names:
            data = self.sets.get(name)
            if data is None:
                continue
            used.append(name)
            for key, value in data.items():
                if key == "severity":
                    severity.update({k: Severity(v) for k, v in value.items()})
                elif key == "disabled":
                    disabled.update(value)
                else:
                    values[key] = value
        return RuleParams(values, severity, frozenset(disabled), self.version, tuple(used))


# certificate types as partners' documents name them (UN/CEFACT 1001 document codes, their
# words), to the name the templates and the rule sets give that kind
_KINDS = {
    "sanitary": "health",
    "veterinary": "veterinary_health",
    "origin": "certificate_of_origin",
    "851": "phytosanitary",
    "852": "health",
    "853": "veterinary_health",
    "861": "certificate_of_origin",
}


def certificate_kind(certificate_type: str) -> str:
    """One name per kind of certificate ("" for none told)."""
    t = certificate_type.strip().lower()
    return _KINDS.get(t, t)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """A rule repository from a TOML file (default: the packaged one); RuleSetError if invalid."""
    p = Path(path) if path is not None else DEFAULT_RULES
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise RuleSetError(f"rules {p}: cannot read ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise RuleSetError(f"rules {p}: invalid TOML ({err})") from None
    sets = data.get("sets")
    if data.get("schema") != 1 or not isinstance(sets, dict) or "default" not in sets:
        raise RuleSetError(f"rules {p}: need schema = 1 and a [sets.default] table")
    for name, values in sets.items():
        _validate_set(p, name, values)
    return RuleSet(version=str(data.get("version", "")), sets=sets, source=str(p))


def _validate_set(p: Path, name: str, values: Any) -> None:
    if not isinstance(values, dict):
        raise RuleSetError(f"rules {p}: sets.{name} must be a table")
    for key, (lo, hi) in _NUMERIC.items():
        if key in values:
            v = values[key]
            if not isinstance(v, int | float) or isinstance(v, bool) or not lo <= v <= hi:
                raise RuleSetError(f"rules {p}: sets.{name}.{key} must be in [{lo}, {hi}]")
    for rule_id, sev in values.get("severity", {}).items():
        if sev not in {s.value for s in Severity}:
            raise RuleSetError(f"rules {p}: sets.{name}.severity.{rule_id}: unknown {sev!r}")
    for key in _BOOLEAN:
        if key in values and not isinstance(values[key], bool):
            raise RuleSetError(f"rules {p}: sets.{name}.{key} must be true or false")
    for key in ("required_fields", "tamper_fields"):
        names = values.get(key, [])
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise RuleSetError(f"rules {p}: sets.{name}.{key} must be a list of names")


def load_establishments(path: str | Path) -> dict[str, frozenset[str]]:
    """Approved establishments: JSON ``{"AU": ["AU-EST-0001", ...], ...}`` (upper-cased)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise RuleSetError(f"establishments {p}: cannot read ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise RuleSetError(f"establishments {p}: invalid JSON ({err.msg})") from None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise RuleSetError(f"establishments {p}: want an object of country -> list of numbers")
    return {
        str(k).upper(): frozenset(_est(x) for x in v if isinstance(x, str)) for k, v in data.items()
    }


def _est(number: str) -> str:
    return "".join(number.split()).upper()
