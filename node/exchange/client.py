"""Calls to partner nodes over mutual TLS (``grpc.aio``): one channel per partner, pinned to
that partner's CA and TLS name. Error replies become ``RemoteRejected`` with the partner's
status and stable code."""

from __future__ import annotations

import asyncio
import logging

import grpc

from node.errors import CusdepError
from node.exchange._pb import envelope_pb2 as pb
from node.exchange._pb import exchange_pb2 as xpb
from node.exchange.partners import Partner, PartnerDirectory
from node.exchange.tls import channel_credentials, channel_options
from node.identity import Identity

logger = logging.getLogger(__name__)

SERVICE = "/cusdep.exchange.v1.Exchange/"
ERROR_CODE_KEY = "cusdep-error-code"


class RemoteRejected(CusdepError):
    """A partner refused a call; ``status`` and ``code`` are the partner's."""

    code = "cusdep.exchange.remote"

    def __init__(self, message: str, *, status: grpc.StatusCode, remote_code: str) -> None:
        super().__init__(message)
        self.grpc_status = status
        self.remote_code = remote_code


def remote_error(err: grpc.aio.AioRpcError) -> RemoteRejected:
    code = ""
    for key, value in err.trailing_metadata() or ():
        if key == ERROR_CODE_KEY:
            code = str(value)
    return RemoteRejected(err.details() or err.code().name, status=err.code(), remote_code=code)


class PartnerClient:
    def __init__(self, identity: Identity, partners: PartnerDirectory, *, max_bytes: int) -> None:
        self.identity = identity
        self.partners = partners
        self.max_bytes = max_bytes
        self._channels: dict[str, tuple[grpc.aio.Channel, Partner]] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def channel(self, partner_id: str) -> grpc.aio.Channel:
        """The partner's channel; a new one when the partner was re-pinned (endpoint or CA)."""
        partner = self.partners.require(partner_id)
        held = self._channels.get(partner_id)
        if held is not None and _same_pin(held[1], partner):
            return held[0]
        if held is not None:
            logger.info("partner %s re-pinned: opening a new channel", partner_id)
            task = asyncio.get_running_loop().create_task(held[0].close())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        channel = grpc.aio.secure_channel(
            partner.endpoint,
            channel_credentials(self.identity, partner),
            options=channel_options(partner_id, self.max_bytes),
        )
        self._channels[partner_id] = (channel, partner)
        return channel

    def deliver_stream(self, partner_id: str) -> grpc.aio.StreamStreamCall:
        method = self.channel(partner_id).stream_stream(
            SERVICE + "Deliver",
            request_serializer=None,  # frames are pre-encoded (outbox.encode_frame)
            response_deserializer=pb.DeliverResponse.FromString,
        )
        return method(wait_for_ready=False)

    async def send(
        self, partner_id: str, envelope: pb.SignedEnvelope, timeout: float = 30
    ) -> pb.Receipt:
        return await self._unary(partner_id, "Send", envelope, pb.Receipt, timeout)  # type: ignore[return-value]

    async def get_receipt(self, partner_id: str, message_id: str) -> pb.Receipt:
        req = xpb.GetReceiptRequest(message_id=message_id)
        return await self._unary(partner_id, "GetReceipt", req, pb.Receipt, 10)  # type: ignore[return-value]

    async def fetch_specimen(self, partner_id: str, sha256: str) -> xpb.Specimen:
        req = xpb.FetchSpecimenRequest(sha256=sha256)
        return await self._unary(partner_id, "FetchSpecimen", req, xpb.Specimen, 30)  # type: ignore[return-value]

    async def query_provenance(self, partner_id: str, sha256: str) -> xpb.ProvenanceReply:
        req = xpb.ProvenanceRequest(document_sha256=sha256)
        return await self._unary(partner_id, "QueryProvenance", req, xpb.ProvenanceReply, 10)  # type: ignore[return-value]

    async def _unary(self, partner_id: str, name: str, request, reply_cls, timeout: float):  # type: ignore[no-untyped-def]
        method = self.channel(partner_id).unary_unary(
            SERVICE + name,
            request_serializer=type(request).SerializeToString,
            response_deserializer=reply_cls.FromString,
        )
        try:
            return await method(request, timeout=timeout)
        except grpc.aio.AioRpcError as err:
            raise remote_error(err) from None

    async def forget(self, partner_id: str) -> None:
        held = self._channels.pop(partner_id, None)
        if held is not None:
            await held[0].close()

    async def aclose(self) -> None:
        for partner_id in list(self._channels):
            await self.forget(partner_id)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)


def _same_pin(a: Partner, b: Partner) -> bool:
    return a.endpoint == b.endpoint and a.ca_pem == b.ca_pem
