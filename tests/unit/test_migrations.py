"""The Alembic revisions build exactly the schema the table models describe."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from node.storage import db as db_module
from node.storage import tables  # noqa: F401 - complete metadata
from node.storage.db import BASELINE, HEAD, Database, alembic_config


def _db(tmp_path: Path, name: str = "node.db") -> Database:
    return Database(f"sqlite:///{tmp_path / name}")


def _head() -> str:
    with Database("sqlite://").engine.connect() as conn:
        return ScriptDirectory.from_config(alembic_config(conn)).get_current_head() or ""


def _revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    db = _db(tmp_path)
    db.migrate()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], (
        "table models and migrations differ: write a revision with "
        f'`python -m node.storage.migrations "..."`: {diff}'
    )
    assert _revision(db) == _head()


def test_a_database_made_before_migrations_is_stamped_and_kept(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with db.engine.begin() as conn:  # the schema nodes made with create_all before revisions
        command.upgrade(alembic_config(conn), BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO documents (sha256, kind, format, media_type, size, source, "
                "created_at, state) VALUES (:s, 'scan', 'image/png', 'image/png', 3, 'local', "
                "'2026-11-30 10:00:00', 'received')"
            ),
            {"s": "ab" * 32},
        )
    db.migrate()
    assert _revision(db) == _head()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar_one() == 1


def test_migrate_is_idempotent_and_safe_from_two_threads(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            _db(tmp_path).migrate()
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = _db(tmp_path)
    db.migrate()
    assert _revision(db) == _head()


def test_every_revision_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    db = _db(tmp_path)
    db.migrate()
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.migrate()
    assert "documents" in inspect(db.engine).get_table_names()


def test_head_names_alembics_newest_revision() -> None:
    assert HEAD == _head(), "a new revision: set node.storage.db.HEAD to it"


def test_a_database_at_head_is_not_given_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _db(tmp_path)
    db.migrate()

    def no_alembic(conn: object) -> None:
        raise AssertionError("alembic configured for a database at head")

    monkeypatch.setattr(db_module, "alembic_config", no_alembic)
    _db(tmp_path).migrate()


def test_a_database_one_revision_behind_is_upgraded(tmp_path: Path) -> None:
    db = _db(tmp_path)
    db.migrate()
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "-1")
    assert _revision(db) != HEAD
    _db(tmp_path).migrate()
    assert _revision(db) == HEAD


def test_a_database_from_a_newer_cusdep_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    from node.errors import ConfigError

    db = _db(tmp_path)
    db.migrate()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9001'"))
        tables_before = sorted(inspect(conn).get_table_names())

    with pytest.raises(ConfigError) as info:
        _db(tmp_path).migrate()

    assert "schema revision 9001, newer than this cusdep knows (up to " + HEAD in info.value.message
    assert _revision(db) == "9001"
    with db.engine.connect() as conn:
        assert sorted(inspect(conn).get_table_names()) == tables_before


def test_a_newer_databases_url_is_named_without_its_password() -> None:
    from node.errors import ConfigError

    db = Database("sqlite://")
    with pytest.raises(ConfigError) as info:
        db._refuse_unknown(("9001",), {HEAD})
    assert "9001" in info.value.message
    db = Database("postgresql+psycopg://cusdep:s3cret@127.0.0.1:1/cusdep")
    with pytest.raises(ConfigError) as info:
        db._refuse_unknown(("9001",), {HEAD})
    assert "s3cret" not in info.value.message and "cusdep:***@" in info.value.message


def test_a_url_whose_driver_is_missing_is_a_configuration_error() -> None:
    from node.errors import ConfigError

    with pytest.raises(ConfigError, match="driver 'MySQLdb', which is not installed"):
        Database("mysql://u@127.0.0.1:1/db")


@pytest.mark.parametrize(
    "url",
    [
        "postgres://u:s3cret@127.0.0.1:1/db",
        "not a url",
        "postgresql+psycopg://u:s3cret@127.0.0.1:5432x/db",  # a port that is not a number
    ],
)
def test_a_storage_url_sqlalchemy_cannot_use_is_a_configuration_error(url: str) -> None:
    """ "postgres://" (as many hosting services write it), a malformed URL and one whose port
    is not a number were tracebacks."""
    from node.errors import ConfigError

    with pytest.raises(ConfigError, match="storage.url is not a database URL") as info:
        Database(url)
    assert "s3cret" not in info.value.message and "postgresql+psycopg://" in info.value.message


def _inbox_row(conn: object, message_id: str, peer: str, at: str) -> None:
    conn.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO exchange_inbox (message_id, peer, kind, document_sha256, digest,"
            " envelope, receipt, state, received_at, stored) VALUES (:m, :p, 'certificate',"
            " '', :p, x'00', x'01', 'received', :at, 0)"
        ),
        {"m": message_id, "p": peer, "at": at},
    )


def test_0006_keys_the_inbox_per_sender_and_keeps_its_rows(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0005")
        _inbox_row(conn, "m-1", "AU-CAN", "2026-12-01 10:00:00")
        _inbox_row(conn, "m-2", "AU-CAN", "2026-12-01 10:00:01")
    with db.engine.begin() as conn:  # the indexes it makes again (later revisions add more)
        command.upgrade(alembic_config(conn), "0006")
    with db.engine.begin() as conn:
        _inbox_row(conn, "m-1", "NZ-AKL", "2026-12-01 10:00:02")  # same id, another sender
        rows = conn.execute(
            text("SELECT message_id, peer FROM exchange_inbox ORDER BY rowid")
        ).all()
        assert [tuple(r) for r in rows] == [
            ("m-1", "AU-CAN"),
            ("m-2", "AU-CAN"),
            ("m-1", "NZ-AKL"),
        ]
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        _inbox_row(conn, "m-1", "AU-CAN", "2026-12-01 10:00:03")  # same sender: still unique
    assert {i["name"] for i in inspect(db.engine).get_indexes("exchange_inbox")} == {
        "ix_exchange_inbox_document_sha256",
        "ix_exchange_inbox_unstored",
        "ix_exchange_inbox_to_apply",
    }
    with db.engine.begin() as conn:  # back to one row per id: the first received is kept
        command.downgrade(alembic_config(conn), "0005")
        rows = conn.execute(text("SELECT message_id, peer FROM exchange_inbox")).all()
    assert sorted(tuple(r) for r in rows) == [("m-1", "AU-CAN"), ("m-2", "AU-CAN")]


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--message=x"], [], ["  "], ["a", "b"]])
def test_the_revision_script_writes_nothing_for_help_or_a_bad_message(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``python -m node.storage.migrations --help`` wrote a revision named "--help"."""
    from node.storage.migrations.__main__ import main

    versions = Path(main.__code__.co_filename).parent / "versions"
    before = sorted(p.name for p in versions.glob("*.py"))
    code = main(argv)
    assert sorted(p.name for p in versions.glob("*.py")) == before
    out, err = capsys.readouterr()
    if argv in (["--help"], ["-h"]):
        assert code == 0 and "autogenerate the next revision" in out and not err
    else:
        assert code == 2 and err.startswith("usage: python -m node.storage.migrations")


def test_0008_adds_the_indexes_a_nodes_history_is_read_through(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
        _inbox_row(conn, "m-1", "AU-CAN", "2026-12-01 10:00:00")
    db.migrate()

    def names(table: str) -> set[str]:
        return {i["name"] for i in inspect(db.engine).get_indexes(table)}

    assert {"ix_exchange_inbox_received_at", "ix_exchange_inbox_peer_kind_state"} <= names(
        "exchange_inbox"
    )
    assert "ix_exchange_outbox_peer_kind_state" in names("exchange_outbox")
    assert {"ix_documents_kind_state", "ix_documents_created_at"} <= names("documents")
    assert "ix_documents_kind" not in names("documents")  # a prefix of (kind, state)
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")
        assert conn.execute(text("SELECT count(*) FROM exchange_inbox")).scalar_one() == 1
    assert "ix_documents_kind" in names("documents")
    assert "ix_exchange_inbox_received_at" not in names("exchange_inbox")


def test_0009_keys_the_declaration_index_by_certificate_key(tmp_path: Path) -> None:
    """A declaration indexed under its spellings ("e 517 0834559") before 0009 is found by the
    paper's reading afterwards, its ``indexed_at`` (which makes it the newest) kept."""
    db = _db(tmp_path)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
        conn.execute(
            text("INSERT INTO declaration_index VALUES (:sha, :numbers, :at)"),
            [
                {
                    "sha": "a" * 64,
                    "numbers": '["e 517 0834559", "No. ZA-1", "E5170834559"]',
                    "at": "2026-12-01 10:00:00.000000",
                },
                {"sha": "b" * 64, "numbers": '["NO-2026-1"]', "at": "2026-12-01 10:00:01.000000"},
                {"sha": "c" * 64, "numbers": "[]", "at": "2026-12-01 10:00:02.000000"},
            ],
        )
    db.migrate()
    with db.engine.begin() as conn:
        rows = conn.execute(
            text("SELECT sha256, certificate_numbers, indexed_at FROM declaration_index")
        ).all()
    assert sorted((r[0][0], json.loads(r[1]), r[2]) for r in rows) == [
        ("a", ["E5170834559", "ZA1"], "2026-12-01 10:00:00.000000"),
        ("b", ["NO20261"], "2026-12-01 10:00:01.000000"),
        ("c", [], "2026-12-01 10:00:02.000000"),
    ]
    with db.engine.begin() as conn:  # the earlier code indexes every declaration again
        command.downgrade(alembic_config(conn), "0008")
        assert conn.execute(text("SELECT count(*) FROM declaration_index")).scalar_one() == 0


def test_0010_keys_the_reviewed_papers_for_declarations_that_come_later(tmp_path: Path) -> None:
    """Papers reviewed before 0010 are found by the key of the number read on them (a
    declaration arriving afterwards is checked against an accepted one), and the pairs table
    starts empty."""
    db = _db(tmp_path)
    columns = (
        "sha256, state, verdict, decision, outcome, decided_by, reason, forwardable, "
        "certificate_number, declaration_sha256, submitted_by, error, result, layout, queued_at"
    )
    values = ", ".join(f":{c.strip()}" for c in columns.split(","))
    row = {c.strip(): "" for c in columns.split(",")}
    row |= {"forwardable": 1, "result": "{}", "layout": "{}", "queued_at": "2026-12-01 10:00:00"}
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0009")
        conn.execute(
            text(f"INSERT INTO reviews ({columns}) VALUES ({values})"),
            [
                {**row, "sha256": "a" * 64, "certificate_number": "No. AU-2026-000123"},
                {**row, "sha256": "b" * 64, "certificate_number": ""},
            ],
        )
    db.migrate()
    with db.engine.begin() as conn:
        keys = conn.execute(text("SELECT sha256, certificate_key FROM reviews")).all()
        assert sorted((k[0][0], k[1]) for k in keys) == [("a", "AU2026000123"), ("b", "")]
        assert conn.execute(text("SELECT count(*) FROM declaration_matches")).scalar_one() == 0
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
        names = {c["name"] for c in inspect(conn).get_columns("reviews")}
        assert "certificate_key" not in names and "certificate_number" in names


def test_0011_adds_the_declared_quantities_not_known_for_the_rows_before(
    tmp_path: Path,
) -> None:
    """Declarations indexed before 0011 keep their row, their quantities NULL (not known: a
    later declaration drawing on their certificate tells an officer so); the declaration
    number is indexed (the balance counts each number's latest version)."""
    db = _db(tmp_path)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0010")
        conn.execute(
            text(
                "INSERT INTO declaration_index (sha256, certificate_numbers, indexed_at, "
                "declaration_number) VALUES (:sha, '[\"KR1\"]', '2026-12-01 10:00:00', 'D-1')"
            ),
            {"sha": "a" * 64},
        )
    db.migrate()
    with db.engine.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT sha256, declaration_number, net_weight_kg, packages FROM declaration_index"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("a" * 64, "D-1", None, None)]
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("declaration_index")}
    assert "ix_declaration_index_declaration_number" in indexes
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0010")
        names = {c["name"] for c in inspect(conn).get_columns("declaration_index")}
        assert conn.execute(text("SELECT count(*) FROM declaration_index")).scalar_one() == 1
    assert not {"net_weight_kg", "packages"} & names and "declaration_number" in names


def test_0014_reads_the_queues_and_the_die_prints_in_index_order(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0013")
        conn.execute(
            text(
                "INSERT INTO seal_stampings (sha256, seal_id, certificate_number, stamping, "
                "recorded_at) VALUES ('ab', 'AU-DAFF-S1', 'AU1', '00', '2026-12-01 10:00:00')"
            )
        )
    db.migrate()

    def names(table: str) -> set[str]:
        return {i["name"] for i in inspect(db.engine).get_indexes(table)}

    assert "ix_reviews_state_queued_at" in names("reviews")
    assert "ix_reviews_state" not in names("reviews")  # a prefix of (state, queued_at, sha256)
    assert "ix_declaration_matches_state_queued_at" in names("declaration_matches")
    assert "ix_declaration_matches_state" not in names("declaration_matches")
    assert names("seal_stampings") >= {"ix_seal_stampings_seal_id_recorded_at"}
    assert "ix_seal_stampings_seal_id" not in names("seal_stampings")
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0013")
        assert conn.execute(text("SELECT count(*) FROM seal_stampings")).scalar_one() == 1
    assert {"ix_reviews_state"} <= names("reviews")
    assert "ix_seal_stampings_seal_id" in names("seal_stampings")
    assert "ix_declaration_matches_state_queued_at" not in names("declaration_matches")


def test_0015_lists_the_keys_of_the_declarations_indexed_before(tmp_path: Path) -> None:
    """Each key of each declaration's list becomes a row (once, however often it is listed),
    found through the index on the key; a declaration naming none has none; downgrade drops
    the table, the lists kept."""
    db = _db(tmp_path)
    rows = [
        ("a" * 64, '["E5170834559", "ZA1"]'),
        ("b" * 64, '["ZA1", "ZA1"]'),
        ("c" * 64, "[]"),
        ("d" * 64, None),
    ]
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0014")
        conn.execute(
            text(
                "INSERT INTO declaration_index (sha256, certificate_numbers, indexed_at, "
                "declaration_number) VALUES (:sha, :numbers, '2026-12-01 10:00:00', '')"
            ),
            [{"sha": sha, "numbers": numbers} for sha, numbers in rows],
        )
        conn.exec_driver_sql(  # more than a page of the backfill (5,000 rows)
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) "
            "INSERT INTO declaration_index (sha256, certificate_numbers, indexed_at, "
            "declaration_number) SELECT printf('%064x', i), json_array(printf('K%d', i)), "
            "'2026-12-01 10:00:00', '' FROM n"
        )
    db.migrate()
    with db.engine.begin() as conn:
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM declaration_certificates WHERE certificate_key LIKE 'K%'"
                )
            ).scalar_one()
            == 12000
        )
        keys = conn.execute(
            text(
                "SELECT declaration_sha256, certificate_key FROM declaration_certificates "
                "WHERE certificate_key NOT LIKE 'K%'"
            )
        ).all()
        plan = [
            r[3]
            for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT declaration_sha256 FROM declaration_certificates "
                "WHERE certificate_key = 'ZA1'"
            )
        ]
    assert sorted((sha[0], key) for sha, key in keys) == [
        ("a", "E5170834559"),
        ("a", "ZA1"),
        ("b", "ZA1"),
    ]
    assert plan == [
        "SEARCH declaration_certificates USING COVERING INDEX "
        "ix_declaration_certificates_certificate_key (certificate_key=?)"
    ]
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0014")
        assert conn.execute(text("SELECT count(*) FROM declaration_index")).scalar_one() == 12004
    assert "declaration_certificates" not in inspect(db.engine).get_table_names()
