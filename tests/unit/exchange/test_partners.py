from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

import pytest

from node.config import Settings
from node.errors import ConfigError, Conflict, InputError
from node.exchange.errors import RetiredKeyExpired, UnknownKey
from node.exchange.partners import PartnerDirectory, add_partner, export_card, parse_card
from node.exchange.tables import PartnerRow
from node.identity import create_identity
from node.storage.db import Database


def _card(tmp_path: Path, node_id: str = "AU-CAN") -> dict:
    home = tmp_path / node_id
    identity = create_identity(home, node_id)
    settings = Settings(home=home, node={"id": node_id, "country": node_id[:2], "name": "x"})
    return export_card(settings, identity).to_json()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"node_id": "au can"}, "node_id"),
        ({"country": "AUS"}, "country"),
        ({"endpoint": "127.0.0.1"}, "endpoint"),
        ({"endpoint": "127.0.0.1:70000"}, "endpoint"),
        ({"ca_pem": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"}, "ca_pem"),
        ({"verify_key_hex": "zz"}, "verify_key_hex"),
        ({"key_id": "0" * 16}, "key_id"),
        ({"ca_pem": None}, "ca_pem"),
    ],
)
def test_invalid_cards_are_input_errors(tmp_path: Path, change: dict, message: str) -> None:
    card = {**_card(tmp_path), **change}
    with pytest.raises(InputError, match=message):
        parse_card(json.dumps(card))


def test_non_json_and_node_certificate_as_ca_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not JSON"):
        parse_card("{nope")
    card = _card(tmp_path)
    node_cert = (tmp_path / "AU-CAN" / "keys" / "node.pem").read_text()
    with pytest.raises(InputError, match="CA certificate"):
        parse_card(json.dumps({**card, "ca_pem": node_cert}))


def test_pinning_is_idempotent_and_changes_need_replace(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    card = parse_card(json.dumps(_card(tmp_path)))
    assert add_partner(db, card, own_id="CN-SHA") is True
    assert add_partner(db, card, own_id="CN-SHA") is False
    rotated = parse_card(json.dumps({**_card(tmp_path / "new"), "node_id": "AU-CAN"}))
    with pytest.raises(Conflict):
        add_partner(db, rotated, own_id="CN-SHA")
    assert add_partner(db, rotated, own_id="CN-SHA", replace=True) is True
    with pytest.raises(InputError):
        add_partner(db, card, own_id="AU-CAN")
    directory = PartnerDirectory(db)
    assert directory.require("AU-CAN").key_id == rotated.key_id


def test_a_node_id_not_of_its_country_is_refused_unless_pinned_before_the_rule(
    tmp_path: Path,
) -> None:
    """A security review: a node's id begins with its country. A partner an earlier release
    let choose another id (UK-LHR of GB), pinned then, is re-pinned after it rotates its keys:
    after the upgrade its new card was refused and it could not be followed without a new id."""
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    with pytest.raises(InputError, match="node_id 'AU-CAN' is not of country CN"):
        add_partner(db, parse_card(json.dumps({**_card(tmp_path), "country": "CN"})), own_id="X")
    assert PartnerDirectory(db).get("AU-CAN") is None
    old = parse_card(json.dumps({**_card(tmp_path / "old", "UK-LHR"), "country": "GB"}))
    with db.session() as session:  # as an earlier release pinned it
        session.add(PartnerRow(**asdict(old)))
    rotated = {**_card(tmp_path / "new", "UK-LHR"), "country": "GB"}
    assert add_partner(db, parse_card(json.dumps(rotated)), own_id="CN-SHA", replace=True)
    assert PartnerDirectory(db).require("UK-LHR").key_id == rotated["key_id"]
    elsewhere = parse_card(json.dumps({**rotated, "country": "US"}))
    with pytest.raises(InputError, match="not of country US"):
        add_partner(db, elsewhere, own_id="CN-SHA", replace=True)


def test_peer_is_identified_only_by_a_pinned_ca_and_its_san(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    add_partner(db, parse_card(json.dumps(_card(tmp_path))), own_id="CN-SHA")
    directory = PartnerDirectory(db)
    au_cert = (tmp_path / "AU-CAN" / "keys" / "node.pem").read_bytes()
    assert directory.identify(au_cert) == "AU-CAN"
    _card(tmp_path, "NZ-AKL")  # a different CA, not pinned
    assert directory.identify((tmp_path / "NZ-AKL" / "keys" / "node.pem").read_bytes()) is None
    assert directory.identify(b"not a certificate") is None


def test_a_re_pin_reaches_a_running_directory_within_a_second(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    add_partner(db, parse_card(json.dumps(_card(tmp_path))), own_id="CN-SHA")
    now = [100.0]
    directory = PartnerDirectory(db, monotonic=lambda: now[0])
    old_key = directory.require("AU-CAN").key_id
    old_cert = (tmp_path / "AU-CAN" / "keys" / "node.pem").read_bytes()
    assert directory.identify(old_cert) == "AU-CAN"
    # the partner's keys leaked: it makes new ones and we re-pin it while the node runs
    rotated = parse_card(json.dumps({**_card(tmp_path / "new"), "node_id": "AU-CAN"}))
    add_partner(db, rotated, own_id="CN-SHA", replace=True)
    now[0] += 0.5
    assert directory.require("AU-CAN").key_id == old_key  # read at most once a second
    now[0] += 0.5
    assert directory.get("AU-CAN") is not None
    assert directory.require("AU-CAN").key_id == rotated.key_id != old_key
    assert directory.identify(old_cert) is None  # the old CA's certificate is no one now


def test_the_card_names_the_endpoint_partners_dial(tmp_path: Path) -> None:
    home = tmp_path / "NZ-AKL"
    identity = create_identity(home, "NZ-AKL")

    def card(**exchange: object) -> str:
        s = Settings(home=home, node={"id": "NZ-AKL", "country": "NZ", "name": "x"})
        s.exchange = s.exchange.model_copy(update=exchange)
        return export_card(s, identity).endpoint

    assert card(host="10.0.0.5", grpc_port=50051) == "10.0.0.5:50051"
    assert card(host="0.0.0.0", advertise="customs.example.nz:443") == "customs.example.nz:443"
    with pytest.raises(ConfigError, match="set exchange.advertise"):
        card(host="0.0.0.0", grpc_port=50051)  # a bind-everywhere address no partner can dial


def _rotated_card(tmp_path: Path, hours: float = 24) -> dict:
    from node.identity import load_identity, rotate_identity

    home = tmp_path / "AU-CAN"
    rotate_identity(home, "AU-CAN", dt.timedelta(hours=hours))
    settings = Settings(home=home, node={"id": "AU-CAN", "country": "AU", "name": "x"})
    return export_card(settings, load_identity(home, "AU-CAN")).to_json()


def test_a_rotated_card_lists_the_retired_key_and_its_overlap(tmp_path: Path) -> None:
    old = _card(tmp_path)
    card = _rotated_card(tmp_path)
    (retired,) = card["retired_keys"]
    assert retired["key_id"] == old["key_id"] and card["key_id"] != old["key_id"]
    assert card["ca_pem"] == old["ca_pem"]  # same CA: partners' TLS trust holds
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    add_partner(db, parse_card(json.dumps(old)), own_id="CN-SHA")
    assert add_partner(db, parse_card(json.dumps(card)), own_id="CN-SHA", replace=True)
    partner = PartnerDirectory(db).require("AU-CAN")
    now = dt.datetime.now(dt.UTC)
    assert bytes(partner.verify_key_for(old["key_id"], now)).hex() == old["verify_key_hex"]
    with pytest.raises(RetiredKeyExpired):
        partner.verify_key_for(old["key_id"], now + dt.timedelta(hours=25))
    with pytest.raises(UnknownKey):
        partner.verify_key_for("0" * 16, now)
    # the same card again is no change; a card that drops the retired key is one
    assert add_partner(db, parse_card(json.dumps(card)), own_id="CN-SHA") is False
    bare = {k: v for k, v in card.items() if k != "retired_keys"}  # a card of an older node
    assert add_partner(db, parse_card(json.dumps(bare)), own_id="CN-SHA", replace=True)
    with pytest.raises(UnknownKey):
        PartnerDirectory(db).require("AU-CAN").verify_key_for(old["key_id"], now)


@pytest.mark.parametrize(
    "change",
    [
        {"key_id": "0" * 16},
        {"verify_key_hex": "zz"},
        {"until": "2030-01-01T00:00:00"},  # no time zone
        {"until": "soon"},
    ],
)
def test_invalid_retired_keys_are_input_errors(tmp_path: Path, change: dict) -> None:
    _card(tmp_path)
    card = _rotated_card(tmp_path)
    card["retired_keys"] = [{**card["retired_keys"][0], **change}]
    with pytest.raises(InputError, match="retired"):
        parse_card(json.dumps(card))
    card["retired_keys"] = [{**card["retired_keys"][0], "key_id": card["key_id"]}]
    with pytest.raises(InputError, match="retired"):
        parse_card(json.dumps(card))


def test_one_card_pinned_by_two_commands_at_once_is_pinned_once(tmp_path: Path) -> None:
    from tests.races import rival_before_write

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    first, second = Database(url), Database(url)
    first.migrate()
    card = parse_card(json.dumps(_card(tmp_path)))
    other = rival_before_write(first, None, lambda: add_partner(second, card, own_id="CN-SHA"))

    assert add_partner(first, card, own_id="CN-SHA") is False  # the other pinned it first
    assert other == [True]
    rotated = parse_card(json.dumps({**_card(tmp_path / "new"), "node_id": "AU-CAN"}))
    rival_before_write(first, None, lambda: add_partner(second, card, own_id="CN-SHA"))
    with pytest.raises(Conflict):  # another card under that id: refused, not a crash
        add_partner(first, rotated, own_id="CN-SHA")
