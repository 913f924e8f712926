"""``cusdep send`` and ``cusdep messages`` build the exchange alone: no chain client (web3),
no API server (FastAPI), which took most of their start-up (2.5 s a call, now under 1 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from node.identity import create_identity

_RUN = (
    "import sys, json\n"
    "from node.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "heavy = sorted(m for m in ('web3', 'fastapi', 'node.chain.wiring') if m in sys.modules)\n"
    "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
)


def test_messages_and_send_load_neither_the_chain_nor_the_api(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('[node]\nid = "CN-X"\ncountry = "CN"\nname = "X"\n')
    create_identity(home, "CN-X")
    doc = tmp_path / "certificate.json"
    doc.write_text("{}")
    for args in (["messages", "--json"], ["send", str(doc), "--to", "AU-NOBODY", "--json"]):
        out = subprocess.run(
            [sys.executable, "-c", _RUN, "--home", str(home), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        said = json.loads(out.stderr.strip().splitlines()[-1])
        assert said["heavy"] == [], (args, said)
        if args[0] == "messages":
            assert said["code"] == 0 and json.loads(out.stdout) == []
        else:  # an unpinned partner: refused in one line, before anything is queued
            assert said["code"] == 2 and "AU-NOBODY" in out.stderr.splitlines()[0]
