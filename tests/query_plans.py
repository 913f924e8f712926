"""What a node asked its database, and how SQLite plans it: the statements run inside a block
(``statements``) and their ``EXPLAIN QUERY PLAN`` steps (``plans``), for the tests that show a
read goes through an index rather than a scan or a sort of a whole table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def statements(
    engine: Engine, verbs: tuple[str, ...] = ("SELECT",)
) -> Iterator[list[tuple[str, Any]]]:
    """The statements (with their parameters) starting with one of ``verbs`` that ``engine``
    runs while the block runs."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(verbs):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plans(
    engine: Engine, seen: list[tuple[str, Any]], keep: Callable[[str], bool]
) -> list[tuple[str, list[str]]]:
    """Each kept statement (on one line) with the steps of its query plan."""
    with engine.connect() as conn:
        return [
            (
                " ".join(s.split()),
                [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p)],
            )
            for s, p in seen
            if keep(s)
        ]
