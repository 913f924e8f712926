"""Where the vendored public interop samples live (``tests/interop/``, see its SOURCES.md).

The HMRC CDS WCO DM XSDs are not duplicated there: they ship with the adapter in
``adapters/wco_dm/schema/``; ``WCO_SCHEMA_HASHES`` lists the SHA-256 of the upstream files.
"""

from __future__ import annotations

from pathlib import Path

INTEROP = Path(__file__).resolve().parent / "interop"
WCO_SCHEMA_HASHES = INTEROP / "hmrc-cds-wco-dm" / "schemas.sha256"
