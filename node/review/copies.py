"""What a review compares a paper with, as contract fields: the issuer's electronic copy of
the certificate, and the importer's declaration.

Any format an adapter reads (canonical JSON, UN/CEFACT SPS XML, ...) will do; the copy must be
a certificate, the declaration a declaration whose values its model accepts (the API's intake,
the node's review and ``cusdep verify --declaration`` read one through ``declaration_fields``).
Light on imports: ``cusdep verify`` loads this module in a one-shot process.
"""

from __future__ import annotations

from typing import Any

from node.errors import InputError


def copy_fields(data: bytes, what: str = "electronic copy") -> dict[str, Any]:
    """The copy's contract fields plus ``issuing_country`` and, where it has one, its
    ``status`` (``{"status", "status_code", "replaced_by"}``: those it has, rule
    ``copy.status``); InputError if it is not one."""
    from adapters.errors import AdapterError
    from adapters.registry import parse_document
    from adapters.status import status_of

    try:
        doc, _issues, _adapter = parse_document(data, None)
    except AdapterError as err:
        raise InputError(f"{what}: not a document any adapter reads ({err})") from None
    if doc.doc_type != "certificate":
        raise InputError(f"{what}: a {doc.doc_type}, not a certificate")
    country = str(getattr(doc, "issuing_country", "") or "")
    status = status_of(doc)
    return {**doc.flat(), "issuing_country": country, **({"status": status} if status else {})}


def declaration_fields(data: bytes, what: str = "declaration") -> dict[str, Any]:
    """The declaration's contract fields (``adapters.registry.declaration_fields``);
    InputError naming the field and the value when a value is not of its type
    (``"net_weight_kg": "heavy"``, NaN, a negative weight, ``"certificate_numbers": "AU"``),
    or when it is no declaration."""
    from adapters.errors import AdapterError
    from adapters.registry import declaration_fields as fields

    try:
        return fields(data)
    except AdapterError as err:
        raise InputError(f"{what}: {err}", code=getattr(err, "code", InputError.code)) from None
