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


def test_passwords_in_urls_and_token_secrets_are_masked() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure("INFO", stream=stream)
    token = "cdp_7dd599ade9cf_kg_SP0aOFgBQZBh5wP-mPg7agbIsaKobrSUzA3NtJTQ"
    try:
        log = logging.getLogger("web3.providers.AsyncHTTPProvider")
        log.info("connected to https://node:s3cret@besu.example:8545/rpc")
        log.info("database postgresql+psycopg://cusdep:pa55@127.0.0.1:5432/cusdep is up")
        try:
            raise ValueError(f"bad header Bearer {token}")
        except ValueError:
            log.exception("request failed for %s", token)
        log.info("db postgresql+psycopg://u:se/xyzzy@h/db", extra={"url": "http://a:x/y@h"})
        log.info("rpc http://h:8545/?password=hunter2&x=1 and http://h:8545/@node")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    text = stream.getvalue()
    assert "s3cret" not in text and "pa55" not in text and "kg_SP0a" not in text
    lines = [json.loads(x) for x in text.splitlines()]
    assert lines[0]["msg"] == "connected to https://node:***@besu.example:8545/rpc"
    assert "postgresql+psycopg://cusdep:***@127.0.0.1:5432/cusdep" in lines[1]["msg"]
    assert lines[2]["msg"] == "request failed for cdp_7dd599ade9cf_***"
    assert "Bearer cdp_7dd599ade9cf_***" in lines[2]["exc"]
    # a password with "/" in it, one in an extra field, one in a query string (a security
    # review: these were logged as they came)
    assert lines[3]["msg"] == "db postgresql+psycopg://u:***@h/db" and lines[3]["url"] == (
        "http://a:***@h"
    )
    assert lines[4]["msg"] == "rpc http://h:8545/?password=***&x=1 and http://h:8545/@node"
    assert "xyzzy" not in text and "hunter2" not in text


def test_node_run_logs_json_lines(home, capsys) -> None:
    """``node run``'s log is for a collector: one JSON object a line (it was plain text)."""
    from node.cli import main

    root = logging.getLogger()
    before = list(root.handlers)
    try:
        assert main(["-v", "node", "run"]) == 2  # no node in this home: stops before serving
        logging.getLogger("node.test").warning("after %s", "start")
    finally:
        added = [h for h in root.handlers if h not in before]
        for h in added:
            root.removeHandler(h)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["msg"] == "after start"


def test_uvicorns_lines_are_plain_and_not_called_errors() -> None:
    """uvicorn logs its start and stop as "uvicorn.error", with an ANSI-coloured copy."""
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure("INFO", stream=stream)
    try:
        logging.getLogger("uvicorn.error").info(
            "Started server process [%d]", 7, extra={"color_message": "\x1b[36m%d\x1b[0m"}
        )
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    (line,) = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert line["logger"] == "uvicorn" and line["msg"] == "Started server process [7]"
    assert "color_message" not in line and "\x1b" not in stream.getvalue()
