"""TLS certificates that end, between real `cusdep node run` processes over mTLS: a card whose
CA has expired is refused by `partner add` (one line naming the partner), a node warns at start
about each certificate it depends on that has ended or ends within 30 days (its own, its
partners' pinned CAs), and a delivery whose handshake fails because one has ended says which
one, not only that the certificates do not match."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import node.identity
from node.config import load_settings
from node.exchange.partners import PartnerDirectory, add_partner, export_card
from node.exchange.tls import expiring_certificates
from node.identity import load_identity
from node.storage.db import Database
from tests.integration.exchange.conftest import NodeHome, pin, wait_for


def _ending(monkeypatch: pytest.MonkeyPatch, end: dt.timedelta) -> None:
    """Certificates made from now on end ``end`` from now (issued 400 days before that)."""
    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(
        node.identity, "_validity", lambda: (now + end - dt.timedelta(days=400), now + end)
    )


def _pin_unchecked(node: NodeHome, partner: NodeHome) -> None:
    """Pin ``partner``'s card as it was when it was valid (its certificates ended since)."""
    db = Database(load_settings(node.home).database_url)
    card = export_card(load_settings(partner.home), load_identity(partner.home, partner.node_id))
    add_partner(db, card, own_id=node.node_id)
    db.dispose()


def test_expired_certificates_are_named(
    tmp_path: Path, node_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    au = node_factory("AU-CAN")
    _ending(monkeypatch, -dt.timedelta(days=1))
    cn = node_factory("CN-SHA")  # its CA and TLS certificate ended yesterday
    monkeypatch.undo()
    card = tmp_path / "cn.json"
    card.write_text(cn.cli("partner", "export").stdout)
    refused = au.cli("partner", "add", str(card), check=False)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "CA certificate of CN-SHA expired on" in refused.stderr
    assert json.loads(au.cli("partner", "list", "--json").stdout) == []

    _pin_unchecked(au, cn)
    pin(cn, au)
    cn.start()
    au.start()
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"certificate_number": "AU-2026-0001"}))
    au.cli("send", str(f), "--to", "CN-SHA", "--json")
    wait_for(
        lambda: (
            "the CA certificate pinned for CN-SHA expired on"
            in au.sql("SELECT error FROM exchange_outbox")[0][0]
        ),
        what="the delivery's error naming the expired certificate",
    )
    assert au.outbox_states() == {"pending": 1}
    assert cn.stop() == 0 and au.stop() == 0
    assert (
        "TLS: the CA certificate pinned for CN-SHA expired on" in (au.home / "node.log").read_text()
    )
    cn_log = (cn.home / "node.log").read_text()
    assert "TLS: this node's TLS certificate expired on" in cn_log
    assert "TLS: this node's CA certificate expired on" in cn_log


def test_certificates_ending_within_30_days_are_named(
    tmp_path: Path, node_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    au = node_factory("AU-CAN")
    _ending(monkeypatch, dt.timedelta(days=10, hours=1))
    cn = node_factory("CN-SHA")
    monkeypatch.undo()
    pin(au, cn)  # still valid: pinned
    db = Database(load_settings(au.home).database_url)
    partners = PartnerDirectory(db).all()
    db.dispose()
    ours = load_identity(au.home, "AU-CAN")
    (warning,) = expiring_certificates(ours, partners)
    assert warning.startswith("the CA certificate pinned for CN-SHA expires on")
    assert "in 10 days" in warning
    assert expiring_certificates(ours, partners, within=dt.timedelta(days=9)) == []
    theirs = load_identity(cn.home, "CN-SHA")
    assert len(expiring_certificates(theirs, [])) == 2  # its own CA and TLS certificate
