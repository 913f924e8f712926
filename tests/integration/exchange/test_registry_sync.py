"""Registry sync and review outcomes between two `cusdep node run` processes over real mTLS, on
a real anvil with the contracts deployed by CN (the consortium admin) and AU authorised.

* AU's agency registers a seal (CLI): CN receives it, checks it against AU's record on the
  TrustRegistry and stores it, and CN's review can use it (it is in CN's specimen source);
* a swapped specimen and a record that is not on chain are refused with their reasons;
* AU revokes the seal: CN applies the revocation and the seal leaves its specimen source;
* CN's outcomes (accept, anchored; reject) reach AU and appear in AU's trace and messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from node.bootstrap import build_node
from node.chain.wiring import chain_account
from node.config import Settings, load_settings
from node.exchange._pb import documents_pb2 as docs
from node.exchange.partners import export_card
from node.identity import load_identity
from node.netports import free_port
from node.registry.specimens import build_specimens, trusted_registrars
from node.setup import initialise_node
from tests.integration.exchange.conftest import NodeHome, pin, wait_for

CERT = {
    "certificate_type": "phytosanitary",
    "issuing_country": "AU",
    "certificate_number": "AU-2026-0001",
    "issue_date": "2026-11-01",
    "consignor_name": "Acme Grain",
    "consignee_name": "Sino Foods",
    "origin_country": "AU",
    "destination_country": "CN",
    "commodity": "wheat",
    "hs_code": "100199",
}


def _png(color: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buf, "PNG")
    return buf.getvalue()


async def _authorise(admin: Settings, home: Path, country: str) -> None:
    async with build_node(admin) as node:
        assert node.chain is not None
        account = chain_account(home).address
        await node.chain.registry.add_authority(country, account)
        await node.chain.anchor.authorise(account)


@pytest.fixture
def pair(tmp_path: Path, anvil_url: str):  # type: ignore[no-untyped-def]
    """CN (admin, deploys the contracts) and AU (authorised for AU); not yet pinned."""
    made = []
    cn_port, au_port = free_port(), free_port()
    cn_settings = initialise_node(
        tmp_path / "cn-sha",
        country="CN",
        name="Shanghai Customs",
        node_id="CN-SHA",
        rpc_url=anvil_url,
        grpc_port=cn_port,
        api_port=free_port(),
    )
    initialise_node(
        tmp_path / "au-cbr",
        country="AU",
        name="Australian Border Force",
        node_id="AU-CBR",
        rpc_url=anvil_url,
        grpc_port=au_port,
        api_port=free_port(),
        anchor_contract=cn_settings.chain.anchor_contract,
        registry_contract=cn_settings.chain.registry_contract,
    )
    asyncio.run(_authorise(cn_settings, tmp_path / "au-cbr", "AU"))
    cn = NodeHome(tmp_path / "cn-sha", "CN-SHA", cn_port)
    au = NodeHome(tmp_path / "au-cbr", "AU-CBR", au_port)
    made += [cn, au]
    yield cn, au
    for node in made:
        if node.running:
            node.kill9()


async def _specimens(home: Path) -> Any:
    settings = load_settings(home)
    async with build_node(settings) as node:
        assert node.registry is not None
        registrars = trusted_registrars(node.db, "CN", settings.chain.trusted_registrars)
        return await build_specimens(
            node.db, node.blobs, node.registry.chain, registrars=registrars
        )


def _card(node: NodeHome, path: Path) -> Path:
    s = load_settings(node.home)
    path.write_text(json.dumps(export_card(s, load_identity(s.home, s.node.id)).to_json()))
    return path


def _id(name: str) -> str:
    """A message id (a UUID, as the envelope requires) named for the test's reading."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cusdep-test:{name}"))


def _queue_forged(au: NodeHome) -> None:
    """AU's own key signs two bad updates: a swapped seal image and a seal not on chain."""
    node = build_node(load_settings(au.home))
    assert node.exchange is not None
    swapped = _png("green")
    with node.db.session() as session:
        for mid, rid in (("forged-swap", "AU-S1"), ("forged-ghost", "AU-S9")):
            update = docs.RegistryUpdate(registrar_country="AU")
            update.seal.CopyFrom(
                docs.SealSpecimen(
                    id=rid,
                    agency_id="AU-DAFF",
                    sha256=hashlib.sha256(swapped).hexdigest(),
                    image=swapped,
                )
            )
            node.exchange.queue(session, "CN-SHA", "registry_update", update, message_id=_id(mid))
    node.db.dispose()


def _seal_state(cn: NodeHome) -> list[tuple[Any, ...]]:
    return cn.sql(
        "SELECT state, source, sha256 FROM registry_records"
        " WHERE kind = 'seal' AND registrar = 'AU' AND record_id = 'AU-S1'"
    )


def _refused(cn: NodeHome) -> dict[str, str]:
    return dict(cn.sql("SELECT message_id, code FROM exchange_rejections"))  # type: ignore[arg-type]


def test_registry_records_sync_checked_against_the_chain(tmp_path: Path, pair) -> None:
    cn, au = pair
    seal = tmp_path / "seal.png"
    seal.write_bytes(_png("red"))
    # AU's agency registers before CN is pinned: `partner add` queues the live records
    au.cli("registry", "add-agency", "--id", "AU-DAFF", "--country", "AU", "--name", "DAFF")
    au.cli("registry", "add-seal", "--agency", "AU-DAFF", "--id", "AU-S1", "--image", str(seal))
    added = json.loads(au.cli("partner", "add", str(_card(cn, tmp_path / "cn.json"))).stdout)
    assert added["registry_records_queued"] == 2
    pin(cn, au)
    cn.start()
    au.start()

    rows = wait_for(lambda: _seal_state(cn), 60, "CN to store AU's seal")
    assert rows == [("confirmed", "AU-CBR", hashlib.sha256(_png("red")).hexdigest())]
    src = asyncio.run(_specimens(cn.home))
    assert src.agency("AU-DAFF") is not None and src.agency("AU-DAFF").country == "AU"
    assert [(s.id, s.image) for s in src.seals("AU-DAFF")] == [("AU-S1", _png("red"))]

    _queue_forged(au)
    wait_for(lambda: len(_refused(cn)) == 2, 60, "CN to refuse both forged updates")
    refused = _refused(cn)
    assert refused == {
        _id("forged-swap"): "cusdep.registry.specimen_mismatch",
        _id("forged-ghost"): "cusdep.registry.not_on_chain",
    }
    assert _seal_state(cn)[0][2] == hashlib.sha256(_png("red")).hexdigest()
    listed = json.loads(cn.cli("messages", "--rejected", "--json").stdout)
    assert {r["code"] for r in listed} >= set(refused.values())

    au.cli("registry", "revoke", "seal", "--id", "AU-S1", "--reason", "stolen")
    wait_for(lambda: _seal_state(cn)[0][0] == "revoked", 60, "the revocation to reach CN")
    assert asyncio.run(_specimens(cn.home)).seals("AU-DAFF") == []
    assert au.stop() == 0 and cn.stop() == 0


def _trace(node: NodeHome, sha: str) -> dict[str, Any]:
    return json.loads(node.cli("trace", sha, "--json").stdout)  # type: ignore[no-any-return]


def _reviewed(node: NodeHome, sha: str) -> list[dict[str, Any]]:
    return [e for e in _trace(node, sha)["events"] if e["kind"] == "reviewed"]


def test_review_outcomes_reach_the_sender(tmp_path: Path, pair) -> None:
    cn, au = pair
    pin(au, cn)
    pin(cn, au)
    good, bad = tmp_path / "certificate.json", tmp_path / "garbled.json"
    good.write_bytes(json.dumps(CERT).encode())
    bad.write_bytes(b'{"hello": "not a certificate"}')
    cn.start()
    au.start()
    au.cli("send", str(good), str(bad), "--to", "CN-SHA")
    good_sha = hashlib.sha256(good.read_bytes()).hexdigest()
    bad_sha = hashlib.sha256(bad.read_bytes()).hexdigest()

    accepted = wait_for(lambda: _reviewed(au, good_sha), 90, "the accept outcome at AU")
    rejected = wait_for(lambda: _reviewed(au, bad_sha), 90, "the reject outcome at AU")
    (a,) = accepted
    assert a["actor"] == "CN-SHA" and a["detail"]["verdict"] == "accept"
    assert a["detail"]["decided_by"] == "machine"
    anchor = a["detail"]["anchor"]
    assert anchor["verified_on_chain"] is True
    assert anchor["merkle_root"] == _trace(cn, good_sha)["anchor"]["merkle_root"]
    (r,) = rejected
    assert r["detail"]["verdict"] == "reject" and r["detail"]["reasons"]
    assert "no adapter recognises" in r["detail"]["reasons"][0]
    traced = _trace(au, good_sha)
    kinds = [e["kind"] for e in traced["events"]]
    assert "sent" in kinds and "acknowledged" in kinds and kinds[-1] == "reviewed"
    # the sender's auditor sees it anchored where CN anchored it, checked on chain at AU
    assert traced["anchor_state"] == "anchored by CN-SHA"
    assert traced["verified_on_chain"] is True and traced["revoked"] is False
    assert traced["anchor"]["anchored_by"] == "CN-SHA"
    assert traced["anchor"]["merkle_root"] == anchor["merkle_root"]
    assert traced["anchor"]["leaf"] == _trace(cn, good_sha)["anchor"]["leaf"]
    assert _trace(au, bad_sha)["verified_on_chain"] is False  # rejected: never anchored

    inbound = json.loads(au.cli("messages", "--direction", "in", "--json").stdout)
    outcomes = {m["document_sha256"]: m for m in inbound if m["kind"] == "review_outcome"}
    assert set(outcomes) == {good_sha, bad_sha}
    assert {m["state"] for m in outcomes.values()} == {"applied"}
    sent_back = json.loads(cn.cli("messages", "--direction", "out", "--json").stdout)
    assert {m["document_sha256"] for m in sent_back if m["kind"] == "review_outcome"} == {
        good_sha,
        bad_sha,
    }
    # AU's certificate for AU, received over mTLS, is the issuer's copy CN checks papers against
    copies = cn.sql(
        "SELECT sha256, certificate_number, issuing_country, source FROM certificate_copies"
    )
    assert copies == [(good_sha, "AU20260001", "AU", "AU-CBR")]
    assert au.stop() == 0 and cn.stop() == 0


def test_an_issuer_withdraws_a_certificate_it_sent(tmp_path: Path, pair) -> None:
    """AU sent CN a certificate, which CN accepted and anchored (AU cannot revoke CN's anchor):
    `cusdep revoke` at AU sends CN a signed revocation, which CN records on the certificate's
    trace, naming AU and the reason; once only."""
    cn, au = pair
    pin(au, cn)
    pin(cn, au)
    cert = tmp_path / "certificate.json"
    cert.write_bytes(json.dumps(CERT).encode())
    sha = hashlib.sha256(cert.read_bytes()).hexdigest()
    cn.start()
    au.start()
    au.cli("send", str(cert), "--to", "CN-SHA")
    wait_for(lambda: _reviewed(au, sha), 90, "the accept outcome at AU")
    out = json.loads(au.cli("revoke", sha, "--reason", "issued in error", "--json").stdout)
    assert (out["told"], out["leaf"], out["tx_hash"]) == (["CN-SHA"], None, None)

    def revoked_at_cn() -> list[dict[str, Any]]:
        return [e for e in _trace(cn, sha)["events"] if e["kind"] == "revoked"]

    (event,) = wait_for(revoked_at_cn, 60, "the revocation at CN")
    assert (event["actor"], event["detail"]["reason"]) == ("AU-CBR", "issued in error")
    (own,) = [e for e in _trace(au, sha)["events"] if e["kind"] == "revoked"]
    assert own["detail"] == {"reason": "issued in error", "told": ["CN-SHA"]}
    again = au.cli("revoke", sha, "--reason", "again", check=False)
    assert again.returncode == 2 and "revoked already" in again.stderr
    assert again.stderr.count("\n") == 1
    sent = json.loads(au.cli("messages", "--direction", "out", "--json").stdout)
    assert [m["peer"] for m in sent if m["kind"] == "revocation"] == ["CN-SHA"]
    assert au.stop() == 0 and cn.stop() == 0
