"""ApiServer: uvicorn in-process on ``settings.api.host/port``, a node worker.

``async start()`` returns once the socket is bound (``port`` then holds the real port, so port 0
works in tests); ``async aclose()`` stops accepting, finishes in-flight requests and returns.
Signals stay with the node (``cusdep node run``), not uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator

import uvicorn

from node.api.app import create_app
from node.errors import ConfigError
from node.netports import listening_socket
from node.runtime import Node

logger = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the node owns SIGTERM/SIGINT


def _listen(host: str, port: int) -> socket.socket:
    """Bind the API socket here, so a busy port is a clear error (and port 0 is known now)."""
    try:
        sock = listening_socket(host, port)
    except OSError as err:
        raise ConfigError(
            f"cannot serve the API on {host}:{port}: {err.strerror} "
            "(change [api] port in config.toml or CUSDEP_API__PORT)"
        ) from err
    sock.set_inheritable(True)
    return sock


class ApiServer:
    listens = True  # started before the workers (``Node.start_workers``)

    def __init__(self, node: Node, *, host: str | None = None, port: int | None = None) -> None:
        self.node = node
        self.host = host or node.settings.api.host
        self.port = node.settings.api.port if port is None else port
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        sock = _listen(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self.node),
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._serve(sock), name="api-server")
        while not self._server.started:
            if self._task.done():
                await self._task  # raises why it stopped
                raise ConfigError(f"the API server on {self.url} stopped while starting")
            await asyncio.sleep(0.01)
        logger.info("REST API and review UI on %s", self.url)

    async def _serve(self, sock: socket.socket) -> None:
        assert self._server is not None
        try:
            await self._server.serve(sockets=[sock])
        except SystemExit as err:  # uvicorn exits the process on a failed startup; we must not
            raise ConfigError(f"the API server on {self.url} failed to start") from err
        finally:
            sock.close()

    async def aclose(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await self._task
