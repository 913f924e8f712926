"""A paper is read with its own country's template, never another country's of the same title.

The fixture scan is an Australian phytosanitary certificate (AU-PHYTO-2025), the IPPC model
form that New Zealand and the United States print with the same title and labels. Real OCR on
the rendered scan; the registry is the world it was drawn from, with templates held back or
altered per test."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from simulator.registry_bundle import write_bundle
from simulator.world import build_world
from tests.integration.verification.genuine_scan import ARRIVAL, DECLARATION, SCANS, TRUTH
from verification import Pipeline, UnknownTemplate
from verification.bundle import MemorySpecimenSource, read_bundle_records
from verification.errors import TiedTemplates

Template = Mapping[str, Any]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("registry")
    write_bundle(root, build_world(2026))
    return root


def _review(registry: Path, keep: Callable[[Template], list[Template]]) -> Any:
    records = read_bundle_records(registry)
    templates = [json.loads(data) for _path, data in records.template_files]
    source = MemorySpecimenSource(
        agencies=records.agencies,
        seals=records.seals,
        officers=records.officers,
        templates=[kept for t in templates for kept in keep(t)],
    )
    pipe = Pipeline(source, today=lambda: ARRIVAL)
    scan = (SCANS / "genuine.jpg").read_bytes()
    return pipe.verify(scan, declaration=DECLARATION, arrival_date=ARRIVAL)


def test_the_fixture_is_an_australian_form_whose_title_two_other_countries_share(
    registry: Path,
) -> None:
    assert TRUTH["template_id"] == "AU-PHYTO-2025" and TRUTH["issuing_country"] == "AU"
    records = read_bundle_records(registry)
    titles = {t["id"]: t["titles"][0] for t in (json.loads(d) for _p, d in records.template_files)}
    same = sorted(i for i, title in titles.items() if title == titles["AU-PHYTO-2025"])
    assert same == ["AU-PHYTO-2025", "NZ-PHYTO-2024", "US-PHYTO-2024"]


@pytest.mark.parametrize(
    ("held_back", "closest"),
    [
        (("AU-PHYTO-2025", "NZ-PHYTO-2024"), ("US",)),  # one other form: it scores best
        (("AU-PHYTO-2025",), ("NZ", "US")),  # two others alike: before, "several alike"
    ],
)
def test_without_its_countrys_template_the_paper_is_not_reviewed_under_another(
    registry: Path, held_back: tuple[str, ...], closest: tuple[str, ...]
) -> None:
    """Only other countries' forms of its title registered. With the US form alone it was
    read as US-PHYTO-2024 and rejected for an officer and a seal "not registered with
    US-APHIS": true, and no help to the officer; now it names what the paper is."""
    with pytest.raises(UnknownTemplate) as caught:
        _review(registry, lambda t: [] if t["id"] in held_back else [t])
    message = caught.value.message
    assert "certificate of Australia" in message, message
    assert "no template of AU fits it" in message, message
    assert any(f"-PHYTO-2024, is for {c}:" in message for c in closest), message
    assert message.endswith("register AU's template"), message


def test_a_paper_first_taken_for_another_countrys_form_is_read_with_its_own(
    registry: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """AU's template registered under another id and a title the page does not print: the
    page fits the NZ and US forms alike (title and labels) and its header names neither; the
    fields read with the first say Australia, so the page is read again with the Australian
    template, whose labels fit it. Before, the tie was an unknown template."""

    def renamed(t: Template) -> list[Template]:
        if t["id"] != "AU-PHYTO-2025":
            return [t]
        return [{**t, "id": "AU-PLANTS", "titles": ["EXPORT PERMIT FOR PLANTS"]}]

    with caplog.at_level(logging.INFO, logger="verification.pipeline"):
        result = _review(registry, renamed)
    again = [r.getMessage() for r in caplog.records if "read again" in r.getMessage()]
    assert len(again) == 1 and "-PHYTO-2024 is AU's" in again[0], again
    assert result.template_id == "AU-PLANTS"
    assert result.fields["origin_country"].value == "AU"
    assert result.seal.match, result.reasons
    assert result.verdict == "accept", result.reasons


def test_two_alike_templates_of_its_own_country_are_still_an_officers_choice(
    registry: Path,
) -> None:
    """Two layouts of one issuer that the page fits alike: its country does not choose."""

    def twice(t: Template) -> list[Template]:
        if t["id"] != "AU-PHYTO-2025":
            return [t]
        return [{**t, "id": "AU-LAYOUT-A"}, {**t, "id": "AU-LAYOUT-B"}]

    with pytest.raises(TiedTemplates) as caught:
        _review(registry, twice)
    assert {t.id for t in caught.value.tied} == {"AU-LAYOUT-A", "AU-LAYOUT-B"}
    assert "matches several templates alike" in caught.value.message
