"""onnxruntime with its telemetry off, before anything initialises it.

The official onnxruntime wheels collect telemetry on Linux too since 1.29 (1.32 here): a
process-information event (interpreter path, OS, CPU model, whether in a VM or container, a
persistent device id) and session events, queued in ``~/.cache/Microsoft/DeveloperTools/
.onnxruntime/onnxruntime.db`` for upload. A customs node reads certificates and sends nothing
to anyone it was not told to: ``ORT_DISABLE_TELEMETRY=1``, set before the runtime initialises,
is the runtime's full opt-out (no uploader, no device id, no cache; latched for the process).
An operator who wants the telemetry sets ``ORT_DISABLE_TELEMETRY=0`` in the environment (the
runtime still keeps quiet on machines it takes for continuous integration, e.g. ``CI=true``).
"""

from __future__ import annotations

import os

VARIABLE = "ORT_DISABLE_TELEMETRY"


def telemetry_off() -> None:
    """Opt out unless the environment already says otherwise (idempotent)."""
    os.environ.setdefault(VARIABLE, "1")
