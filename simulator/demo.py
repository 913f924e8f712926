"""`make demo`: three customs nodes exchange, review, anchor and trace certificates.

A consortium chain (one anvil) and three nodes as separate processes — Shanghai Customs (CN,
the importer and consortium admin), Australia (AU) and New Zealand (NZ). The issuing agencies
of AU and NZ register their seals, officers and templates on their own nodes (authoritative
records on chain); the records reach CN by registry sync over gRPC, and CN checks each one
against the chain before its review uses it. AU and NZ then send CN electronic certificates, the
importers' declarations and paper scans — genuine and forged, from the simulator — over gRPC
with mutual TLS. CN reviews the scans — each against its issuer's electronic copy, which AU and
NZ send for every certificate they issue (a counterfeit has none) — anchors what it accepts and
sends each outcome back to the sender; one document is traced end to end and verified on chain.

    make demo                 run it and print the summary
    make demo ARGS=--serve    keep the nodes running for a browser (Ctrl-C stops them)
    make demo ARGS=--postgres=postgresql+psycopg://user@host:5432
                              each node on a fresh PostgreSQL database of its own there
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from node.api.tokens import TokenService
from node.bootstrap import build_node
from node.config import record_setting
from node.trace import trace
from simulator.cluster import Cluster, NodeProcess, NodeSpec
from simulator.corpus import generate_corpus
from verification.rules import DEFAULT_RULES

OUT = Path(__file__).resolve().parent.parent / "out" / "demo"
IMPORTER = "CN-SHA"
EXPORTERS = {"AU": "AU-CBR", "NZ": "NZ-WLG"}
SPECS = [
    NodeSpec(IMPORTER, "CN", "Shanghai Customs"),
    NodeSpec("AU-CBR", "AU", "Australian Border Force, Canberra"),
    NodeSpec("NZ-WLG", "NZ", "New Zealand Customs Service, Wellington"),
]
console = Console(stderr=True)


def _cases(corpus: Path) -> list[dict[str, Any]]:
    """The corpus cases issued in AU or NZ, with their files."""
    manifest = json.loads((corpus / "manifest.json").read_text())
    out = []
    for entry in manifest["cases"]:
        d = corpus / entry["dir"]
        truth = json.loads((d / "truth.json").read_text())
        if truth["issuing_country"] in EXPORTERS:
            out.append({"dir": d, "truth": truth, "scan": next(d.glob("scan.*"))})
    return out


async def _register(cluster: Cluster, corpus: Path) -> int:
    """Each exporter registers its own agencies (queued for its partners by registry sync)."""
    bundle = json.loads((corpus / "registry" / "bundle.json").read_text())
    root = corpus / "registry"
    count = 0
    for node_id in EXPORTERS.values():
        proc = cluster[node_id]
        countries = {proc.spec.country}
        async with build_node(proc.settings) as node:
            reg = node.registry
            assert reg is not None
            agencies = [a for a in bundle["agencies"] if a["country"] in countries]
            ids = {a["id"] for a in agencies}
            for a in agencies:
                await reg.add_agency(a["id"], a["country"], a["name"])
            for s in (s for s in bundle["seals"] if s["agency"] in ids):
                await reg.add_seal(s["agency"], s["id"], (root / s["image"]).read_bytes())
            for o in (o for o in bundle["officers"] if o["agency"] in ids):
                await reg.add_officer(
                    o["agency"],
                    o["id"],
                    o["name"],
                    (root / o["signature"]).read_bytes(),
                    o.get("valid_from"),
                    o.get("valid_to"),
                )
            for t in bundle["templates"]:
                data = (root / t).read_bytes()
                if json.loads(data)["issuing_country"] in countries:
                    await reg.add_template(data)
            count += len(reg.list())
    return count


def _electronic(truth: dict[str, Any]) -> bytes:
    """The exporter's electronic copy of a certificate (canonical JSON)."""
    body = {
        "certificate_type": truth["certificate_type"],
        "issuing_country": truth["issuing_country"],
        **truth["fields"],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def _send(cluster: Cluster, cases: list[dict[str, Any]]) -> dict[str, int]:
    sent = {"certificate": 0, "declaration": 0, "scan": 0}
    for country, node_id in EXPORTERS.items():
        mine = [c for c in cases if c["truth"]["issuing_country"] == country]
        if not mine:
            continue
        node = build_node(cluster[node_id].settings)
        assert node.exchange is not None
        ex = node.exchange
        decls = [((c["dir"] / "declaration.json").read_bytes(), "declaration.json") for c in mine]
        ex.send_many(decls, IMPORTER, "declaration")
        genuine = [c for c in mine if c["truth"]["kind"] == "genuine"]
        ex.send_many([(_electronic(c["truth"]), "certificate.json") for c in genuine], IMPORTER)
        ex.send_many([(c["scan"].read_bytes(), c["scan"].name) for c in mine], IMPORTER)
        sent["declaration"] += len(mine)
        sent["certificate"] += len(genuine)
        sent["scan"] += len(mine)
        node.db.dispose()
    return sent


def _wait(what: str, check: Any, timeout: float, *, fatal: bool = True) -> bool:
    deadline = time.monotonic() + timeout
    with console.status(what) as status:
        while True:
            done = check()
            if done is True:
                return True
            if isinstance(done, str):
                status.update(f"{what} {done}")
            if time.monotonic() > deadline:
                if fatal:
                    raise SystemExit(f"demo: timed out: {what}")
                console.log(f"[yellow]still running after {timeout:.0f}s: {what}[/yellow]")
                return False
            time.sleep(0.5)  # polling the importer's database for progress


def _progress(cn: NodeProcess, sha_scans: list[str], expected: int) -> tuple[Any, ...]:
    node = build_node(cn.settings)
    try:
        assert node.exchange is not None and node.anchoring is not None
        inbox = [
            m for m in node.exchange.messages("in") if m["kind"] in ("certificate", "declaration")
        ]
        review = node.extras["review"]
        reviews = {s: review.get(s) for s in sha_scans if _has(review, s)}
        return inbox, reviews, node.anchoring
    finally:
        node.db.dispose()


def _settled(reviews: dict[str, Any], scans: list[str]) -> bool:
    """Every scan has a review and none waits for the machine, in one reading of the database
    (two readings let an empty first one, all() of nothing, pass a second with pending ones)."""
    return set(reviews) == set(scans) and all(
        r.get("state") not in (None, "pending") for r in reviews.values()
    )


def _checks(cn: NodeProcess) -> list[dict[str, Any]]:
    """CN's declaration-certificate pairs (``node.review.matching``)."""
    node = build_node(cn.settings)
    try:
        return list(node.extras["review"].matches.list("all", 500))
    finally:
        node.db.dispose()


def _checked(cn: NodeProcess) -> bool:
    return not any(c["state"] == "pending" for c in _checks(cn))


def _checks_line(cn: NodeProcess) -> str:
    checks = _checks(cn)
    states = {s: sum(c["state"] == s for c in checks) for s in ("consistent", "waiting")}
    officer = sum(c["state"] in ("review", "inconsistent") for c in checks)
    return (
        f"CN-SHA checked {len(checks)} declarations against the certificates they name: "
        f"{states['consistent']} consistent with the issuer's copy or the accepted paper, "
        f"{officer} for an officer, {states['waiting']} naming no accepted certificate"
    )


def _late_declaration(cn: NodeProcess, case: dict[str, Any]) -> str:
    """An importer's broker files a second declaration for an accepted certificate, declaring
    10% more net weight: CN checks it against the certificate (the issuer's copy, else the
    accepted paper) and leaves it to an officer."""
    body = json.loads((case["dir"] / "declaration.json").read_text())
    body["declaration_number"] = f"{body.get('declaration_number') or 'DEC'}-LATE"
    body["net_weight_kg"] = round(float(body.get("net_weight_kg") or 1000.0) * 1.1, 1)
    node = build_node(cn.settings)
    try:
        sha = node.extras["review"].intake.submit_electronic(
            json.dumps(body).encode(), kind="declaration", actor="demo-broker"
        )["sha256"]
    finally:
        node.db.dispose()

    def settled() -> bool:
        return any(c["declaration_sha256"] == sha and c["state"] != "pending" for c in _checks(cn))

    _wait("a late declaration (10% more weight) filed after its paper was accepted…", settled, 60)
    [check] = [c for c in _checks(cn) if c["declaration_sha256"] == sha]
    why = "; ".join(check["reasons"]) or "no finding"
    against = "the issuer's copy" if check["source"] == "electronic" else "the accepted paper"
    return f"late declaration {sha[:12]}… against {against}: {check['state']} ({why})"


def _split_consignment(cluster: Cluster, case: dict[str, Any]) -> tuple[int, str]:
    """The exporter ships one consignment under two certificates of one kind (60% and 40% of
    its net weight and packages, "-1" and "-2" after the number) and the importer's declaration
    names both with the whole: CN adds the two up. Returns (messages sent, the line to print)."""
    truth, fields = case["truth"], dict(case["truth"]["fields"])
    number, weight = str(fields["certificate_number"]), float(fields.get("net_weight_kg") or 1000)
    parts = [
        {**fields, "certificate_number": f"{number}-{i + 1}", **_share(fields, i)} for i in (0, 1)
    ]
    copies = [(_electronic({**truth, "fields": f}), "certificate.json") for f in parts]
    body = json.loads((case["dir"] / "declaration.json").read_text())
    body["declaration_number"] = f"{body.get('declaration_number') or 'DEC'}-SPLIT"
    body["certificate_numbers"] = [f["certificate_number"] for f in parts]
    node = build_node(cluster[EXPORTERS[truth["issuing_country"]]].settings)
    try:
        assert node.exchange is not None
        node.exchange.send_many(copies, IMPORTER)
        declaration = [(json.dumps(body).encode(), "declaration.json")]
        node.exchange.send_many(declaration, IMPORTER, "declaration")
    finally:
        node.db.dispose()
    cn = cluster[IMPORTER]

    def checked() -> list[dict[str, Any]]:
        mine = [c for c in _checks(cn) if (c["declaration_number"] or "").endswith("-SPLIT")]
        done = len(mine) == 2 and all(c["state"] not in ("pending", "waiting") for c in mine)
        return mine if done else []

    names = " and ".join(body["certificate_numbers"])
    _wait(f"a consignment of {weight:g} kg split under {names}…", lambda: bool(checked()), 60)
    pairs = checked()
    states = ", ".join(f"{c['certificate_number']} {c['state']}" for c in pairs)
    rules = [r["message"] for r in pairs[0]["rules"] if r["id"] == "declaration.net_weight"]
    return 3, f"split consignment ({states}): {rules[0] if rules else 'no weight compared'}"


def _share(fields: dict[str, Any], i: int) -> dict[str, Any]:
    """Part ``i`` (0: 60%, 1: the rest) of a certificate's net weight and packages."""
    out: dict[str, Any] = {}
    for key, digits in (("net_weight_kg", 2), ("packages", 0)):
        if fields.get(key) is None:
            continue
        whole = float(fields[key])
        first = round(whole * 0.6, digits)
        part = first if i == 0 else round(whole - first, digits)
        out[key] = int(part) if digits == 0 else part
    return out


def _synced(cn: NodeProcess) -> int:
    """Partners' registry records CN has checked against the chain and stored."""
    node = build_node(cn.settings)
    try:
        assert node.registry is not None
        return sum(1 for r in node.registry.list() if r["registrar"] != cn.spec.country)
    finally:
        node.db.dispose()


def _outcomes(cluster: Cluster) -> list[dict[str, Any]]:
    """CN's review outcomes applied at AU and NZ."""
    out = []
    for node_id in EXPORTERS.values():
        node = build_node(cluster[node_id].settings)
        assert node.exchange is not None
        out += [
            m
            for m in node.exchange.messages("in")
            if m["kind"] == "review_outcome" and m["state"] == "applied"
        ]
        node.db.dispose()
    return out


def _has(review: Any, sha: str) -> bool:
    try:
        review.get(sha)
        return True
    except Exception:
        return False


def _summary(cases: list[dict[str, Any]], reviews: dict[str, Any], anchoring: Any) -> Table:
    table = Table(title="CN-SHA review of paper certificates received from AU and NZ")
    cols = ("case", "from", "template", "simulated as", "issuer's copy", "expected", "CN verdict")
    for col in (*cols, "anchored"):
        table.add_column(col)
    for c in cases:
        t = c["truth"]
        sha = c["sha"]
        r = reviews.get(sha, {})
        verdict = r.get("verdict") or r.get("state") or "?"
        if verdict == t["expected_verdict"] or (verdict != "accept") == (
            t["expected_verdict"] != "accept"
        ):
            ok = "✔"
        else:
            ok = "✘ FALSE ACCEPT" if verdict == "accept" else "✘ not automated"
        table.add_row(
            t["case_id"],
            EXPORTERS[t["issuing_country"]],
            t["template_id"],
            t["kind"],
            _copy_check(r),
            t["expected_verdict"],
            f"{verdict} {ok}",
            "yes" if anchoring.state(sha) == "anchored" else "no",
        )
    return table


def _expect_copies(node: NodeProcess, exporters: dict[str, str]) -> None:
    """CN's own rule set: the packaged one, plus "the issuers of these countries send an
    electronic copy of every certificate" (a paper without one goes to an officer)."""
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    for country in exporters:
        text += f'\n[sets."*/{country}"]\nelectronic_copy_required = true\n'
    path = node.home / "rules.toml"
    path.write_text(text, encoding="utf-8")
    record_setting(node.home, "verification", "rules_path", str(path))


def _copy_check(review: dict[str, Any]) -> str:
    """What CN-SHA's review made of the issuer's electronic copy (AU/NZ send one for every
    genuine certificate; a counterfeit has none)."""
    rules = {r.get("id"): r for r in review.get("rules") or []}
    if "copy.fields" in rules:
        return "agrees" if rules["copy.fields"].get("passed") else "DIFFERS"
    return "none"


async def _trace_one(cn: NodeProcess, sha: str) -> dict[str, Any]:
    async with build_node(cn.settings) as node:
        return await trace(node, sha)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="keep the nodes running")
    parser.add_argument("--count", type=int, default=24, help="corpus cases to generate")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--postgres",
        default="",
        metavar="URL",
        help="a PostgreSQL server (postgresql+psycopg://user@host:port, no database name): "
        "each node gets a fresh database of its own there instead of SQLite",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for reviews")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    cluster = Cluster(OUT / "nodes", SPECS, postgres=args.postgres)
    try:
        return _run(cluster, args, started)
    finally:
        with console.status("stopping the nodes and the chain…"):
            cluster.stop_all()


def _run(cluster: Cluster, args: argparse.Namespace, started: float) -> int:
    with console.status("starting the consortium chain and initialising CN, AU, NZ…"):
        cluster.start_chain()
        cluster.init_nodes()
        cluster.connect_all()
        _expect_copies(cluster[IMPORTER], EXPORTERS)
    console.log(f"chain {cluster.rpc_url}; nodes {', '.join(cluster.nodes)} pinned each other")
    console.log(f"{IMPORTER} expects an electronic copy of every certificate AU and NZ issue")
    with console.status(f"simulator: generating {args.count} paper certificates…"):
        corpus = OUT / "corpus"
        generate_corpus(
            corpus,
            args.count,
            args.seed,
            mix={
                "genuine": 0.55,
                "forged_seal": 0.15,
                "foreign_seal": 0.1,
                "declaration_mismatch": 0.1,
                "unregistered_officer": 0.1,
            },
        )
        cases = _cases(corpus)
    console.log(f"{len(cases)} certificates issued in AU/NZ out of {args.count} generated")
    with console.status("agencies register seals, officers and templates on chain…"):
        records = asyncio.run(_register(cluster, corpus))
    console.log(f"{records} AU/NZ registry records written on chain, queued for partners")
    with console.status("starting the three nodes (cusdep node run)…"):
        cluster.start_all()
    _wait(
        f"registry sync: CN-SHA checks AU's and NZ's {records} records against the chain…",
        lambda: _synced(cluster[IMPORTER]) >= records or f"{_synced(cluster[IMPORTER])}/{records}",
        60,
    )
    console.log(f"CN-SHA verified and stored {records} AU/NZ registry records received over gRPC")
    sent = _send(cluster, cases)
    console.log(f"AU/NZ queued {sent} for CN-SHA")
    for c in cases:
        c["sha"] = hashlib.sha256(c["scan"].read_bytes()).hexdigest()
    scans = [c["sha"] for c in cases]
    total = sum(sent.values())
    cn = cluster[IMPORTER]
    _wait(
        f"delivering {total} messages to CN-SHA over mTLS…",
        lambda: len(_progress(cn, [], total)[0]) >= total,
        120,
    )
    _wait(
        f"CN-SHA reviewing {len(scans)} scans (OCR, seal, signature, rules)…",
        lambda: _settled(_progress(cn, scans, total)[1], scans),
        600,
    )
    inbox, reviews, anchoring = _progress(cn, scans, total)
    accepted = [s for s in scans if reviews[s].get("verdict") == "accept"]
    _wait(
        "anchoring accepted documents…",
        lambda: all(_progress(cn, [], 0)[2].state(s) == "anchored" for s in accepted),
        120,
    )
    inbox, reviews, anchoring = _progress(cn, scans, total)
    _print_table(_summary(cases, reviews, anchoring))
    _wait("CN-SHA checks the declarations against the certificates…", lambda: _checked(cn), 60)
    console.log(_checks_line(cn))
    late = next((c for c in cases if c["sha"] in accepted), None)
    split = 0
    if late is not None:
        console.log(_late_declaration(cn, late))
        split, line = _split_consignment(cluster, late)
        console.log(line)
    target = accepted[0] if accepted else scans[0]
    t = asyncio.run(_trace_one(cn, target))
    (OUT / "trace.json").write_text(json.dumps(t, indent=2))
    _print_trace(t)
    final = (
        split
        + sent["certificate"]
        + sent["declaration"]
        + sum(1 for s in scans if reviews[s].get("verdict") in ("accept", "reject"))
    )
    _wait(
        "CN-SHA sends each review outcome back to AU/NZ…",
        lambda: len(_outcomes(cluster)) >= final or f"{len(_outcomes(cluster))}/{final}",
        30,
        fatal=False,
    )
    _print_sender_view(cluster, cases, target)
    forged = [c for c in cases if c["truth"]["expected_verdict"] != "accept"]
    waved = [c for c in forged if reviews.get(c["sha"], {}).get("verdict") == "accept"]
    console.print(
        f"delivered {len(inbox)}/{total} messages exactly once; "
        f"{len(accepted)} scans accepted and anchored; "
        f"{len(forged) - len(waved)}/{len(forged)} bad certificates stopped; "
        f"{time.perf_counter() - started:.0f} s"
    )
    if not args.serve:  # the nodes stop on return: a review page URL would lead nowhere
        sys.stdout.write(
            "(nodes stopped; `make demo ARGS=--serve` keeps them running and prints the "
            "review page's URL)\n"
        )
        return 0
    node = build_node(cn.settings)
    token = TokenService(node.db).issue("officer", "demo-officer")["token"]
    node.db.dispose()
    url = f"http://127.0.0.1:{cn.settings.api.port}/ui/#token={token}"
    sys.stdout.write(f"review page (officer token): {url}\n")
    sys.stdout.write("nodes are running; Ctrl-C stops them\n")
    sys.stdout.flush()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    return 0


def _print_table(table: Table) -> None:
    """``table`` whole: where the output is no terminal (``make demo > log``) rich would fit it
    to 80 columns and cut its cells ("simula…"), so it is printed at the width of its content."""
    natural = Measurement.get(console, console.options.update_width(1000), table).maximum
    if console.is_terminal or natural <= console.width:
        console.print(table)
        return
    width = console.width
    console.width = natural
    try:
        console.print(table)
    finally:
        console.width = width


def _print_sender_view(cluster: Cluster, cases: list[dict[str, Any]], sha: str) -> None:
    """The outcomes back at the senders, and the traced document as its sender sees it."""
    outcomes = _outcomes(cluster)
    console.print(f"AU/NZ received {len(outcomes)} signed review outcomes from CN-SHA")
    case = next(c for c in cases if c["sha"] == sha)
    sender = cluster[EXPORTERS[case["truth"]["issuing_country"]]]
    t = asyncio.run(_trace_one(sender, sha))
    steps = []
    for e in t["events"]:
        d = e["detail"]
        if e["kind"] == "reviewed":
            anchor = d.get("anchor") or {}
            steps.append(
                f"reviewed by {e['actor']} ({d.get('verdict')}, {d.get('decided_by')}"
                + (", anchor verified on chain" if anchor.get("verified_on_chain") else "")
                + ")"
            )
        else:
            steps.append(e["kind"])
    console.print(f"{sender.spec.node_id}'s trace of {sha[:16]}…: {' → '.join(steps)}")


def _print_trace(t: dict[str, Any]) -> None:
    table = Table(
        title=f"trace of {t['document_sha256'][:16]}… (verified_on_chain={t['verified_on_chain']})"
    )
    for col in ("at", "event", "actor"):
        table.add_column(col)
    for e in t["events"]:
        table.add_row(e["at"], e["kind"], e["actor"])
    _print_table(table)
    if t.get("anchor"):
        a = t["anchor"]
        console.print(
            f"root {a['merkle_root']} in block {a['block_number']} "
            f"(tx {a['tx_hash'][:18]}…), proof of {len(a['proof'])} hashes; "
            f"full JSON in {OUT / 'trace.json'}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
