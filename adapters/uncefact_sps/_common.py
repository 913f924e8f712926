"""Namespaces, versions and small helpers shared by the SPS reader and writer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from adapters import normalize as _n
from adapters._xml import XNode
from adapters.base import Issue

FORMAT_ID = "uncefact-sps-xml"
UNCEFACT = "urn:un:unece:uncefact:data:standard:"
ROOT_PREFIX = UNCEFACT + "SPSCertificate:"
SUPPORTED_VERSIONS = ("17", "8")
NAMESPACES: dict[str, dict[str, str]] = {
    "17": {
        "rsm": ROOT_PREFIX + "17",
        "ram": UNCEFACT + "ReusableAggregateBusinessInformationEntity:21",
        "udt": UNCEFACT + "UnqualifiedDataType:21",
    },
    "8": {
        "rsm": ROOT_PREFIX + "8",
        "ram": UNCEFACT + "ReusableAggregateBusinessInformationEntity:8",
        "udt": UNCEFACT + "UnqualifiedDataType:9",
    },
}
"""Namespaces we write per root version (we read any UN/CEFACT RAM/UDT version)."""

CERTIFICATE_TYPES = {"851": "phytosanitary"}
"""UN/CEFACT document type codes we name; others keep only ``type_code`` (no guessing)."""

T = TypeVar("T")


def is_uncefact(namespace: str | None) -> bool:
    return bool(namespace) and str(namespace).startswith(UNCEFACT)


def root_version(namespace: str | None) -> str | None:
    if not namespace or not namespace.startswith(ROOT_PREFIX):
        return None
    version = namespace[len(ROOT_PREFIX) :]
    return version if re.fullmatch(r"\d+(p\d+)?", version) else None


class Collector:
    """Collects issues while values are normalised; a bad value becomes an issue, not a crash."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def warn(self, message: str, node: XNode | None = None) -> None:
        self.issues.append(
            Issue(message, "warning", node.path if node else None, node.line if node else None)
        )

    def value(
        self, fn: Callable[[Any], T], raw: str | None, node: XNode | None, what: str
    ) -> T | None:
        if raw is None:
            return None
        try:
            return fn(raw)
        except (ValueError, TypeError, ArithmeticError):
            self.warn(f"{what}: cannot read {raw[:60]!r}", node)
            return None

    def number(self, node: XNode | None, what: str) -> float | None:
        return self.value(_n.parse_number, node.text() if node else None, node, what)

    def integer(self, node: XNode | None, what: str) -> int | None:
        number = self.number(node, what)
        return int(round(number)) if number is not None and abs(number) < 1e15 else None

    def date(self, node: XNode | None, what: str) -> Any:
        return self.value(_n.parse_date, node.text() if node else None, node, what)

    def country(self, node: XNode | None, what: str) -> str | None:
        return self.value(_n.country_code, node.text() if node else None, node, what)
