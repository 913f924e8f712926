"""The node on a real PostgreSQL server (``storage.url``), started for this module from the
Debian ``postgresql`` package: the schema migrations, officers' decisions racing from threads
(PostgreSQL's row locks, not SQLite's one writer), anchoring and its recovery sweep."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlmodel import Session

from node.api.tokens import TokenService
from node.bootstrap import build_node
from node.errors import Conflict
from node.storage.db import Database
from tests.unit.api.fakes import FakeVerifier, fakes, labelled_scan, settings


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "the postgresql package (scripts/apt-packages.txt) is not installed"
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A throwaway cluster on a free loopback port (as the postgres user when run as root:
    PostgreSQL refuses root, and pytest's own temporary directories are closed to others);
    yields its URL without a database name."""
    bindir, root = _bindir(), Path(tempfile.mkdtemp(prefix="cusdep-pg-"))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(root, "postgres")

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True)

    data, port = root / "data", _free_port()
    run(f"{bindir}/initdb", "-D", str(data), "-A", "trust", "-U", "cusdep", "--no-sync")
    options = f"-p {port} -k {root} -h 127.0.0.1 -F"
    run(f"{bindir}/pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
    try:
        yield f"cusdep@127.0.0.1:{port}"
    finally:
        run(f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def database_url(server: str, request: pytest.FixtureRequest) -> str:
    name = "t_" + request.node.name.lower().replace("[", "_").strip("]")[:50]
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{server}/{name}"


@pytest.fixture
async def node(home: Path, database_url: str):
    s = settings(home)
    s.storage.url = database_url
    n = build_node(s, verifier=FakeVerifier(), **fakes())
    async with n:
        yield n


def test_migrations_reach_head_and_run_once(database_url: str) -> None:
    db = Database(database_url)
    db.migrate()
    db.migrate()  # at head: a no-op
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables")}
    assert {"documents", "document_events", "reviews", "anchor_leaves", "exchange_outbox"} <= tables


async def test_of_officers_deciding_at_once_on_postgres_one_decision_stands(node) -> None:
    review = node.extras["review"]
    sha = review.submit_scan(labelled_scan("forged"), actor="clerk")["sha256"]
    await review.process_pending()
    officers = [f"CN-O{i}" for i in range(6)]
    start, outcomes = threading.Barrier(len(officers)), {}

    def decide(officer: str) -> None:
        start.wait()
        try:
            review.decide(sha, "accept", "checked with the issuer", officer)
            outcomes[officer] = "decided"
        except Conflict:
            outcomes[officer] = "conflict"

    threads = [threading.Thread(target=decide, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict"] * 5 + ["decided"]
    winner = next(o for o, v in outcomes.items() if v == "decided")
    assert review.get(sha)["decision"]["officer"] == winner
    assert node.anchoring.state(sha) == "pending"  # queued once, with the decision
    assert await node.anchoring.run_once(force=True) == 1
    assert node.anchoring.state(sha) == "anchored"
    assert review.requeue_unanchored() == 0


def test_tokens_and_registry_reads_work_on_postgres(node) -> None:
    tokens = TokenService(node.db)
    issued = tokens.issue("officer", "jane")
    assert tokens.authenticate(issued["token"]).subject == "jane"


def test_the_outcome_cursor_waits_for_an_event_committed_out_of_order(node) -> None:
    """On PostgreSQL ids come from a sequence at insert: a transaction holding a lower id
    can commit after one holding a higher id. The review-outcome cursor must not pass it."""
    from node.domain.states import EventKind
    from node.exchange.outcomes import _settled
    from node.storage.documents import add_event

    with node.db.session() as session:
        add_event(session, "a" * 64, EventKind.RECEIVED, "CN-SHA", {})
    with node.db.session() as session:
        start = _settled(session, 0, 256)
    slow = node.db.engine.connect()  # takes the next id and holds it, uncommitted
    held = slow.begin()
    late = Session(bind=slow)
    add_event(late, "b" * 64, EventKind.VERIFIED, "CN-SHA", {"verdict": "reject"})
    late.flush()  # its id is taken now
    with node.db.session() as session:  # a later event commits first
        add_event(session, "c" * 64, EventKind.VERIFIED, "CN-SHA", {"verdict": "reject"})
    with node.db.session() as session:
        assert _settled(session, start, 256) == start  # not past the open transaction
    held.commit()
    slow.close()
    with node.db.session() as session:
        assert _settled(session, start, 256) == start + 2  # both, once it committed


async def test_an_issuers_copy_arriving_as_an_officer_decides_does_not_reopen_the_paper(
    node,
) -> None:
    """The copy sends papers of its number left for an officer back to the machine; on
    PostgreSQL it read them left for an officer, an officer's decision committed, and it then
    set the decided paper back to pending (a row lock orders the two writes, not the read)."""
    from tests.races import rival_before_write
    from tests.unit.api.fakes import add_partner, receive_copy

    review = node.extras["review"]
    sha = review.submit_scan(labelled_scan("genuine"), actor="clerk")["sha256"]
    await review.process_pending()
    assert review.get(sha)["state"] == "review"
    add_partner(node, "AU-SYD", "AU")
    decided = rival_before_write(
        node.db, "reviews", lambda: review.decide(sha, "accept", "seal checked", "CN-O1")
    )

    receive_copy(node, "AU-2026-genuine")

    assert decided and decided[0]["state"] == "decided"
    assert review.get(sha)["state"] == "decided" and review.pending() == []


def test_a_document_queued_for_a_partner_is_sent_on_postgres(node) -> None:
    """`cusdep send` on PostgreSQL: the `sent` event took the envelope's creation time without
    its zone, which the timezone-aware column refused (a traceback, nothing queued)."""
    from node.storage.documents import events_for
    from tests.unit.api.fakes import add_partner

    add_partner(node, "AU-SYD", "AU")
    sent = node.exchange.send(b'{"doc_type": "certificate"}', "AU-SYD", filename="c.json")
    with node.db.session() as session:
        events = events_for(session, sent.document_sha256)
    assert [e.kind for e in events] == ["sent"]
    assert events[0].detail["to"] == "AU-SYD"


async def test_a_declaration_after_its_paper_is_checked_against_it_on_postgres(node) -> None:
    """Migration 0010's pairs on PostgreSQL: queued with the declaration, checked against the
    accepted paper, decided by one officer of two."""
    from tests.unit.api.fakes import declaration

    review = node.extras["review"]
    sha = review.submit_scan(labelled_scan("genuine"), actor="clerk")["sha256"]
    await review.process_pending()
    review.decide(sha, "accept", "seal checked by hand", "CN-O1")
    decl = review.intake.submit_electronic(
        declaration("AU-2026-genuine"), kind="declaration", actor="clerk"
    )["sha256"]
    assert await review.process_pending() == 1
    [check] = review.matches.of_declaration(decl)
    assert (check["state"], check["certificate_sha256"]) == ("inconsistent", sha)
    outcomes = []
    for officer in ("CN-O1", "CN-O2"):
        try:
            review.matches.decide(decl, "AU-2026-genuine", "refuse", "", officer)
            outcomes.append("decided")
        except Conflict:
            outcomes.append("conflict")
    assert outcomes == ["decided", "conflict"]
    assert review.matches.list("open") == []


async def test_a_declaration_checked_as_its_paper_is_accepted_is_not_left_waiting(node) -> None:
    """The officer's acceptance (of a paper reviewed against a first declaration) queued again
    the pairs of its number it saw; a second declaration committed just after that, and its
    check (not seeing the acceptance, uncommitted) found no accepted certificate: ``waiting``,
    and nothing would ever queue it again."""
    from sqlalchemy import event

    from tests.unit.api.fakes import declaration

    review = node.extras["review"]
    data = declaration("AU-2026-genuine")
    first = review.intake.submit_electronic(data, kind="declaration", actor="c")["sha256"]
    scan = labelled_scan("genuine")
    sha = review.submit_scan(scan, actor="clerk", declaration_sha256=first)["sha256"]
    await review.process_pending()
    declared, armed = [], [True]

    def after(conn, cursor, statement: str, *args) -> None:
        if armed and statement.startswith("UPDATE declaration_matches"):
            armed.clear()  # the acceptance's recheck ran: a declaration comes, and is checked
            data = declaration("AU-2026-genuine").replace(b"CN-DEC-1", b"CN-DEC-2")
            declared.append(review.intake.submit_electronic(data, kind="declaration", actor="c"))
            review.matches.process_pending()

    event.listen(node.db.engine, "after_cursor_execute", after)
    review.decide(sha, "accept", "seal checked by hand", "CN-O1")
    event.remove(node.db.engine, "after_cursor_execute", after)
    decl = declared[0]["sha256"]
    assert [c["state"] for c in review.matches.of_declaration(decl)] == ["waiting"]
    assert review.matches.requeue_found() == 1  # the review worker's sweep
    assert review.matches.process_pending() == 2  # the first declaration's pair, and this
    [check] = review.matches.of_declaration(decl)
    assert (check["state"], check["certificate_sha256"]) == ("inconsistent", sha)


async def test_a_split_consignments_pairs_are_checked_again_on_postgres(node) -> None:
    """The last certificate of a split consignment queues its siblings' checks again (an
    UPDATE of declaration_matches through a subquery of its own rows)."""
    from tests.unit.api.fakes import add_partner, declaration, receive_copy

    review = node.extras["review"]
    body = {
        **json.loads(declaration("AU-2026-A")),
        "certificate_numbers": ["AU-2026-A", "AU-2026-B"],
    }
    decl = review.intake.submit_electronic(
        json.dumps({**body, "net_weight_kg": 1250.5}).encode(), kind="declaration", actor="c"
    )["sha256"]
    add_partner(node, "AU-SYD", "AU")
    kind = {"certificate_type": "phytosanitary"}
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **kind)
    await review.process_pending()
    states = {c["certificate_number"]: c["state"] for c in review.matches.of_declaration(decl)}
    assert states == {"AU2026A": "review", "AU2026B": "waiting"}
    receive_copy(node, "AU-2026-B", net_weight_kg=650.5, **kind)
    assert review.matches.process_pending() == 2
    assert {c["state"] for c in review.matches.of_declaration(decl)} == {"consistent"}


async def test_a_split_consignments_pair_checked_without_a_sibling_is_checked_again_on_postgres(
    node, monkeypatch
) -> None:
    """A sibling whose arrival did not see the declaration (committed at once): its pair's check
    queues again the pair that left it out (a LIKE on declaration_matches.result cast to text)."""
    import node.review.intake as intake
    from tests.unit.api.fakes import add_partner, declaration, receive_copy

    review = node.extras["review"]
    body = {
        **json.loads(declaration("AU-2026-A")),
        "certificate_numbers": ["AU-2026-A", "AU-2026-B"],
    }
    decl = review.intake.submit_electronic(
        json.dumps({**body, "net_weight_kg": 1250.5}).encode(), kind="declaration", actor="c"
    )["sha256"]
    add_partner(node, "AU-SYD", "AU")
    kind = {"certificate_type": "phytosanitary"}
    receive_copy(node, "AU-2026-A", net_weight_kg=600.0, **kind)
    await review.process_pending()
    monkeypatch.setattr(intake, "recheck", lambda session, key, **kw: 0)
    receive_copy(node, "AU-2026-B", net_weight_kg=650.5, **kind)
    monkeypatch.undo()
    assert review.matches.requeue_found() == 1
    assert review.matches.process_pending() == 1  # B's pair, which queues A's again
    assert review.matches.process_pending() == 1
    assert {c["state"] for c in review.matches.of_declaration(decl)} == {"consistent"}


async def test_a_certificates_balance_is_added_up_on_postgres(node, tmp_path: Path) -> None:
    """Partial use on PostgreSQL: the earlier declarations' quantities summed in one
    aggregate (each declaration number's latest version: correlated EXISTS over the index),
    and an amendment queues again the later declarations, one of which it left over the
    balance."""
    from tests.unit.api.fakes import add_partner, declaration, receive_copy
    from verification.rules.loader import DEFAULT_RULES, load_rules

    edited = tmp_path / "rules.toml"
    edited.write_text(
        DEFAULT_RULES.read_text() + '\n[sets."phytosanitary/AU"]\npartial_use = true\n'
    )
    review = node.extras["review"]
    review.matches.rules = load_rules(edited)
    add_partner(node, "AU-SYD", "AU")
    receive_copy(node, "AU-2026-LOT", net_weight_kg=1000.0, certificate_type="phytosanitary")

    def declare(number: str, weight: float) -> str:
        body = {
            **json.loads(declaration("AU-2026-LOT")),
            "declaration_number": number,
            "net_weight_kg": weight,
        }
        data = json.dumps(body).encode()
        return str(review.intake.submit_electronic(data, kind="declaration", actor="c")["sha256"])

    declare("CN-DEC-1", 600.0)
    declare("CN-DEC-2", 400.0)
    third = declare("CN-DEC-3", 50.0)
    assert review.matches.process_pending() == 3
    [check] = review.matches.of_declaration(third)
    assert check["state"] == "inconsistent"
    declare("CN-DEC-1", 500.0)  # the importer's correction
    assert review.matches.process_pending() == 1  # which queues CN-DEC-2's and -3's again
    assert review.matches.process_pending() == 2
    [check] = review.matches.of_declaration(third)
    assert (check["state"], check["reasons"]) == ("consistent", [])
    [weight] = [r for r in check["rules"] if r["id"] == "declaration.net_weight"]
    assert weight["message"] == (
        "net weight: 50 kg declared, 100 kg left of 1000 kg certified "
        "(900 kg drawn by 2 earlier declarations), within 2%"
    )
    assert review.matches.process_pending() == 0  # the amendment is not queued again by them


def test_messages_received_in_one_batch_are_paged_each_once_on_postgres(node) -> None:
    """A batch of envelopes is stored with one ``received_at`` (``store.insert_inbox``). Paged
    by that time alone, PostgreSQL orders the ties differently from one page's query to the
    next (a top-N sort for each LIMIT): `cusdep messages` and ``GET /messages`` showed some
    messages twice and others never."""
    import datetime as dt

    from sqlalchemy import text

    from node.exchange.tables import InboxRow

    now = dt.datetime.now(dt.UTC)
    ids = [f"m-{i:03d}" for i in range(60)]
    with node.db.session() as session:
        for i, message_id in enumerate(ids):
            session.add(
                InboxRow(
                    message_id=message_id,
                    peer=("AU-SYD", "NZ-WLG")[i % 2],
                    kind="registry_update",
                    digest="00",
                    envelope=b"",
                    receipt=b"",
                    received_at=now,
                )
            )
    with node.db.engine.begin() as conn:  # autovacuum's statistics: a sort, not the index
        conn.execute(text("ANALYZE exchange_inbox"))
    whole = [m["message_id"] for m in node.exchange.messages("in")]
    paged = [
        m["message_id"]
        for offset in range(0, 60, 7)
        for m in node.exchange.messages("in", 7, offset)
    ]
    assert sorted(whole) == ids
    assert paged == whole  # each once, in one order


@contextmanager
def _refusing(database_url: str) -> Iterator[None]:
    """The node's database unreachable (as if its server were down) while the block runs: it
    takes no new connection and the open ones are ended; the server and the other tests'
    databases stay up."""
    server, name = database_url.replace("+psycopg", "").rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
    try:
        yield
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


async def test_the_api_answers_503_while_its_database_is_unreachable(node, database_url) -> None:
    """A request while PostgreSQL is down was a 500 ``cusdep.internal`` ("a fault of the
    node's"): a client should try again later, as ``/health/ready`` says (503)."""
    import httpx

    from node.api.app import create_app

    token = TokenService(node.db).issue("officer", "jane")["token"]
    transport = httpx.ASGITransport(app=create_app(node))
    async with httpx.AsyncClient(transport=transport, base_url="http://cusdep.test") as client:
        auth = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/documents", headers=auth)).status_code == 200
        with _refusing(database_url):
            r = await client.get("/api/v1/documents", headers=auth)
            ready = await client.get("/health/ready")
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "cusdep.database.unavailable"
        assert "127.0.0.1" not in r.json()["detail"]  # no internals to an API client
        assert ready.status_code == 503 and not ready.json()["checks"]["database"]["ok"]
        assert (await client.get("/api/v1/documents", headers=auth)).status_code == 200


def test_a_partner_delivering_while_the_database_is_unreachable_is_told_to_retry(
    tmp_path: Path, database_url: str
) -> None:
    """A partner's delivery while the receiver's PostgreSQL is down was answered INTERNAL
    ("internal error" in the sender's `messages`); it is UNAVAILABLE, the code
    ``cusdep.database.unavailable``, and the message is delivered once the database is back."""
    from node.config import record_setting
    from tests.integration.exchange.conftest import make_node, pin, wait_for

    (tmp_path / "au-syd").mkdir()
    record_setting(tmp_path / "au-syd", "storage", "url", database_url)
    receiver = make_node(tmp_path, "AU-SYD", retry_base_seconds=0.05, retry_max_seconds=0.2)
    sender = make_node(tmp_path, "CN-SHA", retry_base_seconds=0.05, retry_max_seconds=0.2)
    pin(receiver, sender)
    pin(sender, receiver)
    doc = tmp_path / "c.json"
    doc.write_text('{"doc_type": "certificate", "certificate_number": "AU-2026-1"}')
    try:
        receiver.start()
        sender.start()
        with _refusing(database_url):
            sender.cli("send", "--to", "AU-SYD", str(doc))
            errors = wait_for(
                lambda: [e for (e,) in sender.sql("SELECT error FROM exchange_outbox") if e],
                what="a failed delivery",
            )
            assert receiver.running
        assert "database unavailable" in errors[0], errors
        wait_for(lambda: sender.outbox_states() == {"delivered": 1}, what="the delivery")
        with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
            [(count,)] = conn.execute("SELECT count(*) FROM exchange_inbox").fetchall()
        assert count == 1
    finally:
        for n in (sender, receiver):
            if n.running:
                n.kill9()


def test_the_demo_cluster_gives_each_node_a_database_of_its_own_on_postgres(
    server: str, tmp_path: Path
) -> None:
    """`make demo ARGS=--postgres=URL`: each node's home names a fresh database of its own on
    that server, migrated, and partner pinning writes there (not to SQLite under the home)."""
    from simulator.cluster import Cluster
    from simulator.demo import SPECS

    cluster = Cluster(tmp_path, SPECS[:2], postgres=f"postgresql+psycopg://{server}")
    try:
        cluster.start_chain()
        cluster.init_nodes()
        cluster.connect_all()
        for n in cluster.nodes.values():
            url = n.settings.storage.url
            name = "cusdep_" + n.spec.node_id.lower().replace("-", "_")
            assert url == f"postgresql+psycopg://{server}/{name}"
            assert not (n.home / "cusdep.db").exists()
            with psycopg.connect(url.replace("+psycopg", "")) as conn:
                partners = [r[0] for r in conn.execute("SELECT node_id FROM exchange_partners")]
            assert partners == [o for o in cluster.nodes if o != n.spec.node_id]
    finally:
        cluster.stop_all()


def test_a_backup_of_a_node_on_postgres_names_its_database_and_schema_revision(
    home: Path, database_url: str, tmp_path: Path
) -> None:
    """`cusdep node backup` on PostgreSQL said only "not SQLite": not which database its dump
    must come from nor at which schema revision (SQLite's backup records it), nor that the
    dump is to be taken first (the home copied after it then holds every document it names)."""
    from node.backup import backup_home
    from node.storage.revisions import HEAD

    s = settings(home)
    s.storage.url = database_url.replace("cusdep@", "cusdep:secret@")  # trust auth: any password
    Database(s.storage.url).migrate()
    manifest = backup_home(s, tmp_path / "backup")
    database = manifest["database"]
    assert database["included"] is False
    assert database["schema_revision"] == HEAD
    assert database["url"] == database_url.replace("cusdep@", "cusdep:***@")
    assert "pg_dump" in database["note"] and "before" in database["note"]
    assert json.loads((tmp_path / "backup" / "backup.json").read_text()) == manifest


def test_a_cli_command_whose_database_refuses_exits_2_and_one_that_answers_again_0(
    home: Path, server: str
) -> None:
    """A server that answers but has no such database (storage.url mistyped) is no wait: exit 2
    (not 75, a database that does not answer, tests/integration/storage/
    test_database_unavailable.py), one line naming the database without its password."""
    from node.cli import main

    assert main(["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:9"]) == 0
    url = f"postgresql+psycopg://{server}/no_such_db".replace("cusdep@", "cusdep:s3cret-pw@")
    env = {**os.environ, "CUSDEP_HOME": str(home), "CUSDEP_STORAGE__URL": url}
    argv = [sys.executable, "-m", "node", "registry", "list"]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    where = url.replace("s3cret-pw", "***")
    assert lines[0].startswith(f"cusdep: error: database {where} refused the connection: "), lines
    assert 'database "no_such_db" does not exist' in lines[0] and "s3cret-pw" not in lines[0]
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "no_such_db"')
        conn.execute('CREATE DATABASE "no_such_db"')
    try:
        ok = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
        assert ok.returncode == 0, ok.stderr
    finally:
        with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as conn:
            conn.execute('DROP DATABASE "no_such_db" WITH (FORCE)')


def test_0015_lists_the_keys_of_the_declarations_indexed_before_on_postgres(
    database_url: str,
) -> None:
    """The backfill reads the lists as PostgreSQL's ``json`` gives them; a declaration's keys
    go with its index row (``ON DELETE CASCADE``); downgrade drops the table."""
    from alembic import command

    from node.storage.db import alembic_config

    db = Database(database_url)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0014")
        conn.exec_driver_sql(
            "INSERT INTO declaration_index (sha256, certificate_numbers, indexed_at, "
            "declaration_number) VALUES (%(sha)s, %(numbers)s, now(), '')",
            [
                {"sha": "a" * 64, "numbers": '["E5170834559", "ZA1"]'},
                {"sha": "b" * 64, "numbers": '["ZA1", "ZA1"]'},
                {"sha": "c" * 64, "numbers": "[]"},
            ],
        )
    db.migrate()
    with db.engine.begin() as conn:
        keys = conn.exec_driver_sql(
            "SELECT declaration_sha256, certificate_key FROM declaration_certificates"
        ).all()
        assert sorted((sha[0], key) for sha, key in keys) == [
            ("a", "E5170834559"),
            ("a", "ZA1"),
            ("b", "ZA1"),
        ]
        conn.exec_driver_sql("DELETE FROM declaration_index WHERE sha256 = %(s)s", {"s": "a" * 64})
        left = conn.exec_driver_sql("SELECT declaration_sha256 FROM declaration_certificates")
        assert [r[0] for r in left] == ["b" * 64]
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0014")
        assert conn.exec_driver_sql("SELECT count(*) FROM declaration_index").scalar_one() == 2
        tables = {r[0] for r in conn.exec_driver_sql("SELECT tablename FROM pg_tables")}
    assert "declaration_certificates" not in tables
    db.dispose()


async def test_the_declarations_naming_a_certificate_are_found_by_key_on_postgres(node) -> None:
    """The reuse finding on PostgreSQL, through ``declaration_certificates``: the third
    declaration of a certificate names the two before it (spelt otherwise, one key), and
    ``find_declaration`` gives the newest."""
    from tests.unit.api.fakes import add_partner, declaration, receive_copy

    review = node.extras["review"]
    add_partner(node, "AU-SYD", "AU")
    receive_copy(
        node, "AU-2026-LOT", net_weight_kg=1200.0, consignor_name="Orchard Exports Pty Ltd"
    )
    shas = []
    for number, spelt in (
        ("CN-DEC-1", "AU-2026-LOT"),
        ("CN-DEC-2", "au 2026 lot"),
        ("CN-DEC-3", "AU2026LOT"),
    ):
        body = {**json.loads(declaration(spelt)), "declaration_number": number}
        data = json.dumps(body).encode()
        shas.append(review.intake.submit_electronic(data, kind="declaration", actor="c")["sha256"])
    assert review.matches.process_pending() == 3
    [check] = review.matches.of_declaration(shas[2])
    assert check["state"] in ("review", "inconsistent")
    assert "CN-DEC-1" in str(check["reasons"]) and "CN-DEC-2" in str(check["reasons"])
    [first] = review.matches.of_declaration(shas[0])
    assert first["state"] == "consistent", first
    assert review.intake.find_declaration("AU-2026-LOT") == shas[2]
    with node.db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT declaration_sha256, certificate_key FROM declaration_certificates"
        ).all()
    assert sorted(tuple(r) for r in rows) == sorted((sha, "AU2026LOT") for sha in shas)


async def test_retention_disposes_of_a_finished_old_document_on_postgres(node, home: Path) -> None:
    """The disposal's marking (one INSERT ... SELECT with JSON, timestamp and boolean literals)
    ran only on SQLite: on PostgreSQL a finished old document goes (bytes, 410, a ``disposed``
    event), a held one and one with open work stay, and a second apply changes nothing."""
    import httpx
    from sqlalchemy import text

    from node.api.app import create_app
    from node.config import RetentionSettings
    from node.errors import Disposed
    from node.retention.service import RetentionService
    from node.storage.documents import events_for
    from tests.unit.api.fakes import declaration

    review = node.extras["review"]

    def unpaired(number: str) -> str:
        body = {**json.loads(declaration("-")), "declaration_number": number}
        data = json.dumps({**body, "certificate_numbers": []}).encode()
        return str(review.intake.submit_electronic(data, kind="declaration", actor="c")["sha256"])

    done, held = unpaired("CN-DEC-1"), unpaired("CN-DEC-2")
    open_ = review.submit_scan(labelled_scan("genuine"), actor="clerk")["sha256"]  # not reviewed
    assert all(i.tx_hash for i in await node.anchoring.anchor_now([done, held]))
    evidence = home / "evidence" / done / "page-1.jpg"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"jpeg")
    with node.db.session() as session:
        session.connection().execute(
            text("UPDATE documents SET created_at = now() - interval '400 days'")
        )
    service = RetentionService(
        node.db, node.blobs, home=home, settings=RetentionSettings(documents_days=365), actor="X"
    )
    service.hold(held, "root", "case 2026-17")

    assert [d["sha256"] for d in service.apply(dry_run=True)["documents"]] == [done]
    out = service.apply()
    assert [d["sha256"] for d in out["documents"]] == [done]
    assert (out["disposed"], out["files_completed"], out["held"]) == (1, 1, 1)
    assert not node.blobs.path(done).exists() and not evidence.parent.exists()
    assert node.blobs.path(held).exists() and node.blobs.path(open_).exists()
    with pytest.raises(Disposed):
        node.blobs.get(done)
    with node.db.session() as session:
        [event] = [e for e in events_for(session, done) if e.kind == "disposed"]
        assert event.detail["documents_days"] == 365
    [disposal] = service.disposals()
    assert disposal["files_removed"] is True and disposal["policy"]["documents_days"] == 365
    # what stays, and why, from the same conditions on PostgreSQL
    kept = {k: v for k, v in out["kept"]["reasons"].items() if v}
    assert out["kept"]["documents"] == 2 and kept["held"] == 1, out["kept"]
    listed = {d["sha256"]: d["reasons"] for d in service.kept()}
    assert set(listed) == {held, open_} and "held" in listed[held], listed
    assert "held" not in listed[open_] and listed[open_], listed
    assert [d["sha256"] for d in service.kept(reason="held")] == [held]

    token = TokenService(node.db).issue("auditor", "jane")["token"]
    transport = httpx.ASGITransport(app=create_app(node))
    async with httpx.AsyncClient(transport=transport, base_url="http://cusdep.test") as client:
        auth = {"Authorization": f"Bearer {token}"}
        r = await client.get(f"/api/v1/documents/{done}/content", headers=auth)
        assert r.status_code == 410 and r.json()["type"] == "cusdep.not_found.disposed"
        r = await client.get(f"/api/v1/documents/{done}", headers=auth)
        assert r.status_code == 200 and r.json()["disposed"]["files_removed"] is True

    again = service.apply()
    assert (again["disposed"], again["files_completed"], again["documents"]) == (0, 0, [])
    assert service.disposals() == [disposal]
    with node.db.session() as session:
        assert [e.kind for e in events_for(session, done)].count("disposed") == 1


async def test_a_hold_put_while_a_disposal_is_being_marked_is_refused_on_postgres(
    node, home: Path, database_url: str
) -> None:
    """The marking's INSERT ... SELECT checks that no hold is on the document, and the hold
    checks that no disposal is: on PostgreSQL neither saw the other's uncommitted row, so a
    hold put during the marking succeeded and its document was disposed of all the same."""
    import time

    from sqlalchemy import event, text

    from node.config import RetentionSettings
    from node.errors import Disposed
    from node.retention.service import RetentionService
    from node.storage.documents import add_document

    sha = node.blobs.put(b"a finished document")
    with node.db.session() as session:
        add_document(session, sha)
        session.connection().execute(
            text("UPDATE documents SET created_at = now() - interval '30 days'")
        )
    service = RetentionService(
        node.db, node.blobs, home=home, settings=RetentionSettings(documents_days=7), actor="X"
    )
    outcome: list[object] = []

    def hold() -> None:
        try:
            outcome.append(service.hold(sha, "root", "case 2026-17"))
        except Disposed as err:
            outcome.append(err)

    holder = threading.Thread(target=hold)

    def waiting_on_a_lock() -> bool:
        with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
            rows = conn.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            ).fetchall()
        return bool(rows)

    def after(conn, cursor, statement: str, *args) -> None:
        if statement.startswith("INSERT INTO document_disposals") and not holder.is_alive():
            holder.start()  # the hold comes while the marking is uncommitted
            deadline = time.monotonic() + 30
            while holder.is_alive() and not waiting_on_a_lock():
                assert time.monotonic() < deadline, "the hold neither finished nor waited"
                time.sleep(0.02)

    event.listen(node.db.engine, "after_cursor_execute", after)
    try:
        out = service.apply()
    finally:
        event.remove(node.db.engine, "after_cursor_execute", after)
    holder.join(30)
    assert out["disposed"] == 1
    assert len(outcome) == 1 and isinstance(outcome[0], Disposed)  # not held, then disposed
    assert service.holds() == []
