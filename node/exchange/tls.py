"""Mutual TLS material: server credentials trusting only pinned partner CAs, client credentials
pinned to one partner's CA and name, and the peer's node id from its client certificate."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import grpc
from cryptography import x509

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


CONNECT_TIMEOUT_MS = 20_000  # gRPC's own default (doc/connection-backoff.md)


def channel_options(partner_id: str, max_bytes: int) -> list[tuple[str, Any]]:
    return [
        ("grpc.ssl_target_name_override", tls_server_name(partner_id)),
        ("grpc.default_authority", tls_server_name(partner_id)),
        ("grpc.max_send_message_length", max_bytes),
        ("grpc.max_receive_message_length", max_bytes),
        # our outbox owns the retry schedule; keep gRPC's own reconnect backoff short
        ("grpc.initial_reconnect_backoff_ms", 200),
        ("grpc.max_reconnect_backoff_ms", 5_000),
        # despite its name, the least time one connection attempt (TCP, TLS, HTTP/2) is given:
        # at 200 ms every new connection to a partner 150 ms away failed "Handshake read
        # failed", and so did a loaded partner's on loopback now and then
        ("grpc.min_reconnect_backoff_ms", CONNECT_TIMEOUT_MS),
        ("grpc.keepalive_time_ms", 20_000),
        ("grpc.keepalive_timeout_ms", 10_000),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.keepalive_permit_without_calls", 1),
    ]


def peer_certificate(context: grpc.aio.ServicerContext) -> bytes | None:
    auth = context.auth_context() or {}
    certs = auth.get("x509_pem_cert") or []
    return bytes(certs[0]) if certs else None


EXPIRY_WARNING = dt.timedelta(days=30)  # `node run` warns this long before a certificate ends


def expiring_certificates(
    identity: Identity,
    partners: list[Partner],
    *,
    within: dt.timedelta = EXPIRY_WARNING,
    now: dt.datetime | None = None,
) -> list[str]:
    """Each certificate TLS with partners depends on (this node's CA and certificate, each
    pinned partner's CA) that has ended or ends within ``within``, in words: what ends, when,
    and what to do. A handshake with an expired one fails, on both sides."""
    now = now or dt.datetime.now(dt.UTC)
    out = []
    ours = [
        (
            identity.cert_pem,
            "this node's TLS certificate",
            "`cusdep identity rotate` issues a new one",
        ),
        (
            identity.ca_pem,
            "this node's CA certificate",
            "partners pin it and refuse this node's TLS after it",
        ),
    ]
    theirs = [
        (p.ca_pem, f"the CA certificate pinned for {p.node_id}", "ask its operator for a new card")
        for p in partners
    ]
    for pem, what, remedy in [*ours, *theirs]:
        try:
            end = x509.load_pem_x509_certificate(pem).not_valid_after_utc
        except ValueError:
            continue
        if end <= now:
            out.append(f"{what} expired on {end:%Y-%m-%d %H:%M}Z ({remedy})")
        elif end - now <= within:
            out.append(
                f"{what} expires on {end:%Y-%m-%d %H:%M}Z, in {(end - now).days} days ({remedy})"
            )
    return out
