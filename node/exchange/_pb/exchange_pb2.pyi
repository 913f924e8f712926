import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from . import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetReceiptRequest(_message.Message):
    __slots__ = ("message_id",)
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    def __init__(self, message_id: _Optional[str] = ...) -> None: ...

class FetchSpecimenRequest(_message.Message):
    __slots__ = ("sha256",)
    SHA256_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    def __init__(self, sha256: _Optional[str] = ...) -> None: ...

class Specimen(_message.Message):
    __slots__ = ("sha256", "kind", "record_id", "registrar", "content")
    SHA256_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    REGISTRAR_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    sha256: str
    kind: str
    record_id: str
    registrar: str
    content: bytes
    def __init__(self, sha256: _Optional[str] = ..., kind: _Optional[str] = ..., record_id: _Optional[str] = ..., registrar: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class ProvenanceRequest(_message.Message):
    __slots__ = ("document_sha256",)
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    document_sha256: str
    def __init__(self, document_sha256: _Optional[str] = ...) -> None: ...

class ProvenanceEvent(_message.Message):
    __slots__ = ("kind", "actor", "at", "detail_json")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_JSON_FIELD_NUMBER: _ClassVar[int]
    kind: str
    actor: str
    at: _timestamp_pb2.Timestamp
    detail_json: str
    def __init__(self, kind: _Optional[str] = ..., actor: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., detail_json: _Optional[str] = ...) -> None: ...

class ProvenanceReply(_message.Message):
    __slots__ = ("document_sha256", "events")
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    document_sha256: str
    events: _containers.RepeatedCompositeFieldContainer[ProvenanceEvent]
    def __init__(self, document_sha256: _Optional[str] = ..., events: _Optional[_Iterable[_Union[ProvenanceEvent, _Mapping]]] = ...) -> None: ...
