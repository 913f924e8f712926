"""ApiServer: binds before serving (port 0 resolved, a busy port is a clear error), serves real
HTTP, and stops cleanly."""

from __future__ import annotations

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
