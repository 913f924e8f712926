"""web3 and eth-account, imported with the interpreter's recursion limit kept sane.

eth-account imports py_ecc (for BLS keyfiles, which the node never reads), and py_ecc raises
the process's recursion limit to 100,000 on import. At that limit a deeply nested JSON
document (``json.loads`` of 100 KB of ``[``) overflows the C stack and kills the process
instead of raising ``RecursionError``. The modules that use them import this one too, before
or after them: either way the limit is back at most ``MAX_RECURSION`` (at which such a
document is a ``RecursionError``, on the main thread and on a worker thread alike)."""

from __future__ import annotations

import sys

import eth_account  # noqa: F401
import web3  # noqa: F401

MAX_RECURSION = 10_000

if sys.getrecursionlimit() > MAX_RECURSION:
    sys.setrecursionlimit(MAX_RECURSION)
