"""The genuine fixture scan (tests/fixtures/scans): its truth and declaration."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

SCANS = Path(__file__).resolve().parents[2] / "fixtures" / "scans"
TRUTH = json.loads((SCANS / "genuine.truth.json").read_text(encoding="utf-8"))
DECLARATION = json.loads((SCANS / "genuine.declaration.json").read_text(encoding="utf-8"))
ARRIVAL = date.fromisoformat(TRUTH["arrival_date"])
