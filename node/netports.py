"""Choosing free loopback ports for a node's listeners and its embedded chain."""

from __future__ import annotations

import errno
import os
import random
import socket
from pathlib import Path

from node.errors import InputError

_LISTEN_PORTS = (20000, 32768)  # below Linux's usual range for outgoing connections
_TRIES = 64
# Ports this process has handed out: each is bound only when its node starts, so until then it
# is free and could be handed out again (two test nodes initialised one after the other drew
# the same port, and the second to start could not bind it).
_HANDED_OUT: set[int] = set()


def free_port(preferred: int = 0) -> int:
    """``preferred`` if it can be bound on loopback, else a free port below the range the OS
    hands out for outgoing connections (``ip_local_port_range``), else an ephemeral one. The
    port is bound by the node later: an ephemeral one can be taken in between by any client's
    outgoing connection (a test node failed to bind 36405 so), one below that range only by
    another listener; and none is handed out twice by one process (``_HANDED_OUT``)."""
    rng = random.Random()
    low, high = _listen_range()
    below = [rng.randrange(low, high) for _ in range(_TRIES)] if high > low else []
    fresh = [c for c in below if c not in _HANDED_OUT]
    first = [preferred] if preferred and preferred not in _HANDED_OUT else []
    for candidate in first + fresh + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port = int(sock.getsockname()[1])
        _HANDED_OUT.add(port)
        return port
    raise InputError("no free TCP port on 127.0.0.1")


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (IPv6 where the host says so; SO_REUSEADDR, as the
    servers set it); ``OSError`` where the port is taken, not ours to bind, or no port at all
    (``socket.bind`` raises ``OverflowError`` for that, which the callers' ``except OSError``
    would let through as a traceback)."""
    if not 0 <= port <= 65535:
        raise OSError(errno.EINVAL, f"port must be 0-65535, got {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _listen_range() -> tuple[int, int]:
    """Where ``free_port`` draws from: ``_LISTEN_PORTS`` below the ephemeral range, or the
    slice ``CUSDEP_PORT_RANGE=LOW-HIGH`` names (processes that choose ports side by side, such
    as a test run's workers, each draw from their own: a port one chose and had not bound yet
    was free to the other, and two test nodes were configured with 29687)."""
    low, high = _LISTEN_PORTS[0], min(_LISTEN_PORTS[1], _ephemeral_low())
    named = os.environ.get("CUSDEP_PORT_RANGE", "")
    if named:
        try:
            a, b = (int(x) for x in named.split("-"))
        except ValueError:
            raise InputError(f"CUSDEP_PORT_RANGE must be LOW-HIGH, got {named!r}") from None
        if not 1024 <= a < b <= 65536:
            raise InputError(f"CUSDEP_PORT_RANGE must lie within 1024-65536, got {named!r}")
        low, high = a, b
    return low, high


def _ephemeral_low() -> int:
    """The lowest port the OS picks for outgoing connections (Linux; 32768 elsewhere)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _LISTEN_PORTS[1]
