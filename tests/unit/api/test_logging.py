"""JSON-lines logs with bound context fields."""

from __future__ import annotations

import io
import json
import logging

from node.logging import bind, configure


def test_json_lines_with_bound_fields_and_extras() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure("INFO", stream=stream)
    try:
        log = logging.getLogger("cusdep.test")
        with bind(doc_sha256="ab" * 32, peer="AU-SYD"):
            log.info("reviewed %s", "doc", extra={"verdict": "reject"})
        log.debug("hidden")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert len(lines) == 2
    first = lines[0]
    assert (first["level"], first["logger"], first["msg"]) == (
        "info",
        "cusdep.test",
        "reviewed doc",
    )
    assert first["doc_sha256"] == "ab" * 32 and first["peer"] == "AU-SYD"
    assert first["verdict"] == "reject" and first["ts"].endswith("+00:00")
    assert "peer" not in lines[1] and "ValueError: boom" in lines[1]["exc"]
