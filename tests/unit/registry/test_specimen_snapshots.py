"""The registry snapshot the node's verifier keeps between reviews (``SpecimenSnapshots``), on
the in-memory chain: the chain's records read once while nothing changes, the database read
for every review, and the specimen files' tamper check kept (tests/integration/chain/
test_specimen_snapshots.py has the chain's side on a real anvil)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from node.registry.specimens import SpecimenSnapshots, build_specimens
from node.registry.tables import RegistryRecordRow
from node.review.verifier import PipelineVerifier, Verification
from tests.unit.memory_node import memory_node
from tests.unit.registry.records import png, synced_row

SETTLE = 0.05  # seconds: how old a file's change time must be to be kept, in these tests


@pytest.fixture
async def node(home: Path) -> Any:
    n = memory_node(home)
    reg = n.registry
    assert reg is not None
    await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    await reg.add_seal("AU-DAFF", "S1", png("red"))
    await reg.add_seal("AU-DAFF", "S2", png("blue"))
    await reg.add_officer("AU-DAFF", "O7", "Jane Citizen", png("navy"), "2024-01-01")
    return n


class Counted:
    """Counts calls of ``name`` on ``obj`` (patched with ``monkeypatch``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, obj: Any, name: str) -> None:
        self.calls = 0
        real = getattr(obj, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(obj, name, counted)


def snapshots(node: Any) -> SpecimenSnapshots:
    snaps = SpecimenSnapshots(node.db, node.blobs, node.extras["chain"])
    snaps.files.settle_ns = int(SETTLE * 1e9)
    return snaps


def _ids(src: Any) -> set[str]:
    return {s.id for s in src.seals()}


async def test_a_second_review_reads_no_record_and_gets_the_same_specimens(
    node: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Counted(monkeypatch, node.extras["chain"], "get_many")
    snaps = snapshots(node)
    first = await snaps.build(registrars={"CN"}, is_used=lambda n: n == "A1")
    second = await snaps.build(registrars={"CN"}, is_used=lambda n: n == "B2")
    assert reads.calls == 1
    fresh = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN"})
    for src in (first, second):
        assert sorted((s.id, s.image) for s in src.seals()) == sorted(
            (s.id, s.image) for s in fresh.seals()
        )
        assert src.officers("AU-DAFF") == fresh.officers("AU-DAFF")
        assert src.agency("AU-DAFF") == fresh.agency("AU-DAFF")
    assert first.is_certificate_number_used("A1") and not first.is_certificate_number_used("B2")
    assert second.is_certificate_number_used("B2") and not second.is_certificate_number_used("A1")


async def test_a_change_of_the_rows_alone_is_the_next_reviews(node: Any) -> None:
    """A record on chain whose row arrives later (a partner's, by sync), and a row revoked
    here: the chain shows no change, the rows do."""
    snaps = snapshots(node)
    au = node.extras["chain"].as_authority("AU")
    agency: dict[str, Any] = {"id": "AU-X", "country": "AU", "name": "X", "authoritative": True}
    sha = node.blobs.put(png("green"))
    seal: dict[str, Any] = {"id": "S9", "agency_id": "AU-X", "image_sha256": sha}
    await au.register("agency", "AU", agency)
    await au.register("seal", "AU", seal)
    assert _ids(await snaps.build(registrars={"CN", "AU"})) == {"S1", "S2"}
    with node.db.session() as session:
        for kind, fields, row_sha in (("agency", agency, ""), ("seal", seal, sha)):
            session.add(synced_row(kind, fields, row_sha, "AU-X"))
        session.commit()
    assert _ids(await snaps.build(registrars={"CN", "AU"})) == {"S1", "S2", "S9"}
    with node.db.session() as session:
        row = session.get(RegistryRecordRow, ("seal", "CN", "S2"))
        row.state = "pending"
        session.commit()
    assert _ids(await snaps.build(registrars={"CN", "AU"})) == {"S1", "S9"}
    # and a registrar no longer trusted
    assert _ids(await snaps.build(registrars={"CN"})) == {"S1"}


async def test_a_revocation_on_chain_is_the_next_reviews(node: Any) -> None:
    snaps = snapshots(node)
    assert _ids(await snaps.build(registrars={"CN"})) == {"S1", "S2"}
    await node.extras["chain"].revoke("seal", "CN", "S1", "die stolen")  # the rows unchanged
    assert _ids(await snaps.build(registrars={"CN"})) == {"S2"}


def _red(node: Any) -> Path:
    return node.blobs.path(hashlib.sha256(png("red")).hexdigest())


async def _settled() -> None:
    """Let the specimen files' change time age past the settle window: the condition under
    test (a file is kept only once its change time is that old), not synchronisation."""
    await asyncio.sleep(SETTLE * 2)


async def test_a_file_altered_after_a_review_is_refused_by_the_next(
    node: Any, caplog: pytest.LogCaptureFixture
) -> None:
    snaps = snapshots(node)
    await _settled()
    assert _ids(await snaps.build(registrars={"CN"})) == {"S1", "S2"}  # S1's file kept
    _red(node).write_bytes(png("green"))  # another image of the same size, in place
    for _ in range(2):  # refused, and said, at every review
        caplog.clear()
        src = await snaps.build(registrars={"CN"})
        assert _ids(src) == {"S2"} and src.unusable_seals("AU-DAFF") == ["S1"]
        assert "S1: its stored file does not hash to the chain's SHA-256: not used" in caplog.text


async def test_a_file_altered_with_its_modification_time_set_back_is_refused(node: Any) -> None:
    snaps = snapshots(node)
    await _settled()
    await snaps.build(registrars={"CN"})
    path = _red(node)
    st = path.stat()
    path.write_bytes(png("green"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # its change time is now, though
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert _ids(await snaps.build(registrars={"CN"})) == {"S2"}


async def test_a_file_lost_after_a_review_is_unusable_in_the_next(node: Any) -> None:
    snaps = snapshots(node)
    await _settled()
    await snaps.build(registrars={"CN"})
    _red(node).unlink()
    src = await snaps.build(registrars={"CN"})
    assert _ids(src) == {"S2"} and src.unusable_seals("AU-DAFF") == ["S1"]


async def test_a_kept_file_is_not_read_again_a_just_written_one_is(
    node: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    snaps = snapshots(node)
    reads = Counted(monkeypatch, node.blobs, "get")
    snaps.files.settle_ns = 3600 * 10**9  # every file just written: none kept
    await snaps.build(registrars={"CN"})
    assert reads.calls == 3
    await snaps.build(registrars={"CN"})
    assert reads.calls == 6
    snaps.files.settle_ns = int(SETTLE * 1e9)
    await _settled()
    await snaps.build(registrars={"CN"})  # read and kept
    await snaps.build(registrars={"CN"})
    assert reads.calls == 9


async def test_the_verifier_reads_the_chain_once_for_reviews_with_nothing_changed(
    node: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    verifier = node.extras["review"].verifier
    assert isinstance(verifier, PipelineVerifier)
    sources: list[Any] = []

    def run(pipeline: Any, data: bytes, against: Any, evidence_dir: Path) -> Verification:
        sources.append(pipeline.source)
        return Verification({})

    monkeypatch.setattr(verifier, "_run", run)
    reads = Counted(monkeypatch, node.extras["chain"], "get_many")
    for number in ("A1", "B2"):
        await verifier.verify(
            b"%PDF", declaration=None, evidence_dir=tmp_path, is_used=number.__eq__
        )
    assert reads.calls == 1
    first, second = sources
    assert _ids(first) == _ids(second) == {"S1", "S2"}
    assert first.is_certificate_number_used("A1") and not second.is_certificate_number_used("A1")
    await node.extras["chain"].revoke("seal", "CN", "S2", "die stolen")
    await verifier.verify(b"%PDF", declaration=None, evidence_dir=tmp_path, is_used=lambda n: False)
    assert _ids(sources[-1]) == {"S1"} and reads.calls == 2
