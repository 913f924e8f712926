"""One serving process per data directory.

Two ``cusdep node run`` on one ``$CUSDEP_HOME`` would share its database and chain account:
both deliver the outbox (the partner gets every message twice, under new ids), both anchor
(nonces collide). ``hold_home`` takes an exclusive lock on ``$CUSDEP_HOME/node.lock`` for as
long as the node serves; the kernel drops it when the process ends, however it ends (SIGKILL
included), so a node killed at any moment restarts without a stale lock to clear. Commands
that only queue (``send``) or read (``messages``, ``trace``) do not take it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from node.errors import ConfigError

LOCK_NAME = "node.lock"


@contextlib.contextmanager
def hold_home(home: Path, *, why: str = "one node per data directory") -> Iterator[None]:
    """Hold ``home``'s serving lock; ``ConfigError`` (exit 2) if another process holds it.
    ``cusdep identity rotate`` holds it too: no node may sign with a key being replaced."""
    path = home / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"another `cusdep node run` is serving {home} (pid {_holder(fd)}); "
                f"stop it first, {why}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip() or "unknown"
    except OSError:
        return "unknown"
