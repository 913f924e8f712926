"""What the retention policy keeps past its period, and why, on real nodes over mTLS: the CLI
(``retention apply --dry-run``'s ``kept``, ``retention kept``) names a partner that never takes
delivery (``outbox_undelivered``); removing it expires the message and lets the document go. A
partner's review outcome naming a document this node sent (an inbox row whose bytes are never
stored: it carries no document) kept that document for ever, with no reason to show."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from node.config import load_settings, write_settings
from tests.integration.exchange.conftest import NodeHome, pin, wait_for


def _retention(node: NodeHome, days: int) -> None:
    """The policy on, applied by the CLI only (``node run``'s interval: a day)."""
    settings = load_settings(node.home)
    settings.retention = settings.retention.model_copy(
        update={"documents_days": days, "interval_seconds": 86400}
    )
    write_settings(settings)


def _age(node: NodeHome, days: int) -> None:
    with sqlite3.connect(node.home / "cusdep.db", timeout=30) as conn:
        conn.execute("UPDATE documents SET created_at = datetime('now', ?)", (f"-{days} days",))


def _json(node: NodeHome, *args: str) -> Any:
    return json.loads(node.cli(*args, "--json").stdout)


def test_kept_names_the_partner_that_never_takes_delivery(tmp_path: Path, node_factory) -> None:
    cn = node_factory("CN-SHA", retry_base_seconds=0.05, retry_max_seconds=0.3)
    au = node_factory("AU-SYD")
    nz = node_factory("NZ-AKL")  # pinned, never started: takes no delivery
    pin(cn, au, nz)
    pin(au, cn)
    _retention(cn, 7)
    cn.start()
    au.start()
    # to AU: not a certificate its router can read, so AU rejects it and tells CN (an outcome)
    outcome_of = tmp_path / "unreadable.txt"
    outcome_of.write_text("not a certificate at all\n")
    told = _json(cn, "send", str(outcome_of), "--to", "AU-SYD")["document_sha256"]
    stuck_file = tmp_path / "nz.json"
    stuck_file.write_text(json.dumps({"certificate_number": "CN-2026-0001"}))
    stuck = _json(cn, "send", str(stuck_file), "--to", "NZ-AKL")["document_sha256"]
    outcome = (
        "SELECT state FROM exchange_inbox WHERE kind = 'review_outcome' AND document_sha256 = ?"
    )
    wait_for(
        lambda: cn.sql(outcome, told) == [("applied",)],
        timeout=60,
        what="AU's review outcome applied on CN",
    )
    wait_for(
        lambda: cn.sql("SELECT min(attempts) FROM exchange_outbox WHERE peer = 'NZ-AKL'")[0][0]
    )
    _age(cn, 30)

    dry = _json(cn, "retention", "apply", "--dry-run")
    assert [d["sha256"] for d in dry["documents"]] == [told]  # the outcome does not keep it
    assert dry["kept"]["documents"] == 1
    assert {k: v for k, v in dry["kept"]["reasons"].items() if v} == {"outbox_undelivered": 1}
    listed = _json(cn, "retention", "kept")
    assert [(d["sha256"], d["reasons"]) for d in listed] == [(stuck, ["outbox_undelivered"])]
    assert listed[0]["arrived"] and listed[0]["kind"] == "certificate"
    assert _json(cn, "retention", "kept", "--reason", "held") == []
    bad = cn.cli("retention", "kept", "--reason", "forgotten", check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "unknown reason 'forgotten'" in bad.stderr and "outbox_undelivered" in bad.stderr
    bad = cn.cli("retention", "kept", "--limit", "0", check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1

    # the partner removed: its message expires and can never be delivered; the document goes
    cn.cli("partner", "remove", "NZ-AKL")
    out = _json(cn, "retention", "apply")
    assert sorted(d["sha256"] for d in out["documents"]) == sorted([told, stuck])
    assert out["kept"] == {"documents": 0, "reasons": dict.fromkeys(out["kept"]["reasons"], 0)}
    assert _json(cn, "retention", "kept") == []
    plain = cn.cli("retention", "apply", "--dry-run").stdout
    assert "kept past the period" not in plain
    assert cn.stop() == 0 and au.stop() == 0
