"""The gRPC edge: a thin servicer (decode → ExchangeService → encode), health, reflection, and
``GrpcExchangeServer``, the lifecycle component that serves it over mutual TLS.

Requests arrive as raw bytes and are decoded here: an undecodable message is quarantined and
audited like any other rejection, and an undecodable query (``GetReceipt``, ``FetchSpecimen``,
``QueryProvenance``: a string field that is not UTF-8, bytes that are not protobuf) is
INVALID_ARGUMENT, ``cusdep.exchange.malformed``, instead of failing inside the gRPC library
(UNKNOWN "Unexpected DecodeError", logged as a server error).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TypeVar

import grpc
from google.protobuf.message import DecodeError, Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from node.errors import ConfigError
from node.exchange._pb import envelope_pb2 as pb
from node.exchange._pb import exchange_pb2 as xpb
from node.exchange.errors import MalformedMessage, OversizedMessage
from node.exchange.inbox import MAX_FRAME_ENVELOPES, Ack
from node.exchange.interceptors import ErrorMappingInterceptor
from node.exchange.service import ExchangeService
from node.exchange.tls import peer_certificate, server_credentials
from node.netports import listening_socket

logger = logging.getLogger(__name__)

SERVICE_NAME = xpb.DESCRIPTOR.services_by_name["Exchange"].full_name
M = TypeVar("M", bound=Message)


def _ld(tag: int, data: bytes) -> bytes:
    """One length-delimited protobuf field."""
    out = bytearray([tag])
    n = len(data)
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out) + data


def _ack(ack: Ack) -> bytes:
    """A serialized DeliveryAck, reusing the receipt bytes already signed and stored."""
    head = _ld(0x0A, ack.message_id.encode())
    if ack.error is not None:
        err = ack.error
        rejection = pb.Rejection(
            status_code=err.grpc_status.value[0], error_code=err.code, message=err.message
        )
        return head + _ld(0x1A, rejection.SerializeToString())
    assert ack.receipt_bytes is not None
    return head + _ld(0x12, ack.receipt_bytes)


def _acks(acks: list[Ack]) -> bytes:
    """A serialized DeliverResponse (field 1: the acks, in order)."""
    return b"".join(_ld(0x0A, _ack(a)) for a in acks)


async def _pump(requests: AsyncIterator[bytes], frames: asyncio.Queue[bytes | None]) -> None:
    try:
        async for raw in requests:
            await frames.put(raw)
    except BaseException:
        with contextlib.suppress(asyncio.QueueFull):
            frames.put_nowait(None)
        raise
    await frames.put(None)


class ExchangeServicer:
    def __init__(self, service: ExchangeService) -> None:
        self.service = service

    def _peer(self, context: grpc.aio.ServicerContext) -> str | None:
        cert = peer_certificate(context)
        return self.service.partners.identify(cert) if cert else None

    async def _decode(self, cls: type[M], raw: bytes, peer: str | None) -> M:
        try:
            return cls.FromString(raw)
        except DecodeError:
            err = MalformedMessage(f"{cls.__name__} does not decode")
            await asyncio.to_thread(self.service.reject_raw, peer, raw, err)
            raise err from None

    @staticmethod
    def _query(cls: type[M], raw: bytes) -> M:
        """A query decoded: ``MalformedMessage`` (INVALID_ARGUMENT) saying why if it does not."""
        try:
            return cls.FromString(raw)
        except DecodeError as err:
            why = str(err).rpartition(": ")[2] or "not protobuf"
            raise MalformedMessage(f"{cls.__name__} does not decode: {why}") from None

    async def deliver(
        self, requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[bytes]:
        """Pipelined: frame k+1 is checked (CPU) while frame k commits (fsync, in a thread);
        acknowledgements still leave in order, and only after their frame is durable."""
        peer = self._peer(context)
        frames: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=2)
        reader = asyncio.create_task(_pump(requests, frames))
        pending: asyncio.Task[list[Ack]] | None = None
        try:
            while True:
                if pending is not None and frames.empty():
                    yield _acks(await pending)  # nothing to overlap with: flush now
                    pending = None
                raw = await frames.get()
                if raw is None:
                    break
                frame = await self._decode(pb.DeliverRequest, raw, peer)
                await self._check_frame(frame, raw, peer)
                checked = self.service.inbox.check(peer, frame.envelopes)
                if pending is not None:
                    yield _acks(await pending)
                pending = asyncio.create_task(self.service.inbox.commit(checked))
            if pending is not None:
                yield _acks(await pending)
                pending = None
        finally:
            reader.cancel()
            if pending is not None:  # the stream broke: still finish the commit in flight
                await asyncio.shield(pending)

    async def _check_frame(self, frame: pb.DeliverRequest, raw: bytes, peer: str | None) -> None:
        """A frame of more envelopes than any node frames is refused whole (the stream ends),
        quarantined and audited once, not envelope by envelope (``MAX_FRAME_ENVELOPES``)."""
        count = len(frame.envelopes)
        if count > MAX_FRAME_ENVELOPES:
            err = OversizedMessage(
                f"a frame of {count} envelopes exceeds {MAX_FRAME_ENVELOPES} per frame"
            )
            await asyncio.to_thread(self.service.reject_raw, peer, raw, err)
            raise err

    async def send(self, raw: bytes, context: grpc.aio.ServicerContext) -> pb.Receipt:
        peer = self._peer(context)
        envelope = await self._decode(pb.SignedEnvelope, raw, peer)
        (ack,) = await self.service.receive(peer, [envelope])
        if ack.error is not None:
            raise ack.error
        assert ack.receipt is not None
        return ack.receipt

    async def get_receipt(self, raw: bytes, context: grpc.aio.ServicerContext) -> pb.Receipt:
        request = self._query(xpb.GetReceiptRequest, raw)
        return await asyncio.to_thread(
            self.service.receipt_for, self._peer(context), request.message_id
        )

    async def fetch_specimen(self, raw: bytes, context: grpc.aio.ServicerContext) -> xpb.Specimen:
        self._require_peer(context)
        request = self._query(xpb.FetchSpecimenRequest, raw)
        return await asyncio.to_thread(self.service.specimen, request.sha256)

    async def query_provenance(
        self, raw: bytes, context: grpc.aio.ServicerContext
    ) -> xpb.ProvenanceReply:
        request = self._query(xpb.ProvenanceRequest, raw)
        return await asyncio.to_thread(
            self.service.provenance, self._peer(context), request.document_sha256
        )

    def _require_peer(self, context: grpc.aio.ServicerContext) -> str:
        from node.exchange.errors import UnknownSender

        peer = self._peer(context)
        if peer is None:
            raise UnknownSender("client certificate is not a pinned partner's")
        return peer

    def handler(self) -> grpc.GenericRpcHandler:
        raw = {"request_deserializer": None}
        methods = {
            "Deliver": grpc.stream_stream_rpc_method_handler(self.deliver, **raw),  # type: ignore[arg-type]
            "Send": grpc.unary_unary_rpc_method_handler(
                self.send, response_serializer=pb.Receipt.SerializeToString, **raw
            ),  # type: ignore[arg-type]
            "GetReceipt": _unary(self.get_receipt),
            "FetchSpecimen": _unary(self.fetch_specimen),
            "QueryProvenance": _unary(self.query_provenance),
        }
        return grpc.method_handlers_generic_handler(SERVICE_NAME, methods)


def _unary(behaviour) -> grpc.RpcMethodHandler:  # type: ignore[no-untyped-def]
    """A query's handler: the request's raw bytes to the servicer (``_query`` decodes them,
    where a bad one is the caller's error, not a deserializer's failure inside gRPC)."""
    return grpc.unary_unary_rpc_method_handler(
        behaviour, response_serializer=lambda m: m.SerializeToString()
    )


def _probe(address: str) -> None:
    """Bind ``address`` once and let go, so a port taken is one clear error before gRPC's core
    logs its own lines about it."""
    host, _, port = address.rpartition(":")
    if not port.isdigit() or int(port) == 0:
        return
    try:
        listening_socket(host.strip("[]"), int(port)).close()
    except OSError as err:
        raise _cannot_serve(address, err.strerror or "cannot bind") from None


def _cannot_serve(address: str, why: str) -> ConfigError:
    return ConfigError(
        f"cannot serve gRPC on {address}: {why} "
        "(change [exchange] grpc_port in config.toml or CUSDEP_EXCHANGE__GRPC_PORT)"
    )


class GrpcExchangeServer:
    """Serves the Exchange service, health and reflection on ``exchange.host:grpc_port``."""

    listens = True  # started before the workers (``Node.start_workers``)

    def __init__(self, service: ExchangeService, *, port: int | None = None) -> None:
        self.service = service
        settings = service.settings.exchange
        self.address = f"{settings.host}:{settings.grpc_port if port is None else port}"
        self.port = 0
        self.limit = settings.max_message_bytes + (4 << 20)
        self.health: health.aio.HealthServicer | None = None
        self.server: grpc.aio.Server | None = None

    async def start(self) -> None:
        # Built here, not in __init__: grpc.aio binds to the running event loop.
        self.health = health.aio.HealthServicer()
        self.server = grpc.aio.server(
            interceptors=[ErrorMappingInterceptor()],
            options=[
                ("grpc.max_receive_message_length", self.limit),
                ("grpc.max_send_message_length", self.limit),
                ("grpc.so_reuseport", 0),
                # partners' channels ping every 20 s, idle or not (``tls.channel_options``):
                # allowed, or the server answers GOAWAY "too_many_pings" and drops them. On a
                # connection without calls gRPC core takes any ping within two hours of the
                # last for a strike whatever these say, so strikes are not counted: only a
                # pinned partner (mTLS) gets as far as sending a ping
                ("grpc.keepalive_permit_without_calls", 1),
                ("grpc.http2.min_recv_ping_interval_without_data_ms", 10_000),
                ("grpc.http2.max_ping_strikes", 0),
            ],
        )
        self.server.add_generic_rpc_handlers((ExchangeServicer(self.service).handler(),))
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
        )
        creds = server_credentials(self.service.identity, self.service.partners)
        _probe(self.address)
        try:
            self.port = self.server.add_secure_port(self.address, creds)
        except RuntimeError:  # grpcio >= 1.60 raises where older ones returned 0
            self.port = 0
        if self.port == 0:
            raise _cannot_serve(self.address, "the port is taken")
        await self.server.start()
        await self.health.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        logger.info("exchange serving on port %d", self.port)

    async def aclose(self) -> None:
        """Stop accepting calls, let in-flight ones finish within the drain grace, stop."""
        if self.server is None or self.health is None:
            return
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.service.settings.exchange.drain_seconds)
