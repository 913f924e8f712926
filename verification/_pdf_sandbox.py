"""PDF pages rendered by pdfium in a child process, within a memory limit and a deadline.

pdfium runs native code no Python-level limit can interrupt: a few KB of PDF content (forms
that draw themselves thousands of times, an image that decodes to gigapixels) kept it busy for
seconds to minutes and took GBs of the node's own memory. The child (``_pdf_child.py``, run as
``python -I``: the standard library and pypdfium2, nothing of cusdep) opens and renders the
document with its address space limited (``RLIMIT_AS``); it is killed at the deadline. Its
pages come back on a pipe as raw RGB bytes (no pickling), one child per document.
"""

from __future__ import annotations

import json
import logging
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

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
_HEADER = {b"R": "", b"S": "<I", b"K": "<I", b"P": "<III", b"E": "<I"}


@dataclass(frozen=True)
class RenderJob:
    """What the child is asked: ``send`` False renders and drops the pages (a check)."""

    max_pages: int
    max_pixels: int
    scale: float
    min_side: int
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
    outcome = _run(data, job)
    _judge(outcome, job)
    return outcome.pages


def _run(data: bytes, job: RenderJob) -> _Outcome:
    spec = {
        "mode": "render" if job.send else "check",
        "max_bytes": job.max_render_bytes,
        "max_pages": job.max_pages,
        "max_pixels": job.max_pixels,
        "scale": job.scale,
        "min_side": job.min_side,
    }
    argv = [sys.executable, "-I", str(_CHILD), json.dumps(spec)]
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    timed_out = False
    try:
        try:
            out, err = proc.communicate(data, timeout=job.max_render_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            out, err = proc.communicate()
    finally:
        if proc.poll() is None:  # interrupted (KeyboardInterrupt, ...): never left running
            proc.kill()
            proc.wait()
    logger.debug("PDF renderer: exit %s after %.2f s", proc.returncode, time.monotonic() - started)
    outcome = _parse(out)
    outcome.returncode, outcome.timed_out, outcome.stderr = proc.returncode, timed_out, err
    return outcome


def _parse(out: bytes) -> _Outcome:
    """The child's frames; a frame cut short (a child killed while writing) ends them."""
    outcome = _Outcome()
    view, pos = memoryview(out), 0
    while pos < len(out):
        kind = bytes(view[pos : pos + 1])
        fmt = _HEADER.get(kind)
        if fmt is None or pos + 1 + struct.calcsize(fmt) > len(out):
            break
        values = struct.unpack_from(fmt, out, pos + 1)
        pos += 1 + struct.calcsize(fmt)
        size = _body_size(kind, values)
        if pos + size > len(out):
            break
        _take(outcome, kind, values, out, pos)
        pos += size
    return outcome


def _body_size(kind: bytes, values: tuple[int, ...]) -> int:
    if kind == b"P":
        return values[1] * values[2] * 3
    return values[0] if kind == b"E" else 0


def _take(outcome: _Outcome, kind: bytes, values: tuple[int, ...], out: bytes, pos: int) -> None:
    if kind == b"R":
        outcome.ready = True
    elif kind == b"S":
        outcome.started = values[0]
    elif kind == b"P":
        i, w, h = values
        outcome.pages.append((i, np.frombuffer(out, np.uint8, w * h * 3, pos).reshape(h, w, 3)))
    elif kind == b"E":
        outcome.refusal = json.loads(out[pos : pos + values[0]])


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
