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


def test_a_delayed_link_is_a_delay_line_not_a_bottleneck(echo_port: int) -> None:
    """A chunk read while an earlier one waits out the latency waits alongside it (a proxy that
    slept before reading the next chunk let one through per ``latency``: a partner 250 ms away
    got 4 chunks a second, whatever the link)."""
    from tests.integration.exchange.conftest import wait_for

    hub = ProxyHub()
    try:
        proxy = hub.add("echo", echo_port)
        proxy.delay(60.0)  # longer than the test: what is read waits in the line
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
            s.sendall(b"first ")
            wait_for(lambda: proxy.in_flight == 1, what="the first chunk read")
            s.sendall(b"second")
            wait_for(lambda: proxy.in_flight == 2, what="the second read beside the first")
            proxy.delay(0.0)  # the link recovers: both go on, in order, and come back
            got = b""
            while len(got) < len(b"first second") and (chunk := s.recv(4096)):
                got += chunk
        assert got == b"first second"
        assert proxy.in_flight == 0
    finally:
        hub.close()
