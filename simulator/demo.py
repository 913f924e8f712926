"""`make demo`: what the node does today, end to end, on an embedded chain.

Initialises a node (Shanghai Customs, CN) in out/demo/, registers a partner agency with a seal
and an officer specimen and a template (hashes on chain), anchors a batch of certificates in one
transaction, and traces one of them back to the chain. Prints a summary table.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import shutil
import signal
import os
import sys
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from rich.console import Console
from rich.table import Table

from node.bootstrap import build_node
from node.config import load_settings
from node.documents import anchor_files
from node.setup import initialise_node
from node.trace import trace

OUT = Path(__file__).resolve().parent.parent / "out" / "demo"
console = Console(stderr=True)


def _stop_leftover_anvil(home: Path) -> None:
    pid_file = home / "chain" / "anvil.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass


def _seal_png() -> bytes:
    img = Image.new("RGB", (220, 220), "white")
    d = ImageDraw.Draw(img)
    d.ellipse((10, 10, 210, 210), outline=(200, 30, 40), width=8)
    d.ellipse((45, 45, 175, 175), outline=(200, 30, 40), width=3)
    d.text((70, 100), "AU-DAFF", fill=(200, 30, 40))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _signature_png() -> bytes:
    img = Image.new("RGB", (300, 90), "white")
    d = ImageDraw.Draw(img)
    d.line([(10, 60), (60, 20), (90, 70), (140, 25), (200, 65), (280, 30)], fill=(20, 30, 120),
           width=3)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


TEMPLATE = {
    "id": "AU-PHYTO-2025",
    "certificate_type": "phytosanitary",
    "issuing_country": "AU",
    "agency": "AU-DAFF",
    "titles": ["PHYTOSANITARY CERTIFICATE"],
    "fields": [
        {"name": "certificate_number", "labels": ["Certificate No.", "No."]},
        {"name": "consignor", "labels": ["Name and address of exporter"],
         "split_lines": ["consignor_name", "consignor_address"]},
        {"name": "issue_date", "labels": ["Date of issue", "Date"]},
    ],
}


def _certificates(n: int) -> list[tuple[str, bytes]]:
    docs = []
    for i in range(n):
        body = {"certificate_number": f"AU-2026-{i:06d}", "consignor_name": "Orchard Fresh Pty Ltd",
                "consignee_name": "Shanghai Fruit Import Co", "origin_country": "AU",
                "destination_country": "CN", "hs_code": "080810", "net_weight_kg": 1200.0 + i}
        docs.append((f"certificate-{i}.json", json.dumps(body, sort_keys=True).encode()))
    return docs


async def _run(home: Path, count: int) -> list[tuple[str, str, str]]:
    steps: list[tuple[str, str, str]] = []
    settings = load_settings(home)
    async with build_node(settings) as node:
        reg = node.registry
        assert reg is not None
        t = time.perf_counter()
        await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
        seal = await reg.add_seal("AU-DAFF", "AU-DAFF-S1", _seal_png())
        officer = await reg.add_officer("AU-DAFF", "AU-DAFF-O7", "Jane Citizen", _signature_png(),
                                        "2024-01-01", "2028-12-31")
        tpl = await reg.add_template(json.dumps(TEMPLATE, indent=2).encode())
        steps.append(("registry", f"agency AU-DAFF (CN-attested), seal {seal['sha256'][:12]}…, "
                      f"officer {officer['id']}, template {tpl['id']}",
                      f"{time.perf_counter() - t:.2f}s"))
        docs = _certificates(count)
        t = time.perf_counter()
        infos = await anchor_files(node, docs)
        roots = {i.root for i in infos}
        steps.append(("anchor", f"{len(infos)} certificates in {len(roots)} transaction(s), "
                      f"block {infos[0].block_number}", f"{time.perf_counter() - t:.2f}s"))
        sha = hashlib.sha256(docs[0][1]).hexdigest()
        t = time.perf_counter()
        result: dict[str, Any] = await trace(node, sha)
        steps.append(("trace", f"{sha[:16]}… events "
                      f"{[e['kind'] for e in result['events']]}, verified_on_chain="
                      f"{result['verified_on_chain']}", f"{time.perf_counter() - t:.2f}s"))
        (OUT / "trace.json").write_text(json.dumps(result, indent=2))
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo")
    parser.add_argument("--count", type=int, default=200, help="certificates to anchor")
    args = parser.parse_args(argv)
    home = OUT / "cn-home"
    _stop_leftover_anvil(home)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    with console.status("initialising node CN-SHA (embedded anvil, contracts)…"):
        t = time.perf_counter()
        settings = initialise_node(home, country="CN", name="Shanghai Customs", node_id="CN-SHA")
        init_s = time.perf_counter() - t
    with console.status("registering specimens, anchoring certificates, tracing…"):
        steps = asyncio.run(_run(home, args.count))
    table = Table(title="cusdep demo — node CN-SHA")
    table.add_column("step")
    table.add_column("result")
    table.add_column("time", justify="right")
    table.add_row("init", f"home {home}, anchor contract {settings.chain.anchor_contract}",
                  f"{init_s:.2f}s")
    for row in steps:
        table.add_row(*row)
    Console().print(table)
    sys.stdout.write(f"trace of the first certificate: {OUT / 'trace.json'}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
