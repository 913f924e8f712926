"""What gRPC's C core writes to stderr, as JSON records of ``node run``'s log.

The C core logs through absl straight to file descriptor 2 (``I1206 07:38:41.114820   31309
ssl_transport_security.cc:2563] Handshake failed ...``), outside Python's logging: those lines
broke the JSON-lines log a collector reads. No Python API reaches absl's log sinks, and
``GRPC_VERBOSITY=ERROR`` only drops lines: with grpcio 1.85 a refused TLS handshake is an INFO
line, the only trace an operator gets of a peer knocking with a certificate no pinned partner
CA issued (or one that has ended). So while ``node run`` serves, ``captured()`` points fd 2 at
a pipe whose lines a thread logs as records: ``grpc.core`` at the line's own level (I info, W
warning, E error, F critical), any other line (a child process's, a C library's) as ``stderr``
at warning. Python's own stderr (the JSON handler) keeps writing to the real stderr.

A refused handshake is promoted to a warning of ``node.exchange.tls`` saying why in words and
as a stable ``reason`` field (``refusal_reason``: ``not_pinned``, ``expired``, ``not_yet_valid``,
``no_certificate``, ``not_tls``, ``other``), counted (``tls_handshake_failures``, ``/metrics``'
``cusdep_tls_handshake_failures_total``), and kept as the last refusal (``last_tls_refusal``,
shown by ``/health/ready``). It names no peer address and no certificate: grpcio offers no hook
on a failed handshake (grpc/grpc#32893, #38665; no verify callback in Python, #32635), the C core
logs the address only in its debug traces (``GRPC_TRACE=handshaker``, an internal format), and
BoringSSL refuses the certificate before gRPC sees it.
A scanner hammering the gRPC port would flood the log with them: the first of a minute is
logged in full, the others of that minute are counted and said in one summary line at its end
(``Refusals``); the counter counts every one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

_CORE = logging.getLogger("grpc.core")
_OTHER = logging.getLogger("stderr")
_TLS = logging.getLogger("node.exchange.tls")

# absl's prefix: severity, MMDD, time (or 00:00:<epoch> before absl knows the time), thread
_ABSL = re.compile(r"^([IWEF])\d{4} \d+:\d+:[\d.]+\s+\d+ ([^\s\]]+:\d+)\] ?(.*)$")
_LEVELS = {"I": logging.INFO, "W": logging.WARNING, "E": logging.ERROR, "F": logging.CRITICAL}
_JOIN_SECONDS = 2.0  # at stop, for the lines still in the pipe


class _Counts:
    tls_handshake_failures = 0
    last_refusal: dict[str, Any] | None = None


# (what BoringSSL's line says, reason, in words): the first that the line contains
_REASONS = (
    ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "no_certificate", "the peer presented no certificate"),
    ("certificate has expired", "expired", "the peer's certificate has expired"),
    ("certificate is not yet valid", "not_yet_valid", "the peer's certificate is not yet valid"),
    (
        "unable to get local issuer certificate",
        "not_pinned",
        "the peer's certificate was issued by no CA pinned here",
    ),
    ("self signed certificate", "not_pinned", "the peer's certificate is self-signed, not pinned"),
    ("self-signed certificate", "not_pinned", "the peer's certificate is self-signed, not pinned"),
    ("HTTP_REQUEST", "not_tls", "the peer spoke plain HTTP, not TLS"),
    ("WRONG_VERSION_NUMBER", "not_tls", "the peer did not speak TLS"),
)
_OTHER_REASON = ("other", "the TLS handshake failed")
# what gRPC's C core does not say, in every refusal line (see the module docstring)
_UNNAMED = (
    "peer address and certificate not reported by gRPC; a partner delivering to this node has "
    "it in its outbox row's error"
)


def refusal_reason(message: str) -> tuple[str, str]:
    """A refused handshake's C-core message as a stable reason and the same in words."""
    for needle, reason, words in _REASONS:
        if needle in message:
            return reason, words
    return _OTHER_REASON


def last_tls_refusal() -> dict[str, Any] | None:
    """The last TLS handshake refused in this process: ``at`` (ISO UTC), ``reason``, ``why``
    (words) and ``detail`` (the C core's own message); ``None`` before the first."""
    last = _Counts.last_refusal
    return dict(last) if last else None


class Refusals:
    """Refused handshakes logged at most once per ``every`` seconds: the first in full, the
    ones after it within ``every`` counted and said in one summary line when ``every`` has
    passed (``schedule(delay, flush)``, a timer by default), or at ``flush()``."""

    def __init__(
        self,
        every: float = 60.0,
        now: Callable[[], float] = time.monotonic,
        schedule: Callable[[float, Callable[[], None]], object] | None = None,
    ) -> None:
        self.every, self._now, self._schedule = every, now, schedule or _timer
        self._lock = threading.Lock()
        self._logged_at: float | None = None
        self._held = 0
        self._last = ("", "")  # the last held refusal's message and source

    def refused(self, message: str, source: str) -> None:
        with self._lock:
            at = self._now()
            if self._logged_at is None or at - self._logged_at >= self.every:
                self._flush_locked()
                self._logged_at = at
                reason, words = refusal_reason(message)
                _TLS.warning(
                    "TLS handshake refused: %s (%s): %s",
                    words,
                    _UNNAMED,
                    message,
                    extra={"source": source, "reason": reason},
                )
                return
            self._held += 1
            self._last = (message, source)
            if self._held == 1:
                self._schedule(self._logged_at + self.every - at, self.flush)

    def flush(self) -> None:
        """Say the refusals held since the last line, if any."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._held:
            return
        message, source = self._last
        since = self._now() - (self._logged_at or 0.0)
        reason, words = refusal_reason(message)
        _TLS.warning(
            "TLS handshake refused %d more time(s) in the last %.0f s, not logged one by one "
            "(the last: %s: %s) (%s)",
            self._held,
            since,
            words,
            message,
            _UNNAMED,
            extra={"source": source, "refused": self._held, "reason": reason},
        )
        self._held = 0
        self._logged_at = self._now()


def _timer(delay: float, fn: Callable[[], None]) -> object:
    timer = threading.Timer(max(0.0, delay), fn)
    timer.daemon = True
    timer.start()
    return timer


_REFUSALS = Refusals()


def tls_handshake_failures() -> int:
    """TLS handshakes the C core refused in this process since it started (either side's
    certificate not trusted by the other, or ended)."""
    return _Counts.tls_handshake_failures


@contextlib.contextmanager
def captured() -> Iterator[None]:
    """Inside the block, lines written to fd 2 are logged as records (see the module); after
    it fd 2 is the real stderr again, and the lines still in the pipe have been logged."""
    sys.stderr.flush()
    real = os.dup(2)
    stream = open(real, "w", buffering=1, encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    moved = _point_python_at(stream)
    reader = threading.Thread(target=_forward, args=(read_end, stream), name="corelog", daemon=True)
    reader.start()
    try:
        yield
    finally:
        os.dup2(real, 2)  # closes this process's write end: the reader reads to the end
        reader.join(_JOIN_SECONDS)  # (a child process still holding the pipe: not waited for)
        _REFUSALS.flush()  # the refusals held back, said before the log stops
        _point_python_back(moved, stream)
        stream.close()


def _point_python_at(stream: IO[str]) -> Any:
    """Make Python's stderr (and the log handlers writing to it) write to ``stream`` when it
    writes to fd 2, so that its lines do not pass the pipe; what to restore."""
    old = sys.stderr
    if not _on_fd2(old):
        return None
    sys.stderr = stream
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is old:
            handler.setStream(stream)
    return old


def _point_python_back(old: Any, stream: IO[str]) -> None:
    if old is None:
        return
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is stream:
            handler.setStream(old)
    sys.stderr = old


def _on_fd2(stream: Any) -> bool:
    try:
        return bool(stream.fileno() == 2)
    except (AttributeError, OSError, ValueError):  # pytest's capture, a closed stream
        return False


def _forward(read_end: int, real: IO[str]) -> None:
    """Log each line read from the pipe until its last writer closes it. A line that cannot be
    logged is written to the ``real`` stderr as it came: the reader must not stop (a full pipe
    would block the writers, gRPC's threads among them)."""
    with open(read_end, "rb") as pipe:
        for raw in pipe:
            line = raw.decode("utf-8", "backslashreplace").rstrip("\r\n")
            if not line.strip():
                continue
            try:
                _log_line(line)
            except Exception:
                with contextlib.suppress(Exception):
                    real.write(line + "\n")


def _log_line(line: str, refusals: Refusals | None = None) -> None:
    """One line as a record: an absl line at its level with its ``source`` (file:line), a
    refused TLS handshake as a warning saying what it means, any other line as is."""
    match = _ABSL.match(line)
    if match is None:
        _OTHER.warning("%s", line)
        return
    severity, source, message = match.groups()
    if source.startswith("ssl_transport_security.cc:") and "Handshake failed" in message:
        _Counts.tls_handshake_failures += 1
        reason, words = refusal_reason(message)
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        _Counts.last_refusal = {"at": at, "reason": reason, "why": words, "detail": message}
        (refusals or _REFUSALS).refused(message, source)
        return
    _CORE.log(_LEVELS[severity], "%s", message, extra={"source": source})
