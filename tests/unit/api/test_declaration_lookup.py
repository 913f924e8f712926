"""The declarations naming a certificate are found through the index on
``declaration_certificates (certificate_key, ...)`` (migration 0015), never by reading every
declaration's list: the declaration checks looked a key up with ``LIKE '%"KEY"%'`` over
``declaration_index.certificate_numbers``, a scan of the whole index several times a check
(``bench/declaration_lookup.py``). The keys are written with the declaration's index row and
agree with its list whatever came (amendments, the same declaration twice, numbers spelt
twice, none at all)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from node.runtime import Node
from tests.query_plans import plans, statements
from tests.unit.api.conftest import bearer, post_declaration
from tests.unit.api.fakes import add_partner, declaration, labelled_scan, receive_copy
from verification.rules.loader import DEFAULT_RULES, load_rules

_TABLES = ("declaration_index", "declaration_certificates")


def _statements(node: Node) -> Any:
    return statements(node.db.engine, ("SELECT", "UPDATE"))


def _plans(node: Node, seen: list[tuple[str, Any]]) -> list[tuple[str, list[str]]]:
    return plans(node.db.engine, seen, lambda s: "declaration_index" in s)


def _scans(plans: list[tuple[str, list[str]]]) -> list[str]:
    """The steps reading a whole table of the index (or an alias of it: ``declaration_index_1``)."""
    return [
        f"{step}: {statement[:400]}"
        for statement, plan in plans
        for step in plan
        if any(step.startswith(f"SCAN {t}") for t in _TABLES)
    ]


def _a_year_of_declarations(node: Node, analyze: bool) -> None:
    """4,000 declarations indexed before, each naming its own certificate (the planner sees an
    index of some size); with ``analyze``, and the statistics of such a home."""
    with node.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
            "INSERT INTO declaration_index (sha256, certificate_numbers, declaration_number, "
            "net_weight_kg, packages, indexed_at) SELECT printf('%064x', i), "
            "json_array(printf('AU%08d', i)), printf('DEC-%d', i), 100.0, 4, "
            "datetime('2025-12-01', printf('+%d minutes', i)) || '.000000' FROM n"
        )
        conn.exec_driver_sql(
            "INSERT INTO declaration_certificates (declaration_sha256, certificate_key) "
            "SELECT d.sha256, j.value FROM declaration_index d, json_each(d.certificate_numbers) j "
            "WHERE d.declaration_number LIKE 'DEC-%'"
        )
        if analyze:
            conn.execute(text("ANALYZE"))


def _keys_agree(node: Node) -> list[tuple[str, str]]:
    """The association's rows, asserted to be each declaration's list, one row a key."""
    with node.db.engine.connect() as conn:
        listed = {
            (sha, key)
            for sha, numbers in conn.exec_driver_sql(
                "SELECT sha256, certificate_numbers FROM declaration_index"
            )
            for key in json.loads(numbers or "[]")
        }
        rows = [
            (str(sha), str(key))
            for sha, key in conn.exec_driver_sql(
                "SELECT declaration_sha256, certificate_key FROM declaration_certificates"
            )
        ]
    assert sorted(rows) == sorted(listed)
    return rows


async def _declare(client, tokens, number: str, certificates: list[str], **changes) -> str:
    body = {
        **json.loads(declaration("unused")),
        "declaration_number": number,
        "certificate_numbers": certificates,
        **changes,
    }
    return await post_declaration(client, tokens["officer"], body)


@pytest.mark.parametrize("partial", [False, True], ids=["reuse", "partial-use"])
@pytest.mark.parametrize("analyze", [False, True], ids=["no-statistics", "analyzed"])
async def test_the_declaration_checks_find_the_declarations_through_the_index(
    node, client, tokens, tmp_path: Path, partial: bool, analyze: bool
) -> None:
    """Every read of the declaration index in a declaration's check, an officer refusing it,
    a paper's review and ``find_declaration`` goes through an index: the reuse finding (the
    earlier declarations named), the balance of a certificate several draw on, the later ones
    queued again. Without partial use the second declaration is a second use, with it the
    balance; either way the answers are those the lists give."""
    review = node.extras["review"]
    if partial:
        edited = tmp_path / "rules.toml"
        edited.write_text(
            DEFAULT_RULES.read_text() + '\n[sets."phytosanitary/AU"]\npartial_use = true\n'
        )
        review.matches.rules = load_rules(edited)
    _a_year_of_declarations(node, analyze)
    add_partner(node, "AU-SYD", "AU")
    receive_copy(
        node, "AU-2026-LOT", net_weight_kg=1000.0, certificate_type="phytosanitary",
        consignor_name="Orchard Exports Pty Ltd",
    )  # fmt: skip
    with _statements(node) as seen:
        first = await _declare(client, tokens, "CN-DEC-1", ["AU-2026-LOT"], net_weight_kg=600.0)
        second = await _declare(client, tokens, "CN-DEC-2", ["AU 2026 LOT"], net_weight_kg=400.0)
        third = await _declare(client, tokens, "CN-DEC-3", ["AU2026LOT"], net_weight_kg=500.0)
        assert review.matches.process_pending() == 3
        checks = {}
        for sha in (first, second, third):
            r = await client.get(
                f"/api/v1/declaration-checks/{sha}", headers=bearer(tokens["auditor"])
            )
            [checks[sha]] = r.json()
        if partial:  # 600 + 400 kg of 1,000: the third's 500 kg are more than is left
            assert [checks[s]["state"] for s in (first, second, third)] == [
                "consistent",
                "consistent",
                "inconsistent",
            ], checks
        else:  # the second and third are second uses, naming the earlier ones
            assert checks[third]["state"] in ("review", "inconsistent"), checks[third]
            assert "CN-DEC-1" in str(checks[third]["reasons"])
            assert "CN-DEC-2" in str(checks[third]["reasons"])
        r = await client.post(
            f"/api/v1/declaration-checks/{third}/AU2026LOT/decision",
            json={"decision": "refuse", "reason": "checked at the border"},
            headers=bearer(tokens["officer"]),
        )
        assert r.status_code == 200, r.text
        review.matches.process_pending()
        review.submit_scan(labelled_scan("genuine"), actor="clerk")
        await review.process_pending()
        assert review.intake.find_declaration("au-2026-lot") == third
        assert review.intake.find_declaration("AU00002001") == f"{2001:064x}"
    plans = _plans(node, seen)
    assert len(plans) >= 8, plans
    assert _scans(plans) == []
    naming = [p for s, p in plans if "declaration_certificates" in s]
    assert len(naming) >= 4 and all(
        any("ix_declaration_certificates_certificate_key" in step for step in plan)
        for plan in naming
    ), naming
    assert (f"{4000:064x}", "AU00004000") in _keys_agree(node)


async def test_the_keys_agree_with_the_lists_whatever_came(node, client, tokens) -> None:
    """A key once per declaration (two spellings of one number), none for a declaration
    naming none, an amendment its own keys (the first version's kept: it is still in the
    index), the same declaration sent twice recorded once; a declaration's keys go with its
    index row."""
    first = await _declare(client, tokens, "CN-DEC-1", ["AU-2026-1", "au 2026 1", "NZ-7"])
    none = await _declare(client, tokens, "CN-DEC-2", [])
    amended = await _declare(client, tokens, "CN-DEC-1", ["NZ-7", "AU-2026-2"])
    body = {**json.loads(declaration("unused")), "certificate_numbers": ["NZ-7", "AU-2026-2"]}
    r = await client.post(  # the amendment sent again: stored already
        "/api/v1/documents/declarations",
        content=json.dumps(body).encode(),
        headers={**bearer(tokens["officer"]), "Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["sha256"]) == (200, amended)
    rows = _keys_agree(node)
    assert sorted(rows) == sorted(
        [(first, "AU20261"), (first, "NZ7"), (amended, "NZ7"), (amended, "AU20262")]
    )
    assert none not in {sha for sha, _ in rows}
    with node.db.engine.begin() as conn:  # foreign keys on: a declaration's keys go with it
        conn.execute(text("DELETE FROM declaration_index WHERE sha256 = :s"), {"s": first})
    assert sorted(_keys_agree(node)) == [(amended, "AU20262"), (amended, "NZ7")]
