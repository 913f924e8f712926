"""ApiServer: binds before serving (port 0 resolved, a busy port is a clear error), serves real
HTTP, and stops cleanly."""

from __future__ import annotations

import os
import socket

import httpx
import pytest

from node.api.server import ApiServer
from node.errors import ConfigError


async def test_port_zero_busy_port_and_clean_stop(node) -> None:
    first = ApiServer(node, port=0)
    await first.start()
    try:
        assert first.port != 0
        async with httpx.AsyncClient(base_url=first.url) as c:
            assert (await c.get("/health/live")).json()["status"] == "ok"
        second = ApiServer(node, port=first.port)
        with pytest.raises(ConfigError, match="already in use|cannot serve"):
            await second.start()
    finally:
        await first.aclose()
    async with httpx.AsyncClient(base_url=first.url) as c:
        with pytest.raises(httpx.ConnectError):
            await c.get("/health/live")


def _server_ends(port: int) -> list[int]:
    """TCP_NODELAY on this process's end of each connection accepted on ``port``."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            sock = socket.socket(fileno=os.dup(int(fd)))
        except OSError:
            continue  # not a socket
        try:
            if sock.type == socket.SOCK_STREAM and sock.getsockname()[1] == port:
                sock.getpeername()  # the listening socket has none
                out.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        except (OSError, IndexError, TypeError):
            pass
        finally:
            sock.close()
    return out


async def test_answers_are_not_held_back_by_nagle(node) -> None:
    """The API socket is made with ``IPPROTO_TCP``, so asyncio sets TCP_NODELAY on every
    connection it accepts (it does only for sockets of that protocol number). Without it a
    response written in two parts (headers, then body: every route behind a middleware) waited
    for the client's delayed ACK: 40-50 ms on each request of a kept-alive connection, found by
    ``bench/soak.py`` (``/health/live`` 52 ms median, 14 ms with it, on a loaded machine)."""
    server = ApiServer(node, port=0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as c:
            for _ in range(2):
                assert (await c.get("/health/live")).status_code == 200
            assert _server_ends(server.port) == [1]
    finally:
        await server.aclose()
