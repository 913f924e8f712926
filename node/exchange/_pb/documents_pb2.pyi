import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Certificate(_message.Message):
    __slots__ = ("certificate_type", "template_id", "issuing_country", "certificate_number", "issue_date", "expiry_date", "place_of_issue", "consignor_name", "consignor_address", "consignee_name", "consignee_address", "origin_country", "destination_country", "commodity", "hs_code", "quantity", "unit", "net_weight_kg", "packages", "means_of_transport", "container_numbers", "port_of_entry", "establishment_number", "officer_name")
    CERTIFICATE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUING_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ISSUE_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
    PLACE_OF_ISSUE_FIELD_NUMBER: _ClassVar[int]
    CONSIGNOR_NAME_FIELD_NUMBER: _ClassVar[int]
    CONSIGNOR_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CONSIGNEE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONSIGNEE_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    NET_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    PACKAGES_FIELD_NUMBER: _ClassVar[int]
    MEANS_OF_TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    PORT_OF_ENTRY_FIELD_NUMBER: _ClassVar[int]
    ESTABLISHMENT_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OFFICER_NAME_FIELD_NUMBER: _ClassVar[int]
    certificate_type: str
    template_id: str
    issuing_country: str
    certificate_number: str
    issue_date: str
    expiry_date: str
    place_of_issue: str
    consignor_name: str
    consignor_address: str
    consignee_name: str
    consignee_address: str
    origin_country: str
    destination_country: str
    commodity: str
    hs_code: str
    quantity: float
    unit: str
    net_weight_kg: float
    packages: int
    means_of_transport: str
    container_numbers: str
    port_of_entry: str
    establishment_number: str
    officer_name: str
    def __init__(self, certificate_type: _Optional[str] = ..., template_id: _Optional[str] = ..., issuing_country: _Optional[str] = ..., certificate_number: _Optional[str] = ..., issue_date: _Optional[str] = ..., expiry_date: _Optional[str] = ..., place_of_issue: _Optional[str] = ..., consignor_name: _Optional[str] = ..., consignor_address: _Optional[str] = ..., consignee_name: _Optional[str] = ..., consignee_address: _Optional[str] = ..., origin_country: _Optional[str] = ..., destination_country: _Optional[str] = ..., commodity: _Optional[str] = ..., hs_code: _Optional[str] = ..., quantity: _Optional[float] = ..., unit: _Optional[str] = ..., net_weight_kg: _Optional[float] = ..., packages: _Optional[int] = ..., means_of_transport: _Optional[str] = ..., container_numbers: _Optional[str] = ..., port_of_entry: _Optional[str] = ..., establishment_number: _Optional[str] = ..., officer_name: _Optional[str] = ...) -> None: ...

class Declaration(_message.Message):
    __slots__ = ("declaration_number", "consignor_name", "consignee_name", "origin_country", "commodity", "hs_code", "quantity", "unit", "net_weight_kg", "packages", "port_of_entry", "container_numbers", "arrival_date", "certificate_numbers")
    DECLARATION_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CONSIGNOR_NAME_FIELD_NUMBER: _ClassVar[int]
    CONSIGNEE_NAME_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    COMMODITY_FIELD_NUMBER: _ClassVar[int]
    HS_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    NET_WEIGHT_KG_FIELD_NUMBER: _ClassVar[int]
    PACKAGES_FIELD_NUMBER: _ClassVar[int]
    PORT_OF_ENTRY_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_DATE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    declaration_number: str
    consignor_name: str
    consignee_name: str
    origin_country: str
    commodity: str
    hs_code: str
    quantity: float
    unit: str
    net_weight_kg: float
    packages: int
    port_of_entry: str
    container_numbers: str
    arrival_date: str
    certificate_numbers: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, declaration_number: _Optional[str] = ..., consignor_name: _Optional[str] = ..., consignee_name: _Optional[str] = ..., origin_country: _Optional[str] = ..., commodity: _Optional[str] = ..., hs_code: _Optional[str] = ..., quantity: _Optional[float] = ..., unit: _Optional[str] = ..., net_weight_kg: _Optional[float] = ..., packages: _Optional[int] = ..., port_of_entry: _Optional[str] = ..., container_numbers: _Optional[str] = ..., arrival_date: _Optional[str] = ..., certificate_numbers: _Optional[_Iterable[str]] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("document_sha256", "original", "media_type", "format_id", "filename", "certificate", "declaration")
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_ID_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    DECLARATION_FIELD_NUMBER: _ClassVar[int]
    document_sha256: str
    original: bytes
    media_type: str
    format_id: str
    filename: str
    certificate: Certificate
    declaration: Declaration
    def __init__(self, document_sha256: _Optional[str] = ..., original: _Optional[bytes] = ..., media_type: _Optional[str] = ..., format_id: _Optional[str] = ..., filename: _Optional[str] = ..., certificate: _Optional[_Union[Certificate, _Mapping]] = ..., declaration: _Optional[_Union[Declaration, _Mapping]] = ...) -> None: ...

class Agency(_message.Message):
    __slots__ = ("id", "country", "name")
    ID_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    country: str
    name: str
    def __init__(self, id: _Optional[str] = ..., country: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class SealSpecimen(_message.Message):
    __slots__ = ("id", "agency_id", "sha256", "image", "media_type")
    ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    agency_id: str
    sha256: str
    image: bytes
    media_type: str
    def __init__(self, id: _Optional[str] = ..., agency_id: _Optional[str] = ..., sha256: _Optional[str] = ..., image: _Optional[bytes] = ..., media_type: _Optional[str] = ...) -> None: ...

class OfficerSpecimen(_message.Message):
    __slots__ = ("id", "agency_id", "name", "valid_from", "valid_to", "signature_sha256", "signature_image", "media_type")
    ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_SHA256_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_IMAGE_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    agency_id: str
    name: str
    valid_from: str
    valid_to: str
    signature_sha256: str
    signature_image: bytes
    media_type: str
    def __init__(self, id: _Optional[str] = ..., agency_id: _Optional[str] = ..., name: _Optional[str] = ..., valid_from: _Optional[str] = ..., valid_to: _Optional[str] = ..., signature_sha256: _Optional[str] = ..., signature_image: _Optional[bytes] = ..., media_type: _Optional[str] = ...) -> None: ...

class TemplateSpecimen(_message.Message):
    __slots__ = ("id", "agency_id", "sha256", "template_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    agency_id: str
    sha256: str
    template_json: bytes
    def __init__(self, id: _Optional[str] = ..., agency_id: _Optional[str] = ..., sha256: _Optional[str] = ..., template_json: _Optional[bytes] = ...) -> None: ...

class RegistryUpdate(_message.Message):
    __slots__ = ("registrar_country", "agency", "seal", "officer", "template")
    REGISTRAR_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    SEAL_FIELD_NUMBER: _ClassVar[int]
    OFFICER_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    registrar_country: str
    agency: Agency
    seal: SealSpecimen
    officer: OfficerSpecimen
    template: TemplateSpecimen
    def __init__(self, registrar_country: _Optional[str] = ..., agency: _Optional[_Union[Agency, _Mapping]] = ..., seal: _Optional[_Union[SealSpecimen, _Mapping]] = ..., officer: _Optional[_Union[OfficerSpecimen, _Mapping]] = ..., template: _Optional[_Union[TemplateSpecimen, _Mapping]] = ...) -> None: ...

class Revocation(_message.Message):
    __slots__ = ("target", "subject_id", "reason", "revoked_at")
    class Target(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TARGET_UNSPECIFIED: _ClassVar[Revocation.Target]
        TARGET_DOCUMENT: _ClassVar[Revocation.Target]
        TARGET_AGENCY: _ClassVar[Revocation.Target]
        TARGET_SEAL: _ClassVar[Revocation.Target]
        TARGET_OFFICER: _ClassVar[Revocation.Target]
        TARGET_TEMPLATE: _ClassVar[Revocation.Target]
    TARGET_UNSPECIFIED: Revocation.Target
    TARGET_DOCUMENT: Revocation.Target
    TARGET_AGENCY: Revocation.Target
    TARGET_SEAL: Revocation.Target
    TARGET_OFFICER: Revocation.Target
    TARGET_TEMPLATE: Revocation.Target
    TARGET_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    target: Revocation.Target
    subject_id: str
    reason: str
    revoked_at: _timestamp_pb2.Timestamp
    def __init__(self, target: _Optional[_Union[Revocation.Target, str]] = ..., subject_id: _Optional[str] = ..., reason: _Optional[str] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReviewOutcome(_message.Message):
    __slots__ = ("document_sha256", "verdict", "reasons", "decided_by", "officer", "decided_at", "anchor_root", "anchor_tx", "anchor_block", "anchor_proof")
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    OFFICER_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_ROOT_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_TX_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_BLOCK_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_PROOF_FIELD_NUMBER: _ClassVar[int]
    document_sha256: str
    verdict: str
    reasons: _containers.RepeatedScalarFieldContainer[str]
    decided_by: str
    officer: str
    decided_at: _timestamp_pb2.Timestamp
    anchor_root: str
    anchor_tx: str
    anchor_block: int
    anchor_proof: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, document_sha256: _Optional[str] = ..., verdict: _Optional[str] = ..., reasons: _Optional[_Iterable[str]] = ..., decided_by: _Optional[str] = ..., officer: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., anchor_root: _Optional[str] = ..., anchor_tx: _Optional[str] = ..., anchor_block: _Optional[int] = ..., anchor_proof: _Optional[_Iterable[str]] = ...) -> None: ...
