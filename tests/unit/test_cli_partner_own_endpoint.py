"""`partner add` of a card whose endpoint is where this node serves gRPC itself.

Two homes initialised on one host before either runs both get port 50051 (README,
"Configuration"); each exports a card naming 127.0.0.1:50051. Pinned, such a card sends every
delivery to this node's own server, and the outbox reports a TLS refusal ("re-exchange partner
cards") that says nothing of the port. `partner add` refuses the card instead, naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from node.cli import main
from node.config import load_settings
from node.exchange.partners import add_partner, parse_card
from node.storage.db import Database

NO_CHAIN = "http://127.0.0.1:1"


def _init(monkeypatch: pytest.MonkeyPatch, home: Path, country: str, port: int) -> None:
    monkeypatch.setenv("CUSDEP_HOME", str(home))
    args = ["init", "--country", country, "--name", f"{country} customs", "--rpc-url", NO_CHAIN]
    assert main([*args, "--grpc-port", str(port), "--api-port", str(port + 1000)]) == 0


def _card(monkeypatch: pytest.MonkeyPatch, home: Path, capsys: pytest.CaptureFixture) -> Path:
    monkeypatch.setenv("CUSDEP_HOME", str(home))
    capsys.readouterr()
    assert main(["partner", "export"]) == 0
    path = home.parent / f"{home.name}.json"
    path.write_text(capsys.readouterr().out)
    return path


def test_a_card_naming_this_nodes_own_grpc_endpoint_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    cn, au = tmp_path / "cn", tmp_path / "au"
    _init(monkeypatch, cn, "CN", 50051)
    _init(monkeypatch, au, "AU", 50051)  # as two homes made before either runs
    card = _card(monkeypatch, au, capsys)
    assert json.loads(card.read_text())["endpoint"] == "127.0.0.1:50051"

    monkeypatch.setenv("CUSDEP_HOME", str(cn))
    assert main(["partner", "add", str(card)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "127.0.0.1:50051" in err[0] and "grpc_port" in err[0], err
    assert main(["partner", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # nothing pinned

    # the same as localhost, or with this node bound everywhere, is this node too
    for endpoint, env in (("localhost:50051", {}), ("127.0.0.1:50051", {"HOST": "0.0.0.0"})):
        for key, value in env.items():
            monkeypatch.setenv(f"CUSDEP_EXCHANGE__{key}", value)
        card.write_text(json.dumps({**json.loads(card.read_text()), "endpoint": endpoint}))
        assert main(["partner", "add", str(card)]) == 2, endpoint
        capsys.readouterr()
    monkeypatch.delenv("CUSDEP_EXCHANGE__HOST")

    # AU on a port of its own: its new card is pinned
    (au / "config.toml").write_text(
        (au / "config.toml").read_text().replace("grpc_port = 50051", "grpc_port = 50052")
    )
    card = _card(monkeypatch, au, capsys)
    monkeypatch.setenv("CUSDEP_HOME", str(cn))
    assert main(["partner", "add", str(card)]) == 0
    assert json.loads(capsys.readouterr().out)["endpoint"] == "127.0.0.1:50052"


def test_another_hosts_endpoint_on_the_same_port_is_pinned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    cn, au = tmp_path / "cn", tmp_path / "au"
    _init(monkeypatch, cn, "CN", 50051)
    _init(monkeypatch, au, "AU", 50051)
    card = _card(monkeypatch, au, capsys)
    card.write_text(
        json.dumps({**json.loads(card.read_text()), "endpoint": "customs-au.example:50051"})
    )
    monkeypatch.setenv("CUSDEP_HOME", str(cn))
    assert main(["partner", "add", str(card)]) == 0


def test_a_card_pinned_earlier_at_this_nodes_endpoint_is_marked_in_partner_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """A card pinned by a version that did not check (or before this node's port moved onto
    the partner's) is named in `partner list`, with the setting to change."""
    cn, au = tmp_path / "cn", tmp_path / "au"
    _init(monkeypatch, cn, "CN", 50051)
    _init(monkeypatch, au, "AU", 50051)
    card = parse_card(_card(monkeypatch, au, capsys).read_text())
    settings = load_settings(cn)
    db = Database(settings.database_url)
    add_partner(db, card, own_id=settings.node.id)  # as `partner add` did before it checked
    db.dispose()

    monkeypatch.setenv("CUSDEP_HOME", str(cn))
    assert main(["partner", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["node_id"] == card.node_id and listed["endpoint"] == "127.0.0.1:50051"
    (warning,) = listed["warnings"]
    assert f"the card pinned for {card.node_id} names 127.0.0.1:50051" in warning
    assert "grpc_port" in warning and "partner add --replace" in warning

    # re-pinned at a port of its own, the warning is gone
    (au / "config.toml").write_text(
        (au / "config.toml").read_text().replace("grpc_port = 50051", "grpc_port = 50052")
    )
    fixed = _card(monkeypatch, au, capsys)
    monkeypatch.setenv("CUSDEP_HOME", str(cn))
    assert main(["partner", "add", str(fixed), "--replace"]) == 0
    capsys.readouterr()
    assert main(["partner", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["warnings"] == []
