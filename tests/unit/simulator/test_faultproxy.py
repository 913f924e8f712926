"""The fault proxy forwards bytes, refuses and resets while down, and adds latency."""

import socket
import socketserver
import threading

import pytest

from simulator.faultproxy import ProxyHub


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(data)


@pytest.fixture
def echo_port():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _roundtrip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        return got


def test_forwards_and_fails_on_demand(echo_port: int) -> None:
    hub = ProxyHub()
    try:
        proxy = hub.add("echo", echo_port)
        assert _roundtrip(proxy.port, b"hello" * 1000) == b"hello" * 1000
        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        held.sendall(b"x")
        assert held.recv(1) == b"x"
        proxy.down()
        with pytest.raises((ConnectionError, OSError)):
            held.sendall(b"y" * 100000)
            if not held.recv(1):
                raise ConnectionResetError("closed")
        held.close()
        with pytest.raises((ConnectionError, OSError)):
            if _roundtrip(proxy.port, b"ping") != b"ping":
                raise ConnectionResetError("refused while down")
        assert proxy.resets >= 2
        proxy.up()
        before = proxy.connections
        proxy.delay(0.05)
        assert _roundtrip(proxy.port, b"ping" * 5000) == b"ping" * 5000  # slow but intact
        assert proxy.connections == before + 1
    finally:
        hub.close()
