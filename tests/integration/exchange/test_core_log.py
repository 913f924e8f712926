"""gRPC C-core's own log lines in `node run`'s JSON log. The C core writes to stderr through absl,
not Python's logging: a handshake it refused was a plain line (``I1206 07:38:41.114820   31309
ssl_transport_security.cc:2563] Handshake failed with error SSL_ERROR_SSL ...``) in the middle of
the JSON lines a log shipper reads, and the only trace of a peer knocking with a certificate no
pinned partner CA issued. Here a client presenting such a certificate dials a real node: its log
stays JSON, names the refusal as a warning, and ``/metrics`` counts it."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import node.identity
from node.exchange.outbox import _why
from node.identity import load_identity, tls_server_name
from tests.integration.exchange.conftest import NodeHome, pin, wait_for
from tests.integration.exchange.test_certificate_expiry import _pin_unchecked


def _refused(api_port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/metrics", timeout=10) as reply:
        text = reply.read().decode()
    found = re.search(r"^cusdep_tls_handshake_failures_total (\S+)$", text, re.MULTILINE)
    assert found, "no cusdep_tls_handshake_failures_total in /metrics"
    return float(found.group(1))


def test_a_refused_tls_handshake_is_a_json_warning_and_counted(node_factory) -> None:
    cn, stranger = node_factory("CN-SHA"), node_factory("AU-CAN")  # CN has pinned no one
    ready = cn.start()
    assert _refused(ready["api_port"]) == 0
    ours, theirs = load_identity(cn.home, cn.node_id), load_identity(stranger.home, "AU-CAN")
    credentials = grpc.ssl_channel_credentials(
        root_certificates=ours.ca_pem,  # the client trusts CN: only CN refuses
        private_key=theirs.key_pem,
        certificate_chain=theirs.cert_pem,
    )
    options = [("grpc.ssl_target_name_override", tls_server_name(cn.node_id))]
    with grpc.secure_channel(f"127.0.0.1:{cn.grpc_port}", credentials, options) as channel:
        with pytest.raises(grpc.RpcError) as refused:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    # what a sender's outbox row says of it: not a bare "Socket closed"
    assert _why(refused.value).startswith("connection closed by the partner during TLS set-up")
    wait_for(lambda: _refused(ready["api_port"]) >= 1, what="the refusal counted in /metrics")
    assert cn.stop() == 0

    lines = (cn.home / "node.log").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line is JSON: none of C-core's own
    warnings = [r for r in records if r["logger"] == "node.exchange.tls"]
    assert warnings, records
    assert warnings[0]["level"] == "warning"
    assert warnings[0]["msg"].startswith("TLS handshake refused: the peer's certificate was")
    assert warnings[0]["reason"] == "not_pinned"
    assert "CERTIFICATE_VERIFY_FAILED" in warnings[0]["msg"]
    assert warnings[0]["source"].startswith("ssl_transport_security.cc:")


def _ready_partners(api_port: int) -> dict:
    """``/health/ready``'s partners check (503 without a chain: the body still answers)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/health/ready", timeout=10) as r:
            body = r.read()
    except urllib.error.HTTPError as err:
        body = err.read()
    return json.loads(body)["checks"]["partners"]


def _knock(server: NodeHome, client: NodeHome | None) -> grpc.StatusCode | None:
    """One health call to ``server`` with ``client``'s TLS certificate (none: no certificate);
    the status code it failed with, or None if it was answered."""
    ours = load_identity(server.home, server.node_id)
    if client is None:
        credentials = grpc.ssl_channel_credentials(root_certificates=ours.ca_pem)
    else:
        theirs = load_identity(client.home, client.node_id)
        credentials = grpc.ssl_channel_credentials(
            root_certificates=ours.ca_pem,
            private_key=theirs.key_pem,
            certificate_chain=theirs.cert_pem,
        )
    options = [("grpc.ssl_target_name_override", tls_server_name(server.node_id))]
    with grpc.secure_channel(f"127.0.0.1:{server.grpc_port}", credentials, options) as channel:
        try:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        except grpc.RpcError as err:
            return err.code()
    return None


def _last_refusal(api_port: int, count: int) -> dict:
    """``/health/ready``'s last refusal, once it has counted ``count``."""

    def counted() -> dict | None:
        refused = _ready_partners(api_port).get("tls_refused") or {}
        return refused["last"] if refused.get("count") == count else None

    return wait_for(counted, what=f"refusal {count} in /health/ready")


def _tls_lines(node: NodeHome) -> list[dict]:
    records = [json.loads(line) for line in (node.home / "node.log").read_text().splitlines()]
    return [r for r in records if r["logger"] == "node.exchange.tls"]


def test_a_refused_handshake_says_why_and_health_keeps_the_last(
    node_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The receiving node's operator sees why each handshake was refused (a certificate no
    pinned CA issued, an expired one, none) as a stable ``reason`` and in words, and
    ``/health/ready`` keeps the count and the last refusal; a pinned partner's handshake leaves
    no such line. (No peer address: gRPC's C core does not report it, see ``node.corelog``.)"""
    cn, au, stranger = node_factory("CN-SHA"), node_factory("AU-CAN"), node_factory("US-NYC")
    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(
        node.identity, "_validity", lambda: (now - dt.timedelta(days=400), now - dt.timedelta(1))
    )
    ended = node_factory("NZ-AKL")  # its CA and TLS certificate ended yesterday
    monkeypatch.undo()
    pin(cn, au)
    _pin_unchecked(cn, ended)  # pinned while it was valid
    api = cn.start()["api_port"]

    assert _knock(cn, au) is None  # the pinned partner is answered
    assert "tls_refused" not in _ready_partners(api)

    assert _knock(cn, stranger) == grpc.StatusCode.UNAVAILABLE
    [line] = wait_for(lambda: _tls_lines(cn), what="the refusal's line")  # none for AU-CAN's
    assert line["level"] == "warning" and line["reason"] == "not_pinned"
    assert line["msg"].startswith(
        "TLS handshake refused: the peer's certificate was issued by no CA pinned here"
    )
    assert "unable to get local issuer certificate" in line["msg"]
    assert "peer address and certificate not reported by gRPC" in line["msg"]
    first = _ready_partners(api)["tls_refused"]
    assert first["count"] == 1 and first["last"]["reason"] == "not_pinned"

    assert _knock(cn, None) == grpc.StatusCode.UNAVAILABLE
    last = _last_refusal(api, count=2)
    assert last["reason"] == "no_certificate" and last["why"] == "the peer presented no certificate"
    assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in last["detail"]

    assert _knock(cn, ended) == grpc.StatusCode.UNAVAILABLE
    last = _last_refusal(api, count=3)
    assert last["reason"] == "expired" and "certificate has expired" in last["detail"]
    assert dt.datetime.fromisoformat(last["at"]) >= now.replace(microsecond=0)

    assert cn.stop() == 0  # refusals held within the minute are said in one summary at stop
    lines = _tls_lines(cn)
    assert lines[0]["reason"] == "not_pinned" and lines[-1]["reason"] == "expired"
    assert sum(r.get("refused", 1) for r in lines) == 3  # every refusal said, none twice
    assert "the peer's certificate has expired" in lines[-1]["msg"]
