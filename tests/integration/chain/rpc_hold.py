"""A JSON-RPC relay in front of a real anvil that can hold a process between sending a
transaction and seeing its receipt.

Armed, the relay forwards the next ``eth_sendRawTransaction`` to the chain (which mines it),
sets ``sent``, and from then on answers nothing until released: the process that sent it waits
for its receipt, and a test kills it there, at the moment a crash is the most costly (the chain
holds the transaction, the database does not know). Unarmed, it forwards everything.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from node.netports import free_port


class RpcHold:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.sent = threading.Event()  # the held transaction reached the chain
        self._armed = False
        self._holding = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.tx_hash: str | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def arm(self) -> None:
        """Hold after the next transaction sent."""
        with self._lock:
            self._armed, self.tx_hash = True, None
            self.sent.clear()
            self._holding.clear()
            self._released.clear()

    def release(self) -> None:
        """Answer again (held requests fail: their process is gone by then)."""
        with self._lock:
            self._armed = False
            self._holding.clear()
            self._released.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def _forward(self, body: bytes) -> bytes:
        request = urllib.request.Request(
            self.upstream, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return bytes(response.read())

    def _relay(self, body: bytes) -> bytes | None:
        """The answer to forward, or None to answer nothing (held)."""
        if self._holding.is_set():
            self._released.wait()
            return None
        answer = self._forward(body)
        with self._lock:
            if self._armed and _sends_transaction(body):
                self.tx_hash = _result(answer)
                self._holding.set()
                self.sent.set()
            else:
                return answer
        self._released.wait()  # its sender waits for the answer until it is killed
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                answer = relay._relay(body)
                if answer is None:
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _sends_transaction(body: bytes) -> bool:
    calls = json.loads(body)
    calls = calls if isinstance(calls, list) else [calls]
    return any(c.get("method") == "eth_sendRawTransaction" for c in calls)


def _result(answer: bytes) -> str | None:
    data = json.loads(answer)
    return data.get("result") if isinstance(data, dict) else None


@contextmanager
def rpc_hold(upstream: str) -> Iterator[RpcHold]:
    relay = RpcHold(upstream)
    try:
        yield relay
    finally:
        relay.close()
