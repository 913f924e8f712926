"""PDF pages rendered by pdfium in a child process, within a memory limit and a deadline.

pdfium runs native code no Python-level limit can interrupt: a few KB of PDF content (forms
that draw themselves thousands of times, an image that decodes to gigapixels) kept it busy for
seconds to minutes and took GBs of the node's own memory. The child (``_pdf_child.py``, run as
``python -P``: the standard library and pypdfium2, nothing of cusdep) opens and renders the
document with its address space limited (``RLIMIT_AS``); it is killed at the deadline. Its
pages come back on a pipe as raw RGB bytes read straight into the page arrays (no pickling, no
copy), one child per document, at most ``CONCURRENT_RENDERS`` at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from verification.errors import (
    CorruptDocument,
    EncryptedDocument,
    LimitExceeded,
    VerificationError,
)

logger = logging.getLogger(__name__)

_CHILD = Path(__file__).with_name("_pdf_child.py")
_MIB = 1024 * 1024
_REFUSALS = {"corrupt": CorruptDocument, "encrypted": EncryptedDocument, "limit": LimitExceeded}
_STDERR_TAIL = 64 * 1024
# Renderers at once in this process (uploads and reviews run on threads): each may take
# ``max_render_bytes``, so this bounds their sum; a page's render is ~0.1 s, so one waits little
CONCURRENT_RENDERS = 2
_SLOTS = threading.BoundedSemaphore(CONCURRENT_RENDERS)
_HEADER = {b"R": "", b"S": "<I", b"K": "<I", b"P": "<III", b"E": "<I"}


@dataclass(frozen=True)
class RenderJob:
    """What the child is asked: ``send`` False renders and drops the pages (a check)."""

    max_pages: int
    max_pixels: int
    max_document_pixels: int
    scale: float
    min_side: int
    max_aspect: float
    max_render_bytes: int
    max_render_seconds: float
    send: bool = True


@dataclass
class _Outcome:
    """What the child said and how it ended."""

    pages: list[tuple[int, np.ndarray]] = field(default_factory=list)
    ready: bool = False
    started: int = -1  # the last page it began to render
    refusal: dict[str, str] | None = None
    returncode: int = 0
    timed_out: bool = False
    stderr: bytes = b""


def render_pdf(data: bytes, job: RenderJob) -> list[tuple[int, np.ndarray]]:
    """Each page of the PDF ``data`` as ``(index, RGB uint8 array)``; a DocumentError when
    it is refused (corrupt, encrypted, over a limit, over the memory or time it may take)."""
    with _SLOTS:  # the deadline runs from the child's start, not from the wait
        outcome = _run(data, job)
    _judge(outcome, job)
    return outcome.pages


def _run(data: bytes, job: RenderJob) -> _Outcome:
    # -P: the child's own folder (ours) is not on its path; the environment is the caller's,
    # so pypdfium2 is found wherever the caller found it
    argv = [sys.executable, "-P", str(_CHILD), json.dumps(_spec(job))]
    started = time.monotonic()
    deadline = started + job.max_render_seconds
    outcome = _Outcome()
    with _memfd(data) as stdin, _memfd(b"") as stderr:
        proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr)
        assert proc.stdout is not None
        try:
            _widen(proc.stdout.fileno())
            _read_frames(proc.stdout.fileno(), deadline, outcome, job)
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except (_Overrun, subprocess.TimeoutExpired):
            outcome.timed_out = True
        finally:
            if proc.poll() is None:  # overrun, or interrupted (KeyboardInterrupt, ...)
                proc.kill()
                proc.wait()
            proc.stdout.close()
        outcome.returncode = proc.returncode
        size = os.fstat(stderr).st_size
        outcome.stderr = os.pread(stderr, _STDERR_TAIL, max(0, size - _STDERR_TAIL))
    logger.debug("PDF renderer: exit %s after %.2f s", proc.returncode, time.monotonic() - started)
    return outcome


def _spec(job: RenderJob) -> dict[str, Any]:
    return {
        "mode": "render" if job.send else "check",
        "max_bytes": job.max_render_bytes,
        "max_pages": job.max_pages,
        "max_pixels": job.max_pixels,
        "max_document_pixels": job.max_document_pixels,
        "scale": job.scale,
        "min_side": job.min_side,
        "max_aspect": job.max_aspect,
    }


@contextlib.contextmanager
def _memfd(data: bytes) -> Iterator[int]:
    """An anonymous in-memory file holding ``data``, read from its start (the child's stdin:
    no pipe to feed against its deadline; its stderr: no pipe it could fill and stall on)."""
    fd = os.memfd_create("cusdep-pdf", os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
        yield fd
    finally:
        os.close(fd)


def _widen(fd: int) -> None:
    """A 1 MiB pipe, not 64 KiB: a page crosses it in fewer reads."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _MIB)


class _Overrun(Exception):
    """The deadline passed while the child was still rendering."""


def _read_frames(fd: int, deadline: float, outcome: _Outcome, job: RenderJob) -> None:
    """Read the child's frames until it closes its stdout; a frame cut short (the child
    died while writing it) ends them. Pages are read straight into their arrays."""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        read = functools.partial(_read_exact, fd, sel, deadline)
        kind = bytearray(1)
        while read(kind):
            fmt = _HEADER.get(bytes(kind))
            if fmt is None:
                return
            head = bytearray(struct.calcsize(fmt))
            if not read(head) or not _take(
                outcome, bytes(kind), struct.unpack(fmt, head), read, job
            ):
                return


def _read_exact(fd: int, sel: selectors.BaseSelector, deadline: float, buf: Any) -> bool:
    """Fill ``buf`` from ``fd`` (False at end of file first); _Overrun past the deadline."""
    view = memoryview(buf).cast("B")
    while view:
        if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
            raise _Overrun
        got = os.readv(fd, [view])
        if got == 0:
            return False
        view = view[got:]
    return True


_Read = Callable[[Any], bool]


def _take(
    outcome: _Outcome, kind: bytes, values: tuple[int, ...], read: _Read, job: RenderJob
) -> bool:
    """Record one frame (reading its body); False when its body was cut short."""
    if kind == b"R":
        outcome.ready = True
    elif kind in (b"S", b"K"):
        outcome.started = values[0]
    elif kind == b"P":
        i, w, h = values
        if w * h > job.max_pixels + w + h + 1:  # the child's sizes are rounded up: never more
            return False
        page = np.empty((h, w, 3), np.uint8)
        if not read(page):
            return False
        outcome.pages.append((i, page))
    elif kind == b"E":
        body = bytearray(values[0])
        if not read(body):
            return False
        outcome.refusal = json.loads(body)
    return True


def _judge(outcome: _Outcome, job: RenderJob) -> None:
    """Raise what the child's end means, if it did not end well."""
    where = f"PDF page {outcome.started + 1}" if outcome.started >= 0 else "PDF"
    memory = f"{where} needs more than {job.max_render_bytes // _MIB} MiB to render"
    if outcome.timed_out:
        raise LimitExceeded(f"PDF took longer than {job.max_render_seconds:g} s to render")
    if outcome.refusal is not None:
        kind, message = outcome.refusal["kind"], outcome.refusal["message"]
        if kind == "memory":
            raise LimitExceeded(memory)
        raise _REFUSALS[kind](message)
    if outcome.returncode == 0:
        return
    _log_stderr(outcome)
    if not outcome.ready:
        raise VerificationError(f"the PDF renderer did not start (exit {outcome.returncode})")
    if outcome.returncode == -signal.SIGABRT:  # how pdfium stops when an allocation fails
        raise LimitExceeded(memory)
    raise CorruptDocument(f"{where} stopped the renderer ({_ending(outcome.returncode)})")


def _ending(returncode: int) -> str:
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return f"exit {returncode}"


def _log_stderr(outcome: _Outcome) -> None:
    text = outcome.stderr.decode("utf-8", "replace").strip()
    if text:
        logger.warning("PDF renderer (exit %s): %s", outcome.returncode, text[-2000:])
