"""REST over a real socket on a real anvil (review verdicts from the fake verifier, so this
runs in seconds): registry writes land on the TrustRegistry contract, tokens and roles hold,
the officer's decision is recorded, and an accepted scan's trace verifies on chain."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from node.api.server import ApiServer
from node.api.tokens import TokenService
from node.bootstrap import build_node
from node.config import load_settings
from node.setup import initialise_node
from tests.unit.api.fakes import TEMPLATE, FakeVerifier, labelled_scan, png


@pytest.fixture
def initialised(home, anvil_url):  # type: ignore[no-untyped-def]
    initialise_node(
        home, country="CN", name="Shanghai Customs", node_id="CN-SHA", rpc_url=anvil_url
    )
    return home


async def _until(c, path, headers, done):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not done(body := (await c.get(path, headers=headers)).json()):
        assert loop.time() < deadline, f"{path} still {body}"
        await asyncio.sleep(0.1)
    return body


async def test_registry_review_decision_and_trace_on_anvil(initialised) -> None:
    node = build_node(load_settings(initialised), verifier=FakeVerifier(), api_port=0, grpc_port=0)
    async with node:
        await node.start_workers()
        api = next(w for w in node.workers if isinstance(w, ApiServer))
        assert api.port != 0
        tokens = TokenService(node.db)
        au = {"Authorization": "Bearer " + tokens.issue("agency", "AU-DAFF", "AU")["token"]}
        officer = {"Authorization": "Bearer " + tokens.issue("officer", "jane")["token"]}
        auditor = {"Authorization": "Bearer " + tokens.issue("auditor", "audrey")["token"]}
        async with httpx.AsyncClient(base_url=api.url, timeout=30) as c:
            ready = await c.get("/health/ready")
            assert ready.status_code == 200, ready.text
            assert (await c.get("/api/v1/registry")).status_code == 401
            agency = {"id": "AU-DAFF", "country": "AU", "name": "Department of Agriculture"}
            assert (
                await c.post("/api/v1/registry/agencies", json=agency, headers=au)
            ).status_code == 201
            seal = {
                "agency": "AU-DAFF",
                "id": "AU-DAFF-S1",
                "image_base64": base64.b64encode(png()).decode(),
            }
            denied = await c.post("/api/v1/registry/seals", json=seal, headers=auditor)
            assert denied.status_code == 403
            r = await c.post("/api/v1/registry/seals", json=seal, headers=au)
            assert r.status_code == 201 and r.json()["tx_hash"].startswith("0x")
            on_chain = await node.registry.chain.get("seal", "CN", "AU-DAFF-S1")
            assert on_chain["image_sha256"] == r.json()["sha256"]
            assert (
                await c.post("/api/v1/registry/templates", json=TEMPLATE, headers=au)
            ).status_code == 201

            forged = (
                await c.post(
                    "/api/v1/documents/scans",
                    content=labelled_scan("forged"),
                    headers={**officer, "Content-Type": "image/png"},
                )
            ).json()["sha256"]
            genuine = (
                await c.post(
                    "/api/v1/documents/scans",
                    content=labelled_scan("genuine"),
                    headers={**officer, "Content-Type": "image/png"},
                )
            ).json()["sha256"]
            f = await _until(
                c, f"/api/v1/review/{forged}", officer, lambda b: b["state"] != "pending"
            )
            assert f["verdict"] == "reject" and f["rules"][0]["id"] == "seal.agency"
            await _until(c, f"/api/v1/review/{genuine}", officer, lambda b: b["state"] == "review")
            ok = await c.post(
                f"/api/v1/review/{genuine}/decision",
                json={"decision": "accept", "reason": "phoned the agency"},
                headers=officer,
            )
            assert ok.status_code == 200 and ok.json()["forwardable"] is True
            rej = await c.post(
                f"/api/v1/review/{forged}/decision",
                json={"decision": "reject", "reason": "seal"},
                headers=officer,
            )
            assert rej.json()["decision"]["outcome"] == "confirmed"
            trace = await _until(
                c, f"/api/v1/trace/{genuine}", auditor, lambda b: b["verified_on_chain"]
            )
            assert [(e["kind"], e["actor"]) for e in trace["events"]] == [
                ("received", "jane"),
                ("verified", "CN-SHA"),
                ("reviewed", "jane"),
                ("anchored", "CN-SHA"),
            ]
            anchor = trace["anchor"]
            assert anchor["contract"].startswith("0x") and len(anchor["contract"]) == 42
            assert anchor["chain_id"] == 31337 and anchor["tx_hash"].startswith("0x")
            t = (await c.get(f"/api/v1/trace/{forged}", headers=auditor)).json()
            assert t["anchor"] is None and [e["kind"] for e in t["events"]][-1] == "reviewed"
            ui = await c.get(f"/ui/review/{forged}")
            assert ui.status_code == 200 and forged in ui.text
            metrics = (await c.get("/metrics")).text
            assert 'cusdep_reviews{state="decided"} 2.0' in metrics


async def test_a_stored_file_changed_on_disk_is_not_served_as_the_document(initialised) -> None:
    """A document's or specimen's stored file overwritten behind the node's back: the routes
    that hand out its bytes answer 404 with their own problem type, never the changed bytes."""
    node = build_node(load_settings(initialised), verifier=FakeVerifier(), api_port=0, grpc_port=0)
    async with node:
        await node.start_workers()
        api = next(w for w in node.workers if isinstance(w, ApiServer))
        tokens = TokenService(node.db)
        au = {"Authorization": "Bearer " + tokens.issue("agency", "AU-DAFF", "AU")["token"]}
        officer = {"Authorization": "Bearer " + tokens.issue("officer", "jane")["token"]}
        auditor = {"Authorization": "Bearer " + tokens.issue("auditor", "audrey")["token"]}
        async with httpx.AsyncClient(base_url=api.url, timeout=30) as c:
            agency = {"id": "AU-DAFF", "country": "AU", "name": "Department of Agriculture"}
            await c.post("/api/v1/registry/agencies", json=agency, headers=au)
            image = base64.b64encode(png()).decode()
            seal = {"agency": "AU-DAFF", "id": "AU-DAFF-S1", "image_base64": image}
            seal_sha = (await c.post("/api/v1/registry/seals", json=seal, headers=au)).json()
            scan = labelled_scan("genuine")
            posted = await c.post(
                "/api/v1/documents/scans",
                content=scan,
                headers={**officer, "Content-Type": "image/png"},
            )
            sha = posted.json()["sha256"]
            routes = (
                f"/api/v1/documents/{sha}/content",
                "/api/v1/registry/seal/AU-DAFF-S1/specimen",
            )
            for route in routes:
                assert (await c.get(route, headers=auditor)).status_code == 200
            node.blobs.path(sha).write_bytes(scan + b"\0")
            node.blobs.path(seal_sha["sha256"]).write_bytes(png("green"))
            for route in routes:
                r = await c.get(route, headers=auditor)
                assert r.status_code == 404, (route, r.text)
                assert r.headers["content-type"] == "application/problem+json"
                problem = r.json()
                assert problem["type"] == "cusdep.not_found.altered", problem
                assert "no longer has that SHA-256" in problem["detail"]
