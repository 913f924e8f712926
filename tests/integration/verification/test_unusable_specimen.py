"""A genuine paper whose seal's specimen this node cannot use (the stored file altered or lost)
goes to an officer, naming the node's problem; it was rejected for a seal "unlike the specimen"
(an independent auditor's finding). A paper stamped with a die its agency revoked (stolen) is
rejected naming that die and the revocation (an issuing agency's audit: it named another seal).
Real OCR on the genuine fixture scan; its agency's seal specimens are held back, and said
unusable, revoked, or nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from simulator.registry_bundle import write_bundle
from simulator.world import build_world
from tests.integration.verification.genuine_scan import ARRIVAL, DECLARATION, SCANS, TRUTH
from verification import Pipeline
from verification.bundle import MemorySpecimenSource, read_bundle_records
from verification.ports import RevokedSeal


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("registry")
    write_bundle(root, build_world(2026))
    return root


def _review(registry: Path, *, said: bool, revoked: bool = False) -> Any:
    records = read_bundle_records(registry)
    agency = TRUTH["agency_id"]
    held = [s for s in records.seals if s.agency_id == agency]
    source = MemorySpecimenSource(
        agencies=records.agencies,
        seals=[s for s in records.seals if s.agency_id != agency],
        officers=records.officers,
        templates=[json.loads(d) for _p, d in records.template_files],
        unusable_seals=[(agency, s.id) for s in held] if said else (),
        revoked_seals=[RevokedSeal(s, date(2026, 9, 1), "die stolen") for s in held if revoked],
    )
    scan = (SCANS / "genuine.jpg").read_bytes()
    result = Pipeline(source, today=lambda: ARRIVAL).verify(
        scan, declaration=DECLARATION, arrival_date=ARRIVAL
    )
    return result, [s.id for s in held]


def test_a_seal_whose_specimen_the_node_cannot_use_goes_to_an_officer(registry: Path) -> None:
    result, held = _review(registry, said=True)
    assert held and result.seal.found and not result.seal.match
    assert result.verdict == "review"
    reasons = " ".join(result.reasons)
    assert f"this node cannot use {len(held)} of {TRUTH['agency_id']}'s registered seal" in reasons
    assert all(i in reasons for i in held)


def test_without_that_the_same_page_is_rejected(registry: Path) -> None:
    """The control: the same specimens simply absent (not registered) is the paper's fault."""
    result, _held = _review(registry, said=False)
    assert result.verdict == "reject"


def test_a_seal_stamped_with_a_revoked_die_is_rejected_naming_it(registry: Path) -> None:
    result, held = _review(registry, said=False, revoked=True)
    assert result.verdict == "reject" and not result.seal.match
    assert result.seal.seal_id in held
    reasons = " ".join(result.reasons)
    agency = TRUTH["agency_id"]
    assert f"the seal is {result.seal.seal_id}, which {agency} revoked on 2026-09-01" in reasons
    assert "(die stolen)" in reasons
