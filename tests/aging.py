"""Documents made old for the retention tests: their arrival (``documents.created_at``) moved
back in the node's SQLite file, since the policy counts from arrival and no test waits days."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def age_documents(db_file: Path | str, days: int, *shas: str) -> None:
    """Move the arrival of ``shas`` (every document when none is named) ``days`` days back."""
    with sqlite3.connect(db_file, timeout=30) as conn:
        ago = f"-{days} days"
        if not shas:
            conn.execute("UPDATE documents SET created_at = datetime('now', ?)", (ago,))
        for sha in shas:
            conn.execute(
                "UPDATE documents SET created_at = datetime('now', ?) WHERE sha256 = ?", (ago, sha)
            )


def dispose_aged(node: Any, home: Path, *shas: str, days: int = 30) -> list[str]:
    """Age ``shas`` (every document when none is named) ``days`` days and apply a 7-day
    retention policy (actor ``X``) to ``node`` on ``home``: the SHA-256s it disposed of."""
    from node.config import RetentionSettings
    from node.retention.service import RetentionService

    age_documents(home / "cusdep.db", days, *shas)
    policy = RetentionSettings(documents_days=7)
    service = RetentionService(node.db, node.blobs, home=home, settings=policy, actor="X")
    return [d["sha256"] for d in service.apply()["documents"]]
