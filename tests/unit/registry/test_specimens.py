"""The registry as the review's SpecimenSource: only chain-matching specimens are handed over."""

from __future__ import annotations

import json

import pytest

from node.registry.specimens import build_specimens
from node.registry.tables import RegistryRecordRow
from tests.unit.memory_node import memory_node
from tests.unit.registry.records import AU_TEMPLATE, png


@pytest.fixture
async def node(home):
    n = memory_node(home)
    reg = n.registry
    await reg.add_agency("AU-DAFF", "AU", "Department of Agriculture")
    await reg.add_seal("AU-DAFF", "S1", png("red"))
    await reg.add_seal("AU-DAFF", "S2", png("blue"))
    await reg.add_officer("AU-DAFF", "O7", "Jane Citizen", png("navy"), "2024-01-01", "2028-12-31")
    await reg.add_template(json.dumps(AU_TEMPLATE).encode())
    return n


async def test_confirmed_records_become_specimens(node) -> None:
    src = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN"})
    assert src.agency("AU-DAFF").country == "AU"
    assert {s.id for s in src.seals("AU-DAFF")} == {"S1", "S2"}
    assert src.seals("AU-DAFF")[0].image in (png("red"), png("blue"))
    (officer,) = src.officers("AU-DAFF")
    assert officer.name == "Jane Citizen" and officer.signatures == (png("navy"),)
    assert str(officer.valid_from) == "2024-01-01" and str(officer.valid_to) == "2028-12-31"
    assert [t["id"] for t in src.templates()] == ["AU-PHYTO"]


async def test_a_specimen_that_differs_from_the_chain_is_not_used(node) -> None:
    with node.db.session() as session:
        row = session.get(RegistryRecordRow, ("seal", "CN", "S2"))
        row.sha256 = node.blobs.put(png("green"))  # swapped file on disk/DB
    src = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN"})
    assert [s.id for s in src.seals("AU-DAFF")] == ["S1"]


async def test_a_stored_file_altered_behind_the_records_back_is_not_used(node, caplog) -> None:
    # the row and the chain agree; the file they name was overwritten with another image
    import hashlib

    red = hashlib.sha256(png("red")).hexdigest()
    node.blobs.path(red).write_bytes(png("green"))
    src = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN"})
    assert [s.id for s in src.seals("AU-DAFF")] == ["S2"]
    assert "S1: its stored file does not hash to the chain's SHA-256: not used" in caplog.text
    # said to the review: a seal that matches only S2's specimen is not the paper's fault
    assert src.unusable_seals("AU-DAFF") == ["S1"] and src.unusable_seals("NZ-MPI") == []


async def test_a_lost_stored_file_is_unusable_a_revoked_seal_is_not(node) -> None:
    import hashlib

    node.blobs.path(hashlib.sha256(png("blue")).hexdigest()).unlink()
    await node.extras["chain"].revoke("seal", "CN", "S1", "stolen")
    src = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN"})
    assert src.seals("AU-DAFF") == [] and src.unusable_seals("AU-DAFF") == ["S2"]


async def test_revoked_on_chain_or_untrusted_registrar_is_not_used(node) -> None:
    chain = node.extras["chain"]
    await chain.revoke("seal", "CN", "S1", "lost")
    src = await build_specimens(node.db, node.blobs, chain, registrars={"CN"})
    assert [s.id for s in src.seals()] == ["S2"]
    nobody = await build_specimens(node.db, node.blobs, chain, registrars={"NZ"})
    assert nobody.seals() == [] and nobody.agency("AU-DAFF") is None


async def test_a_revoked_seal_is_held_as_revoked_with_its_reason_and_day(node) -> None:
    await node.registry.revoke("seal", "S1", "die stolen")
    src = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN"})
    assert [s.id for s in src.seals("AU-DAFF")] == ["S2"]
    (gone,) = src.revoked_seals("AU-DAFF")
    assert gone.specimen.id == "S1" and gone.specimen.image == png("red")
    assert gone.reason == "die stolen" and gone.revoked_on is not None
    assert src.revoked_seals("NZ-MPI") == []


async def test_revoked_agency_takes_its_seals_and_officers_with_it(node) -> None:
    await node.extras["chain"].revoke("agency", "CN", "AU-DAFF", "closed")
    src = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN"})
    assert src.seals() == [] and src.officers("AU-DAFF") == []


async def _partner_records(node, registrar: str, agency_country: str, agency_id: str) -> str:
    """A partner ``registrar``'s own agency ``agency_id`` of ``agency_country`` and one seal of
    it, on chain and synced here (as ``node.registry.apply`` leaves them); the seal's id."""
    nz = node.extras["chain"].as_authority(registrar)
    forged = png("green")
    sha = node.blobs.put(forged)
    agency = {"id": agency_id, "country": agency_country, "name": "Namesake", "authoritative": True}
    seal = {"id": f"{registrar}-S9", "agency_id": agency_id, "image_sha256": sha}
    await nz.register("agency", registrar, agency)
    await nz.register("seal", registrar, seal)
    with node.db.session() as session:
        for kind, fields, row_sha in (("agency", agency, ""), ("seal", seal, sha)):
            session.add(
                RegistryRecordRow(
                    kind=kind,
                    registrar=registrar,
                    record_id=fields["id"],
                    agency_id=agency_id,
                    country=agency_country if kind == "agency" else registrar,
                    sha256=row_sha,
                    fields=fields,
                    authoritative=True,
                    state="confirmed",
                    source=f"{registrar}-WLG",
                )
            )
    return seal["id"]


async def test_a_partners_namesake_agency_lends_no_seal_to_another_country(node) -> None:
    # security audit: NZ registered its own "AU-DAFF" (a New Zealand agency) with a seal, and
    # CN's review of an Australian certificate then used it as AU-DAFF's
    forged = await _partner_records(node, "NZ", "NZ", "AU-DAFF")
    chain = node.extras["chain"]
    src = await build_specimens(node.db, node.blobs, chain, registrars={"CN", "NZ"})
    assert src.agency("AU-DAFF").country == "AU"
    assert forged not in {s.id for s in src.seals()} and len(src.seals("AU-DAFF")) == 2


async def test_an_id_no_country_owns_is_used_by_nobody_when_countries_differ(node) -> None:
    await node.registry.add_agency("DAFF", "AU", "Department of Agriculture")
    await _partner_records(node, "NZ", "NZ", "DAFF")
    src = await build_specimens(node.db, node.blobs, node.extras["chain"], registrars={"CN", "NZ"})
    assert src.agency("DAFF") is None and src.seals("DAFF") == []
    assert src.agency("AU-DAFF").country == "AU"  # the others are untouched
