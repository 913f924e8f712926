"""The officers' queues are read a page at a time through indexes, never by sorting or reading
every paper waiting (migration 0014, ``node.storage.paging``). Found by ``bench/soak.py`` and
``EXPLAIN QUERY PLAN`` on a home of a few thousand reviews: the queue page sorted every open
review with its result and layout on each request (``state IN ('review', 'reject') ORDER BY
queued_at``), the review page did so twice for its previous and next paper, the declaration
checks page every open pair, and each declaration stored read every paper in the queue, with
its result and layout, to find the few of the certificates it names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from node.runtime import Node
from tests.query_plans import plans, statements
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import declaration, labelled_scan

_QUEUES = ("reviews", "declaration_matches")


def _statements(node: Node) -> Any:
    return statements(node.db.engine)


def _plans(node: Node, seen: list[tuple[str, Any]]) -> list[tuple[str, list[str]]]:
    return plans(node.db.engine, seen, lambda s: any(f"FROM {t}" in s for t in _QUEUES))


def _sorts(plans: list[tuple[str, list[str]]]) -> list[str]:
    return [
        f"{step}: {statement[:300]}"
        for statement, plan in plans
        for step in plan
        if step.startswith("USE TEMP B-TREE") or any(step == f"SCAN {t}" for t in _QUEUES)
    ]


async def _busy(node: Node, client: Any, tokens: dict[str, str]) -> list[str]:
    """Papers in every state and pairs waiting for an officer, then copies of them to a few
    thousand rows, and the planner's statistics of such a home."""
    officer = {**bearer(tokens["officer"])}
    shas = []
    for i, label in enumerate(["forged", "genuine", "doubtful", "forged", "genuine"]):
        body = declaration(f"AU-2026-{label}-{i}")
        r = await client.post(
            "/api/v1/documents/declarations",
            content=body,
            headers={**officer, "Content-Type": "application/json"},
        )
        assert r.status_code == 201, r.text
        r = await client.post(
            "/api/v1/documents/scans",
            content=labelled_scan(f"{label}-{i}"),
            headers={**officer, "Content-Type": "image/png"},
        )
        assert r.status_code == 202, r.text
        shas.append(r.json()["sha256"])
    await node.extras["review"].process_pending()
    with node.db.engine.begin() as conn:
        for _ in range(10):  # 5 * 2^10 reviews, as many documents and pairs
            for table, key in (
                ("reviews", "sha256"),
                ("declaration_matches", "declaration_sha256"),
                ("seal_stampings", "sha256"),
            ):
                cols = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
                picked = ["lower(hex(randomblob(32)))" if c == key else c for c in cols]
                into, values = ", ".join(cols), ", ".join(picked)
                conn.exec_driver_sql(f"INSERT INTO {table} ({into}) SELECT {values} FROM {table}")
        conn.exec_driver_sql(  # each its own certificate; copies queued at the same moment
            "UPDATE reviews SET state = CASE abs(random()) % 4 WHEN 0 THEN 'accept' "
            "WHEN 1 THEN 'review' WHEN 2 THEN 'reject' ELSE 'decided' END, "
            "certificate_key = upper(hex(randomblob(6)))"
        )
        conn.exec_driver_sql(
            "UPDATE declaration_matches SET state = CASE abs(random()) % 3 "
            "WHEN 0 THEN 'consistent' WHEN 1 THEN 'review' ELSE 'inconsistent' END"
        )
        conn.execute(text("ANALYZE"))
    return shas


async def test_the_queue_pages_read_through_indexes(node, client, tokens) -> None:
    shas = await _busy(node, client, tokens)
    auditor = bearer(tokens["auditor"])
    with _statements(node) as seen:
        for path in (
            "/api/v1/review/queue",
            "/api/v1/review/queue?state=open&limit=51&offset=100",
            "/api/v1/review/queue?state=review",
            f"/api/v1/review/{shas[0]}",
            "/api/v1/declaration-checks?state=open&limit=11",
            "/api/v1/declaration-checks?state=review&offset=20",
        ):
            r = await client.get(path, headers=auditor)
            assert r.status_code == 200, r.text
    plans = _plans(node, seen)
    assert len(plans) >= 6 and _sorts(plans) == []


async def test_the_queue_page_is_the_same_page_as_before(node, client, tokens) -> None:
    """Merged from one index range per state, the page is the rows the sorted query gives."""
    await _busy(node, client, tokens)
    auditor = bearer(tokens["auditor"])
    with node.db.engine.connect() as conn:
        expected = [
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT sha256 FROM reviews WHERE state IN ('review', 'reject') "
                "ORDER BY queued_at, sha256 LIMIT 51 OFFSET 70"
            )
        ]
        pairs = [
            list(r)
            for r in conn.exec_driver_sql(
                "SELECT declaration_sha256, certificate_number FROM declaration_matches "
                "WHERE state IN ('review', 'inconsistent') "
                "ORDER BY queued_at, declaration_sha256, certificate_number LIMIT 11 OFFSET 3"
            )
        ]
    r = await client.get("/api/v1/review/queue?limit=51&offset=70", headers=auditor)
    assert [q["document_sha256"] for q in r.json()] == expected and len(expected) == 51
    r = await client.get("/api/v1/declaration-checks?state=open&limit=11&offset=3", headers=auditor)
    got = [[c["declaration_sha256"], c["certificate_number"]] for c in r.json()]
    assert got == pairs and len(pairs) == 11
    one = await client.get(f"/api/v1/review/{expected[1]}", headers=auditor)
    assert one.json()["queue"] == {"previous": expected[0], "next": expected[2]}


async def test_a_declaration_finds_its_papers_by_their_certificate_key(
    node, client, tokens
) -> None:
    await _busy(node, client, tokens)
    with _statements(node) as seen:
        r = await client.post(
            "/api/v1/documents/declarations",
            content=declaration("AU-2026-late"),
            headers={**bearer(tokens["officer"]), "Content-Type": "application/json"},
        )
        assert r.status_code == 201, r.text
    reads = [(s, plan) for s, plan in _plans(node, seen) if "FROM reviews" in s]
    assert reads, "storing a declaration looks for the papers waiting for it"
    for statement, plan in reads:
        assert "reviews.result" not in statement, statement
        assert all("ix_reviews_certificate_key" in step or "autoindex" in step for step in plan), (
            statement,
            plan,
        )


async def test_a_review_reads_the_newest_prints_of_its_die_in_order(node, client, tokens) -> None:
    """Rule ``seal.unique`` compares a paper's seal with the newest 5,000 prints of its die:
    read from the index on (seal_id, recorded_at), not all of them sorted on each review."""
    await _busy(node, client, tokens)
    r = await client.post(
        "/api/v1/documents/scans",
        content=labelled_scan("late"),
        headers={**bearer(tokens["officer"]), "Content-Type": "image/png"},
    )
    assert r.status_code == 202, r.text
    with _statements(node) as seen:
        assert await node.extras["review"].process_pending() >= 1
    with node.db.engine.connect() as conn:
        plans = [
            [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p)]
            for s, p in seen
            if "FROM seal_stampings" in s
        ]
    assert plans and all(not any("TEMP B-TREE" in step for step in plan) for plan in plans), plans
