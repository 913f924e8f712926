"""An issuer's electronic copy of a certificate as the review compares it: contract fields.

Any format an adapter reads (canonical JSON, UN/CEFACT SPS XML, ...) will do; the copy must be
a certificate. Light on imports: ``cusdep verify --electronic-copy`` loads it in a one-shot
process.
"""

from __future__ import annotations

from typing import Any

from node.errors import InputError


def copy_fields(data: bytes, what: str = "electronic copy") -> dict[str, Any]:
    """The copy's contract fields plus ``issuing_country``; InputError if it is not one."""
    from adapters.errors import AdapterError
    from adapters.registry import parse_document

    try:
        doc, _issues, _adapter = parse_document(data, None)
    except AdapterError as err:
        raise InputError(f"{what}: not a document any adapter reads ({err})") from None
    if doc.doc_type != "certificate":
        raise InputError(f"{what}: a {doc.doc_type}, not a certificate")
    country = str(getattr(doc, "issuing_country", "") or "")
    return {**doc.flat(), "issuing_country": country}
