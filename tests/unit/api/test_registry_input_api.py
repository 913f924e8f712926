"""The registry's input checks over REST: the service's (one place for every edge), answered as
400 problem+json naming the field; and the listing, which shows whatever is stored (a name an
earlier version took from a command line that was not UTF-8) instead of answering 500."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from node.registry.tables import RegistryRecordRow
from tests.unit.api.conftest import bearer
from tests.unit.api.fakes import TEMPLATE, png

AGENCY = {"id": "AU-DAFF", "country": "AU", "name": "Department of Agriculture"}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _one_pixel() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def _blank() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 400), "white").save(buf, "PNG")
    return buf.getvalue()


def _problem(r, status: int) -> str:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert "--" not in detail  # a field's name, not a CLI flag
    return str(detail)


async def test_a_seal_specimen_the_review_cannot_compare_is_400(client, tokens) -> None:
    au = bearer(tokens["agency_au"])
    assert (await client.post("/api/v1/registry/agencies", json=AGENCY, headers=au)).is_success
    for image, why in ((_one_pixel(), "too small to compare"), (_blank(), "has no ink")):
        body = {"agency": "AU-DAFF", "id": "AU-DAFF-S1", "image_base64": _b64(image)}
        r = await client.post("/api/v1/registry/seals", json=body, headers=au)
        detail = _problem(r, 400)
        assert detail.startswith("image: ") and why in detail
    listed = await client.get("/api/v1/registry", headers=au)
    assert [x["kind"] for x in listed.json()] == ["agency"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Jane\nCitizen"}, "name must be one line of text"),
        ({"name": "Jane\x07Citizen"}, "character 5 is a control character, U+0007"),
        ({"valid_from": "2024-99-01"}, "valid_from must be a date YYYY-MM-DD"),
        ({"signature_base64": _b64(_blank())}, "signature: the image has no ink"),
    ],
)
async def test_an_officer_refused_names_the_field(client, tokens, change, message) -> None:
    au = bearer(tokens["agency_au"])
    await client.post("/api/v1/registry/agencies", json=AGENCY, headers=au)
    body = {
        "agency": "AU-DAFF",
        "id": "AU-DAFF-O7",
        "name": "Jane Citizen",
        "signature_base64": _b64(png("blue")),
        **change,
    }
    r = await client.post("/api/v1/registry/officers", json=body, headers=au)
    assert message in _problem(r, 400)


async def test_a_template_with_an_unknown_key_is_400(client, tokens) -> None:
    au = bearer(tokens["agency_au"])
    await client.post("/api/v1/registry/agencies", json=AGENCY, headers=au)
    body = {**TEMPLATE, "titel": ["PHYTOSANITARY CERTIFICATE"]}
    r = await client.post("/api/v1/registry/templates", json=body, headers=au)
    assert "unknown key 'titel'" in _problem(r, 400)


async def test_the_listing_shows_a_stored_name_that_is_not_utf8_for_every_role(
    node, client, tokens
) -> None:
    with node.db.session() as session:
        session.add(
            RegistryRecordRow(
                kind="agency",
                registrar="CN",
                record_id="CN-GACC",
                country="CN",
                fields={"name": "\udcff\udcfe"},
                state="confirmed",
            )
        )
    for role in ("officer", "auditor", "agency_au"):
        r = await client.get("/api/v1/registry", headers=bearer(tokens[role]))
        assert r.status_code == 200, (role, r.text)
        assert r.headers["content-type"] == "application/json"
        assert [x["name"] for x in r.json()] == ["\ufffd\ufffd"]
