"""`cusdep partner remove` on a running node over mTLS: the partner's messages still queued
expire (they are not retried for ever), its CA is trusted no more (what it sends is refused at
the TLS handshake), and it can be pinned again."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.exchange.conftest import pin, wait_for


def test_a_removed_partner_is_trusted_no_more_and_its_queue_expires(
    tmp_path: Path, node_factory
) -> None:
    au = node_factory("AU-CAN", retry_base_seconds=0.05, retry_max_seconds=0.3)
    cn = node_factory("CN-SHA", retry_base_seconds=0.05, retry_max_seconds=0.3)
    pin(au, cn)
    pin(cn, au)
    au.start()  # CN down: AU's messages wait
    files = []
    for i in range(2):
        f = tmp_path / f"c{i}.json"
        f.write_text(json.dumps({"certificate_number": f"AU-2026-{i:04d}"}))
        files.append(str(f))
    au.cli("send", *files, "--to", "CN-SHA", "--json")
    wait_for(lambda: au.sql("SELECT min(attempts) FROM exchange_outbox")[0][0], what="retries")

    out = json.loads(au.cli("partner", "remove", "CN-SHA", "--json").stdout)
    assert out == {"node_id": "CN-SHA", "removed": True, "messages_expired": 2}
    assert au.outbox_states() == {"expired": 2}
    assert json.loads(au.cli("partner", "list", "--json").stdout) == []
    again = au.cli("partner", "remove", "CN-SHA", check=False)
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "no pinned partner CN-SHA" in again.stderr
    refused = au.cli("send", files[0], "--to", "CN-SHA", check=False)
    assert refused.returncode == 2

    cn.start()  # CN still pins AU: its message meets AU's TLS, which trusts CN no more
    f = tmp_path / "cn.json"
    f.write_text(json.dumps({"certificate_number": "CN-2026-0001"}))
    cn.cli("send", str(f), "--to", "AU-CAN", "--json")
    wait_for(
        lambda: cn.sql("SELECT attempts FROM exchange_outbox")[0][0] >= 3,
        what="CN's attempts refused by AU",
    )
    assert cn.outbox_states() == {"pending": 1}
    assert au.inbox() == [] and au.rejections() == []  # refused at the handshake
    assert au.outbox_states() == {"expired": 2}

    card = tmp_path / "cn-card.json"
    card.write_text(cn.cli("partner", "export").stdout)
    au.cli("partner", "add", str(card))  # pinned again: CN's message arrives
    wait_for(lambda: len(au.inbox()) == 1, what="CN's message after the re-pin")
    assert au.outbox_states() == {"expired": 2}  # what expired stays expired
    assert au.stop() == 0 and cn.stop() == 0
