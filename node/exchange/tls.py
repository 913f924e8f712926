"""Mutual TLS material: server credentials trusting only pinned partner CAs, client credentials
pinned to one partner's CA and name, and the peer's node id from its client certificate."""

from __future__ import annotations

import logging
from typing import Any

import grpc

from node.exchange.partners import Partner, PartnerDirectory
from node.identity import Identity, tls_server_name

logger = logging.getLogger(__name__)


def server_credentials(identity: Identity, partners: PartnerDirectory) -> grpc.ServerCredentials:
    """Client certificates are required and must chain to a pinned partner CA.

    The trust roots are re-read on new handshakes, so ``partner add`` takes effect without a
    restart. With no partner pinned yet, only our own CA is trusted (and no envelope from
    ourselves is accepted).
    """
    current = {"roots": b""}

    def _config() -> grpc.ServerCertificateConfiguration:
        roots = partners.trust_roots() or identity.ca_pem
        current["roots"] = roots
        return grpc.ssl_server_certificate_configuration(
            [(identity.key_pem, identity.cert_pem)], root_certificates=roots
        )

    def _fetch() -> grpc.ServerCertificateConfiguration | None:
        try:
            partners.refresh()
            if (partners.trust_roots() or identity.ca_pem) == current["roots"]:
                return None
            logger.info("pinned partners changed: reloading TLS trust roots")
            return _config()
        except Exception:  # never break handshakes over a reload problem
            logger.exception("could not reload TLS trust roots")
            return None

    return grpc.dynamic_ssl_server_credentials(
        _config(), _fetch, require_client_authentication=True
    )


def channel_credentials(identity: Identity, partner: Partner) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(
        root_certificates=partner.ca_pem,
        private_key=identity.key_pem,
        certificate_chain=identity.cert_pem,
    )


def channel_options(partner_id: str, max_bytes: int) -> list[tuple[str, Any]]:
    return [
        ("grpc.ssl_target_name_override", tls_server_name(partner_id)),
        ("grpc.default_authority", tls_server_name(partner_id)),
        ("grpc.max_send_message_length", max_bytes),
        ("grpc.max_receive_message_length", max_bytes),
        # our outbox owns the retry schedule; keep gRPC's own reconnect backoff short
        ("grpc.initial_reconnect_backoff_ms", 200),
        ("grpc.min_reconnect_backoff_ms", 200),
        ("grpc.max_reconnect_backoff_ms", 5_000),
        ("grpc.keepalive_time_ms", 20_000),
        ("grpc.keepalive_timeout_ms", 10_000),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.keepalive_permit_without_calls", 1),
    ]


def peer_certificate(context: grpc.aio.ServicerContext) -> bytes | None:
    auth = context.auth_context() or {}
    certs = auth.get("x509_pem_cert") or []
    return bytes(certs[0]) if certs else None
