"""A loopback TCP proxy that injects faults: refused/reset connections and added latency.

Each ``FaultProxy`` forwards ``127.0.0.1:port`` to a target port. All proxies of a run share
one asyncio loop in a background thread (``ProxyHub``); the traffic driver flips faults from
its own thread with ``down()``, ``up()`` and ``delay()``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)

_RECHECK = 0.05  # seconds: how soon a delayed chunk sees ``delay()`` shorten its wait
_LINE_CHUNKS = 256  # chunks (of up to 64 KiB) a delay line holds before it stops reading


class FaultProxy:
    def __init__(self, hub: ProxyHub, name: str, target_port: int) -> None:
        self.hub, self.name, self.target_port = hub, name, target_port
        self.port = 0
        self.is_down = False
        self.latency = 0.0
        self.connections = 0
        self.in_flight = 0  # chunks read from one side and not yet written to the other
        self.resets = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.is_down:
            self.resets += 1
            _abort(writer)
            return
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            _abort(writer)
            return
        self.connections += 1
        self._writers.update((writer, up_w))
        try:
            await asyncio.gather(self._pipe(reader, up_w), self._pipe(up_r, writer))
        finally:
            self._writers.difference_update((writer, up_w))
            for w in (writer, up_w):
                w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A delay line: each chunk is read as it comes and written ``latency`` after it was
        read, so a link 150 ms away carries as much as any other, 150 ms later (sleeping before
        reading the next chunk capped a delayed link at a chunk per ``latency``)."""
        loop = asyncio.get_running_loop()
        line: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(_LINE_CHUNKS)
        feeder = loop.create_task(self._feed(reader, line))
        try:
            while (item := await line.get())[1]:
                read_at, data = item
                while (wait := read_at + self.latency - loop.time()) > 0:
                    await asyncio.sleep(min(wait, _RECHECK))  # ``delay()`` may shorten it
                if self.is_down:
                    break
                self.in_flight -= 1  # before it can arrive: a reader may count at once
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            feeder.cancel()
            self.in_flight -= sum(1 for _, data in _drained(line) if data)
            _abort(writer)

    async def _feed(self, reader: asyncio.StreamReader, line: asyncio.Queue[Any]) -> None:
        loop = asyncio.get_running_loop()
        try:
            while data := await reader.read(65536):
                self.in_flight += 1
                await line.put((loop.time(), data))  # a full line holds the sender back
        except (ConnectionError, OSError):
            pass
        await line.put((loop.time(), b""))  # the end, after what came before it

    def down(self) -> None:
        """Refuse new connections and reset the open ones (a dropped link)."""
        self.hub.call(self._down())

    async def _down(self) -> None:
        self.is_down = True
        for w in list(self._writers):
            self.resets += 1
            _abort(w)

    def up(self) -> None:
        self.is_down = False

    def delay(self, seconds: float) -> None:
        self.latency = max(0.0, seconds)


def _drained(line: asyncio.Queue[tuple[float, bytes]]) -> list[tuple[float, bytes]]:
    items = []
    while not line.empty():
        items.append(line.get_nowait())
    return items


def _abort(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    if not transport.is_closing():
        transport.abort()


class ProxyHub:
    """Runs the proxies' event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.proxies: dict[str, FaultProxy] = {}

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def add(self, name: str, target_port: int) -> FaultProxy:
        proxy = FaultProxy(self, name, target_port)
        self.call(proxy._start())
        self.proxies[name] = proxy
        return proxy

    def close(self) -> None:
        async def _close() -> None:
            for p in self.proxies.values():
                if p._server is not None:
                    p._server.close()
                for w in list(p._writers):
                    _abort(w)

        self.call(_close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
