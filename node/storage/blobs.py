"""Content-addressed blob store under ``$CUSDEP_HOME/blobs``: original bytes kept by SHA-256.

Writes are atomic (temp file, fsync, rename) so a killed node never leaves a half-written blob.
Reads check the bytes against their name: a file changed on disk after it was stored is never
handed out (served, sent, exported or compared) as the document or specimen it was.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from node.errors import CusdepError, NotFound, StoredFileAltered


def writer() -> str:
    """A temp file's name part of its writer: its process and thread. Two threads of one node
    storing the same bytes at once (two identical uploads to the REST API) each wrote, then
    moved, the same temp file: the one whose file the other had moved away answered 500."""
    return f"{os.getpid()}.{threading.get_ident()}"


class BlobStore:
    def __init__(self, root: Path, gone: Callable[[str], CusdepError | None] | None = None) -> None:
        self.root = root
        # why bytes that are missing are missing (``node.retention``: disposed of), if known
        self.gone = gone

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha}.{writer()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        return sha

    def get(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``: ``NotFound`` when there are none (``Disposed``
        when the retention policy disposed of them), and
        ``StoredFileAltered`` when they no longer hash to it."""
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            why = self.gone(sha256) if self.gone is not None else None
            raise why or NotFound(f"no stored document {sha256} on this node") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoredFileAltered(
                f"the stored file of {sha256} no longer has that SHA-256 (changed on disk after "
                "it was stored): this node does not hand it out"
            )
        return data

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()
