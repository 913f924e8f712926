"""Schemathesis against the node's OpenAPI, authenticated as admin: no request makes a 5xx, and
every response has a documented status code, media type and body schema.

A bounded number of examples per operation keeps it to seconds; the node has registry records,
a reviewed scan and a document so that generated paths can hit real rows.
"""

from __future__ import annotations

import asyncio
import base64

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from node.api.app import create_app
from node.api.tokens import TokenService
from node.bootstrap import build_node
from tests.unit.api.fakes import TEMPLATE, FakeVerifier, fakes, labelled_scan, png
from tests.unit.api.fakes import settings as node_settings


async def _seed(node) -> None:  # type: ignore[no-untyped-def]
    await node.registry.add_agency("AU-DAFF", "AU", "Dept")
    await node.registry.add_seal("AU-DAFF", "AU-DAFF-S1", png())
    import json

    await node.registry.add_template(json.dumps(TEMPLATE).encode())
    review = node.extras["review"]
    review.submit_scan(labelled_scan("forged"), actor="jane")
    await review.process_pending()


@pytest.fixture
def api_schema(home):  # type: ignore[no-untyped-def]
    node = build_node(node_settings(home), verifier=FakeVerifier(), **fakes())
    asyncio.run(_seed(node))
    token = TokenService(node.db).issue("admin", "fuzz")["token"]
    app = create_app(node)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.headers = {"Authorization": f"Bearer {token}"}  # type: ignore[attr-defined]
    return schema


_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_server_errors(api_schema) -> None:  # type: ignore[no-untyped-def]
    failures: list[str] = []
    calls = 0
    statuses: dict[int, int] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            response = case.call(headers=api_schema.config.headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            try:  # documented status, media type and body schema for every response
                case.validate_response(response, checks=_CHECKS)
            except Exception as err:  # a conformance failure is reported, not raised here
                failures.append(f"{case.method} {case.formatted_path}: {str(err)[:300]}")
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

        run()
    assert calls > 100
    assert statuses.get(200, 0) > 20, statuses  # authenticated: most reads succeed
    assert failures == []


def test_seal_image_base64_helper() -> None:
    assert base64.b64decode(base64.b64encode(png())) == png()
