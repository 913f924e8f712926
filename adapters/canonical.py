"""The canonical document model: :class:`Certificate` and :class:`Declaration` (pydantic v2).

Each model has the flat field vocabulary of the CLI contract as top-level fields (the names the
verification rules, templates and ``cusdep convert`` use), plus structured parts that partner
formats carry (parties, line items, transport, containers, references, attachments, notes,
treatments). Values are normalised on the way in (dates ISO, countries alpha-2, HS digits only,
container numbers upper case) with :mod:`adapters.normalize`.

The flat fields are *derivable* from the structured parts: a flat field left empty is filled
from them when the model is built (consignor from the consignor party, ``hs_code`` from the first
line item, ``net_weight_kg`` as the sum of the line items, ...). A flat field that is given wins;
:meth:`Certificate.inconsistencies` lists where it disagrees with the structured parts.

``model_dump(mode="json", exclude_none=True)`` is the canonical JSON.
"""

from __future__ import annotations

import logging
import math
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from adapters import normalize as _n
from adapters import status as _status

logger = logging.getLogger(__name__)

__all__ = [
    "CERTIFICATE_DOCUMENT_CODES",
    "REPLACES",
    "CERTIFICATE_FIELDS",
    "DECLARATION_FIELDS",
    "Identifier",
    "Address",
    "Party",
    "Package",
    "Classification",
    "Note",
    "Treatment",
    "TreatmentCharacteristic",
    "LineItem",
    "TransportMovement",
    "Container",
    "Reference",
    "Attachment",
    "SourceInfo",
    "Certificate",
    "Declaration",
    "CanonicalDocument",
    "load_canonical",
]

CERTIFICATE_FIELDS: tuple[str, ...] = (
    "certificate_number", "issue_date", "expiry_date", "place_of_issue",
    "consignor_name", "consignor_address", "consignee_name", "consignee_address",
    "origin_country", "destination_country", "commodity", "hs_code", "quantity", "unit",
    "net_weight_kg", "packages", "means_of_transport", "container_numbers", "port_of_entry",
    "establishment_number", "officer_name",
)  # fmt: skip
"""The contract's field vocabulary, in contract order."""

DECLARATION_FIELDS: tuple[str, ...] = (
    "declaration_number", "consignor_name", "consignee_name", "origin_country", "commodity",
    "hs_code", "quantity", "unit", "net_weight_kg", "packages", "port_of_entry",
    "container_numbers", "arrival_date", "certificate_numbers",
)  # fmt: skip
"""The keys of the contract's Declaration JSON example."""

CERTIFICATE_DOCUMENT_CODES: frozenset[str] = frozenset(
    {"N851", "N853", "C640", "C678", "C673", "C085", "N002", "N954", "U110", "9120"}
)
"""DE 2/3 document codes that reference certificates (phyto, CHED-P/A/D, catch, conformity,
EUR.1, statement on origin, ...): ``Declaration.certificate_numbers`` is derived from these."""


REPLACES = "replaces"
"""The ``Reference.relationship`` of the certificate a replacement certificate replaces (read
case-insensitively; IPAFFS's ``replaces``, a UN/CEFACT SPS referenced document): a replacement
carries a new number and names the one it replaces (ISPM 12), ``Certificate.replaces``."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


# --------------------------------------------------------------------- value coercion helpers


def _opt_date(value: Any) -> Any:
    if value is None or value == "":
        return None
    return _n.parse_date(value) if isinstance(value, str) else value


def _opt_country(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _n.country_code(value)


def _opt_number(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):  # JSON true is no count (pydantic would take it as 1)
        raise ValueError(f"not a number: {value!r}")
    return _n.parse_number(value) if isinstance(value, str) else value


def _opt_mass(value: Any) -> Any:
    """A mass in kilograms, as the field's name says; one written with its unit ("32.9183 t",
    "72,571 lb", "KGM") is converted (the unit was dropped: 72,571 lb read as 72,571 kg), and
    one whose unit is no mass ("5 m3") is refused."""
    if not isinstance(value, str) or not value.strip():
        return _opt_number(value)
    number, unit = _n.parse_quantity(value)
    return _n.to_kg(number, unit)


def _opt_int(value: Any) -> Any:
    number = _opt_number(value)
    if isinstance(number, float):
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {value!r}")
        return int(round(number))
    return number


def _opt_unit(value: Any) -> Any:
    """A unit by our short name where it is known ("KGM", "Kilograms", "Units" → "kg", "kg",
    "pcs": UN/ECE Rec. 20 codes read as their unit), one we do not know as written: the
    writers map the name to its Rec. 20 code (:func:`adapters.normalize.rec20_code`)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    return _n.unit_name(value) or value.strip()


def _opt_hs(value: Any) -> Any:
    if value is None or value == "":
        return None
    return _n.hs_code(value)


# ------------------------------------------------------------------------- structured parts


class Identifier(_Model):
    """An identifier of a party or item in some scheme (EORI, registration number, ...)."""

    scheme: str | None = None
    value: str


class Address(_Model):
    lines: list[str] = Field(default_factory=list)
    city: str | None = None
    postcode: str | None = None
    country: str | None = None

    _country = field_validator("country", mode="before")(_opt_country)

    def one_line(self) -> str | None:
        parts = [*self.lines, *(p for p in (self.postcode, self.city) if p)]
        return ", ".join(p for p in parts if p) or None


class Party(_Model):
    """consignor, consignee, exporter, importer, declarant, issuer, carrier, establishment, ..."""

    role: str
    name: str | None = None
    address: Address | None = None
    identifiers: list[Identifier] = Field(default_factory=list)


class Package(_Model):
    level: int | None = None
    type_code: str | None = None  # UNECE Rec. 21
    count: int | None = Field(None, ge=0)
    marks: str | None = None

    _count = field_validator("count", mode="before")(_opt_int)


class Classification(_Model):
    system: str  # HS, CN, TARIC, IPPCPCVP, ...
    code: str | None = None
    name: str | None = None


class Note(_Model):
    subject: str | None = None
    content: str
    language: str | None = None


class TreatmentCharacteristic(_Model):
    """One coded characteristic of a treatment (IPPC codes like TTCH chemical, TTTM temperature)."""

    code: str | None = None
    texts: list[Note] = Field(default_factory=list)
    value: float | None = None
    unit: str | None = None

    _value = field_validator("value", mode="before")(_opt_number)


class Treatment(_Model):
    type_code: str | None = None
    description: str | None = None
    chemical: str | None = None
    concentration: float | None = None
    concentration_unit: str | None = None
    temperature: float | None = None
    temperature_unit: str | None = None
    duration: float | None = None
    duration_unit: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    characteristics: list[TreatmentCharacteristic] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)

    _dates = field_validator("start_date", "end_date", mode="before")(_opt_date)


class LineItem(_Model):
    sequence: int | None = None
    description: str | None = None
    descriptions: list[Note] = Field(default_factory=list)  # all language variants
    common_name: str | None = None
    scientific_name: str | None = None
    intended_use: str | None = None
    hs_code: str | None = None
    classifications: list[Classification] = Field(default_factory=list)
    # a negative amount is no amount (as the document's own, which the lines' sums fill)
    quantity: float | None = Field(None, ge=0)
    unit: str | None = None
    net_weight_kg: float | None = Field(None, ge=0)
    gross_weight_kg: float | None = Field(None, ge=0)
    net_volume: float | None = Field(None, ge=0)
    gross_volume: float | None = Field(None, ge=0)
    volume_unit: str | None = None
    packages: list[Package] = Field(default_factory=list)
    origin_country: str | None = None
    origin_countries: list[str] = Field(default_factory=list)
    origin_region: str | None = None
    treatments: list[Treatment] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    establishment_number: str | None = None

    _hs = field_validator("hs_code", mode="before")(_opt_hs)
    _country = field_validator("origin_country", mode="before")(_opt_country)
    _nums = field_validator("quantity", "net_volume", "gross_volume", mode="before")(_opt_number)
    _units = field_validator("unit", "volume_unit", mode="before")(_opt_unit)
    _masses = field_validator("net_weight_kg", "gross_weight_kg", mode="before")(_opt_mass)

    @field_validator("origin_countries", mode="before")
    @classmethod
    def _countries(cls, value: Any) -> Any:
        return [_n.country_code(v) for v in value] if isinstance(value, list) else value

    def package_count(self) -> int | None:
        """Count of outer packages: level 1 (or unlevelled) packages summed."""
        outer = [p.count for p in self.packages if p.count is not None and p.level in (None, 1)]
        return sum(outer) if outer else None


class TransportMovement(_Model):
    role: str | None = None  # main-carriage | border | arrival | departure (when the format says)
    mode_code: str | None = None  # UNECE Rec. 19
    mode_name: str | None = None
    means_name: str | None = None  # vessel / flight / vehicle
    journey_id: str | None = None  # voyage or flight number
    nationality: str | None = None

    def describe(self) -> str | None:
        parts = [p for p in (self.means_name, self.journey_id) if p]
        return " ".join(parts) or self.mode_name


class Container(_Model):
    number: str | None = None  # None when only seals are known
    seals: list[str] = Field(default_factory=list)

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return _n.container_identifier(value) if isinstance(value, str) else value


class Reference(_Model):
    """A referenced document: another certificate, a CHED, a licence, an original certificate."""

    id: str
    document_code: str | None = None  # e.g. N851, N853, C640 (DE 2/3) or 851
    relationship: str | None = None  # e.g. UN/CEFACT RelationshipTypeCode
    issue_date: date | None = None
    status: str | None = None
    description: str | None = None

    _date = field_validator("issue_date", mode="before")(_opt_date)


class Attachment(_Model):
    filename: str | None = None
    mime_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    description: str | None = None
    reference_id: str | None = None
    content_base64: str | None = None


class SourceInfo(_Model):
    """Where a canonical document came from: the partner format and the original bytes' hash."""

    format_id: str
    format_version: str | None = None
    sha256: str | None = None
    issues: list[str] = Field(default_factory=list)


LineItem.model_rebuild()


# --------------------------------------------------------------------------- documents


class _Document(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)

    consignor_name: str | None = None
    consignor_address: str | None = None
    consignee_name: str | None = None
    consignee_address: str | None = None
    origin_country: str | None = None
    destination_country: str | None = None
    commodity: str | None = None
    hs_code: str | None = None
    quantity: float | None = Field(None, ge=0)
    unit: str | None = None
    net_weight_kg: float | None = Field(None, ge=0)  # a negative one is no weight at all
    packages: int | None = Field(None, ge=0)
    port_of_entry: str | None = None
    container_numbers: str | None = None

    parties: list[Party] = Field(default_factory=list)
    line_items: list[LineItem] = Field(default_factory=list)
    transport: list[TransportMovement] = Field(default_factory=list)
    containers: list[Container] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    source: SourceInfo | None = None

    _countries = field_validator("origin_country", "destination_country", mode="before")(
        _opt_country
    )
    _hs = field_validator("hs_code", mode="before")(_opt_hs)
    _nums = field_validator("quantity", mode="before")(_opt_number)
    _unit = field_validator("unit", mode="before")(_opt_unit)
    _mass = field_validator("net_weight_kg", mode="before")(_opt_mass)

    _packages = field_validator("packages", mode="before")(_opt_int)

    @field_validator("container_numbers", mode="before")
    @classmethod
    def _containers(cls, value: Any) -> Any:
        if value is None or value == "" or value == []:
            return None
        return _n.container_numbers(value, check=False) or None

    # -- derivation -------------------------------------------------------------------

    def party(self, role: str) -> Party | None:
        """The first party with ``role`` (case-insensitive)."""
        return next((p for p in self.parties if p.role.lower() == role.lower()), None)

    def container_list(self) -> list[str]:
        """``container_numbers`` as a list."""
        return [c for c in (self.container_numbers or "").split(", ") if c]

    def _derived(self) -> dict[str, Any]:
        """Flat values computed from the structured parts (None where they say nothing)."""
        out: dict[str, Any] = {}
        for role in ("consignor", "consignee"):
            party = self.party(role) or self.party(_ALT_ROLE[role])
            if party is not None:
                out[f"{role}_name"] = party.name
                out[f"{role}_address"] = party.address.one_line() if party.address else None
        items = self.line_items
        first = items[0] if items else None
        if first is not None:
            out["commodity"] = first.description or first.common_name
            out["hs_code"] = next((i.hs_code for i in items if i.hs_code), None)
            out["origin_country"] = next(
                (i.origin_country for i in items if i.origin_country), None
            )
        weights = [i.net_weight_kg for i in items if i.net_weight_kg is not None]
        out["net_weight_kg"] = round(sum(weights), 6) if weights else None
        out.update(_summed_quantity(items))
        counts = [c for c in (i.package_count() for i in items) if c is not None]
        out["packages"] = sum(counts) if counts else None
        if self.containers:
            numbers = [c.number for c in self.containers if c.number]
            out["container_numbers"] = _n.container_numbers(", ".join(numbers)) or None
        return out

    @model_validator(mode="after")
    def _fill_flat_fields(self) -> _Document:
        for name, value in self._derived().items():
            if value is not None and getattr(self, name, None) is None:
                object.__setattr__(self, name, value)
        return self

    def inconsistencies(self) -> list[str]:
        """Flat fields that disagree with what the structured parts say."""
        problems = []
        for name, derived in self._derived().items():
            given = getattr(self, name, None)
            if derived is None or given is None:
                continue
            if isinstance(derived, float) and isinstance(given, float | int):
                if abs(derived - given) > 1e-6 * max(1.0, abs(derived)):
                    problems.append(f"{name}: {given} given, {derived} from the structured parts")
            elif given != derived:
                problems.append(f"{name}: {given!r} given, {derived!r} from the structured parts")
        return problems

    def quantity_not_totalled(self) -> str | None:
        """Why the document has no quantity where lines give one: lines in different units
        (kg and pieces add up to nothing), or, in a shared unit, the lines without a quantity,
        named (by sequence number, else position from 1). None when there is a total, or
        nothing a total could have been (lines all without a unit: a WCO tariff quantity is in
        its commodity code's supplementary unit)."""
        if self.quantity is not None:
            return None
        have = [(n, i) for n, i in enumerate(self.line_items, 1) if i.quantity is not None]
        units = {i.unit for _, i in have}
        if len(units - {None}) >= 2 or (None in units and len(units) > 1):
            given = ", ".join(
                f"{i.quantity:g} {i.unit or '(no unit)'} on item {_item_label(i, n)}"
                for n, i in have
            )
            return f"no total quantity: the lines are in different units ({given})"
        if not have or len(units) != 1 or None in units or len(have) == len(self.line_items):
            return None
        unit = units.pop()
        lacking = [
            _item_label(i, n) for n, i in enumerate(self.line_items, 1) if i.quantity is None
        ]
        given = ", ".join(f"{i.quantity:g} {unit} on item {_item_label(i, n)}" for n, i in have)
        which = (
            f"item {lacking[0]} has" if len(lacking) == 1 else f"items {', '.join(lacking)} have"
        )
        return f"no total quantity: line {which} no quantity ({given})"

    def flat(self) -> dict[str, Any]:
        """Only the vocabulary fields that have a value, JSON-ready."""
        dumped = self.model_dump(mode="json", exclude_none=True)
        return {k: dumped[k] for k in self._vocabulary() if k in dumped}

    @classmethod
    def _vocabulary(cls) -> tuple[str, ...]:
        raise NotImplementedError

    def to_json_dict(self) -> dict[str, Any]:
        """The canonical JSON object: ``doc_type``, the vocabulary fields in contract order,
        then the structured parts; empty values left out."""
        data = _prune(self.model_dump(mode="json", exclude_none=True))
        head = ["doc_type", *self._vocabulary()]
        ordered = {k: data[k] for k in head if k in data}
        ordered.update((k, v) for k, v in data.items() if k not in ordered)
        return ordered


def _summed_quantity(items: list[LineItem]) -> dict[str, Any]:
    """The lines' quantities summed, only where every line has one and all are in one unit.
    A total of some lines is no total: the ePhyto sample's "33 Units" was the quantity of one
    of its two lines, and an officer would compare it with the whole consignment (see
    :meth:`_Document.quantity_not_totalled`). Quantities without a unit (a WCO tariff quantity
    is in the supplementary unit of the line's commodity code) add up to nothing on several
    lines: 10 shavers and 100 horses are not 110 of anything."""
    if not items or any(i.quantity is None for i in items):
        return {}
    units = {i.unit for i in items}
    if len(units) != 1 or (None in units and len(items) > 1):
        return {}
    return {"quantity": round(sum(i.quantity or 0.0 for i in items), 6), "unit": units.pop()}


def _item_label(item: LineItem, position: int) -> str:
    return str(item.sequence if item.sequence is not None else position)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ([], {}, "", None)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


_ALT_ROLE = {"consignor": "exporter", "consignee": "importer"}


class Certificate(_Document):
    """A certificate (phytosanitary, veterinary, origin, ...) in canonical form."""

    doc_type: Literal["certificate"] = "certificate"
    certificate_number: str | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    place_of_issue: str | None = None
    means_of_transport: str | None = None
    establishment_number: str | None = None
    officer_name: str | None = None

    title: str | None = None  # the document's printed name
    certificate_type: str | None = None  # phytosanitary | veterinary | origin | ...
    type_code: str | None = None  # e.g. UN/CEFACT 851
    status_code: str | None = None  # the raw code as the format has it: SPS 70, IPAFFS VALIDATED
    # the status in the vocabulary of ``adapters.status`` (issued, provisional, replaced,
    # withdrawn, rejected, unknown), read from ``status_code`` unless given
    status: str | None = None
    # the number of the certificate that replaced this one (IPAFFS ``replacedBy``)
    replaced_by: str | None = None
    # the number of the certificate this one replaces (ISPM 12: a replacement has a new number
    # and names the one it replaces); derived from a reference whose relationship is REPLACES
    replaces: str | None = None
    issuing_country: str | None = None
    issuing_agency: str | None = None
    export_country: str | None = None
    reexport_country: str | None = None
    transit_countries: list[str] = Field(default_factory=list)
    port_of_entry_code: str | None = None  # UN/LOCODE
    treatments: list[Treatment] = Field(default_factory=list)

    _cdates = field_validator("issue_date", "expiry_date", mode="before")(_opt_date)
    _ccountries = field_validator(
        "issuing_country", "export_country", "reexport_country", mode="before"
    )(_opt_country)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        if value is None or not str(value).strip():
            return None
        status = str(value).strip().lower()
        if status not in _status.STATUSES:
            raise ValueError(f"status must be one of {', '.join(_status.STATUSES)}")
        return status

    @model_validator(mode="after")
    def _status_from_code(self) -> Certificate:
        if self.status is None and self.status_code:
            object.__setattr__(self, "status", _status.canonical_status(self.status_code))
        return self

    @field_validator("transit_countries", mode="before")
    @classmethod
    def _transit(cls, value: Any) -> Any:
        return [_n.country_code(v) for v in value] if isinstance(value, list) else value

    @classmethod
    def _vocabulary(cls) -> tuple[str, ...]:
        return CERTIFICATE_FIELDS

    def _derived(self) -> dict[str, Any]:
        out = super()._derived()
        if self.transport:
            named = [t for t in self.transport if t.means_name] or self.transport
            out["means_of_transport"] = next((d for d in (t.describe() for t in named) if d), None)
        if out.get("origin_country") is None:
            out["origin_country"] = self.export_country
        issuer = self.party("issuer")
        if issuer is not None and issuer.name:
            out["issuing_agency"] = issuer.name
        out["replaces"] = next(
            (r.id for r in self.references if (r.relationship or "").lower() == REPLACES), None
        )
        return out


class Declaration(_Document):
    """An importer's (or exporter's) customs declaration in canonical form."""

    doc_type: Literal["declaration"] = "declaration"
    declaration_number: str | None = None
    arrival_date: date | None = None
    certificate_numbers: list[str] = Field(default_factory=list)

    lrn: str | None = None  # local reference number / UCR when the number is an MRN
    version: int | None = None  # declaration version (amendments), when the format carries one
    declaration_type: str | None = None  # e.g. IM, EX, CO (DE 1/1)
    function_code: str | None = None  # 9 original, 13 amendment, ...
    issue_date: date | None = None
    dispatch_country: str | None = None
    goods_location: str | None = None  # DE 5/23: where the goods can be examined
    gross_weight_kg: float | None = None
    currency: str | None = None

    _ddates = field_validator("arrival_date", "issue_date", mode="before")(_opt_date)
    _dcountry = field_validator("dispatch_country", mode="before")(_opt_country)
    _dnums = field_validator("gross_weight_kg", mode="before")(_opt_number)

    @classmethod
    def _vocabulary(cls) -> tuple[str, ...]:
        return DECLARATION_FIELDS

    def _derived(self) -> dict[str, Any]:
        out = super()._derived()
        refs: list[str] = []
        for ref in [*self.references, *(r for i in self.line_items for r in i.references)]:
            certificate = (
                ref.document_code is None or ref.document_code in CERTIFICATE_DOCUMENT_CODES
            )
            if certificate and ref.id and ref.id not in refs:
                refs.append(ref.id)
        out["certificate_numbers"] = refs or None
        return out

    @model_validator(mode="after")
    def _fill_certificate_numbers(self) -> Declaration:
        if not self.certificate_numbers:
            derived = self._derived()["certificate_numbers"]
            if derived:
                object.__setattr__(self, "certificate_numbers", derived)
        return self


CanonicalDocument = Certificate | Declaration


def load_canonical(data: dict[str, Any], kind: str | None = None) -> Certificate | Declaration:
    """Build the right model from canonical JSON: ``doc_type`` decides, else ``kind`` (what
    the caller expects: the contract's declaration JSON carries no ``doc_type``), else the
    keys do."""
    kind = data.get("doc_type") or kind
    if kind == "declaration" or (
        kind is None
        and ({"declaration_number", "arrival_date", "certificate_numbers"} & data.keys())
    ):
        return Declaration.model_validate(data)
    return Certificate.model_validate(data)
