"""A reader that stops reading (`cusdep messages --json | head -1`) ends the command without a
traceback (an upgrade audit found `BrokenPipeError` printed in full)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.unit.exchange.test_message_pages import home as home  # noqa: F401 (fixture)


def test_a_reader_that_stops_reading_gets_no_traceback(home: Path) -> None:  # noqa: F811
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "node", "--home", str(home), "messages", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10).startswith(b"[")
    proc.stdout.close()  # the reader leaves with some 300 KB of JSON still to come
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err
