"""Namespaces, versions and small helpers shared by the SPS reader and writer."""

from __future__ import annotations

import re

FORMAT_ID = "uncefact-sps-xml"
UNCEFACT = "urn:un:unece:uncefact:data:standard:"
ROOT_PREFIX = UNCEFACT + "SPSCertificate:"
SUPPORTED_VERSIONS = ("17", "8")
NAMESPACES: dict[str, dict[str, str]] = {
    "17": {
        "rsm": ROOT_PREFIX + "17",
        "ram": UNCEFACT + "ReusableAggregateBusinessInformationEntity:21",
        "udt": UNCEFACT + "UnqualifiedDataType:21",
    },
    "8": {
        "rsm": ROOT_PREFIX + "8",
        "ram": UNCEFACT + "ReusableAggregateBusinessInformationEntity:8",
        "udt": UNCEFACT + "UnqualifiedDataType:8",
    },
}
"""Namespaces we write per root version (we read any UN/CEFACT RAM/UDT version)."""

# UN/CEFACT 1001 document name codes of the certificates this node exchanges, and the
# certificate types of the templates (verification) that print them
CERTIFICATE_TYPES = {
    "851": "phytosanitary",
    "852": "health",
    "853": "veterinary_health",
    "861": "origin",
}
TYPE_CODES = {
    **{kind: code for code, kind in CERTIFICATE_TYPES.items()},
    "sanitary": "852",
    "veterinary": "853",
}
"""UN/CEFACT document type codes we name; others keep only ``type_code`` (no guessing)."""


def is_uncefact(namespace: str | None) -> bool:
    return bool(namespace) and str(namespace).startswith(UNCEFACT)


def root_version(namespace: str | None) -> str | None:
    if not namespace or not namespace.startswith(ROOT_PREFIX):
        return None
    version = namespace[len(ROOT_PREFIX) :]
    return version if re.fullmatch(r"\d+(p\d+)?", version) else None


# ePhyto's "other quantity" of a trade line item, carried as two notes (value, unit)
OTHER_QTY_VALUE, OTHER_QTY_UNIT = "OQV", "OQU"
