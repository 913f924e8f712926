"""gRPC C-core's own log lines in `node run`'s JSON log. The C core writes to stderr through absl,
not Python's logging: a handshake it refused was a plain line (``I1206 07:38:41.114820   31309
ssl_transport_security.cc:2563] Handshake failed with error SSL_ERROR_SSL ...``) in the middle of
the JSON lines a log shipper reads, and the only trace of a peer knocking with a certificate no
pinned partner CA issued. Here a client presenting such a certificate dials a real node: its log
stays JSON, names the refusal as a warning, and ``/metrics`` counts it."""

from __future__ import annotations

import json
import re
import urllib.request

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from node.exchange.outbox import _why
from node.identity import load_identity, tls_server_name
from tests.integration.exchange.conftest import wait_for


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
    assert warnings[0]["msg"].startswith("TLS handshake refused: Handshake failed")
    assert "CERTIFICATE_VERIFY_FAILED" in warnings[0]["msg"]
    assert warnings[0]["source"].startswith("ssl_transport_security.cc:")
