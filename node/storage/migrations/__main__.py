"""``python -m node.storage.migrations "message"``: autogenerate the next revision.

Builds a scratch SQLite database at head, compares it with the table models and writes
``versions/<NNNN>_<message>.py``. Review the file before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from node.storage.db import Database, alembic_config


def main(argv: list[str]) -> int:
    if argv in (["-h"], ["--help"]):
        sys.stdout.write(__doc__ or "")
        return 0
    if len(argv) != 1 or not argv[0].strip() or argv[0].startswith("-"):
        sys.stderr.write('usage: python -m node.storage.migrations "what changed"\n')
        return 2
    message = argv[0].strip()
    versions = Path(__file__).parent / "versions"
    numbers = [int(p.name[:4]) for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")]
    number = 1 + max(numbers, default=0)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/scratch.db")
        db.migrate()
        with db.engine.begin() as conn:
            cfg = alembic_config(conn)
            command.revision(
                cfg, message=message, autogenerate=True, rev_id=f"{number:04d}", head="head"
            )
        db.dispose()
    created = next(versions.glob(f"{number:04d}_*.py"))
    sys.stdout.write(f"wrote {created}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
