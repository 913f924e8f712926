"""ApiServer: uvicorn in-process on ``settings.api.host/port``, a node worker.

``async start()`` returns once the socket is bound (``port`` then holds the real port, so port 0
works in tests); ``async aclose()`` stops accepting, finishes in-flight requests and returns.
Signals stay with the node (``cusdep node run``), not uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator

import uvicorn

from node.api.app import create_app
from node.runtime import Node

logger = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the node owns SIGTERM/SIGINT


class ApiServer:
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
        config = uvicorn.Config(
            create_app(self.node),
            host=self.host,
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        self._server = _Server(config)
        self._task = asyncio.create_task(self._server.serve(), name="api-server")
        while not self._server.started:
            if self._task.done():
                await self._task  # raises the bind error
                raise OSError(f"API server on {self.host}:{self.port} did not start")
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        logger.info("REST API and review UI on %s", self.url)

    async def aclose(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await self._task
