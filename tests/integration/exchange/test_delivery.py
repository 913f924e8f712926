"""Delivery through the CLI contract with `cusdep node run` processes: partner export/add,
send (any file), messages, ordering per partner, retries while a partner is down, and a clean
SIGTERM drain."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.integration.exchange.conftest import NO_CHAIN, REPO, NodeHome, pin, wait_for

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _cli_init(root: Path, node_id: str) -> NodeHome:
    from node.netports import free_port

    home, port = root / node_id.lower(), free_port()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "node",
            "--home",
            str(home),
            "init",
            "--country",
            node_id[:2],
            "--name",
            f"{node_id} office",
            "--id",
            node_id,
            "--rpc-url",
            NO_CHAIN,
            "--grpc-port",
            str(port),
            "--api-port",
            str(free_port()),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert json.loads(out.stdout)["grpc_port"] == port
    return NodeHome(home, node_id, port)


def test_cli_partner_send_messages_and_clean_stop(tmp_path: Path, node_factory) -> None:
    au, cn = _cli_init(tmp_path, "AU-CAN"), node_factory("CN-SHA")
    card = au.cli("partner", "export").stdout
    exported = json.loads(card)
    assert exported["node_id"] == "AU-CAN" and exported["endpoint"].endswith(f":{au.grpc_port}")
    assert "BEGIN CERTIFICATE" in exported["ca_pem"] and len(exported["verify_key_hex"]) == 64
    (tmp_path / "au.json").write_text(card)
    bad = dict(exported, key_id="0" * 16)
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    refused = cn.cli("partner", "add", str(tmp_path / "bad.json"), check=False)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "key_id" in refused.stderr
    cn.cli("partner", "add", str(tmp_path / "au.json"))
    pin(au, cn)

    cert = tmp_path / "cert.json"
    cert.write_text('{"certificate_number": "AU-2026-1", "net_weight_kg": 1250.5}')
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    sent = [
        json.loads(au.cli("send", str(cert), "--to", "CN-SHA", "--json").stdout),
        json.loads(
            au.cli("send", str(scan), "--to", "cn-sha", "--kind", "declaration", "--json").stdout
        ),
    ]
    assert all(set(s) == {"message_id", "document_sha256"} for s in sent)
    assert au.outbox_states() == {"pending": 2}  # queued durably; nothing runs yet

    cn.start()
    au.start()
    wait_for(lambda: au.outbox_states() == {"delivered": 2}, what="delivery")
    outbox = json.loads(au.cli("messages", "--direction", "out", "--json").stdout)
    # delivered at the first try: one attempt each (not 0, which read as "never tried")
    assert [(m["state"], m["attempts"], m["error"]) for m in outbox] == [("delivered", 1, "")] * 2
    inbox = json.loads(cn.cli("messages", "--direction", "in", "--json").stdout)
    assert [
        (m["message_id"], m["direction"], m["document_sha256"], m["kind"], m["peer"], m["state"])
        for m in inbox
    ] == [
        (
            sent[0]["message_id"],
            "in",
            sent[0]["document_sha256"],
            "certificate",
            "AU-CAN",
            "received",
        ),
        (
            sent[1]["message_id"],
            "in",
            sent[1]["document_sha256"],
            "declaration",
            "AU-CAN",
            "received",
        ),
    ]
    blob = cn.home / "blobs" / sent[1]["document_sha256"][:2] / sent[1]["document_sha256"]
    wait_for(blob.exists, what="the received document's blob")
    assert blob.read_bytes() == PDF
    assert au.stop() == 0 and cn.stop() == 0


def test_send_to_an_unpinned_node_exits_2(node_factory, tmp_path: Path) -> None:
    au = node_factory("AU-CAN")
    (tmp_path / "x.json").write_text("{}")
    unknown = au.cli("send", str(tmp_path / "x.json"), "--to", "US-NYC", "--json", check=False)
    assert unknown.returncode == 2 and "US-NYC" in unknown.stderr
    assert unknown.stderr.count("\n") == 1 and au.outbox_states() == {}


def test_send_of_a_file_no_envelope_can_carry_exits_2(node_factory, tmp_path: Path) -> None:
    au, cn = node_factory("AU-CAN", max_message_bytes=65536), node_factory("CN-SHA")
    pin(au, cn)
    big, small = tmp_path / "big.pdf", tmp_path / "small.pdf"
    big.write_bytes(PDF + bytes(70_000))
    small.write_bytes(PDF)
    out = au.cli("send", str(small), str(big), "--to", "CN-SHA", "--json", check=False)
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "big.pdf: an envelope of" in out.stderr and "exceeds 65536" in out.stderr
    assert au.outbox_states() == {}  # nothing of the batch was queued


def test_three_nodes_per_partner_order_and_retry_while_offline(node_factory) -> None:
    a, c = node_factory("AU-CAN", batch_max=16), node_factory("NZ-AKL", batch_max=16)
    b = node_factory("CN-SHA")
    pin(b, a, c)
    pin(a, b)
    pin(c, b)
    queued = {n.node_id: _queue(n, "CN-SHA", 120) for n in (a, c)}
    a.start()
    c.start()  # b is down: both keep retrying with backoff
    wait_for(lambda: _attempts(a) > 0 and _attempts(c) > 0, what="failed attempts")
    b.start()
    for n in (a, c):
        wait_for(lambda n=n: n.outbox_states() == {"delivered": 120}, what="delivery")
    for sender in (a, c):
        got = b.sql(
            "SELECT message_id FROM exchange_inbox WHERE peer = ? ORDER BY rowid", sender.node_id
        )
        assert [r[0] for r in got] == queued[sender.node_id]  # in the sender's order
    assert [a.stop(), b.stop(), c.stop()] == [0, 0, 0]
    for sender in (a, c):  # each outage's warnings end with one saying it is over
        logged = [json.loads(line) for line in (sender.home / "node.log").read_text().splitlines()]
        warned = [r["msg"] for r in logged if r["level"] == "warning" and "CN-SHA" in r["msg"]]
        assert warned[0].startswith("delivery to CN-SHA failed"), warned
        assert warned[-1].startswith("delivery to CN-SHA resumed after "), warned


def _queue(node: NodeHome, to: str, n: int) -> list[str]:
    from node.bootstrap import build_node
    from node.config import load_settings

    built = build_node(load_settings(node.home))
    assert built.exchange is not None
    files = [(f'{{"certificate_number": "{node.node_id}-{i}"}}'.encode(), "") for i in range(n)]
    results = built.exchange.send_many(files, to)
    built.db.dispose()
    return [r.message_id for r in results]


def _attempts(node: NodeHome) -> int:
    return int(node.sql("SELECT max(attempts) FROM exchange_outbox")[0][0] or 0)


def test_partner_pinned_while_running_and_sigterm_mid_stream(node_factory) -> None:
    receiver = node_factory("CN-SHA")
    late = node_factory("NZ-AKL", batch_max=8, window_frames=2, retry_max_seconds=1.0)
    pin(late, receiver)
    receiver.start()  # NZ-AKL is not pinned yet: its handshakes are refused
    ids = _queue(late, "CN-SHA", 400)
    late.start()
    wait_for(lambda: _attempts(late) > 0, what="refused attempts")
    assert receiver.inbox() == []
    card = late.home / "card.json"
    card.write_text(late.cli("partner", "export").stdout)
    receiver.cli("partner", "add", str(card))  # taken up on the next handshake, no restart
    wait_for(lambda: len(receiver.inbox()) >= 50, what="delivery after pinning")
    assert late.stop() == 0  # SIGTERM mid-stream: drains and exits cleanly
    late.start()
    wait_for(lambda: late.outbox_states() == {"delivered": 400}, what="the rest delivered")
    got = receiver.sql("SELECT message_id FROM exchange_inbox ORDER BY rowid")
    assert [r[0] for r in got] == ids
    assert late.stop() == 0 and receiver.stop() == 0


def test_a_partner_re_pinned_while_running_is_held_to_the_new_key_at_once(
    node_factory, tmp_path: Path
) -> None:
    """CN re-pins AU with another key (`partner add --replace`) while both nodes run and AU's
    stream stays open. AU's next envelope, signed with the key CN no longer pins, is refused
    without a restart (`unknown_key`, audited); AU keeps it queued, as it would after its own
    key rotation until CN pins the new card. Re-pinned back, it and the next arrive."""
    from node.identity import create_identity

    receiver = node_factory("CN-SHA")
    sender = node_factory("AU-CAN", retry_max_seconds=0.5)
    pin(sender, receiver)
    pin(receiver, sender)
    receiver.start()
    sender.start()
    first = _queue(sender, "CN-SHA", 1)
    wait_for(lambda: [r[0] for r in receiver.inbox()] == first, what="the first delivery")
    real = json.loads(sender.cli("partner", "export").stdout)
    other = create_identity(tmp_path / "elsewhere", "AU-CAN")
    leaked = {**real, "verify_key_hex": other.verify_key_hex, "key_id": other.key_id}
    card = tmp_path / "au-new-key.json"
    card.write_text(json.dumps(leaked))
    receiver.cli("partner", "add", str(card), "--replace")
    second = _queue(sender, "CN-SHA", 1)
    wait_for(lambda: receiver.rejections(), what="the refusal")
    assert [r[0] for r in receiver.inbox()] == first
    assert {(r[0], r[1], r[2]) for r in receiver.rejections()} == {
        (second[0], "cusdep.exchange.unknown_key", "UNAUTHENTICATED")
    }
    kept = {"delivered": 1, "pending": 1}  # the refused one kept, not given up
    wait_for(lambda: sender.outbox_states() == kept, what="the first receipt recorded")
    card.write_text(json.dumps(real))
    receiver.cli("partner", "add", str(card), "--replace")
    third = _queue(sender, "CN-SHA", 1)
    wait_for(lambda: len(receiver.inbox()) == 3, what="delivery after re-pinning back")
    assert sorted(r[0] for r in receiver.inbox()) == sorted(first + second + third)
    # the receiver stores before it answers: the sender records the receipt a moment later
    wait_for(lambda: sender.outbox_states() == {"delivered": 3}, what="the receipts recorded")
    assert sender.stop() == 0 and receiver.stop() == 0
