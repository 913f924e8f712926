"""Replacement certificates (ISPM 12; domain.md 3.1 item 7): an issuing administration that
replaces a certificate issues a new one, with a new number, naming the one it replaces
(``Certificate.replaces``: ePhyto's referenced document, IPAFFS's ``replaces``). The replaced
certificate is no longer accepted.

On the receiving node a replacement is an electronic certificate like any other, routed by
``node.inbound``; when it is its issuer's (a partner of its issuing country) and names a
certificate it replaces, it is checked here before anything is recorded:

* only the issuer of the replaced certificate may replace it: a replacement from a partner of
  another country than the replacement's, or naming a certificate whose issuer's copy here is
  of another country, is refused (``NotCertificateIssuer``, PERMISSION_DENIED);
* a replacement has a new number: one naming its own number is refused
  (``SameNumberReplacement``, INVALID_ARGUMENT). Re-issuing under the same number is no
  replacement: the issuer revokes the certificate (its papers listed as withdrawn) and an
  officer decides;
* a certificate is replaced once: a second replacement of it is refused
  (``ReplacedAlready``, ALREADY_EXISTS); the replacement may itself be replaced.

Recorded (``node.review.intake.record_replacement``), the replaced certificate's key has a
``certificate_replacements`` row: a paper of it presented afterwards is reviewed against a
copy marked ``replaced`` (rule ``copy.replaced``), its papers accepted before are listed with
the withdrawn ones (``node.review.withdrawn``), and the declarations naming it go to an
officer pointing to the replacement (``node.review.matching``).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from node.errors import Conflict, InputError, PermissionDenied
from node.review.tables import CertificateCopyRow, ReplacementRow
from node.storage.documents import iso
from verification.normalise import certificate_key


class NotCertificateIssuer(PermissionDenied):
    """A replacement from a partner that is not the issuer of the certificate it replaces."""

    code = "cusdep.exchange.not_certificate_issuer"


class SameNumberReplacement(InputError):
    """A replacement certificate that names its own number as the one it replaces."""

    code = "cusdep.input.replacement_number"


class ReplacedAlready(Conflict):
    """A second replacement of a certificate replaced already."""

    code = "cusdep.conflict.replaced_already"


def replacement_of(session: Any, key: str) -> dict[str, Any] | None:
    """The replacement of certificate ``key`` (``{"by", "at", "replaced_by",
    "replacement_sha256"}``), None if it was not replaced."""
    row = session.get(ReplacementRow, key) if key else None
    if row is None:
        return None
    return {
        "by": row.source,
        "at": iso(row.replaced_at),
        "replaced_by": row.replacement_number,
        "replacement_sha256": row.replacement_sha256,
    }


def replaced_text(number: str, gone: dict[str, Any]) -> str:
    """What an officer reads: "AU-CBR replaced certificate X by Y on 2026-12-06"."""
    on = str(gone.get("at") or "")[:10] or "a date not recorded"
    return f"{gone['by']} replaced certificate {number} by {gone['replaced_by']} on {on}"


def replacement_numbers(doc: Any) -> tuple[str, str]:
    """(the replaced number, the replacement's own) as ``doc`` spells them; SameNumberReplacement
    for a replacement naming its own number."""
    old, new = str(doc.replaces or "").strip(), str(doc.certificate_number or "").strip()
    if certificate_key(old) == certificate_key(new):
        raise SameNumberReplacement(
            f"certificate {new} names itself as the certificate it replaces: a replacement "
            "has a new number (ISPM 12); to withdraw a certificate, revoke it"
        )
    return old, new


def check_replacement(
    session: Any, sha: str, doc: Any, source: str, source_country: str
) -> tuple[str, str]:
    """Check partner ``source``'s (of ``source_country``) replacement ``doc`` (document
    ``sha``); returns (replaced number, replacement number) or raises why it is refused."""
    old, new = replacement_numbers(doc)
    country = str(getattr(doc, "issuing_country", "") or "").upper()
    if not country or country != source_country.upper():
        raise NotCertificateIssuer(
            f"{source} ({source_country or '?'}) is not the issuer of certificate {new} "
            f"(issued in {country or 'no country named'}): only its issuer may replace {old}"
        )
    stmt = select(CertificateCopyRow).where(
        CertificateCopyRow.certificate_number == certificate_key(old)
    )
    for copy in session.exec(stmt):
        if copy.issuing_country.upper() != country:
            raise NotCertificateIssuer(
                f"{source} may not replace certificate {old}: it was issued in "
                f"{copy.issuing_country} (sent by {copy.source}), not in {country}"
            )
    before = session.get(ReplacementRow, certificate_key(old))
    if before is not None and before.replacement_sha256 != sha:
        raise ReplacedAlready(
            f"certificate {old} was replaced already, by {before.replacement_number} "
            f"({before.source}, {iso(before.replaced_at)[:10]})"
        )
    return old, new
