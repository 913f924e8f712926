"""Applying a partner's registry update or revocation (the receiving half of registry sync).

A record is taken only from the partner that is the authority for it: the sender's pinned
country must be the record's registrar, and an agency or template must be of that same country.
Then the record is checked against the registrar's record on the TrustRegistry contract: it must
be there, authoritative, not revoked, and carry the same SHA-256 — of the specimen bytes that
came with the message, which are hashed here — and the same agency or country. Only then is it
stored as a confirmed local record (``source`` = the partner), where the review's
``build_specimens`` finds it. A revocation is applied when the chain shows the record revoked.

Each check that fails raises its own error (a specific code for the audit row); nothing is
stored then. ``check_*`` do the (async) checks and return a ``Change`` whose ``write`` runs in
the caller's transaction, together with the inbox row's new state.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from node.errors import PermissionDenied, VerificationFailed
from node.exchange._pb import documents_pb2 as docs
from node.exchange.errors import MalformedMessage
from node.ports import TrustRegistryChain
from node.registry import validate
from node.registry.sync import TARGETS
from node.registry.tables import RegistryRecordRow
from node.storage.blobs import BlobStore
from node.storage.core import utcnow

_HASH_FIELD = {"seal": "image_sha256", "officer": "signature_sha256", "template": "template_sha256"}
_KIND_OF_TARGET = {int(v): k for k, v in TARGETS.items()}


class NotAuthoritative(PermissionDenied):
    """The sender is not the authority for this record's registrar or country."""

    code = "cusdep.registry.not_authoritative"


class NotOnChain(VerificationFailed):
    """The record is not on the TrustRegistry under the sender's registrar."""

    code = "cusdep.registry.not_on_chain"


class RevokedOnChain(VerificationFailed):
    code = "cusdep.registry.revoked_on_chain"


class NotRevokedOnChain(VerificationFailed):
    code = "cusdep.registry.not_revoked_on_chain"


class SpecimenMismatch(VerificationFailed):
    """The specimen (or the record's agency/country) differs from the chain's record."""

    code = "cusdep.registry.specimen_mismatch"


@dataclass
class Change:
    """A checked record, ready to write: ``write(session)`` stores it; ``summary`` for logs."""

    kind: str
    registrar: str
    record_id: str
    action: str  # stored | revoked | absent
    fields: dict[str, Any] = field(default_factory=dict)
    agency_id: str = ""
    country: str = ""
    sha256: str = ""
    source: str = ""

    @property
    def summary(self) -> str:
        return f"{self.action} {self.kind} {self.registrar}/{self.record_id}"

    def write(self, session: Session) -> None:
        key = (self.kind, self.registrar, self.record_id)
        row = session.get(RegistryRecordRow, key)
        if self.action == "stored":
            if row is None:
                row = RegistryRecordRow(
                    kind=self.kind, registrar=self.registrar, record_id=self.record_id
                )
                session.add(row)
            row.agency_id, row.country, row.sha256 = self.agency_id, self.country, self.sha256
            row.fields, row.authoritative, row.source = self.fields, True, self.source
            row.state, row.updated_at = "confirmed", utcnow()
        elif self.action == "revoked" and row is not None:
            row.state, row.updated_at = "revoked", utcnow()
            row.fields = {**row.fields, **self.fields}


@dataclass
class _Claim:
    kind: str
    record_id: str
    agency_id: str = ""
    country: str = ""
    sha256: str = ""
    content: bytes = b""
    fields: dict[str, Any] = field(default_factory=dict)


async def check_update(
    chain: TrustRegistryChain,
    blobs: BlobStore,
    *,
    sender: str,
    sender_country: str,
    update: docs.RegistryUpdate,
) -> Change:
    registrar = update.registrar_country.upper()
    if registrar != sender_country:
        raise NotAuthoritative(
            f"{sender} is pinned for {sender_country}; it cannot send records of registrar "
            f"{registrar or '(none)'}"
        )
    claim = _claim(update)
    if claim.country and claim.country != registrar:
        raise NotAuthoritative(
            f"{claim.kind} {claim.record_id} is of {claim.country}: "
            f"{registrar} is not its authority"
        )
    record = await chain.get(claim.kind, registrar, claim.record_id)
    _check_on_chain(claim, registrar, record)
    assert record is not None
    if claim.content:
        await asyncio.to_thread(blobs.put, claim.content)
    if claim.kind == "officer":  # validity as the chain holds it (unix seconds)
        claim.fields.update(valid_from=record["valid_from"], valid_to=record["valid_to"])
    return Change(
        claim.kind,
        registrar,
        claim.record_id,
        "stored",
        {**claim.fields, "id": claim.record_id, "authoritative": True},
        claim.agency_id,
        claim.country or (registrar if claim.kind in ("seal", "officer") else ""),
        claim.sha256,
        sender,
    )


async def check_revocation(
    chain: TrustRegistryChain, *, sender: str, sender_country: str, revocation: docs.Revocation
) -> Change:
    kind = _KIND_OF_TARGET.get(int(revocation.target))
    if kind is None:
        raise MalformedMessage("not a registry revocation")
    record = await chain.get(kind, sender_country, revocation.subject_id)
    if record is None:
        raise NotOnChain(f"{kind} {sender_country}/{revocation.subject_id} is not on the chain")
    if not record.get("revoked_at"):
        raise NotRevokedOnChain(
            f"{sender} revoked {kind} {sender_country}/{revocation.subject_id}, "
            "but the chain does not show it revoked"
        )
    detail = {"revoked_reason": revocation.reason, "revoked_by": sender}
    return Change(kind, sender_country, revocation.subject_id, "revoked", detail, source=sender)


def _claim(update: docs.RegistryUpdate) -> _Claim:
    which = update.WhichOneof("record")
    if which == "agency":
        a = update.agency
        validate.record_id(a.id, "agency id")
        country = validate.country(a.country, "agency country")
        return _Claim("agency", a.id, country=country, fields={"country": country, "name": a.name})
    if which == "seal":
        s = update.seal
        validate.record_id(s.id, "seal id")
        _same_bytes("seal", s.id, s.image, s.sha256, image=True)
        return _Claim(
            "seal",
            s.id,
            s.agency_id,
            sha256=s.sha256,
            content=s.image,
            fields={"agency_id": s.agency_id, "image_sha256": s.sha256},
        )
    if which == "officer":
        o = update.officer
        validate.record_id(o.id, "officer id")
        _same_bytes("officer", o.id, o.signature_image, o.signature_sha256, image=True)
        fields = {
            "agency_id": o.agency_id,
            "signature_sha256": o.signature_sha256,
            "name": o.name,
            "valid_from_date": o.valid_from,
            "valid_to_date": o.valid_to,
        }
        return _Claim(
            "officer",
            o.id,
            o.agency_id,
            sha256=o.signature_sha256,
            content=o.signature_image,
            fields=fields,
        )
    if which == "template":
        t = update.template
        _same_bytes("template", t.id, t.template_json, t.sha256, image=False)
        doc = validate.template_json(t.template_json, known_keys_only=False)
        if doc["id"] != t.id:
            raise MalformedMessage(f"template {t.id} carries the JSON of template {doc['id']}")
        country = str(doc["issuing_country"]).upper()
        fields = {"template_sha256": t.sha256, "certificate_type": doc["certificate_type"]}
        return _Claim(
            "template",
            t.id,
            str(doc["agency"]),
            country,
            t.sha256,
            t.template_json,
            {**fields, "agency_id": str(doc["agency"]), "country": country},
        )
    raise MalformedMessage("registry update names no record")


def _same_bytes(kind: str, record_id: str, content: bytes, sha: str, *, image: bool) -> None:
    if image:
        validate.specimen_image(content, f"{kind} {record_id} specimen")
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha:
        raise SpecimenMismatch(
            f"{kind} {record_id}: the bytes sent hash to {actual[:16]}…, "
            f"the message claims {sha[:16]}…"
        )


def _check_on_chain(claim: _Claim, registrar: str, record: dict[str, Any] | None) -> None:
    name = f"{claim.kind} {registrar}/{claim.record_id}"
    if record is None:
        raise NotOnChain(f"{name} is not on the chain")
    if record.get("revoked_at"):
        raise RevokedOnChain(f"{name} is revoked on chain")
    if not record.get("authoritative"):
        raise NotAuthoritative(f"{name} is not an authoritative record on chain")
    if claim.kind in _HASH_FIELD and record[_HASH_FIELD[claim.kind]] != claim.sha256:
        raise SpecimenMismatch(
            f"{name}: SHA-256 {claim.sha256[:16]}… differs from the chain's "
            f"{str(record[_HASH_FIELD[claim.kind]])[:16]}…"
        )
    if claim.agency_id and record.get("agency_id", claim.agency_id) != claim.agency_id:
        raise SpecimenMismatch(f"{name}: agency {claim.agency_id} differs from the chain's")
    if claim.country and record.get("country", claim.country) != claim.country:
        raise SpecimenMismatch(f"{name}: country {claim.country} differs from the chain's")
