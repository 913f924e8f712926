"""A partner pinned at this node's own gRPC endpoint (a card an older `partner add` took before
it refused such cards): `node run` warns at start, naming the partner and the setting to
change, as one JSON record."""

from __future__ import annotations

import dataclasses
import json

from node.config import load_settings
from node.exchange.partners import add_partner, export_card
from node.identity import load_identity
from node.storage.db import Database


def test_node_run_warns_of_a_partner_pinned_at_its_own_endpoint(node_factory) -> None:
    cn, au = node_factory("CN-SHA"), node_factory("AU-CAN")
    card = export_card(load_settings(au.home), load_identity(au.home, au.node_id))
    clashing = dataclasses.replace(card, endpoint=f"127.0.0.1:{cn.grpc_port}")
    db = Database(load_settings(cn.home).database_url)
    add_partner(db, clashing, own_id=cn.node_id)  # no check_not_own_endpoint: an older version
    db.dispose()
    cn.start()
    assert cn.stop() == 0
    records = [json.loads(line) for line in (cn.home / "node.log").read_text().splitlines()]
    (warning,) = [r for r in records if "pinned for AU-CAN" in r["msg"]]
    assert warning["level"] == "warning"
    assert f"names 127.0.0.1:{cn.grpc_port}, where this node (CN-SHA) serves gRPC" in warning["msg"]
    assert "[exchange] grpc_port" in warning["msg"] and "--replace" in warning["msg"]
