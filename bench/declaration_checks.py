"""Declaration checks (``node.review.matching``) at volume: declarations checked against an
accepted paper, on a real SQLite home (the machine review of the one paper is the tests' fake).

    .venv/bin/python bench/declaration_checks.py [N]     # N declarations per row (500)

Rows: N declarations each naming its own certificate (the usual case; all but one wait for a
certificate), N naming one certificate (each a second use: the reuse finding names three
earlier declarations and counts the rest), the same with the finding that named every
earlier declaration, as before the audit (the baseline, measured in the same run), and N
drawing on one certificate whose rule set allows partial use (each judged on the balance the
earlier ones left, added up by the database). Prints
seconds to store and to check them, and milliseconds per check.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node.bootstrap import build_node  # noqa: E402
from node.review.intake import declarations_naming  # noqa: E402
from node.review.matching import MatchService  # noqa: E402
from tests.unit.api.fakes import (  # noqa: E402
    FakeVerifier,
    declaration,
    fakes,
    labelled_scan,
    settings,
)
from verification.rules.loader import DEFAULT_RULES, load_rules  # noqa: E402


def _every_earlier(self: MatchService, session: Any, declaration_sha: str, key: str) -> list[str]:
    """The reuse finding before the audit: every earlier declaration read and named."""
    naming = declarations_naming(session, key)
    mine = next((r for r in naming if r.sha256 == declaration_sha), None)
    if mine is None:
        return []
    earlier = [r for r in naming if (r.indexed_at, r.sha256) < (mine.indexed_at, mine.sha256)]
    return [self._number_of(r) for r in sorted(earlier, key=lambda r: r.indexed_at)]


async def _row(n: int, number: Callable[[int], str], partial: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(
        prefix="cusdep-bench-checks-", ignore_cleanup_errors=True
    ) as tmp:
        home = Path(tmp) / "home"
        node = build_node(settings(home), verifier=FakeVerifier(), **fakes())
        async with node:
            review = node.extras["review"]
            if partial:  # AU's certificates drawn on by several declarations: the balance each
                rules = home.parent / "rules.toml"
                rules.write_text(
                    DEFAULT_RULES.read_text() + '\n[sets."*/AU"]\npartial_use = true\n'
                )
                review.matches.rules = load_rules(rules)
            paper = review.submit_scan(labelled_scan("genuine"), actor="clerk")["sha256"]
            await review.process_pending()
            review.decide(paper, "accept", "checked by hand", "CN-O1")
            start = time.perf_counter()
            for i in range(n):
                body = {**json.loads(declaration(number(i))), "declaration_number": f"CN-DEC-{i}"}
                review.intake.submit_electronic(
                    json.dumps(body).encode(), kind="declaration", actor="clerk"
                )
            stored = time.perf_counter() - start
            start = time.perf_counter()
            while review.matches.process_pending():
                pass
            return stored, time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    one = "AU-2026-genuine"
    rows = [
        ("each its own certificate", lambda i: f"AU-2026-{i:06d}", False, False),
        ("one certificate", lambda i: one, False, False),
        ("one certificate, every earlier named (before)", lambda i: one, True, False),
        ("one certificate, partial use (its balance)", lambda i: one, False, True),
    ]
    print(f"{'declarations':<48} {'n':>6} {'store s':>8} {'check s':>8} {'ms/check':>9}")
    for label, number, before, partial in rows:
        original = MatchService._others
        if before:
            MatchService._others = _every_earlier  # type: ignore[method-assign]
        try:
            stored, checked = asyncio.run(_row(n, number, partial))
        finally:
            MatchService._others = original  # type: ignore[method-assign]
        print(f"{label:<48} {n:>6} {stored:>8.1f} {checked:>8.1f} {1000 * checked / n:>9.1f}")


if __name__ == "__main__":
    main()
