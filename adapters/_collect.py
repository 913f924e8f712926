"""Issue collection while values are normalised (shared by the XML/JSON readers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from adapters import normalize as _n
from adapters._xml import XNode
from adapters.base import Issue

T = TypeVar("T")


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
        if number is not None and number != round(number):
            self.warn(f"{what}: {number} is not a whole number; read as {round(number)}", node)
        return int(round(number)) if number is not None and abs(number) < 1e15 else None

    def date(self, node: XNode | None, what: str) -> Any:
        return self.value(_n.parse_date, node.text() if node else None, node, what)

    def country(self, node: XNode | None, what: str) -> str | None:
        return self.value(_n.country_code, node.text() if node else None, node, what)


class JsonCollector:
    """Like the XML collector: a value that cannot be read becomes a warning with its JSON path."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def warn(self, message: str, path: str) -> None:
        self.issues.append(Issue(message, "warning", path))

    def _try(self, fn: Any, raw: Any, path: str, what: str) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            self.warn(f"{what}: unexpected {type(raw).__name__}", path)
            return None
        try:
            return fn(raw)
        except (ValueError, TypeError, ArithmeticError):
            self.warn(f"{what}: cannot read {str(raw)[:60]!r}", path)
            return None

    def number(self, raw: Any, path: str, what: str) -> float | None:
        return self._try(_n.parse_number, raw, path, what)  # type: ignore[no-any-return]

    def integer(self, raw: Any, path: str, what: str) -> int | None:
        value = self.number(raw, path, what)
        if value is not None and value != round(value):
            self.issues.append(
                Issue(
                    f"{what}: {value} is not a whole number; read as {round(value)}",
                    "warning",
                    path,
                )
            )
        return int(round(value)) if value is not None and abs(value) < 1e15 else None

    def date(self, raw: Any, path: str, what: str) -> Any:
        if isinstance(raw, str) and len(raw) > 10 and raw[4:5] == "-":
            raw = raw[:10]
        return self._try(_n.parse_date, raw, path, what)

    def country(self, raw: Any, path: str, what: str) -> str | None:
        return self._try(_n.country_code, raw, path, what)  # type: ignore[no-any-return]

    def hs(self, raw: Any, path: str, what: str) -> str | None:
        return self._try(_n.hs_code, raw, path, what)  # type: ignore[no-any-return]
