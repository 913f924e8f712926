"""The OCR runtime sends nothing and keeps nothing about the machine: onnxruntime's telemetry
(a device id and a queue of events under ``~/.cache/Microsoft``) is off unless the operator
turns it on. Real models reading a rendered line, in a child process with its own home.

The child gets a minimal environment of its own: the runtime also stays silent when it sees
a continuous-integration machine (``CI=true`` and the like), which would make both tests
pass or fail for reasons of the machine, not of cusdep."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from verification._onnx_fold import cache_dir

REPO = Path(__file__).resolve().parents[3]
_READ = (
    "import numpy as np\n"
    "from verification.ocr import RapidOcrEngine\n"
    "from verification.testing import render_page\n"
    "page = render_page('PHYTOSANITARY CERTIFICATE', [('Certificate No.', ['AU-1'])])\n"
    "lines = RapidOcrEngine().recognise(np.asarray(page.image.convert('RGB')))\n"
    "print(lines[0].text)\n"
)


def _read_in(home: Path, **env: str) -> Path:
    base = {k: os.environ[k] for k in ("PATH", "LANG") if k in os.environ}
    out = subprocess.run(
        [sys.executable, "-c", _READ],
        env={**base, "HOME": str(home), "CUSDEP_MODEL_CACHE": str(cache_dir()), **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert out.stdout.strip() == "PHYTOSANITARY CERTIFICATE", out.stderr[-2000:]
    return home / ".cache" / "Microsoft"


def test_reading_a_page_leaves_no_telemetry_behind(tmp_path: Path) -> None:
    assert not _read_in(tmp_path).exists()


def test_an_operator_who_wants_it_turns_it_on(tmp_path: Path) -> None:
    """The runtime's own switch is respected (and shows this test can see the telemetry)."""
    assert (_read_in(tmp_path, ORT_DISABLE_TELEMETRY="0") / "DeveloperTools").is_dir()
