"""The genuine fixture scan (tests/fixtures/scans) and a pipeline over the world it was drawn
from, for the tests that review it with the real OCR."""

from __future__ import annotations

import pytest

from simulator.registry_bundle import write_bundle
from simulator.world import build_world
from tests.integration.verification.genuine_scan import ARRIVAL
from verification import Pipeline
from verification.bundle import BundleSpecimenSource


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    root = tmp_path_factory.mktemp("registry")
    write_bundle(root, build_world(2026))
    return Pipeline(BundleSpecimenSource(root), today=lambda: ARRIVAL)
