"""Registry records the registry unit tests add: an AU template and plain PNG specimens."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

AU_TEMPLATE = {
    "id": "AU-PHYTO",
    "certificate_type": "phytosanitary",
    "issuing_country": "AU",
    "agency": "AU-DAFF",
    "titles": ["PHYTOSANITARY CERTIFICATE"],
    "fields": [{"name": "certificate_number", "labels": ["No."]}],
}


def png(color: str) -> bytes:
    """A 64x64 PNG of one colour (a seal or signature specimen: 5.4 mm at the 300 dpi assumed,
    as much as the registry takes)."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buf, "PNG")
    return buf.getvalue()


def synced_row(kind: str, fields: dict[str, Any], sha: str, agency_id: str) -> Any:
    """AU's authoritative record as registry sync stores it here (confirmed, from AU-CBR)."""
    from node.registry.tables import RegistryRecordRow

    return RegistryRecordRow(
        kind=kind,
        registrar="AU",
        record_id=fields["id"],
        agency_id=agency_id,
        country=fields.get("country", "AU"),
        sha256=sha,
        fields=fields,
        authoritative=True,
        state="confirmed",
        source="AU-CBR",
    )
