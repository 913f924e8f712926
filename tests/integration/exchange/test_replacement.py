"""A replacement certificate between `cusdep node run` processes over real mTLS (no chain):
AU issues and sends CN a certificate, then replaces it with `cusdep replace`; CN marks the
replaced certificate replaced, and both traces carry the link. NZ's attempt to replace AU's
certificate is refused and audited at CN; a replacement keeping its number is exit 2 and one
line at AU."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.integration.exchange.conftest import NodeHome, pin, wait_for

OLD, NEW = "AU-2026-000123", "AU-2026-000124"


def _write(path: Path, number: str, country: str = "AU", **more: str) -> str:
    cert = {
        "doc_type": "certificate",
        "certificate_type": "phytosanitary",
        "certificate_number": number,
        "issuing_country": country,
        "consignee_name": "Sino Foods",
        **more,
    }
    path.write_text(json.dumps(cert))
    return str(path)


def _state(node: NodeHome, sha: str) -> str | None:
    rows = node.sql("SELECT state FROM documents WHERE sha256 = ?", sha)
    return str(rows[0][0]) if rows else None


def test_an_issuer_replaces_a_certificate_it_sent(
    node_factory: Callable[..., NodeHome], tmp_path: Path
) -> None:
    au, cn, nz = node_factory("AU-CBR"), node_factory("CN-SHA"), node_factory("NZ-WLG")
    pin(au, cn)
    pin(nz, cn)
    pin(cn, au, nz)
    for node in (au, cn, nz):
        node.start()

    sent = au.cli("send", _write(tmp_path / "old.json", OLD), "--to", "CN-SHA", "--json")
    old = json.loads(sent.stdout)["document_sha256"]
    wait_for(lambda: _state(cn, old) == "accepted", 60, "CN to accept AU's certificate")

    # a replacement keeping the number: refused at AU, nothing queued
    same = au.cli("replace", old, _write(tmp_path / "same.json", OLD, replaces=OLD), check=False)
    assert same.returncode == 2
    assert same.stderr.count("\n") == 1 and "a replacement has a new number" in same.stderr

    # NZ may not replace AU's certificate
    nz.cli("send", _write(tmp_path / "nz.json", "NZ-2026-1", "NZ", replaces=OLD), "--to", "CN-SHA")
    refused = wait_for(
        lambda: cn.sql("SELECT code, status FROM exchange_rejections"), 60, "NZ's refusal"
    )
    assert refused == [("cusdep.exchange.not_certificate_issuer", "PERMISSION_DENIED")]
    assert cn.sql("SELECT * FROM certificate_replacements") == []

    out = json.loads(
        au.cli("replace", old, _write(tmp_path / "new.json", NEW, replaces=OLD)).stdout
    )
    assert (out["certificate_number"], out["replacement_number"], out["told"]) == (
        OLD,
        NEW,
        ["CN-SHA"],
    )
    new = out["replacement_sha256"]
    row = wait_for(
        lambda: cn.sql(
            "SELECT replacement_number, replacement_sha256, source FROM certificate_replacements"
        ),
        60,
        "CN to record the replacement",
    )
    assert row == [(NEW, new, "AU-CBR")]
    assert _state(cn, new) == "accepted"
    [(actor, detail)] = cn.sql(
        "SELECT actor, detail FROM document_events WHERE sha256 = ? AND kind = 'replaced'", old
    )
    assert actor == "AU-CBR" and json.loads(detail)["replaced_by"] == NEW
    [(detail,)] = cn.sql(
        "SELECT detail FROM document_events WHERE sha256 = ? AND kind = 'verified'", new
    )
    assert (json.loads(detail)["replaces"], json.loads(detail)["replaces_sha256"]) == (OLD, [old])
    [(detail,)] = au.sql(
        "SELECT detail FROM document_events WHERE sha256 = ? AND kind = 'replaced'", old
    )
    assert json.loads(detail)["replacement_sha256"] == new
    # sent again: nothing queued twice
    again = json.loads(au.cli("replace", old, str(tmp_path / "new.json")).stdout)
    assert again["message_ids"] == out["message_ids"]
    assert au.sql("SELECT count(*) FROM exchange_outbox WHERE document_sha256 = ?", new) == [(1,)]
    for node in (au, cn, nz):
        assert node.stop() == 0
