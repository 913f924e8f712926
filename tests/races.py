"""Deterministic interleaving of two "processes" of one home (two ``Database`` objects on one
SQLite file): ``rival_before_write(db, table, rival)`` runs ``rival()`` to its commit just
before ``db``'s first INSERT or UPDATE of ``table`` (of any table: ``None``), i.e. between what
that writer read and what it writes. No threads and no sleeps: the rival runs in the writer's
own thread, on its own connection.

On SQLite, hook only a write that is the first of its transaction: once a transaction has
written, it holds the file's one write lock and the rival would wait for it (``busy_timeout``).
On PostgreSQL (row locks) any write will do, and the rival may use ``db`` itself (another
connection of its pool).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from node.storage.db import Database


def rival_before_write(db: Database, table: str | None, rival: Callable[[], Any]) -> list[Any]:
    """Arm the hook (once); returns a list that receives the rival's result when it ran."""
    ran: list[Any] = []
    armed = [True]  # disarmed before the rival runs: it may write through ``db`` too

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split(None, 5)
        verb = words[0].upper() if words else ""
        writes = verb == "UPDATE" and table in (None, words[1])
        writes |= verb == "INSERT" and (table is None or table in words[1:5])
        if writes and armed:
            armed.clear()
            ran.append(rival())

    event.listen(db.engine, "before_cursor_execute", before)
    return ran
