"""``node.corelog.captured``: what is written to file descriptor 2 (gRPC C-core's absl lines,
anything else) becomes JSON records at the line's level, none dropped, while Python's own log
keeps its stream."""

from __future__ import annotations

import io
import json
import logging
import os

from node import corelog
from node.logging import configure

LINES = [
    b"I1206 07:30:01.123456   4242 chttp2_transport.cc:1234] an info line\n",
    b"W1206 07:30:01.123456   4242 subchannel.cc:12] a warning line\n",
    b"E1206 07:30:01.123456   4242 chttp2_server.cc:56] Failed to bind: address in use\n",
    b"E0000 00:00:1765005001.123456   4242 ssl_transport_security.cc:2563] Handshake failed with"
    b" fatal error SSL_ERROR_SSL: error:1000007d:SSL routines:OPENSSL_internal:"
    b"CERTIFICATE_VERIFY_FAILED: unable to get local issuer certificate\n",
    b"a line of another writer",  # no newline: the last line still arrives
]


def test_lines_written_to_fd_2_are_json_records_at_their_level() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure("WARNING", stream=stream)
    before = corelog.tls_handshake_failures()
    try:
        with corelog.captured():
            for line in LINES:
                os.write(2, line)
            logging.getLogger("node.test").warning("python's own")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    got = [(r["level"], r["logger"], r["msg"].split(":")[0], r.get("source")) for r in records]
    assert sorted(got, key=str) == sorted(
        [
            # the info line is below the level: not shown, as Python's info is not
            ("warning", "grpc.core", "a warning line", "subchannel.cc:12"),
            ("error", "grpc.core", "Failed to bind", "chttp2_server.cc:56"),
            (
                "warning",
                "node.exchange.tls",
                "TLS handshake refused",
                "ssl_transport_security.cc:2563",
            ),
            ("warning", "stderr", "a line of another writer", None),
            ("warning", "node.test", "python's own", None),
        ],
        key=str,
    )
    (refused,) = [r["msg"] for r in records if r["logger"] == "node.exchange.tls"]
    assert "fatal error SSL_ERROR_SSL" in refused and "CERTIFICATE_VERIFY_FAILED" in refused
    assert corelog.tls_handshake_failures() == before + 1


def test_fd_2_is_the_real_stderr_again_after() -> None:
    before = os.fstat(2)
    with corelog.captured():
        assert os.fstat(2).st_ino != before.st_ino  # the pipe
    after = os.fstat(2)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


def test_refused_handshakes_are_logged_once_a_minute_and_all_counted() -> None:
    """A scanner knocking with a bad certificate refused 500 times a minute was 500 warnings:
    now the first in full, then one summary line with the count once the minute is over (by
    the timer, or when the next refusal comes after it); the counter counts every one."""
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure("WARNING", stream=stream)
    clock, timers = [1000.0], []
    refusals = corelog.Refusals(60.0, lambda: clock[0], lambda d, fn: timers.append((d, fn)))
    line = LINES[3].decode().rstrip("\n")
    before = corelog.tls_handshake_failures()
    try:
        for n in range(500):
            clock[0] = 1000.0 + n * 0.1
            corelog._log_line(line, refusals)
        first = _records(stream)
        assert [round(t[0], 6) for t in timers] == [59.9]  # one timer, at the end of the minute
        clock[0] = 1060.0
        timers[0][1]()  # the minute is over
        after_timer = _records(stream)
        clock[0] = 1061.0
        corelog._log_line(line, refusals)  # within a minute of the summary: held
        clock[0] = 1200.0
        corelog._log_line(line, refusals)  # the summary of the one held, then this one
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    assert corelog.tls_handshake_failures() == before + 502
    assert len(first) == 1 and first[0]["msg"].startswith("TLS handshake refused: the peer's")
    assert first[0]["reason"] == "not_pinned"
    assert first[0]["source"] == "ssl_transport_security.cc:2563"
    [summary] = after_timer[1:]
    assert summary["msg"].startswith("TLS handshake refused 499 more time(s) in the last 60 s")
    assert "CERTIFICATE_VERIFY_FAILED" in summary["msg"] and summary["level"] == "warning"
    assert summary["reason"] == "not_pinned" and summary["refused"] == 499
    later = _records(stream)[2:]
    assert [r["msg"][:40] for r in later] == [
        "TLS handshake refused 1 more time(s) in ",
        "TLS handshake refused: the peer's certif",
    ]


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


# what gRPC 1.85's C core logged refusing each (measured against a real grpc.aio server)
_CORE = "I1206 17:07:21.510323   18718 ssl_transport_security.cc:2563] Handshake failed with error "
REFUSED = {
    "not_pinned": "SSL_ERROR_SSL: error:1000007d:SSL routines:OPENSSL_internal:"
    "CERTIFICATE_VERIFY_FAILED: unable to get local issuer certificate",
    "expired": "SSL_ERROR_SSL: error:1000007d:SSL routines:OPENSSL_internal:"
    "CERTIFICATE_VERIFY_FAILED: certificate has expired",
    "no_certificate": "SSL_ERROR_SSL: error:100000c0:SSL routines:OPENSSL_internal:"
    "PEER_DID_NOT_RETURN_A_CERTIFICATE: Invalid certificate verification context",
    "not_tls": "SSL_ERROR_SSL: error:1000009c:SSL routines:OPENSSL_internal:HTTP_REQUEST: "
    "Invalid certificate verification context",
    # not measured: a line of the same shape that names none of the reasons above
    "other": "SSL_ERROR_SSL: error:10000410:SSL routines:OPENSSL_internal:"
    "SSLV3_ALERT_HANDSHAKE_FAILURE",
}


def test_each_refusal_has_a_reason_and_the_last_is_kept() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure("WARNING", stream=stream)
    try:
        for reason, message in REFUSED.items():
            refusals = corelog.Refusals(60.0, lambda: 0.0, lambda d, fn: None)
            corelog._log_line(_CORE + message, refusals)
            last = corelog.last_tls_refusal()
            assert last is not None and last["reason"] == reason, message
            assert last["detail"] == "Handshake failed with error " + message
            assert last["why"] == corelog.refusal_reason(message)[1]
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    records = _records(stream)
    assert [r["reason"] for r in records] == list(REFUSED)
    assert [r["msg"].split(" (")[0] for r in records] == [
        "TLS handshake refused: the peer's certificate was issued by no CA pinned here",
        "TLS handshake refused: the peer's certificate has expired",
        "TLS handshake refused: the peer presented no certificate",
        "TLS handshake refused: the peer spoke plain HTTP, not TLS",
        "TLS handshake refused: the TLS handshake failed",
    ]
