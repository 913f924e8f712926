"""Test doubles for the API and browser tests: a verifier that returns the contract's verify
JSON shape for a rendered forged or genuine certificate, with real page and evidence files."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from node.api.tokens import TokenService
from node.chain.memory import InMemoryChainAnchor, InMemoryTrustRegistry
from node.config import ChainSettings, NodeIdentity, Settings
from node.identity import create_identity
from node.review.verifier import Verification

PAGE = (850, 1100)
BOXES = {
    "certificate_number": (520, 150, 790, 185),
    "consignor_name": (80, 260, 480, 295),
    "net_weight_kg": (80, 520, 300, 555),
    "origin_country": (520, 260, 700, 295),
}
SEAL_BOX = (560, 800, 760, 1000)
SIG_BOX = (90, 860, 380, 950)


def png(color: str = "red", size: tuple[int, int] = (64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def scan(label: str = "forged", *, seal_color: str = "#b00020") -> bytes:
    """A certificate-like page whose printed values sit inside ``BOXES`` (distinct per label)."""
    img = Image.new("RGB", PAGE, "white")
    d = ImageDraw.Draw(img)
    big, small = ImageFont.load_default(28), ImageFont.load_default(18)
    d.text((220, 60), "PHYTOSANITARY CERTIFICATE", fill="black", font=big)
    d.text((360, 157), "Certificate No.", fill="black", font=small)
    d.text((80, 230), "Name and address of exporter", fill="black", font=small)
    d.text((520, 230), "Origin", fill="black", font=small)
    d.text((80, 490), "Net weight", fill="black", font=small)
    values = {
        "certificate_number": f"AU-2026-{label}",
        "consignor_name": "Orchard Exports Pty Ltd",
        "net_weight_kg": "1,250.5 kg",
        "origin_country": "AUSTRALIA",
    }
    for name, text in values.items():
        x0, y0, _x1, _y1 = BOXES[name]
        d.text((x0 + 6, y0 + 6), text, fill="black", font=small)
    d.ellipse(SEAL_BOX, outline=seal_color, width=8)
    d.text((SEAL_BOX[0] + 45, SEAL_BOX[1] + 85), "AU DAFF", fill=seal_color, font=big)
    d.line((100, 930, 200, 880, 300, 940, 370, 890), fill="navy", width=4)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def result(sha: str, kind: str) -> dict[str, Any]:
    forged = kind == "forged"
    rules = [
        {
            "id": "declaration.net_weight",
            "passed": False,
            "severity": "warning",
            "message": "net weight 1250.5 kg on certificate, 1200 kg declared (+4.2%)",
        },
        {"id": "fields.required", "passed": True, "severity": "error", "message": "all present"},
        {
            "id": "seal.agency",
            "passed": not forged,
            "severity": "error",
            "message": "seal does not match any registered specimen of AU-DAFF (best score 0.41)"
            if forged
            else "seal matches AU-DAFF-S1",
        },
        {
            "id": "signature.match",
            "passed": True,
            "severity": "warning",
            "message": "signature matches AU-DAFF-O7",
        },
    ]
    if kind == "copied":
        rules.append(
            {
                "id": "seal.unique",
                "passed": False,
                "severity": "error",
                "message": "seal impression is the very stamping on certificate AU-2026-original",
            }
        )
    reasons = ["seal.agency"] if forged else ["seal.unique"] if kind == "copied" else []
    reasons = reasons or ["declaration.net_weight"]
    fields = {
        "certificate_number": {"value": f"AU-2026-{kind}", "confidence": 0.97},
        "consignor_name": {"value": "Orchard Exports Pty Ltd", "confidence": 0.95},
        "net_weight_kg": {"value": "1250.5", "confidence": 0.93},
        "origin_country": {"value": "AU", "confidence": 0.99},
    }
    if kind == "doubtful":  # a reading the OCR was unsure of (rule fields.confidence)
        fields["net_weight_kg"]["confidence"] = 0.62
    return {
        "document_sha256": sha,
        "template_id": "AU-PHYTO-2025",
        "certificate_type": "phytosanitary",
        "issuing_country": "AU",
        "fields": fields,
        "seal": {
            "found": True,
            "seal_id": None if forged else "AU-DAFF-S1",
            "score": 0.41 if forged else 0.93,
            "match": not forged,
            "stamping": "" if forged else _print(sha, kind),
        },
        "signature": {"found": True, "officer_id": "AU-DAFF-O7", "score": 0.88, "match": True},
        "rules": rules,
        "verdict": "reject" if forged or kind == "copied" else "review",
        # as the verifier words them: "rule: message" of each failed rule the verdict rests on
        "reasons": [f"{r['id']}: {r['message']}" for r in rules if r["id"] in reasons],
        "elapsed_ms": 12,
    }


class FakeVerifier:
    """Verdict by the label given to ``labelled_scan``: ``forged`` -> reject, else review."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Mapping[str, Any] | None]] = []
        self.copies: list[tuple[str, Mapping[str, Any] | None]] = []
        # per review: the earlier prints of AU-DAFF-S1 the node handed over (None: no history)
        self.prints: list[tuple[str, Sequence[tuple[str, str]] | None]] = []

    async def verify(
        self,
        data: bytes,
        *,
        declaration: Mapping[str, Any] | None,
        evidence_dir: Path,
        is_used: Callable[[str], bool],
        electronic_copy: Mapping[str, Any] | None = None,
        stampings: Callable[[str], Sequence[tuple[str, str]]] | None = None,
    ) -> Verification:
        sha = hashlib.sha256(data).hexdigest()
        self.calls.append((sha, declaration))
        self.copies.append((sha, electronic_copy))
        self.prints.append((sha, stampings("AU-DAFF-S1") if stampings is not None else None))
        kind = _LABELS.get(sha, "genuine")
        evidence_dir.mkdir(parents=True, exist_ok=True)
        page = Image.open(io.BytesIO(data)).convert("RGB")
        page.save(evidence_dir / "page-0.png")
        page.crop(SEAL_BOX).save(evidence_dir / f"{sha[:16]}-seal.png")
        page.crop(SIG_BOX).save(evidence_dir / f"{sha[:16]}-signature.png")
        crops = {f"field-{k}": f"{sha[:16]}-field-{k}.png" for k in BOXES}
        for name, box in BOXES.items():
            page.crop(box).save(evidence_dir / crops[f"field-{name}"])
        layout: dict[str, Any] = {
            "pages": [{"name": "page-0.png", "width": PAGE[0], "height": PAGE[1]}],
            "fields": {k: {"page": 0, "box": list(v)} for k, v in BOXES.items()},
            "seal": {"page": 0, "box": list(SEAL_BOX)},
            "signature": {"page": 0, "box": list(SIG_BOX)},
            "evidence": {
                **crops,
                "seal": f"{sha[:16]}-seal.png",
                "signature": f"{sha[:16]}-signature.png",
            },
        }
        if kind == "genuine":  # as if photographed on a table: found there and made flat
            layout["pages"][0]["rectified"] = RECTIFIED
        elif kind == "askew":  # a photo whose paper was not found: as it came
            layout["pages"][0]["photo_not_flat"] = True
        elif kind == "cover":  # a blank cover page, then the certificate on page 2
            _behind_a_cover(layout, page, evidence_dir)
        return Verification(result(sha, kind), layout)


def _behind_a_cover(layout: dict[str, Any], page: Image.Image, evidence_dir: Path) -> None:
    Image.new("RGB", page.size, "white").save(evidence_dir / "page-0.png")
    page.save(evidence_dir / "page-1.png")
    layout["pages"].append({"name": "page-1.png", "width": PAGE[0], "height": PAGE[1]})
    for part in (*layout["fields"].values(), layout["seal"], layout["signature"]):
        part["page"] = 1


# ``rectify.Rectified.to_json`` of a page photographed at an angle
RECTIFIED = {
    "corners": [[210.4, 352.2], [1825.5, 179.8], [2149.6, 2648.7], [252.4, 2765.8]],
    "photo_size": [2250, 3000],
    "size": list(PAGE),
    "paper": "A4",
    "aspect": 1.4142,
}


_LABELS: dict[str, str] = {}


def labelled_scan(label: str) -> bytes:
    data = scan(label, seal_color="#b00020" if label == "forged" else "#0b3d91")
    labels = ("forged", "original", "copied", "askew", "doubtful", "cover")
    kind = label if label in labels else "genuine"
    _LABELS[hashlib.sha256(data).hexdigest()] = kind
    return data


# one stamping printed on two papers: "original" and its "copied" seal (rule seal.unique)
COPIED_PRINT = bytes(range(0, 250)).hex() + "00" * 6


def _print(sha: str, kind: str) -> str:
    """A seal's print: 256 cells, its own for each paper but for the one copied stamping."""
    return COPIED_PRINT if kind in ("original", "copied") else sha[:32] * 16


def settings(home: Path, *, api_port: int = 0) -> Settings:
    s = Settings(
        home=home,
        node=NodeIdentity(id="CN-SHA", country="CN", name="Shanghai Customs"),
        chain=ChainSettings(rpc_url="http://127.0.0.1:9"),
    )
    s.api.port = api_port
    create_identity(home, "CN-SHA")
    return s


def fakes() -> dict[str, Any]:
    return {"chain_anchor": InMemoryChainAnchor(), "registry_chain": InMemoryTrustRegistry("CN")}


def issue_all(tokens: TokenService) -> dict[str, str]:
    return {
        "admin": tokens.issue("admin", "root")["token"],
        "officer": tokens.issue("officer", "jane")["token"],
        "auditor": tokens.issue("auditor", "audrey")["token"],
        "agency_au": tokens.issue("agency", "AU-DAFF", "AU")["token"],
        "agency_nz": tokens.issue("agency", "NZ-MPI", "NZ")["token"],
    }


TEMPLATE = {
    "id": "AU-PHYTO-2025",
    "certificate_type": "phytosanitary",
    "issuing_country": "AU",
    "agency": "AU-DAFF",
    "titles": ["PHYTOSANITARY CERTIFICATE"],
    "fields": [{"name": "certificate_number", "labels": ["Certificate No."]}],
}


def declaration(number: str) -> bytes:
    return json.dumps(
        {
            "declaration_number": "CN-DEC-1",
            "consignor_name": "Orchard Exports Pty Ltd",
            "origin_country": "AU",
            "net_weight_kg": 1200.0,
            "arrival_date": str(dt.date.today()),
            "certificate_numbers": [number],
        }
    ).encode()


def add_partner(node: Any, node_id: str, country: str) -> None:
    """Pin a partner row directly (no card exchange): enough to say which country it is."""
    from node.exchange.tables import PartnerRow

    with node.db.session() as session:
        session.add(
            PartnerRow(
                node_id=node_id,
                country=country,
                endpoint="127.0.0.1:1",
                ca_pem="-",
                verify_key_hex="00" * 32,
                key_id="k",
            )
        )


def receive_copy(node: Any, number: str, source: str = "AU-SYD", **fields: Any) -> str:
    """Partner ``source`` (added beforehand) sent its certificate ``number`` for AU: stored and
    routed as the exchange would leave it; returns its SHA-256."""
    from node.inbound import InboundRouter
    from node.storage.documents import add_document

    body = {"doc_type": "certificate", "certificate_number": number, "issuing_country": "AU"}
    data = json.dumps({**body, **fields}).encode()
    sha = node.blobs.put(data)
    with node.db.session() as session:
        add_document(session, sha, kind="certificate", size=len(data), source=source)
    assert InboundRouter(node.db, node.blobs, None, actor="CN-SHA").route_pending() == 1
    return str(sha)
