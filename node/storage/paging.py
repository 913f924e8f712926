"""One page of the rows in any of several states, in key order, read through the index on
``(state, *key)``: one ordered range per state, merged here.

SQLite answers ``state IN (a, b) ORDER BY queued_at`` by collecting every row of those states
and sorting them (a temporary B-tree), whatever the ``LIMIT``: the officers' queue page sorted
the whole open queue, results and layouts included, on every request. Each range alone is
already in the index's order, so a page reads at most ``offset + limit`` index entries of each
state and no table row but the page's own.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import tuple_
from sqlmodel import select


def page_keys(
    session: Any,
    state: Any,
    states: Sequence[str],
    key: Sequence[Any],
    limit: int,
    offset: int = 0,
) -> list[tuple[Any, ...]]:
    """The ``key`` tuples (columns, ascending) of the page ``offset``..``offset + limit`` of
    the rows whose ``state`` column is one of ``states``, in ``key`` order."""
    ranges = [
        [
            tuple(r)
            for r in session.exec(
                select(*key).where(state == s).order_by(*key).limit(offset + limit)
            )
        ]
        for s in dict.fromkeys(states)
    ]
    return list(itertools.islice(heapq.merge(*ranges), offset, offset + limit))


def nearest(
    session: Any,
    state: Any,
    states: Sequence[str],
    key: Sequence[Any],
    *,
    after: tuple[Any, ...] | None = None,
    before: tuple[Any, ...] | None = None,
) -> tuple[Any, ...] | None:
    """The ``key`` tuple next after ``after`` (or next before ``before``) in ``key`` order
    among the rows in any of ``states``: a page's neighbour; None where there is none."""
    found = []
    for s in dict.fromkeys(states):
        if after is not None:
            stmt = select(*key).where(state == s, tuple_(*key) > tuple_(*after)).order_by(*key)
        else:
            stmt = select(*key).where(state == s, tuple_(*key) < tuple_(*(before or ())))
            stmt = stmt.order_by(*(k.desc() for k in key))
        row = session.exec(stmt.limit(1)).first()
        if row is not None:
            found.append(tuple(row))
    if not found:
        return None
    return min(found) if after is not None else max(found)
