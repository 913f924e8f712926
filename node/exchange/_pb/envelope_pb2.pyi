import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MessageKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_KIND_UNSPECIFIED: _ClassVar[MessageKind]
    MESSAGE_KIND_CERTIFICATE: _ClassVar[MessageKind]
    MESSAGE_KIND_DECLARATION: _ClassVar[MessageKind]
    MESSAGE_KIND_REGISTRY_UPDATE: _ClassVar[MessageKind]
    MESSAGE_KIND_REVOCATION: _ClassVar[MessageKind]
    MESSAGE_KIND_REVIEW_OUTCOME: _ClassVar[MessageKind]

class Disposition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISPOSITION_UNSPECIFIED: _ClassVar[Disposition]
    DISPOSITION_ACCEPTED: _ClassVar[Disposition]
MESSAGE_KIND_UNSPECIFIED: MessageKind
MESSAGE_KIND_CERTIFICATE: MessageKind
MESSAGE_KIND_DECLARATION: MessageKind
MESSAGE_KIND_REGISTRY_UPDATE: MessageKind
MESSAGE_KIND_REVOCATION: MessageKind
MESSAGE_KIND_REVIEW_OUTCOME: MessageKind
DISPOSITION_UNSPECIFIED: Disposition
DISPOSITION_ACCEPTED: Disposition

class EnvelopeHeader(_message.Message):
    __slots__ = ("message_id", "kind", "sender_node", "recipient_node", "created_at", "payload_sha256", "signer_key_id")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SENDER_NODE_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_NODE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNER_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    kind: MessageKind
    sender_node: str
    recipient_node: str
    created_at: _timestamp_pb2.Timestamp
    payload_sha256: bytes
    signer_key_id: str
    def __init__(self, message_id: _Optional[str] = ..., kind: _Optional[_Union[MessageKind, str]] = ..., sender_node: _Optional[str] = ..., recipient_node: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., payload_sha256: _Optional[bytes] = ..., signer_key_id: _Optional[str] = ...) -> None: ...

class SignedEnvelope(_message.Message):
    __slots__ = ("header", "payload", "signature")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    header: EnvelopeHeader
    payload: bytes
    signature: bytes
    def __init__(self, header: _Optional[_Union[EnvelopeHeader, _Mapping]] = ..., payload: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...

class Receipt(_message.Message):
    __slots__ = ("message_id", "envelope_digest", "receiver_node", "sender_node", "accepted_at", "disposition", "signer_key_id", "signature")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ENVELOPE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    RECEIVER_NODE_FIELD_NUMBER: _ClassVar[int]
    SENDER_NODE_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_AT_FIELD_NUMBER: _ClassVar[int]
    DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    SIGNER_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    envelope_digest: bytes
    receiver_node: str
    sender_node: str
    accepted_at: _timestamp_pb2.Timestamp
    disposition: Disposition
    signer_key_id: str
    signature: bytes
    def __init__(self, message_id: _Optional[str] = ..., envelope_digest: _Optional[bytes] = ..., receiver_node: _Optional[str] = ..., sender_node: _Optional[str] = ..., accepted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., disposition: _Optional[_Union[Disposition, str]] = ..., signer_key_id: _Optional[str] = ..., signature: _Optional[bytes] = ...) -> None: ...

class Rejection(_message.Message):
    __slots__ = ("status_code", "error_code", "message")
    STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    status_code: int
    error_code: str
    message: str
    def __init__(self, status_code: _Optional[int] = ..., error_code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class DeliveryAck(_message.Message):
    __slots__ = ("message_id", "receipt", "rejection")
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    REJECTION_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    receipt: Receipt
    rejection: Rejection
    def __init__(self, message_id: _Optional[str] = ..., receipt: _Optional[_Union[Receipt, _Mapping]] = ..., rejection: _Optional[_Union[Rejection, _Mapping]] = ...) -> None: ...

class DeliverRequest(_message.Message):
    __slots__ = ("envelopes",)
    ENVELOPES_FIELD_NUMBER: _ClassVar[int]
    envelopes: _containers.RepeatedCompositeFieldContainer[SignedEnvelope]
    def __init__(self, envelopes: _Optional[_Iterable[_Union[SignedEnvelope, _Mapping]]] = ...) -> None: ...

class DeliverResponse(_message.Message):
    __slots__ = ("acks",)
    ACKS_FIELD_NUMBER: _ClassVar[int]
    acks: _containers.RepeatedCompositeFieldContainer[DeliveryAck]
    def __init__(self, acks: _Optional[_Iterable[_Union[DeliveryAck, _Mapping]]] = ...) -> None: ...
