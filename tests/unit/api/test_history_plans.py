"""The routes a node answers all year read pages and counts through indexes, never a table of
its whole history row by row (migration 0008). Measured on a home of 300k documents and 350k
messages: ``/metrics`` 1.3 s a scrape, ``/messages`` 0.5 s for its first page and 3.4 s at
offset 150,000, ``/documents`` 0.5 s a page; each of them grew with the history."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

from node.runtime import Node
from tests.query_plans import statements
from tests.unit.api.conftest import bearer

_HISTORY = ("documents", "exchange_inbox", "exchange_outbox", "exchange_rejections")


def _statements(node: Node) -> Any:
    return statements(node.db.engine)


def _whole_reads(node: Node, statements: list[tuple[str, Any]]) -> list[str]:
    """The plan steps that read a history table row by row, or sort or group all of it."""
    bad = []
    with node.db.engine.connect() as conn:
        for statement, params in statements:
            plan = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]
            if not any(t in statement for t in _HISTORY):
                continue
            for step in plan:
                # a scan in rowid order (seq, id: the primary key) stops at the page's end
                whole = any(
                    step == f"SCAN {t}" and not re.search(rf"ORDER BY {t}\.(seq|id)\b", statement)
                    for t in _HISTORY
                )
                if whole or step in (
                    "USE TEMP B-TREE FOR ORDER BY",
                    "USE TEMP B-TREE FOR GROUP BY",
                ):
                    bad.append(f"{step}: {' '.join(statement.split())[:300]}")
    return bad


async def test_metrics_and_the_lists_read_through_indexes(node, client, tokens) -> None:
    with node.db.engine.begin() as conn:  # the planner's statistics of a busy node's tables
        conn.execute(text("ANALYZE"))
    with _statements(node) as seen:
        assert (await client.get("/metrics")).status_code == 200
        for path in (
            "/api/v1/messages",
            "/api/v1/messages?direction=in&offset=10",
            "/api/v1/messages?direction=out",
            "/api/v1/documents",
        ):
            assert (await client.get(path, headers=bearer(tokens["auditor"]))).status_code == 200
    assert seen and _whole_reads(node, seen) == []
