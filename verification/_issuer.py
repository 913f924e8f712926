"""The country a page says it was issued in, read from its own fields.

Templates that share a title and labels (the IPPC model phytosanitary certificate of Australia,
New Zealand and the United States) are told apart by the page's header and the issuing agency's
name (``templates.detect``). When only one of them is registered, a paper of another of those
countries scores as well as its own would have, and used to be reviewed under the wrong
country's template: rejected as "officer not registered with US-APHIS", "seal does not match
US-APHIS's specimens", which is true but tells the officer nothing about what the paper is.

An export certificate is issued in the exporter's country and, but for re-exports, certifies
goods of that country: where the origin read and the country closing the exporter's address
agree on one country other than the template's, the page was issued there (either alone
proves nothing: a misread, a trader abroad, goods of another origin).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adapters.normalize import NormalizationError, country_code, country_names
from verification.errors import UnknownTemplate
from verification.results import FieldValue
from verification.templates import Template


def issued_in(fields: Mapping[str, FieldValue]) -> str | None:
    """The alpha-2 code both the origin and the exporter's address name, else None."""
    origin = _value(fields, "origin_country")
    address = _address_country(_value(fields, "consignor_address"))
    return origin if origin is not None and origin == address else None


def its_own(template: Template, country: str, templates: Sequence[Template]) -> list[Template]:
    """The registered templates of ``country`` for the same kind of certificate."""
    return [
        t
        for t in templates
        if t.issuing_country == country and t.certificate_type == template.certificate_type
    ]


def not_registered(template: Template, country: str) -> UnknownTemplate:
    """The error for a page of ``country`` that only ``template`` (another country's) fits."""
    return UnknownTemplate(
        f"the page is a certificate of {_name(country)} (its origin and its exporter's address "
        f"say so) and no template of {country} fits it; the closest, {template.id}, is for "
        f"{template.issuing_country}: register {country}'s template"
    )


def poorly_fitting(template: Template, fit: float, read: int, fields: int) -> UnknownTemplate:
    """The error for a page the best template fits only in part and reads little of: most
    likely another issuer's certificate whose template is not registered here (a French
    veterinary certificate read as New Zealand's, 0.63 of its labels and 8 of 19 fields, was
    rejected on New Zealand's officers and seal), not one to reject on that template's rules."""
    return UnknownTemplate(
        f"the page fits no registered template well: the closest, {template.id} "
        f"({template.issuing_country}), fits {fit:.2f} of its title and labels and reads "
        f"{read} of its {fields} fields; if it is another issuer's certificate, register "
        "that issuer's template"
    )


def _value(fields: Mapping[str, FieldValue], name: str) -> str | None:
    fv = fields.get(name)
    return fv.value if fv is not None and fv.value else None


def _address_country(address: str | None) -> str | None:
    """The country an address ends with ("..., Hastings 4120, New Zealand" -> NZ)."""
    if not address or "," not in address:
        return None
    tail = address.rsplit(",", 1)[1].strip(" .")
    if len(tail) < 4:  # "NZ", "US": too short to tell from a misread postcode or state
        return None
    try:
        return country_code(tail)
    except NormalizationError:
        return None


def _name(code: str) -> str:
    names = country_names(code)
    return names[0] if names else code
