"""OpenAttestation v2 / TradeTrust wrapped documents: verify the proof, convert the data."""

from __future__ import annotations

import logging
from typing import Any

from adapters._collect import JsonCollector
from adapters._json import load_json, looks_like_json_object
from adapters.base import Issue
from adapters.canonical import Certificate, Declaration
from adapters.defra._common import build, source
from adapters.errors import (
    InvalidDocument,
    Reason,
    RenderError,
    TamperedDocument,
    UnsupportedVersion,
)
from adapters.openattestation._mapping import to_certificate
from adapters.openattestation.proof import ProofCheck, check_proof, unsalt

logger = logging.getLogger(__name__)

FORMAT_ID = "openattestation-v2"
V2 = ("https://schema.openattestation.com/2.0/schema.json", "open-attestation/2.0")
V3 = ("https://schema.openattestation.com/3.0/schema.json", "open-attestation/3.0")


class OpenAttestationAdapter:
    """A wrapped OA v2 document (TradeTrust v2): ``{version, data, signature, privacy?}``.

    ``parse`` recomputes targetHash and the Merkle root; a mismatch is :class:`TamperedDocument`.
    Issuer identity (DNS-TXT/DID) and on-chain issuance are not checked here (no network).
    """

    format_id = FORMAT_ID
    version = "2.0"
    kind = "certificate"
    media_type = "application/json"

    def sniff(self, data: bytes) -> bool:
        head = data[:1024]
        return (
            looks_like_json_object(data)
            and any(v.encode() in head for v in V2 + V3)
            and b'"version"' in head
        )

    def parse(self, data: bytes) -> tuple[Certificate, list[Issue]]:
        document = self._wrapped(load_json(data, format_id=FORMAT_ID))
        check = verify(document)
        c = JsonCollector()
        fields = to_certificate(unsalt(document["data"]), c)
        fields["source"] = source(FORMAT_ID, self.version, data)
        fields.setdefault("notes", []).append(
            {"subject": "oa.merkleRoot", "content": "0x" + check.merkle_root}
        )
        issues = [
            Issue(
                f"proof verified, merkleRoot 0x{check.merkle_root}",
                "info",
                "$.signature",
            )
        ]
        if check.obfuscated_fields:
            issues.append(
                Issue(
                    f"{check.obfuscated_fields} field(s) obfuscated by the holder",
                    "info",
                    "$.privacy.obfuscatedData",
                )
            )
        return build(Certificate, fields, FORMAT_ID), issues + c.issues

    def _wrapped(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise InvalidDocument(
                "not an OpenAttestation document",
                [Reason("not a JSON object", "$")],
                format_id=FORMAT_ID,
            )
        version = value.get("version")
        if version in V3 or (isinstance(version, str) and "3.0" in version):
            raise UnsupportedVersion(
                "OpenAttestation v3 documents are not supported",
                [Reason(str(version), "$.version")],
                format_id=FORMAT_ID,
            )
        problems = [
            Reason(why, path)
            for why, path, ok in (
                ("version is not OpenAttestation 2.0", "$.version", version in V2),
                ("no data object", "$.data", isinstance(value.get("data"), dict)),
                (
                    "no signature (not wrapped)",
                    "$.signature",
                    isinstance(value.get("signature"), dict),
                ),
            )
            if not ok
        ]
        if not problems:
            sig = value["signature"]
            for key in ("targetHash", "merkleRoot"):
                if not (isinstance(sig.get(key), str) and _is_hex32(sig[key])):
                    problems.append(
                        Reason(f"{key} is not a 32-byte hex string", f"$.signature.{key}")
                    )
            proof = sig.get("proof", [])
            if not isinstance(proof, list) or not all(
                isinstance(p, str) and _is_hex32(p) for p in proof
            ):
                problems.append(
                    Reason("proof entries must be 32-byte hex strings", "$.signature.proof")
                )
            privacy = value.get("privacy") or {}
            if not isinstance(privacy, dict):
                problems.append(Reason("privacy must be an object", "$.privacy"))
            obfuscated = privacy.get("obfuscatedData", []) if isinstance(privacy, dict) else []
            if not isinstance(obfuscated, list) or not all(
                isinstance(h, str) and _is_hex32(h) for h in obfuscated
            ):
                problems.append(
                    Reason(
                        "obfuscatedData entries must be 32-byte hex strings",
                        "$.privacy.obfuscatedData",
                    )
                )
        if problems:
            raise InvalidDocument(
                "not a wrapped OpenAttestation v2 document", problems, format_id=FORMAT_ID
            )
        return value

    def render(self, doc: Certificate | Declaration) -> bytes:
        raise RenderError(
            "issuing (wrapping) OpenAttestation documents is not supported", format_id=FORMAT_ID
        )

    def validate(self, data: bytes) -> list[Issue]:
        return self.parse(data)[1]


def _is_hex32(text: str) -> bool:
    body = text.lower().removeprefix("0x")
    return len(body) == 64 and all(ch in "0123456789abcdef" for ch in body)


def verify(document: dict[str, Any]) -> ProofCheck:
    """Recompute the proof of a wrapped document; ``TamperedDocument`` when it does not hold."""
    try:
        check = check_proof(document)
    except (RecursionError, ValueError, TypeError, KeyError) as err:
        raise InvalidDocument(
            "proof cannot be recomputed",
            [Reason(str(err)[:100], "$.signature")],
            format_id=FORMAT_ID,
        ) from None
    if check.valid:
        return check
    reasons = []
    if check.target_hash != check.computed_target_hash:
        reasons.append(
            Reason(
                f"targetHash 0x{check.target_hash} given, 0x{check.computed_target_hash} computed",
                "$.signature.targetHash",
            )
        )
    if check.merkle_root != check.computed_merkle_root:
        reasons.append(
            Reason(
                f"merkleRoot 0x{check.merkle_root} given, 0x{check.computed_merkle_root} computed",
                "$.signature.merkleRoot",
            )
        )
    raise TamperedDocument(
        "document data does not match its proof (tampered)", reasons, format_id=FORMAT_ID
    )
