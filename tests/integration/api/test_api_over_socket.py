"""The node as a service on real parts: anvil, uvicorn on a real socket, the real review
pipeline (RapidOCR) on simulator scans. Agencies register their records over REST, an officer
submits a declaration and scans, the worker reviews them, the genuine one is anchored and its
trace verifies on chain, the forged one waits for the officer, whose decision is recorded."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from node.api.server import ApiServer
from node.api.tokens import TokenService
from node.bootstrap import build_node
from node.config import load_settings
from node.setup import initialise_node
from simulator.corpus import generate_corpus

_TIMEOUT = 180.0


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    generate_corpus(root, 1, 5, mix={"forged_seal": 1.0}, workers=1)
    return root


@pytest.fixture
def initialised(home: Path, anvil_url: str) -> Path:
    initialise_node(
        home, country="CN", name="Shanghai Customs", node_id="CN-SHA", rpc_url=anvil_url
    )
    return home


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


async def _register(c: httpx.AsyncClient, tokens: TokenService, corpus: Path) -> None:
    reg = corpus / "registry"
    bundle = json.loads((reg / "bundle.json").read_text())
    country = {a["id"]: a["country"] for a in bundle["agencies"]}
    auth = {
        cc: {"Authorization": "Bearer " + tokens.issue("agency", f"agency-{cc}", cc)["token"]}
        for cc in set(country.values())
    }
    for a in bundle["agencies"]:
        r = await c.post("/api/v1/registry/agencies", json=a, headers=auth[a["country"]])
        assert r.status_code == 201, r.text
    for s in bundle["seals"]:
        body = {"agency": s["agency"], "id": s["id"], "image_base64": _b64(reg / s["image"])}
        r = await c.post("/api/v1/registry/seals", json=body, headers=auth[country[s["agency"]]])
        assert r.status_code == 201, r.text
    for o in bundle["officers"]:
        body = {
            "agency": o["agency"],
            "id": o["id"],
            "name": o["name"],
            "signature_base64": _b64(reg / o["signature"]),
            "valid_from": o["valid_from"],
            "valid_to": o["valid_to"],
        }
        r = await c.post("/api/v1/registry/officers", json=body, headers=auth[country[o["agency"]]])
        assert r.status_code == 201, r.text
    for t in bundle["templates"]:
        template = json.loads((reg / t).read_text())
        r = await c.post(
            "/api/v1/registry/templates", json=template, headers=auth[template["issuing_country"]]
        )
        assert r.status_code == 201, r.text


async def _until(c: httpx.AsyncClient, path: str, headers: dict[str, str], done: Any) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _TIMEOUT
    while True:
        body = (await c.get(path, headers=headers)).json()
        if done(body):
            return body
        assert loop.time() < deadline, f"{path} still {body}"
        await asyncio.sleep(0.25)


@pytest.mark.slow
async def test_real_pipeline_review_then_officer_accepts_and_it_is_anchored(
    initialised, corpus
) -> None:
    """Whatever the machine says of this scan, the flow holds: a verdict with evidence, the
    officer's decision, and only an accepted document anchored and verified on chain."""
    settings = load_settings(initialised)
    node = build_node(settings, api_port=0, grpc_port=0)
    async with node:
        await node.start_workers()
        api = next(w for w in node.workers if isinstance(w, ApiServer))
        tokens = TokenService(node.db)
        officer = {"Authorization": "Bearer " + tokens.issue("officer", "jane")["token"]}
        async with httpx.AsyncClient(base_url=api.url, timeout=60) as c:
            await _register(c, tokens, corpus)
            case = sorted((corpus / "cases").iterdir())[0]
            d = await c.post(
                "/api/v1/documents/declarations",
                content=(case / "declaration.json").read_bytes(),
                headers={**officer, "Content-Type": "application/json"},
            )
            assert d.status_code == 201, d.text
            s = await c.post(
                "/api/v1/documents/scans",
                content=(case / "scan.jpg").read_bytes(),
                headers={**officer, "Content-Type": "image/jpeg"},
            )
            sha = s.json()["sha256"]
            review = await _until(
                c, f"/api/v1/review/{sha}", officer, lambda b: b["state"] != "pending"
            )
            assert review["verdict"] in ("accept", "review", "reject")
            assert (
                review["template_id"]
                == json.loads((case / "truth.json").read_text())["template_id"]
            )
            assert review["declaration_sha256"] == d.json()["sha256"]
            assert review["rules"] and review["layout"]["pages"][0]["width"] > 500
            name = review["layout"]["pages"][0]["name"]
            assert name == "page-0.jpg"  # a page image is JPEG (5.7 MB as PNG)
            page = await c.get(f"/api/v1/review/{sha}/evidence/{name}", headers=officer)
            assert page.status_code == 200 and page.content.startswith(b"\xff\xd8")
            assert page.headers["content-type"] == "image/jpeg"
            if review["verdict"] != "accept":
                r = await c.post(
                    f"/api/v1/review/{sha}/decision",
                    json={"decision": "accept", "reason": "checked with the issuing agency"},
                    headers=officer,
                )
                assert r.status_code == 200, r.text
            trace = await _until(
                c, f"/api/v1/trace/{sha}", officer, lambda b: b["verified_on_chain"]
            )
            assert [e["kind"] for e in trace["events"]][-1] == "anchored"
