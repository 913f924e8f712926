"""The registry's two readers (SQLModel and plain sqlite3) return equal data; a one-shot verify
reads a SQLite home at head without importing SQLAlchemy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from node.exchange.tables import PartnerRow
from node.registry.reading import DatabaseRead, SqliteRead, sqlite_read
from node.registry.specimens import build_specimens, trusted_registrars
from node.registry.tables import RegistryRecordRow
from node.review.tables import ReviewRow
from node.storage.db import Database
from tests.unit.memory_node import memory_node
from tests.unit.registry.records import AU_TEMPLATE, png


@pytest.fixture
async def node(home):
    n = memory_node(home)
    reg = n.registry
    await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    await reg.add_agency("NZ-MPI", "NZ", "Ministry for Primary Industries")
    await reg.add_seal("AU-DAFF", "S1", png("red"))
    await reg.add_seal("NZ-MPI", "S9", png("green"))
    await reg.add_seal("AU-DAFF", "S2", png("blue"))
    await reg.add_officer("AU-DAFF", "O7", "Jane Citizen", png("navy"), "2024-01-01", "2028-12-31")
    await reg.add_officer("AU-DAFF", "O8", "John Smith", png("teal"), "2025-01-01", "2029-12-31")
    await reg.add_template(json.dumps(AU_TEMPLATE).encode())
    with n.db.session() as session:
        # a pending record (not read), a partner record, partners, reviews in every state
        session.add(RegistryRecordRow(kind="seal", registrar="CN", record_id="S3", state="pending"))
        session.add(
            RegistryRecordRow(
                kind="agency",
                registrar="NZ",
                record_id="NZ-X",
                country="NZ",
                state="confirmed",
                fields={"name": "Ōtautahi ünïcode", "n": [1, 2.5, None]},
            )
        )
        for node_id, country in (("NZ-WLG", "NZ"), ("AU-SYD", "AU"), ("NZ-AKL", "NZ")):
            session.add(
                PartnerRow(
                    node_id=node_id,
                    country=country,
                    endpoint="127.0.0.1:1",
                    ca_pem="",
                    verify_key_hex="",
                    key_id="k",
                )
            )
        for i, state in enumerate(("accept", "decided", "review", "reject", "pending")):
            session.add(ReviewRow(sha256=f"{i:064x}", state=state, certificate_number=f"C-{i}"))
    return n


def _readers(node) -> tuple[DatabaseRead, SqliteRead]:
    light = sqlite_read(node.db.url)
    assert light is not None
    return DatabaseRead(node.db), light


async def test_both_readers_return_equal_records_partners_and_used_numbers(node) -> None:
    orm, light = _readers(node)
    records = orm.confirmed_records()
    assert light.confirmed_records() == records
    assert [(r.kind, r.record_id) for r in records][:3] == [
        ("agency", "AU-DAFF"),
        ("agency", "NZ-MPI"),
        ("seal", "S1"),
    ]
    assert ("seal", "S3") not in {(r.kind, r.record_id) for r in records}
    assert light.partner_countries() == orm.partner_countries() == {"NZ", "AU"}
    for number in ("C-0", "C-1", "C-2", "C-3", "C-4", "C-9"):
        for sha in (f"{0:064x}", f"{1:064x}", "f" * 64):
            used = orm.certificate_number_used(number, sha)
            assert light.certificate_number_used(number, sha) == used, (number, sha)
    assert orm.certificate_number_used("C-0", "f" * 64)
    assert not orm.certificate_number_used("C-0", f"{0:064x}")  # the same document
    assert not orm.certificate_number_used("C-2", "f" * 64)  # only in review


async def test_specimens_built_through_either_reader_are_equal(node) -> None:
    chain = node.extras["chain"]
    built = []
    for read in (node.db, *_readers(node)):
        registrars = trusted_registrars(read, "CN")
        src = await build_specimens(read, node.blobs, chain, registrars=registrars)
        built.append(
            (
                registrars,
                {a: src.agency(a) for a in ("AU-DAFF", "NZ-MPI", "NZ-X")},
                src.seals(),
                src.officers("AU-DAFF"),
                src.templates(),
            )
        )
    assert built[0] == built[1] == built[2]
    assert [s.id for s in built[0][2]] == ["S1", "S9", "S2"]
    assert [o.signatures for o in built[0][3]] == [(png("navy"),), (png("teal"),)]


def test_only_a_sqlite_file_at_head_is_read_with_sqlite3(home: Path, tmp_path: Path) -> None:
    assert sqlite_read("postgresql://u@localhost/cusdep") is None
    assert sqlite_read("sqlite://") is None and sqlite_read("sqlite:///:memory:") is None
    missing = tmp_path / "missing.db"
    assert sqlite_read(f"sqlite:///{missing}") is None and not missing.exists()
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    db = Database(url)
    with db.engine.begin() as conn:  # a database that exists but was never migrated
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    assert sqlite_read(url) is None
    db.migrate()
    assert isinstance(sqlite_read(url), SqliteRead)
    with db.engine.begin() as conn:  # one revision behind: to be migrated first
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
    assert sqlite_read(url) is None
    db.dispose()


def test_verify_reads_a_sqlite_home_without_importing_sqlalchemy(node, home: Path) -> None:
    code = f"""
import asyncio, sys
from pathlib import Path
from node.cli.verify import _registry_specimens
from node.config import ChainSettings, NodeIdentity, Settings
settings = Settings(home=Path({str(home)!r}), node=NodeIdentity(id="CN-SHA", country="CN",
    name="x"), chain=ChainSettings(rpc_url="http://127.0.0.1:9", registry_contract=""))
src = asyncio.run(_registry_specimens(settings, "e" * 64))
print(sorted(m for m in ("sqlalchemy", "sqlmodel") if m in sys.modules))
print(src.is_certificate_number_used("C-0"), src.is_certificate_number_used("C-2"))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True False"
