"""A partner's certificate whose own status says it does not stand, between `cusdep node run`
processes over real mTLS (no chain): AU sends CN a withdrawn certificate (SPS status code 40)
and one replaced by a certificate CN holds already. CN accepts neither as valid: each is held
for an officer (not anchored) with the status in its reason, the replaced one linked to its
replacement, and a declaration naming the withdrawn one goes to an officer; an issued one and
one of a status code nobody knows are accepted and queued for anchoring."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.integration.exchange.conftest import NodeHome, pin, wait_for

ISSUED, WITHDRAWN, OLD, NEW, ODD = (
    "AU-2026-000300",
    "AU-2026-000301",
    "AU-2026-000302",
    "AU-2026-000303",
    "AU-2026-000304",
)


def _write(path: Path, number: str, **more: Any) -> str:
    cert = {
        "doc_type": "certificate",
        "certificate_type": "phytosanitary",
        "certificate_number": number,
        "issuing_country": "AU",
        "consignee_name": "Sino Foods",
        "net_weight_kg": 1200,
        **more,
    }
    path.write_text(json.dumps(cert))
    return str(path)


def _send(node: NodeHome, path: str, kind: str = "certificate") -> str:
    out = node.cli("send", path, "--to", "CN-SHA", "--kind", kind, "--json").stdout
    return str(json.loads(out)["document_sha256"])


def _state(node: NodeHome, sha: str) -> str | None:
    rows = node.sql("SELECT state FROM documents WHERE sha256 = ?", sha)
    return str(rows[0][0]) if rows else None


def _anchored(node: NodeHome, sha: str) -> bool:
    return node.sql("SELECT count(*) FROM anchor_leaves WHERE sha256 = ?", sha) != [(0,)]


def _held(node: NodeHome, sha: str) -> tuple[str, str, list[str]]:
    [(state, verdict, result)] = node.sql(
        "SELECT state, verdict, result FROM reviews WHERE sha256 = ?", sha
    )
    return state, verdict, json.loads(result)["reasons"]


def test_a_withdrawn_or_replaced_certificate_is_not_accepted(
    node_factory: Callable[..., NodeHome], tmp_path: Path
) -> None:
    au, cn = node_factory("AU-CBR"), node_factory("CN-SHA")
    pin(au, cn)
    pin(cn, au)
    for node in (au, cn):
        node.start()

    # the sender is told, not refused: a certificate not issued is sent with a warning
    # line and its status in the JSON; with --issued-only the batch is refused, none queued
    w_path = _write(tmp_path / "w.json", WITHDRAWN, status_code="40")
    i_path = _write(tmp_path / "issued.json", ISSUED, status_code="70")
    refused = au.cli("send", i_path, w_path, "--to", "CN-SHA", "--issued-only", check=False)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        "cusdep: error: w.json: the certificate is withdrawn (status 40): not valid; not sent "
        "(issued certificates only)\n"
    )
    assert au.sql("SELECT count(*) FROM exchange_outbox") == [(0,)]
    sent = au.cli("send", i_path, "--to", "CN-SHA", "--issued-only", "--json")
    assert sent.stderr == ""
    assert json.loads(sent.stdout)["status"] == {"status": "issued", "status_code": "70"}
    issued = str(json.loads(sent.stdout)["document_sha256"])
    new = _send(au, _write(tmp_path / "new.json", NEW, status_code="70"))
    odd = _send(au, _write(tmp_path / "odd.json", ODD, status_code="99"))
    for sha in (issued, new, odd):
        wait_for(lambda sha=sha: _state(cn, sha) == "accepted", 60, "CN to accept")
        assert _anchored(cn, sha)

    sent = au.cli("send", w_path, "--to", "CN-SHA", "--json")
    assert sent.stderr == (
        f"cusdep: warning: {w_path}: the certificate is withdrawn (status 40): not valid; "
        "the partner holds it for an officer\n"
    )
    assert json.loads(sent.stdout)["status"] == {"status": "withdrawn", "status_code": "40"}
    withdrawn = str(json.loads(sent.stdout)["document_sha256"])
    old = _send(au, _write(tmp_path / "old.json", OLD, status="replaced", replaced_by=NEW))
    for sha in (withdrawn, old):
        wait_for(lambda sha=sha: _state(cn, sha) == "in_review", 60, "CN to hold it")
        assert not _anchored(cn, sha)

    assert _held(cn, withdrawn) == (
        "review",
        "review",
        [
            f"certificate.status: certificate {WITHDRAWN} is withdrawn (status 40) by its "
            "issuer's own status: not accepted as valid; an officer decides"
        ],
    )
    state, verdict, [why] = _held(cn, old)
    assert (state, verdict) == ("review", "review")
    assert why == (
        f"certificate.status: certificate {OLD} is replaced by {NEW} by its issuer's own "
        f"status: not accepted as valid; an officer decides; linked to its replacement {NEW} "
        "on this node"
    )
    # linked as a replacement would be: the replaced number points to the replacement here
    assert cn.sql(
        "SELECT certificate_number, replacement_number, replacement_sha256, source "
        "FROM certificate_replacements"
    ) == [(OLD.replace("-", ""), NEW, new, "AU-CBR")]
    # it is the issuer's copy of its number all the same: what papers are checked against
    assert cn.sql("SELECT sha256 FROM certificate_copies WHERE sha256 = ?", withdrawn) == [
        (withdrawn,)
    ]

    # a declaration naming the withdrawn certificate goes to an officer; one naming the
    # issued certificate is consistent
    decl = {"doc_type": "declaration", "declaration_number": "CN-D-1", "net_weight_kg": 1200}
    (tmp_path / "d1.json").write_text(json.dumps({**decl, "certificate_numbers": [WITHDRAWN]}))
    (tmp_path / "d2.json").write_text(
        json.dumps({**decl, "declaration_number": "CN-D-2", "certificate_numbers": [ISSUED]})
    )
    d1 = _send(au, str(tmp_path / "d1.json"), "declaration")
    d2 = _send(au, str(tmp_path / "d2.json"), "declaration")
    query = "SELECT state, result FROM declaration_matches WHERE declaration_sha256 = ?"
    checked = {
        sha: wait_for(
            lambda sha=sha: [r for r in cn.sql(query, sha) if r[0] not in ("pending", "waiting")],
            60,
            "CN to check the declaration",
        )
        for sha in (d1, d2)
    }
    [(state, result)] = checked[d1]
    assert state == "review"
    assert json.loads(result)["reasons"] == [
        f"certificate.status: certificate {WITHDRAWN} is withdrawn (status 40) by its issuer's "
        "own status: not accepted as valid"
    ]
    assert checked[d2][0][0] == "consistent"

    # CN's officers see both as electronic certificates held for their status, not scans
    queue = cn.cli("review", "queue").stdout.splitlines()
    assert sorted(line[:64] for line in queue) == sorted((withdrawn, old))
    assert all(line.endswith("electronic certificate held for its status") for line in queue)
    shown = json.loads(cn.cli("review", "show", old).stdout)
    assert shown["kind"] == "electronic"
    held = shown["electronic"]
    assert (held["sender"], held["issuer_copy"], held["format"]) == ("AU-CBR", True, "cusdep-json")
    assert held["status"] == {
        "status": "replaced",
        "replaced_by": NEW,
        "text": f"replaced by {NEW}",
    }
    assert held["replacement"] == {
        "number": NEW,
        "sha256": new,
        "state": "accepted",
        "review": False,
        "held_as": "issuer_copy",
    }
    assert held["fields"]["consignee_name"] == "Sino Foods"
    assert (held["fields_gone"], held["disposed"]) == (None, None)
    for node in (au, cn):
        assert node.stop() == 0
